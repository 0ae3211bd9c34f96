"""``python -m emgviz``: see :mod:`emgviz.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
