"""What each letter template may use and what it must keep (pure data and checks, no I/O).

For every packaged template: the placeholders its callers fill (``fields_of``: the
standard fields every letter gets, and the fields of that letter, each with what it
holds), and the content the law requires of that kind of letter (``REQUIRED``: the
placeholders and the words an administrator's edit may not remove, DOMAIN.md: a CPN
states its requirements, the period to comply, the penalty for failure and the right of
appeal, 21 days to the magistrates' court; a closure notice states the hearing's date,
time and court; every letter carries the officer's name and job title).
``missing_content`` names what an edited text has lost. ``SAMPLE`` is synthetic data for
previewing a template: no real person, address or case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Placeholder -> what it holds (shown to the administrator who edits a template).
STANDARD: dict[str, str] = {
    "reference": "the case reference",
    "date": "the letter's date",
    "recipient_name": "the recipient's name",
    "recipient_address": "the recipient's address, or “By hand”",
    "parent_or_guardian": "the recorded parent or guardian's name, else “parent or guardian”",
    "officer_name": "the officer's name",
    "officer_title": "the officer's job title",
    "team_name": "the team sending the letter",
    "organisation": "the council's name, from the letterhead setting",
    "council_address": "the council's address, from the letterhead setting",
    "council_phone": "the council's telephone, from the letterhead setting",
    "council_email": "the council's e-mail, from the letterhead setting",
    "magistrates_court": "the magistrates' court, from the letterhead setting",
}
_STEP = {
    "action_date": "the date of the step",
    "behaviour": "the behaviour concerned",
    "in_force_until": "how long it is in force, e.g. “until 3 March 2027”",
    "duration_hours": "a closure notice's duration in hours",
}
_COURT = {"court": "the court; by default the letterhead's magistrates' court"}
_OWN: dict[str, dict[str, str]] = {
    "cpn": {"requirements": "the requirements of the notice",
            "comply_by": "the date or period by which to comply"},
    "closure_notice": {**_COURT, "hearing_date": "the court hearing's date",
                       "hearing_time": "the court hearing's time"},
    "closure_order": _COURT,
    "closure_order_extension": _COURT,
    "cbo": {**_COURT, "order_terms": "the order's prohibitions and requirements"},
    "abc": {"contract_terms": "the terms agreed in the contract"},
    "possession": {"possession_condition": "the absolute-ground condition relied on",
                   "proceedings_from": "the date after which court proceedings may begin"},
    "trigger_acknowledgement": {"received_on": "the date the application was received",
                                "decision_due_on": "the date the threshold decision is due"},
    "trigger_threshold_decision": {
        "decided_on": "the date of the decision",
        "threshold_outcome": "“has been met” or “has not been met”",
        "reasons": "the reasons for the decision", "next_steps": "what happens next"},
    "trigger_outcome": {"meeting_on": "the date of the review meeting",
                        "findings": "what the review found",
                        "recommendations": "the review's recommendations",
                        "appeal_route": "how to appeal against the review"},
    "trigger_appeal_outcome": {"decided_on": "the date the appeal was decided",
                               "appeal_outcome": "the outcome of the appeal",
                               "appeal_reasons": "the reasons for the outcome",
                               "appealed_against": "what was appealed against (the "
                                                   "threshold decision or the review)",
                               "next_steps": "what happens next"},
}
LADDER_LETTERS = frozenset({"first_warning_letter", "second_warning_letter", "home_visit",
                            "abc", "cpw", "cpn", "injunction", "closure_notice",
                            "closure_order", "closure_order_extension",
                            "tenancy_enforcement", "possession", "cbo"})
YOUTH = "_youth"


def base_key(key: str) -> str:
    """``cpn`` for ``cpn_youth``: the letter a youth wording belongs to."""
    return key.removesuffix(YOUTH)


def fields_of(key: str) -> dict[str, str]:
    """Every placeholder the template ``key`` may use, with what it holds."""
    base = base_key(key)
    step = _STEP if base in LADDER_LETTERS else {}
    return {**STANDARD, **step, **_OWN.get(base, {})}


@dataclass(frozen=True)
class Required:
    """What a kind of letter must keep: placeholders, and words (each with why)."""

    placeholders: tuple[str, ...] = ()
    words: tuple[tuple[str, str], ...] = ()


EVERY = ("recipient_name", "officer_name", "officer_title")
_APPEAL_21 = (("21 days", "the time limit for an appeal"),
              ("appeal", "the right of appeal"))
REQUIRED: dict[str, Required] = {
    "cpn": Required(("requirements", "comply_by", "magistrates_court", "action_date"),
                    (*_APPEAL_21, ("offence", "that failing to comply is an offence"),
                     ("fixed penalty", "the penalty for failing to comply"))),
    "cpw": Required(("behaviour", "in_force_until"),
                    (("Community Protection Notice",
                      "the warning that a Community Protection Notice may follow"),)),
    "closure_notice": Required(("court", "hearing_date", "hearing_time", "duration_hours"),
                               (("offence", "that breaching the notice is an offence"),
                                ("advice", "where to get advice"))),
    "closure_order": Required(("court", "in_force_until"),
                              (*_APPEAL_21,
                               ("offence", "that breaching the order is an offence"))),
    "closure_order_extension": Required(("court", "in_force_until"), _APPEAL_21),
    "cbo": Required(("court", "order_terms", "in_force_until"),
                    (("offence", "that breaching the order is an offence"),)),
    "abc": Required(("behaviour", "in_force_until", "contract_terms")),
    "injunction": Required(("action_date", "behaviour"),
                           (("advice", "the advice to seek legal advice"),)),
    "possession": Required(("possession_condition", "proceedings_from"),
                           (("review", "the right to ask for a review"),
                            ("7 days", "the time limit for asking for a review"))),
    "first_warning_letter": Required(("action_date", "behaviour")),
    "second_warning_letter": Required(("action_date", "behaviour")),
    "home_visit": Required(("action_date", "behaviour")),
    "tenancy_enforcement": Required(("action_date", "behaviour")),
    "trigger_acknowledgement": Required(("received_on", "decision_due_on")),
    "trigger_threshold_decision": Required(("decided_on", "threshold_outcome", "reasons")),
    "trigger_outcome": Required(("findings", "recommendations", "appeal_route")),
    "trigger_appeal_outcome": Required(("appeal_outcome", "appeal_reasons")),
}


def required_of(key: str) -> Required:
    """What the template ``key`` must keep (a youth wording: that of its letter)."""
    own = REQUIRED.get(base_key(key), Required())
    return Required((*EVERY, *(p for p in own.placeholders if p not in EVERY)), own.words)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def missing_content(key: str, placeholders: Iterable[str], body: str) -> list[str]:
    """What the law requires of the letter ``key`` that a text lacks, each named for the
    administrator (empty: nothing missing)."""
    used = set(placeholders)
    fields = fields_of(key)
    need = required_of(key)
    out = [f"${name} ({fields.get(name, name)})" for name in need.placeholders
           if name not in used]
    text = _normal(body)
    out += [f"the words “{words}” ({why})" for words, why in need.words
            if _normal(words) not in text]
    return out


def describe_required(key: str) -> list[str]:
    """What the letter ``key`` must keep, one line each (for the editor)."""
    return missing_content(key, (), "")


# Synthetic values for a preview: no real person, address or case.
SAMPLE: dict[str, str] = {
    "reference": "ASB-2026-000000", "recipient_name": "Sam Sample",
    "parent_or_guardian": "Pat Sample",
    "recipient_address": "1 Example Street\nExampletown\nEX1 1AA",
    "officer_name": "Alex Example", "officer_title": "Senior ASB Officer",
    "action_date": "1 December 2026", "behaviour": "loud music late at night",
    "in_force_until": "until 1 June 2027", "duration_hours": "48",
    "court": "Exampletown Magistrates' Court",
    "requirements": "Do not play amplified music audible outside your home between "
                    "11pm and 7am.",
    "comply_by": "8 December 2026", "hearing_date": "3 December 2026",
    "hearing_time": "10:00", "order_terms": "Not to enter the area shown on the map.",
    "possession_condition": "Condition 1: a conviction for a serious offence.",
    "proceedings_from": "5 January 2027",
    "contract_terms": "Not to play amplified music audible outside your home after 11pm.",
    "received_on": "1 December 2026", "decision_due_on": "15 December 2026",
    "decided_on": "1 December 2026", "threshold_outcome": "has been met",
    "reasons": "Three complaints about the behaviour were made within six months.",
    "next_steps": "The partners will meet to review the case.",
    "meeting_on": "1 December 2026", "findings": "The complaints were not joined up.",
    "recommendations": "1. Share incident logs weekly.",
    "appeal_route": "Write to the partnership's appeals officer within 20 working days.",
    "appeal_outcome": "your appeal is not upheld.",
    "appeal_reasons": "The review followed the published procedure.",
    "appealed_against": "the way your anti-social behaviour case review (the Community "
                        "Trigger) was carried out",
}
