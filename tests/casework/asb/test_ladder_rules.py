"""The ASB ladder's rules on plain data, with no database: each stage's steps, skipping,
the CPN and injunction conditions at their age boundaries, durations, de-escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.asb import ladder_rules as rules
from casework.asb.ladder_rules import Decision, LadderCase, PriorStep, ProposedStep
from casework.core.settings import LADDER, SPECS

STAGES = rules.stages_of(SPECS[LADDER].default)
OPENED = date(2025, 1, 6)
TODAY = date(2026, 12, 1)
DAY = date(2026, 6, 1)
# Actions with no condition beyond the stage rules (no age, warning, hours or end date).
PLAIN = sorted(a for a in STAGES if a not in {"cpn", "injunction", "closure_notice",
                                               "closure_order", "closure_order_extension",
                                               "cpw"})
NOTICE = PriorStep("closure_notice", date(2026, 5, 30), date(2026, 6, 1))
BY_STAGE = {n: sorted(a for a, s in STAGES.items() if s == n) for n in range(1, 5)}


def case_at(stage: int, *steps: PriorStep, born: date | None = None,
            closed: bool = False) -> LadderCase:
    return LadderCase(OPENED, stage, closed, steps, born)


def step(action: str, on: date = DAY, reason: str = "", hours: int | None = None,
         expires_on: date | None = None) -> ProposedStep:
    return ProposedStep(action, on, reason, hours, expires_on)


def decide(case: LadderCase, proposed: ProposedStep, today: date = TODAY) -> Decision:
    return rules.check_step(STAGES, case, proposed, today)


def refused(decision: Decision) -> str | None:
    """The field a refusal names (None when allowed)."""
    return None if decision.allowed else decision.field


WARNED = PriorStep("cpw", date(2026, 1, 5))


def test_the_configured_ladder_has_four_stages():
    assert BY_STAGE[1] == ["first_warning_letter", "verbal_warning"]
    assert BY_STAGE[2] == ["home_visit", "second_warning_letter"]
    assert BY_STAGE[3] == ["abc", "cpw"]
    assert set(BY_STAGE[4]) >= {"cpn", "injunction", "closure_notice", "closure_order"}
    assert rules.stages_of({"1": ["a"], "3": ["b", "c"]}) == {"a": 1, "b": 3, "c": 3}


@pytest.mark.parametrize("stage", range(5))
def test_each_stage_allows_its_own_and_the_next_stage_steps(stage):
    case = case_at(stage)
    for action in PLAIN:
        target = STAGES[action]
        decision = decide(case, step(action))
        if stage <= target <= stage + 1:
            assert decision.allowed and decision.stage == target, action
        elif target < stage:
            assert refused(decision) == "action", action
            assert decision.refusal == ("That action belongs to an earlier stage: "
                                        "de-escalate first.")
        else:
            assert refused(decision) == "reason", action


def test_skipping_a_stage_needs_a_reason():
    assert refused(decide(case_at(0), step("second_warning_letter"))) == "reason"
    assert refused(decide(case_at(0), step("second_warning_letter", reason="   "))) == "reason"
    allowed = decide(case_at(0), step("abc", reason="Serious violence reported"))
    assert allowed.allowed and allowed.stage == 3
    assert decide(case_at(1), step("second_warning_letter")).allowed  # the next stage


@given(stage=st.integers(0, 4), action=st.sampled_from(PLAIN), reason=st.sampled_from(
    ["", " ", "Escalated by the panel"]))
def test_stage_rules_for_any_stage_action_and_reason(stage, action, reason):
    target = STAGES[action]
    decision = decide(case_at(stage), step(action, reason=reason))
    if target < stage:
        assert refused(decision) == "action"
    elif target > stage + 1 and not reason.strip():
        assert refused(decision) == "reason"
    else:
        assert decision.allowed and decision.stage == target


def test_cpn_needs_a_prior_written_warning():
    born = date(2000, 1, 1)
    unwarned = case_at(3, PriorStep("verbal_warning", date(2026, 1, 5)),
                       PriorStep("abc", date(2026, 2, 5)), born=born)
    decision = decide(unwarned, step("cpn"))
    assert refused(decision) == "action"
    assert decision.refusal == "A Community Protection Notice needs a prior written warning."
    for warning in sorted(rules.WRITTEN_WARNINGS):
        warned = case_at(3, PriorStep(warning, date(2026, 1, 5)), born=born)
        assert decide(warned, step("cpn")).allowed, warning


def test_cpn_at_15_and_16_on_the_step_date():
    born = date(2010, 3, 15)
    case = case_at(3, WARNED, born=born)
    at_15 = decide(case, step("cpn", on=date(2026, 3, 14)))
    assert refused(at_15) == "subject"
    assert at_15.refusal == "The subject must be 16 or over for this."
    assert decide(case, step("cpn", on=date(2026, 3, 15))).allowed


def test_injunction_at_9_and_10_on_the_step_date():
    case = case_at(3, born=date(2016, 6, 2))
    assert refused(decide(case, step("injunction", on=date(2026, 6, 1)))) == "subject"
    assert decide(case, step("injunction", on=date(2026, 6, 2))).allowed


def test_an_age_rule_needs_a_date_of_birth():
    decision = decide(case_at(3, WARNED), step("cpn"))
    assert refused(decision) == "subject"
    assert decision.refusal == "Record the subject's date of birth first."
    assert refused(decide(case_at(3), step("injunction"))) == "subject"


@pytest.mark.parametrize(("born", "day", "age"), [
    (date(2010, 3, 15), date(2026, 3, 14), 15),
    (date(2010, 3, 15), date(2026, 3, 15), 16),
    (date(2008, 2, 29), date(2024, 2, 28), 15),
    (date(2008, 2, 29), date(2024, 2, 29), 16),
    (date(2008, 2, 29), date(2025, 2, 28), 16),
    (date(2008, 2, 29), date(2025, 3, 1), 17),
])
def test_age_on(born, day, age):
    assert rules.age_on(born, day) == age


def test_a_closed_case_refuses_every_step_at_every_stage():
    for stage in range(5):
        closed = case_at(stage, WARNED, born=date(2000, 1, 1), closed=True)
        for option in rules.options(STAGES, closed, DAY, TODAY):
            assert option.blocked == "The case is closed.", option
        assert refused(rules.check_de_escalation(closed, 0, "Resolved", DAY, TODAY)) == "status"


@pytest.mark.parametrize("stage", range(1, 5))
def test_de_escalation_to_any_earlier_stage(stage):
    case = case_at(stage, PriorStep("verbal_warning", date(2026, 1, 5)))
    for to_stage in range(stage):
        decision = rules.check_de_escalation(case, to_stage, "Behaviour stopped", DAY, TODAY)
        assert decision.allowed and decision.stage == to_stage
    for to_stage in (stage, stage + 1, -1):
        assert refused(rules.check_de_escalation(case, to_stage, "Why", DAY, TODAY)) \
            == "to_stage"
    assert refused(rules.check_de_escalation(case, 0, "  ", DAY, TODAY)) == "reason"
    before_last = date(2026, 1, 4)
    assert refused(rules.check_de_escalation(case, 0, "Why", before_last, TODAY)) \
        == "taken_on"


def test_nothing_to_de_escalate_at_stage_0():
    assert refused(rules.check_de_escalation(case_at(0), 0, "Why", DAY, TODAY)) == "to_stage"


def test_step_dates_between_opening_and_today_and_in_order():
    case = case_at(1, PriorStep("verbal_warning", date(2026, 5, 1)))
    assert decide(case, step("first_warning_letter", on=date(2026, 5, 1))).allowed
    assert refused(decide(case, step("first_warning_letter", on=date(2026, 4, 30)))) \
        == "taken_on"
    assert decide(case, step("first_warning_letter", on=TODAY)).allowed
    assert refused(decide(case, step("first_warning_letter", on=TODAY + timedelta(days=1)))) \
        == "taken_on"
    assert refused(decide(case_at(0), step("verbal_warning", on=OPENED - timedelta(days=1)))) \
        == "taken_on"
    assert refused(decide(case_at(0), step("caution"))) == "action"


@pytest.mark.parametrize(("hours", "days"), [(1, 1), (24, 1), (25, 2), (48, 2)])
def test_closure_notice_lasts_1_to_48_hours(hours, days):
    decision = decide(case_at(3), step("closure_notice", reason="Premises", hours=hours))
    assert decision.allowed and decision.expires_on == DAY + timedelta(days=days)


def test_closure_notice_duration_limits():
    case = case_at(3)
    for hours in (0, 49):
        assert refused(decide(case, step("closure_notice", hours=hours))) == "duration_hours"
    assert refused(decide(case, step("closure_notice"))) == "duration_hours"
    assert refused(decide(case, step("abc", hours=4))) == "duration_hours"


def test_closure_order_needs_a_closure_notice():
    decision = decide(case_at(4), step("closure_order", expires_on=date(2026, 7, 1)))
    assert refused(decision) == "action"
    assert decision.refusal == "A closure order needs a closure notice first."
    assert decide(case_at(4, NOTICE), step("closure_order", expires_on=date(2026, 7, 1))).allowed


@pytest.mark.parametrize(("born", "reason", "allowed"), [
    (date(2010, 6, 1), "", True),       # 16 on the day
    (date(2010, 6, 2), "", False),      # 15
    (None, "", False),                  # age unknown
    (date(2012, 1, 1), "Parents asked for a formal warning", True),
    (None, "Age being confirmed with the school", True),
])
def test_cpw_needs_a_subject_of_16_or_a_reason(born, reason, allowed):
    decision = decide(case_at(2, born=born), step("cpw", reason=reason))
    assert decision.allowed is allowed
    if not allowed:
        assert refused(decision) == "reason"


def test_closure_order_up_to_3_months_and_6_in_total():
    case = case_at(4, NOTICE)
    assert decide(case, step("closure_order", expires_on=date(2026, 9, 1))).allowed
    assert refused(decide(case, step("closure_order", expires_on=date(2026, 9, 2)))) \
        == "expires_on"
    assert refused(decide(case, step("closure_order"))) == "expires_on"
    assert refused(decide(case, step("closure_order", expires_on=DAY))) == "expires_on"
    ordered = case_at(4, NOTICE, PriorStep("closure_order", DAY, date(2026, 9, 1)))
    extension = "closure_order_extension"
    on = date(2026, 8, 20)
    assert decide(ordered, step(extension, on=on, expires_on=date(2026, 12, 1))).allowed
    assert refused(decide(ordered, step(extension, on=on, expires_on=date(2026, 12, 2)))) \
        == "expires_on"
    assert refused(decide(ordered, step(extension, on=on, expires_on=date(2026, 9, 1)))) \
        == "expires_on"
    assert refused(decide(case, step(extension, expires_on=date(2026, 7, 1)))) == "action"


def test_options_flag_skips_and_blocks():
    options = {o.action: o for o in rules.options(STAGES, case_at(0), DAY, TODAY)}
    assert not options["verbal_warning"].skips_stage and options["verbal_warning"].blocked \
        is None
    assert options["abc"].skips_stage and options["abc"].blocked is None  # a reason is assumed
    assert options["cpn"].blocked == ("A Community Protection Notice needs a prior written "
                                      "warning.")
    assert options["closure_order"].blocked == "A closure order needs a closure notice first."
    assert options["closure_order_extension"].blocked == "Only a closure order can be extended."
    assert [o.stage for o in rules.options(STAGES, case_at(0), DAY, TODAY)] == sorted(
        STAGES.values())
