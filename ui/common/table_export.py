"""Copy and export for every list: a right-click menu (Copy rows, Export to Excel or
CSV...) and the "Export list..." command of the File menu (Ctrl+Shift+E).

An export always goes through the sharing pipeline (``casework.sharing.table_export``):
the protocol decides which columns the user's role may take out, the file carries the
protective marking, and the export is audited. The user picks the file name and format
(Excel workbook by default, as spreadsheet users expect); the export runs in the
background behind a progress dialog with Cancel, and the screen says what was written,
or why nothing was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ui.common.qt import QAbstractItemView, QFileDialog, QMenu, Qt, QWidget
from ui.common.widgets import RecordTable, copy_selected_rows

FILTERS = "Excel workbook (*.xlsx);;CSV, comma-separated (*.csv)"
# What the list export needs, asked for on the GUI thread: (list name, columns, rows,
# scope). ``rows`` may be a function: it then runs in the background (a database read).
Rows = Sequence[Sequence[Any]] | Callable[[], Sequence[Sequence[Any]]]
Source = Callable[[], tuple[str, Sequence[Any], Rows, str]]


def ask_path(parent: QWidget | None, suggested: str) -> Path | None:
    """The file to write, from a save dialog (None when the user cancels). Tests replace
    this function."""
    from casework.core import clock

    start = str(Path.home() / f"{suggested}-{clock.today().isoformat()}.xlsx")
    name, chosen = QFileDialog.getSaveFileName(parent, "Export list", start, FILTERS)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        path = path.with_suffix(".csv" if "csv" in chosen.lower() else ".xlsx")
    return path


def export_list(parent: QWidget, ws: Any, source: Source, suggested: str,
                report: Callable[[str], None]) -> Any:
    """Ask for a file, then export the list behind a progress dialog. ``report`` shows
    the outcome ("Exported 212 rows to cases.xlsx..." or the refusal's reason)."""
    from casework.sharing.table_export import Column, export_table
    from ui.common.exports import run_export
    from ui.common.ops import error_text

    path = ask_path(parent, suggested)
    if path is None:
        return None
    table, columns, rows, scope = source()  # on the GUI thread, where the widgets live
    cols = [c if isinstance(c, Column) else Column(*c) for c in columns]

    def work() -> Any:
        data = rows() if callable(rows) else rows
        return export_table(ws, table, cols, data, path, scope=scope)

    def done(result: Any) -> None:
        left = result.facts.get("left_out") or []
        report(f"Exported {result.facts.get('rows', 0)} rows to {result.files[0].name} "
               f"under sharing protocol version {result.protocol_version}."
               + (f" Left out for your role: {', '.join(left)}." if left else ""))

    return run_export(parent, "Exporting the list…", work, (), done,
                      lambda exc: report(f"Nothing was exported: {error_text(exc)}"))


def record_source(table: RecordTable, name: str, fields: Sequence[str],
                  scope: Callable[[], str] = lambda: "") -> Source:
    """The export source of a RecordTable: its records through its own columns (dates stay
    dates), in the order shown, with ``fields`` naming the protocol field of each column."""
    def read() -> tuple[str, Sequence[Any], Rows, str]:
        records = [table.item(r, 0).data(Qt.ItemDataRole.UserRole)
                   for r in range(table.rowCount()) if table.item(r, 0) is not None]
        cols = [(f, h) for f, (h, _g) in zip(fields, table.columns, strict=True)]
        rows = [tuple(get(rec) for _h, get in table.columns) for rec in records]
        return name, cols, rows, scope()
    return read


def add_list_menu(view: QAbstractItemView, export: Callable[[], Any]) -> QMenu:
    """A right-click menu on a table: copy the chosen rows, export the whole list."""
    menu = QMenu(view)
    menu.setAccessibleName("List actions")
    copy = menu.addAction("Copy selected rows")
    copy.setShortcut("Ctrl+C")
    copy.triggered.connect(lambda: copy_selected_rows(view))
    exp = menu.addAction("Export list to Excel or CSV…")
    exp.setShortcut("Ctrl+Shift+E")
    exp.triggered.connect(export)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(
        lambda pos: menu.popup(view.viewport().mapToGlobal(pos)))
    view.setProperty("list_menu", True)
    return menu
