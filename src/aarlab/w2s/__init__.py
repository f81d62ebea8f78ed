"""The weak-to-strong testbed: datasets, features, bundle, training, methods, PGR."""
