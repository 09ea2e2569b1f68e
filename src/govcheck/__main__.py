"""`python -m govcheck`: the same as the `govcheck` command."""

from govcheck.cli import main

main()
