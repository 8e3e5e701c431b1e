"""Synthetic SWIP and MART referrals, panel meetings every six weeks, NRM decisions."""

from __future__ import annotations

import bisect
import json
from datetime import date, timedelta

from casework.demo import names
from casework.demo.world import Weighted, World, add_working_days
from casework.panels.mart import TASK_RECOVERY, TASK_RG

RISK = Weighted([("standard", 45), ("medium", 35), ("high", 20)])
CONSENT = Weighted([("given", 65), ("refused", 10), ("not_sought", 15), ("withdrawn", 10)])
SWIP_OUTCOME = Weighted([("engaged_with_support", 45), ("exited", 20), ("moved_away", 15),
                         ("disengaged", 20)])
MART_OUTCOME = Weighted([("removed_from_exploitation", 30), ("housed", 18),
                         ("benefits_in_place", 15), ("perpetrators_disrupted", 17),
                         ("prosecution", 7), ("no_further_action", 13)])
EXPLOITATION = Weighted([("criminal", 22), ("county_lines", 20), ("labour", 20),
                         ("sexual", 15), ("domestic_servitude", 7), ("financial_fraud", 5),
                         ("forced_marriage", 3), ("organ_harvesting", 0.5), ("unknown", 7.5)])
NATIONALITY = Weighted(names.NATIONALITIES)
NEEDS = ("housing", "substance_use", "health", "exploitation_risk", "debt")  # need codes
MART_NEEDS = ("safe_accommodation", "immigration_advice", "benefits", "legal_advice",
              "interpreter", "health", "mental_health", "other")
INTERVAL = 42


class Schedule:
    """One panel's meetings: dates (sorted) and ids."""

    def __init__(self, w: World, panel: int | None, chair: int | None,
                 members: list[int | None], agencies: tuple[str, ...]) -> None:
        self.dates: list[date] = []
        self.ids: list[int] = []
        self.agenda_length: dict[int, int] = {}  # items so far on each meeting's agenda
        if panel is None:
            return
        day = w.start + timedelta(days=w.between(0, 20))
        day += timedelta(days=(1 - day.weekday()) % 7)  # Tuesdays
        while day <= w.today + timedelta(days=2 * INTERVAL):
            mid = w.next_id("meetings")
            held = day < w.today
            w.add("meetings", {"id": mid, "panel_id": panel, "scheduled_on": day,
                               "held": held, "chair_id": chair,
                               "location": "Meeting Room 2, Partnership Hub (demo)"})
            if held:
                for user in sorted({m for m in members if m is not None}):
                    w.add("meeting_attendance", {
                        "id": w.next_id("meeting_attendance"), "meeting_id": mid,
                        "attendee": w.roster.display.get(user, "Panel member"),
                        "agency": "community_safety", "present": w.chance(0.9),
                        "user_id": user, "role": "chair" if user == chair else "member"})
                for agency in w.sample(agencies, 5, len(agencies)):
                    w.add("meeting_attendance", {
                        "id": w.next_id("meeting_attendance"), "meeting_id": mid,
                        "attendee": w.professional(), "agency": agency,
                        "present": w.chance(0.85), "user_id": None, "role": "guest"})
            self.dates.append(day)
            self.ids.append(mid)
            day += timedelta(days=INTERVAL)

    def between(self, first: date, last: date) -> list[tuple[date, int]]:
        """Meetings after ``first`` up to and including ``last``."""
        lo = bisect.bisect_right(self.dates, first)
        hi = bisect.bisect_right(self.dates, last)
        return list(zip(self.dates[lo:hi], self.ids[lo:hi], strict=True))

    def next_after(self, day: date, skip: int = 0) -> tuple[date, int] | None:
        """The first meeting after ``day`` (``skip`` more meetings on, within the
        schedule)."""
        i = bisect.bisect_right(self.dates, day)
        if i >= len(self.dates):
            return None
        i = min(i + skip, len(self.dates) - 1)
        return self.dates[i], self.ids[i]


REVIEW_EVERY = {"high": 1, "medium": 2, "standard": 3}  # meetings between reviews


