"""The new sanctuary job wizard: the referral and the victim."""

from __future__ import annotations

from typing import Any

from ui.cases.wizard import CaseWizard
from ui.common.areas import area_combo
from ui.common.forms import Form, combo, date_edit
from ui.common.qt import QCheckBox


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
        from casework.sanctuary.jobs import refer_sanctuary

        eligibility = {k: v[k] for k in ("victim_chose", "perpetrator_not_resident",
                                         "right_to_occupy", "landlord_consent",
                                         "risk_assessment_done")}
        result = refer_sanctuary(self.ws, person_id, v["referred_on"],
                                 victim_of=v["victim_of"], referral_source=v["referral_source"],
                                 lsoa_code=v["lsoa_code"], **eligibility)
        header = getattr(result, "header", None) or getattr(result, "case", None) or result
        return header.id, header.reference
