"""File → Import cases…: an XLSX workbook imported through the window, its result shown;
a rejected file lists its problems and imports nothing; the template is saved."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select

from casework.imports import files
from db.models import Case, Incident
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt


def _workbook(path: Path, opened_on: str = "2026-02-01") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    cases = book.create_sheet("asb")
    cases.append(["reference_external", "opened_on", "category", "complainant_family_name"])
    cases.append(["XL-1", opened_on, "personal", "Example"])
    cases.append(["XL-2", "2026-03-01", "nuisance", ""])
    incidents = book.create_sheet("asb_incidents")
    incidents.append(["reference_external", "occurred_on", "description"])
    incidents.append(["XL-1", "2026-01-30", "Shouting"])
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _count(ws: Any, model: Any) -> int:
    with ws.uow() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def test_an_xlsx_import_through_the_window(signed_in: Any, qtbot: Any, tmp_path: Path) -> None:
    session, window = signed_in("cm")
    assert window.commands["import"].isVisible()
    window.commands["import"].trigger()
    dlg = window.import_dialog
    assert dlg is not None and dlg.isVisible()
    # a bad workbook first: rejected with its row and column, nothing imported
    dlg.path.setText(str(_workbook(tmp_path / "bad.xlsx", opened_on="not a date")))
    qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    text = dlg.result.toPlainText()
    assert "sheet asb: row 2: opened_on" in text and "nothing was imported" in text
    assert "not a date" not in text.replace("is not a date", "")
    assert _count(session.ws, Case) == 0
    # the good workbook
    dlg.path.setText(str(_workbook(tmp_path / "good.xlsx")))
    qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert dlg.summary is not None, dlg.result.toPlainText()
    assert "ASB: 2 case(s) (2 open), 1 incident(s)" in dlg.result.toPlainText()
    assert _count(session.ws, Case) == 2 and _count(session.ws, Incident) == 1
    # Save template… writes the packaged template
    dlg.save_template(tmp_path / "template.xlsx")
    assert (tmp_path / "template.xlsx").read_bytes() == files.template_bytes()


def test_import_is_not_offered_to_a_role_without_it(signed_in: Any) -> None:
    _session, window = signed_in("coord")
    assert not window.commands["import"].isVisible()


def test_cancelling_a_long_import_writes_nothing(signed_in: Any, qtbot: Any,
                                                 tmp_path: Path) -> None:
    from ui.common.qt import QApplication, QProgressDialog, QPushButton

    session, window = signed_in("cm")
    window.commands["import"].trigger()
    dlg = window.import_dialog
    rows = ["reference_external,opened_on,category"]
    rows += [f"LONG-{i},2026-02-01,personal" for i in range(2500)]
    (tmp_path / "long.csv").write_text("\n".join(rows) + "\n")
    dlg.path.setText(str(tmp_path / "long.csv"))
    qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    progress = [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]
    assert progress, "a long import shows its progress"
    cancel = [b for b in progress[0].findChildren(QPushButton) if b.text() == "Cancel"]
    qtbot.mouseClick(cancel[0], Qt.MouseButton.LeftButton)  # as the user does
    wait_ops(qtbot, timeout=60000)
    assert "cancelled. Nothing was imported" in dlg.result.toPlainText()
    assert _count(session.ws, Case) == 0
