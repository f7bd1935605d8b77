"""``python -m bench.visibility``: see the package's docstring."""

import sys

from bench.visibility import main

sys.exit(main())
