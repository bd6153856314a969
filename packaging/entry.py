"""The frozen app's entry point: the same ``main`` as the ``leshan-reader`` console script."""

import sys

from leshan_reader.cli import main

if __name__ == "__main__":
    sys.exit(main())
