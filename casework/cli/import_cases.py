"""casework-cli import subcommand: import_cases (filled in by its own feature)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this source's subcommand to the ``import`` parser."""
    del sub
