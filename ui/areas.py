"""The small areas (LSOAs) a user can pick, from the packaged reference table."""

from __future__ import annotations

import csv
from functools import lru_cache

from ui.forms import combo
from ui.qt import QComboBox


@lru_cache(maxsize=1)
def lsoas() -> tuple[tuple[str, str], ...]:
    """(code, "code name") for Oxford's LSOAs, in name order."""
    from casework.resources import path

    try:
        with path("oxford-lsoas.csv").open(encoding="utf-8") as fh:
            rows = [(r["lsoa_code"], f"{r['lsoa_name']} ({r['lsoa_code']})")
                    for r in csv.DictReader(fh)]
    except OSError:
        return ()
    return tuple(sorted(rows, key=lambda r: r[1]))


def area_combo() -> QComboBox:
    """A searchable drop-down of areas, blank meaning 'not known'."""
    box = combo(list(lsoas()), blank="Not known")
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = box.completer()
    if completer is not None:
        from ui.qt import Qt

        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(completer.CompletionMode.PopupCompletion)
    return box
