"""``python -m checks``: the command line."""

import sys

from checks.cli import main

sys.exit(main())
