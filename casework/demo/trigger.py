"""Synthetic Community Trigger applications: complaints, threshold, review, appeal."""

from __future__ import annotations

import json
from datetime import date, timedelta

from casework.demo import names
from casework.demo.world import Weighted, World, add_working_days
from casework.trigger.applications import TASK_ACK, TASK_DECISION, TASK_OUTCOME

SCENARIOS = ("three", "duplicates", "few", "stale", "hate", "individuals")
SCENARIO = Weighted([("three", 50), ("duplicates", 15), ("few", 12), ("stale", 8),
                     ("hate", 10), ("individuals", 5)])
AGENCIES = ("council", "police", "housing_provider")
WINDOW_DAYS = 182
QUALIFY_DAYS = 31


def proposed_threshold(received: date, complaints: list[tuple[date, date, str, bool, int]]
                       ) -> bool:
    """The default rule over (behaviour_on, complained_on, incident_key, hate,
    complainant) tuples: 3 distinct qualifying incidents in 6 months, or one hate
    incident, or 5 individuals complaining."""
    qualifying = [c for c in complaints
                  if c[0] >= received - timedelta(days=WINDOW_DAYS)
                  and (c[1] - c[0]).days <= QUALIFY_DAYS]
    keys = sorted({c[2] for c in qualifying})
    people = sorted({c[4] for c in qualifying})
    return len(keys) >= 3 or any(c[3] for c in qualifying) or len(people) >= 5


def _complaints(w: World, case_id: int, received: date, scenario: str, applicant: int
                ) -> list[tuple[date, date, str, bool, int]]:
    out: list[tuple[date, date, str, bool, int]] = []
    incidents = {"three": w.between(3, 6), "duplicates": 2, "few": w.between(1, 2),
                 "stale": w.between(3, 4), "hate": w.between(1, 2),
                 "individuals": 2}[scenario]
    complainants = [applicant]
    if scenario == "individuals":
        for _ in range(4):
            other = w.reuse(w.victims, 0.3) or w.new_person(received, 18, 85)
            if other not in complainants:
                complainants.append(other)
                w.party(case_id, other, "complainant")
    for k in range(incidents):
        if scenario == "stale" and k < incidents - 1:
            behaviour = received - timedelta(days=w.between(200, 360))
        else:
            behaviour = received - timedelta(days=w.between(3, 170))
        late = scenario == "stale" and w.chance(0.5)
        key = f"CT{case_id}-{k + 1}"
        reports = 1
        if scenario == "duplicates":
            reports = w.between(2, 3)
        elif w.chance(0.25):
            reports = 2
        if scenario == "individuals":
            reports = len(complainants)
        agencies = w.sample(AGENCIES, reports, reports) if reports <= 3 else []
        for i in range(reports):
            complained = behaviour + timedelta(days=w.between(40, 90) if late
                                               else w.between(0, 20))
            complained = min(complained, received)
            hate = scenario == "hate" and k == 0
            who = complainants[i % len(complainants)]
            w.add("trigger_complaints", {
                "id": w.next_id("trigger_complaints"), "case_id": case_id,
                "behaviour_on": behaviour, "complained_on": complained,
                "agency": agencies[i] if i < len(agencies) else w.pick(AGENCIES),
                "incident_key": key, "hate_related": hate, "complainant_person_id": who,
                "description": w.pick(names.HATE_TEXT if hate else names.INCIDENT_TEXT),
            })
            out.append((behaviour, complained, key, hate, who))
    return out


