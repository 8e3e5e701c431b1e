"""Placeholder while the screen is built."""

from __future__ import annotations

from typing import Any

from ui.qt import QVBoxLayout
from ui.screens.base import Screen, missing


class Page(Screen):
    title = "panels"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        QVBoxLayout(self).addWidget(missing("This screen"))

    def open_person(self, person_id: int) -> None:
        del person_id
