"""Files mounted read-only into every sandbox. Never import them on the host."""
