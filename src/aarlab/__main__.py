"""`python -m aarlab` is the `aarlab` command."""

from aarlab.cli import main

main()
