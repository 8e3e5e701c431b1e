"""The small areas (LSOAs) a user can pick, from the packaged reference table."""

from __future__ import annotations

import csv
import io
from functools import lru_cache

from ui.common.forms import combo
from ui.common.qt import QComboBox


@lru_cache(maxsize=1)
def lsoas() -> tuple[tuple[str, str], ...]:
    """(code, "code name") for Oxford's LSOAs, in name order."""
    from casework.core.resources import read_text

    text = read_text("oxford-lsoas.csv")
    rows = [(r["lsoa_code"], f"{r['lsoa_name']} ({r['lsoa_code']})")
            for r in csv.DictReader(io.StringIO(text, newline=""))]
    return tuple(sorted(rows, key=lambda r: r[1]))


def area_combo() -> QComboBox:
    """A searchable drop-down of areas, blank meaning 'not known'."""
    box = combo(list(lsoas()), blank="Not known")
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = box.completer()
    if completer is not None:
        from ui.common.qt import Qt

        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(completer.CompletionMode.PopupCompletion)
    return box


def area_name(code: str | None) -> str:
    """An LSOA code as people read it: "Oxford 005A (E01028513)" ("" for none)."""
    if not code:
        return ""
    return dict(lsoas()).get(code, code)
