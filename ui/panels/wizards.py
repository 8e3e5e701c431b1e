"""The new SWIP and MART referral wizards."""

from __future__ import annotations

from typing import Any

from casework.core.errors import ValidationError
from ui.cases.wizard import CaseWizard
from ui.common.areas import area_combo
from ui.common.forms import CodeList, Form, combo, date_edit, vocabulary_choices, vocabulary_combo
from ui.common.qt import QCheckBox, QLineEdit

RISKS = ("standard", "medium", "high")


def _header(view: Any) -> Any:
    """A read model's case header (services name it ``header``; older ones ``case``)."""
    return getattr(view, "header", None) or view.case


def _panel_choices(ws: Any, kind: str) -> list[tuple[int, str]]:
    """The actor's panels of this kind, by name (a short read of names, not records)."""
    from casework.panels.swip import my_panels

    return [(p.id, p.name) for p in my_panels(ws, kind)]


class _ReferralWizard(CaseWizard):
    person_role = "Person referred"
    case_type = "swip"

    def build_case_form(self, form: Form) -> None:
        from casework.people.persons import CONSENT

        form.add("panel_id", "&Panel", combo(_panel_choices(self.ws, self.case_type)))
        form.add("referred_on", "&Referred on", date_edit())
        form.add("referrer_name", "Re&ferrer", QLineEdit())
        form.add("referrer_agency", "Referrer's a&gency", vocabulary_combo(self.ws, "agency"),
                 "Pick the kind of agency; \"Other\" if none fits (never a name)")
        form.add("consent", "&Consent", combo(CONSENT, current="not_sought"))
        form.add("risk_level", "Ris&k", combo(RISKS))
        form.add("agencies", "Agencies &engaged",
                 CodeList(vocabulary_choices(self.ws, "agency")))
        form.add("needs", "N&eeds", CodeList(vocabulary_choices(self.ws, "need")))
        form.add("lsoa_code", "&Area", area_combo())
        self.build_type_fields(form)

    def build_type_fields(self, form: Form) -> None:
        """Fields only this referral type has."""

    def validate(self, values: dict[str, Any]) -> ValidationError | None:
        if values["panel_id"] is None:
            return ValidationError("You are not a member of a panel.", "panel_id")
        return None


class NewSwipWizard(_ReferralWizard):
    """A referral to the Sex Workers Intervention Panel."""

    title = "New SWIP referral"

    def build_type_fields(self, form: Form) -> None:
        form.add("location_concern", "", QCheckBox("A concern about a &location"))

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.panels.swip import refer

        view = refer(self.ws, v["panel_id"], "swip", person_id, v["referred_on"],
                     v["referrer_name"], v["referrer_agency"] or "", v["consent"], v["needs"],
                     v["risk_level"], v["agencies"],
                     location_concern=v["location_concern"], lsoa_code=v["lsoa_code"])
        h = _header(view)
        return h.id, h.reference


class NewMartWizard(_ReferralWizard):
    """A case alerted to the Anti-Slavery MART."""

    title = "New MART referral"
    case_type = "mart"

    def build_type_fields(self, form: Form) -> None:
        from casework.panels.mart import EXPLOITATION_TYPES

        form.add("exploitation_type", "E&xploitation", combo(EXPLOITATION_TYPES,
                                                             current="unknown"))
        exploited = date_edit()
        form.add("exploited_on", "Exploitation &date", exploited,
                 "When the exploitation took place (the age group is taken from this day)")
        referred = form.fields["referred_on"]

        def follow(day: Any) -> None:
            exploited.setMaximumDate(day)

        referred.dateChanged.connect(follow)
        follow(referred.date())
        form.add("is_child", "Age gro&up", combo([(True, "Child"), (False, "Adult")],
                                                 blank="From the date of birth"),
                 "Taken from the date of birth; a different group needs a reason")
        form.add("age_override_reason", "&Why it differs", QLineEdit(),
                 "Only when the age group differs from the date of birth (an age dispute)")
        form.add("nationality", "&Nationality", QLineEdit())

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.panels.mart import refer_mart

        view = refer_mart(self.ws, v["panel_id"], person_id, v["referred_on"],
                          v["referrer_name"], v["referrer_agency"] or "", v["consent"],
                          v["exploitation_type"], v["is_child"], v["nationality"],
                          v["risk_level"], v["agencies"], v["needs"],
                          lsoa_code=v["lsoa_code"], exploited_on=v["exploited_on"],
                          age_override_reason=v["age_override_reason"])
        h = _header(view.referral)
        return h.id, h.reference
