"""Lists export from the real screens through the sharing pipeline, and rows copy."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import openpyxl

from tests.casework.factories import asb_case
from tests.ui.conftest import wait_ops
from ui.common import table_export
from ui.common.qt import QApplication, QKeySequence, Qt


def _choose(monkeypatch: Any, path: Any) -> None:
    monkeypatch.setattr(table_export, "ask_path", lambda _parent, _name: path)


def test_the_case_list_exports_every_matching_case_with_its_filters(
        signed_in: Any, qtbot: Any, db: Any, tmp_path: Any, monkeypatch: Any) -> None:
    ws = db.ws("cm")
    refs = [asb_case(ws, opened_on=date(2026, m, 2)).header.reference for m in (1, 2, 3)]
    _session, window = signed_in("cm")
    page = window.show_page("cases")
    lst = page.list_view
    qtbot.waitUntil(lambda: lst.is_ready() and lst.model.total == 3, timeout=15000)
    lst.model.page_size = 1  # only part of the list loaded: the export still has all
    out = tmp_path / "cases.csv"
    _choose(monkeypatch, out)
    act = window.commands["export_list"]
    assert act.shortcut() == QKeySequence("Ctrl+Shift+E")
    act.trigger()
    wait_ops(qtbot)
    assert out.exists(), lst.count.text()
    assert "Exported 3 rows to cases.csv" in lst.count.text()
    with open(out, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][0].startswith("# OFFICIAL-SENSITIVE | Exported list")
    assert any("Status: Open" in line[0] for line in lines[:3])  # the filters are named
    head = next(i for i, line in enumerate(lines) if line[:2] == ["Reference", "Type"])
    assert [line[0] for line in lines[head + 1:]] == list(reversed(refs))  # newest first
    assert lines[head + 1][1] == "ASB"


def test_my_work_exports_a_task_list_as_a_workbook_and_copies_rows(
        signed_in: Any, qtbot: Any, db: Any, tmp_path: Any, monkeypatch: Any) -> None:
    asb_case(db.ws("cm"), opened_on=date(2026, 11, 2))
    _session, window = signed_in("cm")
    page = window.show_page("mywork")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    table = page.overdue if page.overdue.rowCount() else page.week
    assert table.rowCount() > 0
    # Right-click menu: copy and export.
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    table.setFocus()
    table.selectRow(0)
    qtbot.keySequence(table, QKeySequence.StandardKey.Copy)
    copied = QApplication.clipboard().text().splitlines()
    assert copied[0].split("\t") == ["Due", "Case", "Type", "Task"]
    assert copied[1].split("\t")[1] == table.item(0, 1).text()
    out = tmp_path / "tasks.xlsx"
    _choose(monkeypatch, out)
    page.export_list(table)
    wait_ops(qtbot)
    assert "Exported" in page.status.text(), page.status.text()
    rows = [r for r in openpyxl.load_workbook(out).worksheets[1].values]
    assert ("Due", "Case", "Type", "Task") in [tuple(r[:4]) for r in rows]
    assert rows[-1][1] == table.item(table.rowCount() - 1, 1).text()


def test_a_refused_export_says_why_and_writes_nothing(
        signed_in: Any, qtbot: Any, db: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from casework.sharing import protocol

    admin = db.ws("admin")
    _v, definition = protocol.definition_of(admin)
    del definition["outputs"]["table_export"]
    protocol.new_version(admin, definition, "No list exports")
    _session, window = signed_in("admin")
    page = window.show_page("admin")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    out = tmp_path / "users.xlsx"
    _choose(monkeypatch, out)
    page.export_list()
    wait_ops(qtbot)
    assert page.status.text().startswith("Nothing was exported")
    assert "table_export" in page.status.text()
    assert not out.exists()
