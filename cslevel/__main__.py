"""`python -m cslevel` = the `cslevel` command."""

from .cli import main

main()
