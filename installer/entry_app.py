"""Frozen entry point of the desktop application (``casework``)."""

import sys

from ui.shell.app import main

sys.exit(main())
