"""``python -m`` on this package runs the ``stanceclf`` command."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
