"""The wizard of each case type: its case fields and the service that opens the case."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.errors import ValidationError
from ui.areas import area_combo
from ui.case.dialogs import text_box
from ui.forms import Form, combo, date_edit, humanise
from ui.qt import QCheckBox, QLineEdit
from ui.wizards.base import CaseWizard

RISKS = ("standard", "medium", "high")


def _header(view: Any) -> Any:
    """A read model's case header (services name it ``header``; older ones ``case``)."""
    return getattr(view, "header", None) or view.case


def _panel_choices(ws: Any, kind: str) -> list[tuple[int, str]]:
    """The actor's panels of this kind, by name (a short read of names, not records)."""
    from casework.panels import my_panels

    return [(p.id, p.name) for p in my_panels(ws, kind)]


class NewAsbWizard(CaseWizard):
    """A new ASB case with its complainant."""

    title = "New ASB case"
    person_role = "Complainant"

    def build_case_form(self, form: Form) -> None:
        from casework.asb import ASB_CATEGORIES, SUBCATEGORIES

        form.add("category", "&Category", combo(ASB_CATEGORIES, current="nuisance"))
        form.add("subcategory", "&Sub-category", combo(SUBCATEGORIES))
        form.add("opened_on", "&Opened on", date_edit())
        form.add("lsoa_code", "&Area", area_combo())
        form.add("summary", "S&ummary", text_box(80))
        form.add("first_incident", "", QCheckBox("Record the first &incident (today)"))

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.asb import IncidentInput, open_asb_case

        incidents = [IncidentInput(occurred_on=v["opened_on"], reported_on=v["opened_on"],
                                   reporter_person_id=person_id)] if v["first_incident"] else []
        view = open_asb_case(self.ws, v["category"], v["subcategory"] or "", v["opened_on"],
                             v["lsoa_code"], person_id, None, incidents, summary=v["summary"])
        return view.header.id, view.header.reference


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
        from casework.trigger import open_trigger

        if person_id is None:
            raise ValidationError("Record the applicant.", field="family_name")
        h = open_trigger(self.ws, person_id, v["received_on"], v["on_behalf"], v["lsoa_code"])
        return h.id, h.reference


class _ReferralWizard(CaseWizard):
    person_role = "Person referred"
    case_type = "swip"

    def build_case_form(self, form: Form) -> None:
        from casework.people import CONSENT

        form.add("panel_id", "&Panel", combo(_panel_choices(self.ws, self.case_type)))
        form.add("referred_on", "&Referred on", date_edit())
        form.add("referrer_name", "Re&ferrer", QLineEdit())
        form.add("referrer_agency", "Referrer's a&gency", QLineEdit())
        form.add("consent", "&Consent", combo(CONSENT, current="not_sought"))
        form.add("risk_level", "Ris&k", combo(RISKS))
        form.add("agencies", "Agencies &engaged", QLineEdit(),
                 "Separate agencies with commas")
        form.add("lsoa_code", "&Area", area_combo())
        self.build_type_fields(form)

    def build_type_fields(self, form: Form) -> None:
        """Fields only this referral type has."""

    def validate(self, values: dict[str, Any]) -> ValidationError | None:
        if values["panel_id"] is None:
            return ValidationError("You are not a member of a panel.", "panel_id")
        return None

    @staticmethod
    def _list(text: str) -> list[str]:
        return [p.strip() for p in text.split(",") if p.strip()]


class NewSwipWizard(_ReferralWizard):
    """A referral to the Sex Workers Intervention Panel."""

    title = "New SWIP referral"

    def build_type_fields(self, form: Form) -> None:
        from casework.panels import SWIP_NEEDS

        for need in SWIP_NEEDS:
            form.add(f"need_{need}", "", QCheckBox(f"Need: {humanise(need).lower()}"))
        form.add("location_concern", "", QCheckBox("A concern about a &location"))

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.panels import SWIP_NEEDS, refer

        needs = [n for n in SWIP_NEEDS if v.get(f"need_{n}")]
        view = refer(self.ws, v["panel_id"], "swip", person_id, v["referred_on"],
                     v["referrer_name"], v["referrer_agency"], v["consent"], needs,
                     v["risk_level"], self._list(v["agencies"]),
                     location_concern=v["location_concern"], lsoa_code=v["lsoa_code"])
        h = _header(view)
        return h.id, h.reference


class NewMartWizard(_ReferralWizard):
    """A case alerted to the Anti-Slavery MART."""

    title = "New MART referral"
    case_type = "mart"

    def build_type_fields(self, form: Form) -> None:
        from casework.mart import EXPLOITATION_TYPES

        form.add("exploitation_type", "E&xploitation", combo(EXPLOITATION_TYPES,
                                                             current="unknown"))
        form.add("is_child", "", QCheckBox("The person is a c&hild"))
        form.add("nationality", "&Nationality", QLineEdit())

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.mart import refer_mart

        view = refer_mart(self.ws, v["panel_id"], person_id, v["referred_on"],
                          v["referrer_name"], v["referrer_agency"], v["consent"],
                          v["exploitation_type"], v["is_child"], v["nationality"],
                          v["risk_level"], self._list(v["agencies"]), lsoa_code=v["lsoa_code"])
        h = _header(view.referral)
        return h.id, h.reference


class NewSanctuaryWizard(CaseWizard):
    """A sanctuary (target-hardening) job for a victim."""

    title = "New sanctuary job"
    person_role = "Victim"
    person_optional = False

    def build_case_form(self, form: Form) -> None:
        form.add("referred_on", "&Referred on", date_edit())
        form.add("victim_of", "Victim &of", combo(["domestic_abuse", "burglary"]))
        form.add("referral_source", "Referred &by",
                 combo(["idva", "police", "housing", "asb_team", "other"]))
        form.add("lsoa_code", "&Area", area_combo())
        for key, text in (("victim_chose", "The victim &chose sanctuary"),
                          ("perpetrator_not_resident", "The perpetrator does &not live there"),
                          ("right_to_occupy", "The victim has the ri&ght to occupy"),
                          ("landlord_consent", "&Landlord consent"),
                          ("risk_assessment_done", "Ris&k assessment done")):
            form.add(key, "", QCheckBox(text))

    def create(self, person_id: int | None, v: dict[str, Any]) -> tuple[int, str]:
        from casework.sanctuary import refer_sanctuary

        eligibility = {k: v[k] for k in ("victim_chose", "perpetrator_not_resident",
                                         "right_to_occupy", "landlord_consent",
                                         "risk_assessment_done")}
        result = refer_sanctuary(self.ws, person_id, v["referred_on"],
                                 victim_of=v["victim_of"], referral_source=v["referral_source"],
                                 lsoa_code=v["lsoa_code"], **eligibility)
        header = getattr(result, "header", None) or getattr(result, "case", None) or result
        return header.id, header.reference


__all__ = ["NewAsbWizard", "NewMartWizard", "NewSanctuaryWizard", "NewSwipWizard",
           "NewTriggerWizard", "date"]
