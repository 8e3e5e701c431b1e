"""The new ASB case wizard: category, area, summary, and the complainant."""

from __future__ import annotations

from typing import Any

from ui.cases.dialogs import text_box
from ui.cases.wizard import CaseWizard
from ui.common.areas import area_combo
from ui.common.forms import Form, combo, date_edit
from ui.common.qt import QCheckBox


class NewAsbWizard(CaseWizard):
    """A new ASB case with its complainant."""

    title = "New ASB case"
    person_role = "Complainant"

    def build_case_form(self, form: Form) -> None:
        from casework.asb.cases import ASB_CATEGORIES, SUBCATEGORIES

        form.add("category", "&Category", combo(ASB_CATEGORIES, current="nuisance"))
        form.add("subcategory", "&Sub-category", combo(SUBCATEGORIES))
        form.add("opened_on", "&Opened on", date_edit())
        form.add("lsoa_code", "&Area", area_combo())
        form.add("summary", "S&ummary", text_box(80))
        form.add("first_incident", "", QCheckBox("Record the first &incident (today)"))

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.asb.cases import IncidentInput, open_asb_case

        incidents = [IncidentInput(occurred_on=v["opened_on"], reported_on=v["opened_on"],
                                   reporter_person_id=person_id)] if v["first_incident"] else []
        view = open_asb_case(self.ws, v["category"], v["subcategory"] or "", v["opened_on"],
                             v["lsoa_code"], person_id, None, incidents, summary=v["summary"])
        return view.header.id, view.header.reference
