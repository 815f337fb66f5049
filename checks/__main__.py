"""``python -m checks``: the command line (see :mod:`checks.cli`)."""

import signal
import sys

from checks.cli import main

if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `… | head` ends quietly (only here: never inside a test run)
    sys.exit(main())
