"""Synthetic sanctuary / target-hardening jobs: eligibility, works, dates, feedback."""

from __future__ import annotations

from datetime import date, timedelta

from casework.cases.lifecycle import REVIEW_TASK
from casework.demo import names
from casework.demo.world import Weighted, World
from casework.sanctuary.jobs import TASK_FEEDBACK

SOURCE = Weighted([("idva", 45), ("police", 25), ("housing", 15), ("asb_team", 10),
                   ("other", 5)])
WORK = Weighted([("door_lock", 30), ("window_lock", 25), ("door_viewer", 15),
                 ("door_chain", 10), ("reinforced_door", 6), ("replacement_door", 4),
                 ("sanctuary_room", 3), ("fireproof_letterbox", 15), ("lighting", 10),
                 ("alarm", 8), ("video_doorbell", 12), ("guardcam", 2)])


def sanctuary_case(w: World, case_id: int, reference: str, opened: date,
                   contractors: list[int]) -> None:
    """One sanctuary job for a victim of domestic abuse or burglary."""
    r = w.roster
    officer = w.pick(r.sanctuary_officers)
    victim = w.reuse(w.victims, 0.2)
    if victim is None:
        victim = w.new_person(opened, 18, 80, gender="female" if w.chance(0.85) else None,
                              consent="given")
        w.victims.append(victim)
    w.party(case_id, victim, "victim")
    burglary = w.chance(0.15)
    if not burglary and w.chance(0.6):
        abuser = w.reuse(w.perpetrators, 0.1) or w.new_person(opened, 18, 65, gender="male")
        w.party(case_id, abuser, "perpetrator")
    if w.chance(0.3):
        w.party(case_id, w.new_person(opened, 1, 17), "household")
    flags = [w.chance(0.98), w.chance(0.97), w.chance(0.97), w.chance(0.95), w.chance(0.96)]
    eligible = all(flags)

    def upto(day: date) -> date | None:
        return day if day <= w.today else None

    surveyed = ordered = completed = checked = None
    if eligible:
        surveyed = upto(opened + timedelta(days=w.between(2, 15)))
        if surveyed:
            ordered = upto(surveyed + timedelta(days=w.between(1, 10)))
        if ordered:
            completed = upto(ordered + timedelta(days=w.between(5, 45)))
        if completed and w.chance(0.9):
            checked = completed
    contractor = w.pick(contractors) if surveyed and contractors else None
    w.add("sanctuary_jobs", {
        "case_id": case_id, "victim_of": "burglary" if burglary else "domestic_abuse",
        "referral_source": SOURCE(w.rng), "victim_chose": flags[0],
        "perpetrator_not_resident": flags[1], "right_to_occupy": flags[2],
        "landlord_consent": flags[3], "risk_assessment_done": flags[4],
        "contractor_id": contractor, "referred_on": opened, "surveyed_on": surveyed,
        "ordered_on": ordered, "completed_on": completed, "fire_safety_checked_on": checked,
        **{f"{key}_on": opened if passed else None for key, passed in zip(
            ("victim_chose", "perpetrator_not_resident", "right_to_occupy", "landlord_consent",
             "risk_assessment_done"), flags, strict=True)},
    })
    if surveyed:
        kinds: list[str] = []
        for _ in range(w.between(1, 5)):
            kind = WORK(w.rng)
            if kind not in kinds:
                kinds.append(kind)
        for kind in kinds:
            lo, hi, text = names.WORK_COSTS[kind]
            w.add("work_lines", {"id": w.next_id("work_lines"), "case_id": case_id,
                                 "kind": kind, "description": text,
                                 "cost_pence": w.between(lo, hi) // 100 * 100})
    closed: date | None = None
    outcome = "completed"
    if not eligible:
        closed = upto(opened + timedelta(days=w.between(3, 20)))
        outcome = "not_eligible"
    elif completed:
        closed = upto(completed + timedelta(days=w.between(1, 14)))
    if completed and w.chance(0.65):
        collected = completed + timedelta(days=w.between(91, 180))
        if collected <= w.today:
            w.add("sanctuary_feedback", {
                "id": w.next_id("sanctuary_feedback"), "case_id": case_id,
                "collected_on": collected, "felt_safer": w.chance(0.85),
                "further_incidents": w.chance(0.2), "moved": w.chance(0.05),
                "comments": w.pick(names.FEEDBACK_TEXT)})
        elif w.chance(0.5):
            w.task(case_id, TASK_FEEDBACK, "Collect feedback on the works",
                   completed + timedelta(days=91), officer, r.sanctuary_team)
    w.case(case_id, reference, "sanctuary", opened, closed, outcome, officer,
           r.sanctuary_team, None, "high" if w.chance(0.5) else "medium", w.home[victim],
           None)
    if closed is None:
        step = ("Survey the property" if surveyed is None else
                "Order the works" if ordered is None else "Chase completion of the works")
        w.open_tasks(case_id, REVIEW_TASK, step, officer, r.sanctuary_team)
    w.notes(case_id, officer, opened, closed or w.today, w.between(1, 2))
