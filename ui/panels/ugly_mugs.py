"""Ugly-mug / dangerous-individual reports of a panel: the list and a report's entry."""

from __future__ import annotations

from typing import Any

from ui.cases.dialogs import text_box
from ui.common.areas import area_combo, area_name
from ui.common.forms import CodeList, FormDialog, date_edit, humanise, vocabulary_combo
from ui.common.ops import QueryOp
from ui.common.qt import QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from ui.common.widgets import RecordTable


class UglyMugDialog(FormDialog):
    """A new report: what was reported (coded), when, where (LSOA) and the referrals."""

    def __init__(self, parent: QWidget | None, ws: Any, panel_id: int,
                 referrals: list[Any]) -> None:
        super().__init__(parent, "Ugly-mug / dangerous-individual report",
                         submit_label="&Record report",
                         intro="Packs share the report's code, month and area only; the "
                               "account stays with the panel.")
        self.ws, self.panel_id = ws, panel_id
        self.add("code", "&What was reported", vocabulary_combo(ws, "dangerous_individual"))
        self.add("reported_on", "&Date", date_edit())
        self.add("lsoa_code", "&Area", area_combo(), "Optional: type part of a name or code")
        self.add("case_ids", "&Referrals", CodeList([(str(r.case_id), r.reference)
                                                     for r in referrals]))
        self.add("description", "A&ccount", text_box(70), "Kept for the panel; never shared")

    def on_submit(self) -> None:
        from casework.panels.uglymug import record_report

        v = self.form.values()
        ids = [int(c) for c in v["case_ids"]]
        self.submit(lambda: record_report(self.ws, self.panel_id, v["code"] or "",
                                          v["reported_on"], v["lsoa_code"] or "", ids,
                                          v["description"]))


class UglyMugList(QWidget):
    """The panel's reports, newest first, with a button to add one."""

    def __init__(self, page: Any) -> None:
        super().__init__()
        self.page = page
        self.labels: dict[str, str] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add ugly-&mug report…")
        self.add_button.setAccessibleName("Add ugly-mug report")
        self.add_button.clicked.connect(self.add)
        row.addWidget(self.add_button)
        row.addStretch(1)
        box.addLayout(row)
        self.table = RecordTable([
            ("Reported", lambda r: r.reported_on),
            ("What", lambda r: self.labels.get(r.code, humanise(r.code))),
            ("Area", lambda r: area_name(r.lsoa_code) or "—"),
            ("Referrals", lambda r: ", ".join(ref for _i, ref in r.referrals) or "—")],
            "Ugly-mug reports")
        self.table.empty_text = "No reports for this panel."
        box.addWidget(self.table, 1)

    def refresh(self) -> None:
        from casework.core.vocabulary import list_terms
        from casework.panels.uglymug import list_reports

        ws, panel = self.page.ws, self.page.panel_id
        if panel is None:
            return

        def load() -> Any:
            labels = {t.code: t.label for t in list_terms(ws, "dangerous_individual")}
            return labels, list_reports(ws, panel)

        def show(result: Any) -> None:
            self.labels, reports = result
            self.table.set_records(reports)

        QueryOp(self, load, show).run()

    def add(self) -> None:
        from casework.panels.swip import open_referrals

        page = self.page
        dlg = UglyMugDialog(page, page.ws, page.panel_id,
                            open_referrals(page.ws, page.panel_id))
        page.dialog = dlg
        dlg.accepted.connect(lambda: (page.status.setText("Report recorded."),
                                      self.refresh()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
