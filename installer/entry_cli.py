"""Frozen entry point of the command line (``casework-cli``)."""

import sys

from casework.cli.main import main

sys.exit(main())
