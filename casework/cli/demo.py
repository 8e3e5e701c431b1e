"""casework-cli subcommands: demo (filled in by its own feature)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add this module's subcommands to the parser."""
    del sub


__all__ = ["register", "argparse"]
