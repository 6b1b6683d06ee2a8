"""`python -m cslevel.cli` = the `cslevel` command, as `python -m cslevel`."""

from . import main

if __name__ == "__main__":
    main()
