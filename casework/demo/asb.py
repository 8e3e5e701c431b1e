"""Synthetic ASB cases: parties, incidents, risk reviews, the escalation ladder, breaches."""

from __future__ import annotations

from datetime import date, timedelta

from casework.demo import names
from casework.demo.world import Weighted, World, add_working_days

CATEGORY = Weighted([("personal", 35), ("nuisance", 45), ("environmental", 20)])
STAGE = Weighted([(0, 22), (1, 30), (2, 20), (3, 16), (4, 12)])
SOURCE = Weighted([("council", 45), ("police", 35), ("housing", 18), ("other", 2)])
CADENCE = {"high": 14, "medium": 28, "standard": 56}
OUTCOME = Weighted([("resolved", 55), ("no_further_action", 22), ("referred_elsewhere", 13),
                    ("enforcement_concluded", 10)])
STAGE4 = Weighted([("cpn", 45), ("injunction", 20), ("closure_notice", 10),
                   ("tenancy_enforcement", 12), ("cbo", 5), ("possession", 3),
                   ("cpn_then_injunction", 5)])
EXPIRY_DAYS = {"abc": 183, "cpw": 183, "cpn": 365, "injunction": 365, "closure_order": 91,
               "closure_order_extension": 91, "cbo": 730}
BREACHABLE = ("abc", "cpw", "cpn", "injunction")


def risk_level(total: int) -> str:
    """The level a total score sets (the default settings' thresholds: 20 and 35)."""
    return "high" if total >= 35 else "medium" if total >= 20 else "standard"


def _risk(w: World, case_id: int, officer: int | None, opened: date, end: date,
          hate: bool) -> tuple[str, date]:
    """The intake assessment and up to three reviews; returns the latest level and
    next review date."""
    day = opened
    level = "standard"
    next_review = opened
    reviews = 0
    personal = w.between(0, 20) + (6 if hate else 0)
    while True:
        personal = max(0, min(25, personal + w.between(-4, 3)))
        situational = w.between(0, 15)
        incidental = w.between(0, 15)
        total = personal + situational + incidental
        level = risk_level(total)
        next_review = day + timedelta(days=CADENCE[level])
        w.add("risk_assessments", {
            "id": w.next_id("risk_assessments"), "case_id": case_id, "assessed_on": day,
            "assessor_id": officer, "personal_score": personal,
            "situational_score": situational, "incidental_score": incidental,
            "total_score": total, "level": level,
            "answers": f'{{"personal": {personal}, "situational": {situational}, '
                       f'"incidental": {incidental}}}',
            "next_review_on": next_review, "is_intake": reviews == 0,
        })
        reviews += 1
        # Reviews happen roughly on time, sometimes late; an open case may be overdue.
        due = next_review + timedelta(days=w.between(-2, 10))
        if reviews > 3 or due > end:
            return level, next_review
        day = due


def _steps(w: World, case_id: int, officer: int | None, opened: date, end: date,
           stage: int) -> tuple[int, bool]:
    """Escalation steps up to ``stage``; returns the stage reached and whether any
    enforcement step was taken."""
    day = opened + timedelta(days=w.between(5, 25))
    reached = 0
    enforced = False
    skip_to = 3 if stage >= 3 and w.chance(0.06) else 0
    for s in range(1, stage + 1):
        if skip_to and s < skip_to:
            continue
        if day > end:
            break
        reason = "Serious harm to the victim justified escalating without earlier stages." \
            if skip_to and s == skip_to else ""
        actions: list[str]
        if s == 1:
            actions = ["verbal_warning" if w.chance(0.25) else "first_warning_letter"]
        elif s == 2:
            actions = ["second_warning_letter"] + (["home_visit"] if w.chance(0.6) else [])
        elif s == 3:
            actions = ["abc" if w.chance(0.45) else "cpw"]
        else:
            choice = STAGE4(w.rng)
            actions = {"closure_notice": ["closure_notice", "closure_order"],
                       "cpn_then_injunction": ["cpn", "injunction"]}.get(choice, [choice])
            if "closure_order" in actions and w.chance(0.3):
                actions.append("closure_order_extension")
            enforced = True
        for action in actions:
            if day > end:
                break
            _step(w, case_id, officer, s, action, day, reason)
            reason = ""
            reached = s
            day += timedelta(days=w.between(2, 20) if action == "closure_notice" else 0)
        day += timedelta(days=w.between(14, 70))
    return reached, enforced


def _step(w: World, case_id: int, officer: int | None, stage: int, action: str, day: date,
          reason: str) -> None:
    sid = w.next_id("escalation_steps")
    expiry = EXPIRY_DAYS.get(action)
    w.add("escalation_steps", {
        "id": sid, "case_id": case_id, "stage": stage, "action": action, "taken_on": day,
        "officer_id": officer, "document_id": None, "reason": reason,
        "expires_on": day + timedelta(days=expiry) if expiry else None,
        "duration_hours": 48 if action == "closure_notice" else None,
        "created_at": w.stamp(day),
    })
    if action in BREACHABLE and w.chance(0.25):
        when = day
        for _ in range(w.between(1, 2)):
            when = when + timedelta(days=w.between(7, 60))
            if when > w.today:
                break
            w.add("breaches", {"id": w.next_id("breaches"), "step_id": sid,
                               "occurred_on": when, "recorded_by": officer,
                               "action_taken": w.pick(names.BREACH_ACTIONS),
                               "description": "Further behaviour in breach of the terms."})


