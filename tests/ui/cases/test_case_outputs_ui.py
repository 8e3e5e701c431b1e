"""Through the window: a case manager attaches a photo, then prints the case summary and
makes the court bundle from the case view's buttons."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_workflows import _act, _create, _wizard

pytestmark = pytest.mark.dates

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_print_the_summary_and_make_the_court_bundle(signed_in: Any, qtbot: Any,
                                                     tmp_path: Any, monkeypatch: Any) -> None:
    from ui.cases import view as view_module
    from ui.common.qt import Qt

    photo = tmp_path / "rear-gate.png"
    photo.write_bytes(PNG)
    out = tmp_path / "out"
    out.mkdir()
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "asb", "Bundle", "Maker")
    view = _create(qtbot, cases, wizard)

    def attach(f: Any) -> None:
        f["file"].setText(str(photo))
        f["evidence_type"].setCurrentIndex(f["evidence_type"].findData("photo"))
        f["description"].setPlainText("Fly-tipping at the rear gate")
    _act(qtbot, view, "evidence", attach)
    dialog = view_module.QFileDialog
    monkeypatch.setattr(dialog, "getSaveFileName",
                        lambda *a, **k: (str(out / "summary.pdf"), "PDF (*.pdf)"))
    monkeypatch.setattr(dialog, "getExistingDirectory", lambda *a, **k: str(out))
    qtbot.mouseClick(view.buttons["summary"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (out / "summary.pdf").exists(), timeout=20000)
    qtbot.waitUntil(lambda: "summary.pdf" in view.status.text(), timeout=20000)
    qtbot.mouseClick(view.buttons["bundle"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Court bundle written" in view.status.text(), timeout=20000)
    folder = next(p for p in out.iterdir() if p.is_dir())
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and names[0].endswith("-E01-photo.png")
    assert names[1].endswith("-bundle-index.pdf")
    assert (folder / names[0]).read_bytes() == PNG
