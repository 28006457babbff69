"""`python -m chronology ...`: the command line is in cli.py."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
