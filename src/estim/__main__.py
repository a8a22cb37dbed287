"""``python -m estim``: the same entry point as the ``estim`` command."""

import sys

from estim.cli.main import main

sys.exit(main())
