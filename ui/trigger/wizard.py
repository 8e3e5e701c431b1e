"""The new Community Trigger application wizard and its applicant."""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.cases.wizard import CaseWizard
from ui.common.areas import area_combo
from ui.common.forms import Form, date_edit
from ui.common.qt import QCheckBox


class NewTriggerWizard(CaseWizard):
    """A Community Trigger application and its applicant."""

    title = "New Community Trigger application"
    person_role = "Applicant"
    person_optional = False

    def build_case_form(self, form: Form) -> None:
        form.add("received_on", "&Received on", date_edit())
        form.add("on_behalf", "", QCheckBox("Made &on the victim's behalf"))
        form.add("lsoa_code", "&Area", area_combo())

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.trigger.applications import open_trigger

        if person_id is None:
            raise ValidationError("Record the applicant.", field="family_name")
        h = open_trigger(self.ws, person_id, v["received_on"], v["on_behalf"], v["lsoa_code"])
        return h.id, h.reference