def trigger_case(w: World, case_id: int, reference: str, opened: date,
                 scenario: str | None = None) -> None:
    """One Community Trigger application and its review."""
    r = w.roster
    officer = w.pick(r.asb_officers)
    today = w.today
    applicant = w.reuse(w.victims, 0.6)
    if applicant is None:
        applicant = w.new_person(opened, 18, 85, repeat_victim=True)
        w.victims.append(applicant)
    w.party(case_id, applicant, "complainant")
    subject = w.reuse(w.perpetrators, 0.5)
    if subject is not None:
        w.party(case_id, subject, "perpetrator")
    kind = scenario or SCENARIO(w.rng)
    complaints = _complaints(w, case_id, opened, kind, applicant)
    proposed = proposed_threshold(opened, complaints)

    def upto(day: date) -> date | None:
        return day if day <= today else None

    ack = upto(add_working_days(opened, w.between(1, 4) if w.chance(0.85) else w.between(6, 9)))
    decided = upto(add_working_days(opened, w.between(3, 9) if w.chance(0.85)
                                    else w.between(11, 15)))
    met: bool | None = None
    reasons = ""
    if decided:
        met = proposed if w.chance(0.95) else not proposed
        reasons = ("Threshold confirmed as proposed from the recorded complaints."
                   if met == proposed else "Officer judgement: complaint dates disputed.")
    letter: date | None = None
    meeting: date | None = None
    if decided and met:
        meeting = upto(add_working_days(opened, w.between(12, 22)))
        if meeting:
            letter = upto(add_working_days(meeting, w.between(1, 4) if w.chance(0.8)
                                           else w.between(6, 12)))
    elif decided:
        letter = upto(add_working_days(decided, w.between(0, 2)))
    appeal_on = appeal_decided = None
    appeal_outcome = None
    if letter and (w.chance(0.08) or scenario == "three"):  # the first one is appealed
        appeal_on = upto(letter + timedelta(days=w.between(5, 20)))
        if appeal_on:
            appeal_decided = upto(appeal_on + timedelta(days=w.between(20, 60)))
            if appeal_decided:
                appeal_outcome = "upheld" if w.chance(0.3) else "not_upheld"
    w.add("trigger_applications", {
        "case_id": case_id, "applicant_person_id": applicant, "on_behalf": w.chance(0.15),
        "received_on": opened, "acknowledged_on": ack, "proposed_threshold_met": proposed,
        "threshold_met": met, "threshold_reasons": reasons, "threshold_decided_on": decided,
        "threshold_decided_by": officer if decided else None, "outcome_letter_on": letter,
        "applicant_response": w.pick(names.APPLICANT_RESPONSES) if letter else "",
        "appeal_requested_on": appeal_on, "appeal_outcome": appeal_outcome,
        "appeal_decided_on": appeal_decided,
    })
    if meeting:
        _review(w, case_id, meeting)
    closed: date | None = None
    if letter and (appeal_on is None or appeal_decided):
        closed = upto(max(letter, appeal_decided or letter) + timedelta(days=w.between(0, 5)))
    outcome = "review_completed" if met else "threshold_not_met"
    w.case(case_id, reference, "trigger", opened, closed, outcome, officer, r.asb_team, None,
           "medium" if w.chance(0.4) else "standard", w.home[applicant],
           add_working_days(opened, 25))
    if closed is None:
        for done, kind_, title, days in (
                (ack, TASK_ACK, "Acknowledge the application", 5),
                (decided, TASK_DECISION, "Decide the threshold", 10),
                (letter, TASK_OUTCOME, "Hold the review and send the outcome", 25)):
            if done is None and (kind_ != TASK_OUTCOME or met is not False):
                w.task(case_id, kind_, title, add_working_days(opened, days), officer,
                       r.asb_team)
                break
    w.notes(case_id, officer, opened, closed or today, w.between(1, 2))


def _review(w: World, case_id: int, meeting: date) -> None:
    bodies = ["council", "police"] + w.sample(("icb", "housing_provider", "other"), 0, 2)
    w.add("trigger_reviews", {"id": w.next_id("trigger_reviews"), "case_id": case_id,
                              "meeting_on": meeting, "bodies": json.dumps(bodies),
                              "findings": w.pick(names.FINDINGS_TEXT)})
    if w.chance(0.25):
        return
    for order in range(w.between(1, 3)):
        due = meeting + timedelta(days=w.between(28, 90))
        w.add("trigger_recommendations", {
            "id": w.next_id("trigger_recommendations"), "case_id": case_id,
            "body": w.pick(bodies), "recommendation": w.pick(names.RECOMMENDATION_TEXT),
            "due_on": due, "order": order,
            "completed_on": due - timedelta(days=w.between(0, 20))
            if due <= w.today and w.chance(0.75) else None,
        })
