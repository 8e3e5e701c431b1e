"""A stateful property test of the ASB ladder against a real encrypted database.

Hypothesis drives random sequences of escalations (in order, skipping with or without a
reason, out of order), breaches, de-escalations and closure on a fresh case per example,
and checks after every step that:
- the stage never jumps without a recorded reason;
- a CPN never comes without a prior written warning, nor for a subject under 16;
- a closed case refuses every change;
- every change has its audit entry, and a refused change leaves none.
A simple model predicts which calls the rules refuse, and with which field.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from casework.asb import ladder
from casework.cases import lifecycle as cases
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.settings import LADDER, SPECS
from casework.core.workdays import add_months
from db.models import AsbDetail, AuditEntry, Breach, Case, EscalationStep, Person
from tests.casework import factories as f

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

EXTRA = {"requirements": "Stop the noise.", "comply_by": "7 days", "hearing_date": "1 May",
         "hearing_time": "10am", "possession_condition": "x", "order_terms": "x",
         "proceedings_from": "1 June", "contract_terms": "x"}
OPENED = date(2025, 1, 6)
ACTIONS = sorted(a for acts in SPECS[LADDER].default.values() for a in acts)
WRITTEN = ladder.WRITTEN_WARNINGS


class LadderMachine(RuleBasedStateMachine):
    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.case_id = 0
        self.stage = 0
        self.age = 0
        self.day = OPENED
        self.closed = False
        self.written = False
        self.breachable: list[int] = []
        self.first_order: date | None = None
        self.order_ends: date | None = None
        self.attempts = 0
        with ws.uow() as s:
            self.stages = ladder.ladder(s)

    # ------------------------------------------------------------------ helpers
    def audits(self) -> int:
        with self.ws.uow() as s:
            return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)

    def attempt(self, call, expected_field: str | None) -> bool:
        """Run a call; check it is refused exactly when the model says, with no audit."""
        self.attempts += 1
        before = self.audits()
        try:
            call()
        except ValidationError as err:
            assert expected_field is not None, f"refused unexpectedly: {err} ({err.field})"
            assert err.field == expected_field, (err.field, expected_field)
            assert self.audits() == before, "a refused change left an audit entry"
            return False
        assert expected_field is None, f"accepted, but expected refusal on {expected_field}"
        assert self.audits() > before, "a change without an audit entry"
        return True

    def predict(self, action: str, taken_on: date, reason: str, hours: int | None,
                expires: date | None) -> str | None:
        stage = self.stages[action]
        if self.closed:
            return "status"
        if stage < self.stage:
            return "action"
        if stage > self.stage + 1 and not reason:
            return "reason"
        if action == "cpn" and not self.written:
            return "action"
        if action == "closure_order" and not self.noticed:
            return "action"
        if action == "cpw" and not reason and self.age < 16:
            return "reason"
        if action in ladder.MIN_AGE and self.age < ladder.MIN_AGE[action]:
            return "subject"
        if hours is not None and hours > 48:
            return "duration_hours"
        if action == "closure_order" and expires and expires > add_months(taken_on, 3):
            return "expires_on"
        if action == "closure_order_extension":
            if self.first_order is None:
                return "action"
            assert expires is not None and self.order_ends is not None
            if expires <= self.order_ends or expires > add_months(self.first_order, 6):
                return "expires_on"
        return None

    # ------------------------------------------------------------------ rules
    @initialize(age=st.sampled_from([9, 10, 12, 15, 16, 40]), warned=st.booleans())
    def open_case(self, age: int, warned: bool) -> None:
        """A fresh case per example; half start with a first warning letter already sent."""
        self.age = age
        self.noticed = False
        born = date(2024 - age, 6, 1)  # exactly ``age`` from January to May 2025
        self.case_id = f.asb_case(self.ws, OPENED, subject_born=born).header.id
        if warned:
            self.escalate("first_warning_letter", False, 0, 1, 1)

    @rule(action=st.sampled_from(ACTIONS), with_reason=st.booleans(),
          advance=st.integers(0, 3), hours=st.integers(1, 72), days=st.integers(1, 200))
    def escalate(self, action: str, with_reason: bool, advance: int, hours: int,
                 days: int) -> None:
        taken_on = self.day + timedelta(days=advance)
        reason = "Serious harm to a vulnerable neighbour" if with_reason else ""
        duration = hours if action == "closure_notice" else None
        expires = taken_on + timedelta(days=days) if action.startswith("closure_order") \
            else None
        expected = self.predict(action, taken_on, reason, duration, expires)
        if self.attempt(lambda: ladder.escalate(self.ws, self.case_id, action, taken_on,
                                                reason, duration, expires,
                                                extra=EXTRA), expected):
            self.stage = self.stages[action]
            self.day = taken_on
            self.written = self.written or action in WRITTEN
            self.noticed = self.noticed or action == "closure_notice"
            if action in ladder.BREACHABLE:
                with self.ws.uow() as s:
                    self.breachable.append(int(s.scalar(select(func.max(EscalationStep.id))
                                                        .where(EscalationStep.case_id
                                                               == self.case_id)) or 0))
            if action == "closure_order":
                self.first_order = self.first_order or taken_on
            if action.startswith("closure_order"):
                self.order_ends = expires

    @rule(data=st.data(), advance=st.integers(0, 2))
    def climb(self, data: st.DataObject, advance: int) -> None:
        """Take an action of the next stage up (or of stage 4 at the top), so that examples
        reach enforcement often; written warnings and CPNs are drawn more than their share."""
        target = min(self.stage + 1, 4)
        options = sorted(a for a, st_ in self.stages.items() if st_ == target
                         and not a.startswith("closure"))
        weighted = options + [a for a in options if a in WRITTEN] * 2
        action = data.draw(st.sampled_from(weighted + (["cpn"] * 4 if target == 4 else [])))
        self.escalate(action, False, advance, 1, 1)

    @rule(action=st.sampled_from(["cpn", "cpn", "injunction"]), advance=st.integers(0, 2))
    def enforce(self, action: str, advance: int) -> None:
        """Go straight to the age-limited enforcement steps, with a reason for the skip."""
        self.escalate(action, True, advance, 1, 1)

    @precondition(lambda self: bool(self.breachable))
    @rule(data=st.data(), acted=st.booleans())
    def breach(self, data: st.DataObject, acted: bool) -> None:
        step_id = data.draw(st.sampled_from(self.breachable))
        self.attempt(lambda: ladder.record_breach(self.ws, step_id, self.day,
                                                  "fixed_penalty_notice" if acted else ""),
                     "status" if self.closed else None)

    @rule(to_stage=st.integers(0, 4), with_reason=st.booleans())
    def de_escalate(self, to_stage: int, with_reason: bool) -> None:
        reason = "Behaviour improved" if with_reason else ""
        expected = ("reason" if not reason else "status" if self.closed
                    else "to_stage" if not 0 <= to_stage < self.stage else None)
        if self.attempt(lambda: ladder.de_escalate(self.ws, self.case_id, to_stage, reason,
                                                   self.day), expected):
            self.stage = to_stage

    @precondition(lambda self: self.attempts >= 4)
    @rule(outcome=st.sampled_from(["resolved", "no_further_action", "enforcement_concluded"]),
          now=st.integers(0, 1))
    def close(self, outcome: str, now: int) -> None:
        """Close (about one time in two once the case has some history)."""
        if now:
            return
        if self.attempt(lambda: cases.close_case(self.ws, self.case_id, outcome, self.day),
                        "status" if self.closed else None):
            self.closed = True

    # ------------------------------------------------------------------ invariants
    @invariant()
    def ladder_rules_hold_in_the_database(self) -> None:
        if not self.case_id:
            return
        with self.ws.uow() as s:
            detail = s.get(AsbDetail, self.case_id)
            case = s.get(Case, self.case_id)
            assert detail is not None and case is not None
            assert detail.stage == self.stage
            assert (case.status == "closed") == self.closed
            subject = s.get(Person, detail.subject_person_id)
            assert subject is not None and subject.date_of_birth is not None
            steps = s.scalars(select(EscalationStep).where(
                EscalationStep.case_id == self.case_id).order_by(EscalationStep.id)).all()
            stage, seen = 0, set()
            for step in steps:
                if step.action != "de_escalation":
                    assert step.stage <= stage + 1 or step.reason, "stage skipped silently"
                if step.action == "cpn":
                    assert seen & WRITTEN, "CPN without a prior written warning"
                    assert ladder.age_on(subject.date_of_birth, step.taken_on) >= 16
                if step.action == "injunction":
                    assert ladder.age_on(subject.date_of_birth, step.taken_on) >= 10
                seen.add(step.action)
                stage = step.stage
            breaches = s.scalar(select(func.count()).select_from(Breach).where(
                Breach.step_id.in_([st_.id for st_ in steps]))) or 0
            logged = dict(s.execute(
                select(AuditEntry.action, func.count()).where(
                    AuditEntry.record_type == "case",
                    AuditEntry.record_id == str(self.case_id))
                .group_by(AuditEntry.action)).all())
        moves = [x for x in steps if x.action != "de_escalation"]
        assert logged.get("asb.escalate", 0) == len(moves)
        assert logged.get("asb.de_escalate", 0) == len(steps) - len(moves)
        assert logged.get("asb.breach", 0) == breaches
        assert logged.get("case.close", 0) == int(self.closed)
        assert logged.get("letter.generate", 0) == sum(
            1 for x in moves if x.action in ladder.LETTER_ACTIONS)


def test_ladder_state_machine(db) -> None:
    ws = db.ws("cm")
    run_state_machine_as_test(
        lambda: LadderMachine(ws),
        settings=settings(max_examples=20, stateful_step_count=15, deadline=None,
                          database=None))