def _panel_work(w: World, case_id: int, schedule: Schedule, opened: date,
                closed: date | None, agencies: tuple[str, ...], every: int = 1) -> date | None:
    """Agenda items, minutes and actions for the meetings held; returns the referral's next
    review date: one of the next ``every`` meetings (staggered by case), so that the next
    agenda, which the chair builds, holds the referrals due rather than every open one."""
    # Held means before today (as the schedule marks them); a meeting today is upcoming.
    end = min(closed or w.today, w.today - timedelta(days=1))
    held = schedule.between(opened, end)[-4:]
    upcoming = None if closed else schedule.next_after(w.today - timedelta(days=1),
                                                       case_id % every)
    for n, (day, mid) in enumerate(held):
        done = day < w.today
        order = schedule.agenda_length[mid] = schedule.agenda_length.get(mid, 0) + 1
        w.add("meeting_items", {"id": w.next_id("meeting_items"), "meeting_id": mid,
                                "case_id": case_id, "order": order,
                                "progress": w.pick(names.PROGRESS_TEXT) if done else "",
                                "progress_shareable": done and w.chance(0.5),
                                "discussed": done,
                                "reason": "new" if n == 0 and day - opened < timedelta(
                                    days=INTERVAL) else "review_due"})
        if not done:
            continue
        for _ in range(w.between(0, 2)):
            due = day + timedelta(days=w.between(14, 42))
            complete = due <= w.today and w.chance(0.75)
            w.add("panel_actions", {
                "id": w.next_id("panel_actions"), "case_id": case_id, "meeting_id": mid,
                "agency": w.pick(agencies), "owner": w.professional(),
                "description": w.pick(names.ACTION_TEXT), "shareable": w.chance(0.6),
                "due_on": due,
                "completed_on": min(w.today, due - timedelta(days=w.between(0, 10)))
                if complete else None,
            })
    return upcoming[0] if upcoming else None


def _referral(w: World, case_id: int, opened: date, consent: str, agencies: tuple[str, ...],
              location: bool, needs: tuple[str, ...] = NEEDS) -> None:
    w.add("referrals", {
        "case_id": case_id, "referrer_name": w.professional(),
        "referrer_agency": w.pick(names.REFERRER_AGENCIES), "referred_on": opened,
        "consent": consent, "needs": json.dumps(sorted(w.sample(needs, 1, 4))),
        "agencies_engaged": json.dumps(sorted(w.sample(agencies, 1, 5))),
        "location_concern": location,
    })


def swip_case(w: World, case_id: int, reference: str, opened: date, schedule: Schedule) -> None:
    """One SWIP referral."""
    r = w.roster
    owner = w.pick(r.swip_users)
    consent = CONSENT(w.rng)
    location = w.chance(0.07)
    address: tuple[int, str]
    if location:
        address = w.new_address()
    else:
        person = w.reuse(w.subjects, 0.2) or w.reuse(w.victims, 0.05) \
            or w.reuse(w.perpetrators, 0.05)
        if person is None:
            person = w.new_person(opened, 18, 55, gender="female" if w.chance(0.85) else None,
                                  consent=consent)
        w.subjects.append(person)
        w.party(case_id, person, "victim")
        address = w.home[person]
    _referral(w, case_id, opened, consent, names.SWIP_AGENCIES, location)
    if w.chance(0.08):
        text = w.pick(names.UGLY_MUG_TEXT)
        report = w.next_id("ugly_mug_reports")
        w.add("ugly_mug_reports", {
            "id": report, "case_id": case_id,
            "reported_on": min(w.today, opened + timedelta(days=w.between(0, 60))),
            "description": text, "panel_id": r.swip_panel,
            "code": names.UGLY_MUG_CODES.get(text, "other"), "lsoa_code": address[1]})
        w.add("ugly_mug_links", {"id": w.next_id("ugly_mug_links"), "report_id": report,
                                 "case_id": case_id})
    closed = w.close_date(opened, 60, 420)
    outcome, risk = SWIP_OUTCOME(w.rng), RISK(w.rng)
    review = _panel_work(w, case_id, schedule, opened, closed, names.SWIP_AGENCIES,
                         REVIEW_EVERY[risk])
    w.case(case_id, reference, "swip", opened, closed, outcome, owner, None,
           r.swip_panel, risk, address, review)
    if closed is None and review is not None:
        w.task(case_id, "panel.review", "Prepare the referral for the next panel", review,
               owner, None)
    w.notes(case_id, owner, opened, closed or w.today, w.between(1, 2))


