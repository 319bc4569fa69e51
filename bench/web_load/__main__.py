"""``python -m bench.web_load``: see the package's docstring."""

import sys

from bench.web_load.cli import main

sys.exit(main())
