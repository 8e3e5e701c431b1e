"""Where the packaged resources live (icons, templates, reference data, the default ISP)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def path(name: str) -> Path:
    return RESOURCES / name