def mart_case(w: World, case_id: int, reference: str, opened: date, schedule: Schedule) -> None:
    """One MART referral with its NRM route."""
    r = w.roster
    owner = w.pick(r.mart_users)
    kind = EXPLOITATION(w.rng)
    child = w.chance(0.6 if kind == "county_lines" else 0.15)
    person = w.reuse(w.perpetrators, 0.15) if kind in ("criminal", "county_lines") else None
    if person is None or child:
        person = w.new_person(opened, 12 if child else 18, 17 if child else 60)
    w.subjects.append(person)
    w.party(case_id, person, "victim")
    consent = child or w.chance(0.65)
    nrm = w.chance(0.9) if child else consent and w.chance(0.9)
    nrm_on = min(w.today, opened + timedelta(days=w.between(0, 10))) if nrm else None
    duty = not child and not consent
    duty_on = min(w.today, opened + timedelta(days=w.between(0, 10))) if duty else None
    w.add("mart_details", {
        "case_id": case_id, "exploitation_type": kind, "is_child": child,
        "nationality": NATIONALITY(w.rng), "nrm_referred": nrm, "nrm_referred_on": nrm_on,
        "duty_to_notify": duty, "duty_to_notify_on": duty_on,
        "informed_consent": None if child else consent,
        "first_responder": w.pick(names.FIRST_RESPONDERS) if nrm or duty else "",
        "exploited_on": opened,
    })
    _referral(w, case_id, opened, "given" if consent else "refused", names.MART_AGENCIES,
              False, MART_NEEDS)
    closed = w.close_date(opened, 45, 420)
    end = closed or w.today
    rg_pending = False
    recovery_end: date | None = None
    if nrm_on:
        rg = add_working_days(nrm_on, w.between(3, 5) if w.chance(0.7) else w.between(6, 20))
        if rg <= end:
            positive = w.chance(0.85)
            recovery_end = rg + timedelta(days=30 + w.between(0, 15)) if positive else None
            w.add("nrm_decisions", {"id": w.next_id("nrm_decisions"), "case_id": case_id,
                                    "kind": "reasonable_grounds", "decided_on": rg,
                                    "positive": positive,
                                    "recovery_period_ends": recovery_end})
            cg = rg + timedelta(days=w.between(45, 300))
            if positive and cg <= end and w.chance(0.7):
                w.add("nrm_decisions", {"id": w.next_id("nrm_decisions"), "case_id": case_id,
                                        "kind": "conclusive_grounds", "decided_on": cg,
                                        "positive": w.chance(0.75),
                                        "recovery_period_ends": None})
                recovery_end = None
        else:
            rg_pending = True
    review = _panel_work(w, case_id, schedule, opened, closed, names.MART_AGENCIES)
    w.case(case_id, reference, "mart", opened, closed, MART_OUTCOME(w.rng), owner, None,
           r.mart_panel, "high" if child or w.chance(0.4) else "medium", w.home[person], review)
    if closed is None:
        if rg_pending and nrm_on:
            w.task(case_id, TASK_RG, "Chase the reasonable-grounds decision",
                   add_working_days(nrm_on, 5), owner, None)
        elif recovery_end and recovery_end >= w.today - timedelta(days=30):
            w.task(case_id, TASK_RECOVERY, "Plan for the end of the recovery period",
                   recovery_end, owner, None)
        else:
            w.open_tasks(case_id, "mart.safeguarding", "Review safeguarding actions", owner,
                         None)
    w.notes(case_id, owner, opened, end, w.between(1, 2))
