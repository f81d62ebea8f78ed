"""Dashboard route modules, one view family each."""