def asb_case(w: World, case_id: int, reference: str, opened: date,
             stage: int | None = None) -> None:
    """One ASB case with everything hanging off it."""
    r = w.roster
    officer = w.pick(r.asb_officers)
    category = CATEGORY(w.rng)
    sub = w.pick(names.ASB_SUBCATEGORIES[category])
    hate = sub == "hate" or w.chance(0.03)
    target = STAGE(w.rng) if stage is None else stage
    if stage is None:
        closed = w.close_date(opened, 20 + 40 * target, 150 + 70 * target)
    else:  # a case forced to a stage (so small demos show every stage) runs long enough
        closed = w.close_date(opened, 240, 400)
    end = closed or w.today

    victim = w.reuse(w.victims, 0.12)
    if victim is None:
        victim = w.new_person(opened, 18, 88, repeat_victim=w.chance(0.1), hate=hate,
                              consent="given" if w.chance(0.8) else "not_sought")
        w.victims.append(victim)
    w.party(case_id, victim, "complainant" if w.chance(0.3) else "victim")
    subject: int | None = None
    if category != "environmental" or stage is not None or w.chance(0.4):
        subject = w.reuse(w.perpetrators, 0.22) or w.reuse(w.victims, 0.04)
        if subject is None:
            subject = w.new_person(opened, 12, 60, gender="male" if w.chance(0.7) else None)
            w.perpetrators.append(subject)
        w.party(case_id, subject, "perpetrator")
    if w.chance(0.15):
        witness = w.reuse(w.everyone, 0.2) or w.new_person(opened, 18, 80)
        w.party(case_id, witness, "witness")
    if w.chance(0.08):
        w.party(case_id, w.new_person(opened, 25, 60), "professional",
                w.pick(("Housing provider", "Police", "Mental health service")))

    level, next_review = _risk(w, case_id, officer, opened, end, hate)
    if subject is None:
        target = min(target, 0)
    reached, enforced = _steps(w, case_id, officer, opened, end, target)
    if closed:
        _step(w, case_id, officer, reached, "closure", closed, "")

    due = add_working_days(opened, 1 if level == "high" else 5)
    r_contact = w.rng.random()
    contact: date | None
    if r_contact < 0.78:
        contact = opened + timedelta(days=w.between(0, max(0, (due - opened).days)))
    elif r_contact < 0.96:
        contact = due + timedelta(days=w.between(1, 12))
    else:
        contact = None
    if contact is not None and contact > end:
        contact = None
    w.add("asb_details", {
        "case_id": case_id, "category": category, "subcategory": sub, "stage": reached,
        "subject_person_id": subject, "first_contact_due": due, "first_contact_on": contact,
        "guardcam_installed": level == "high" and w.chance(0.15),
    })

    _incidents(w, case_id, victim, opened, end, hate)
    home = w.home[victim]
    outcome = OUTCOME(w.rng)
    if enforced and w.chance(0.6):
        outcome = "enforcement_concluded"
    elif outcome == "enforcement_concluded" and not enforced:
        outcome = "resolved"
    w.case(case_id, reference, "asb", opened, closed, outcome, officer, r.asb_team, None,
           level, home, next_review)
    if closed is None:
        if contact is None:
            w.task(case_id, "first_contact", "Make first contact with the complainant",
                   due, officer, r.asb_team)
        w.task(case_id, "risk_review", "Review the risk assessment", next_review, officer,
               r.asb_team)
        w.open_tasks(case_id, "complainant_update", "Update the complainant", officer, r.asb_team)
    elif w.chance(0.15):
        w.task(case_id, "complainant_update", "Update the complainant", closed - timedelta(days=7),
               officer, r.asb_team, completed=closed - timedelta(days=w.between(7, 12)))
    w.notes(case_id, officer, opened, end, w.between(1, 3))


def _incidents(w: World, case_id: int, reporter: int, opened: date, end: date,
               hate: bool) -> None:
    street = w.home_street[reporter] if w.chance(0.8) else w.pick(w.streets)
    theme = w.pick(names.INCIDENT_TEXT)
    span = max(1, (end - opened).days)
    for _ in range(w.between(1, 6)):
        occurred = opened - timedelta(days=60) + timedelta(days=int(w.rng.random() *
                                                                     (span + 60)))
        occurred = min(occurred, end)
        reported = min(occurred + timedelta(days=w.between(0, 4)), w.today)
        source = SOURCE(w.rng)
        is_hate = hate and w.chance(0.7)
        w.add("incidents", {
            "id": w.next_id("incidents"), "case_id": case_id, "occurred_on": occurred,
            "reported_on": reported, "location": street.name, "lsoa_code": street.lsoa,
            "reporter_person_id": reporter if w.chance(0.85) else None, "source": source,
            "police_reference": f"DEMO/{reported.year}/{w.between(1, 999999):06d}"
            if source == "police" else "",
            "hate_motivated": is_hate,
            "description": w.pick(names.HATE_TEXT) if is_hate
            else theme if w.chance(0.7) else w.pick(names.INCIDENT_TEXT),
        })
