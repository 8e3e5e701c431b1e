"""The Community Trigger threshold on plain data, with no database: the six-month window,
the one-month qualifying rule, reports to several agencies, the local extras, settings."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from hypothesis import given
from hypothesis import strategies as st

from casework.core.workdays import add_months
from casework.trigger.threshold import Complaint, ThresholdRules, assess

RECEIVED = date(2026, 9, 1)
WINDOW_START = date(2026, 3, 1)  # six calendar months before the application
NO_EXTRAS = ThresholdRules(hate_one=False, individuals=0)
_ids = count(1)


def complaint(complained_on: date, behaviour_on: date | None = None, incident_key: str = "",
              hate: bool = False, by: int | None = None) -> Complaint:
    """A complaint made on ``complained_on`` about behaviour that day (unless given)."""
    return Complaint(next(_ids), behaviour_on or complained_on, complained_on, incident_key,
                     hate, by)


def three_in_window() -> list[Complaint]:
    return [complaint(date(2026, 4, 2)), complaint(date(2026, 6, 3)),
            complaint(date(2026, 8, 4))]


def test_exactly_three_qualifying_complaints_meet_it():
    proposal = assess(RECEIVED, three_in_window(), NO_EXTRAS)
    assert proposal.met and proposal.qualifying == 3
    assert proposal.reasons[0] == ("3 qualifying complaint(s) in the 6 months before the "
                                   "application; the threshold is 3.")
    assert proposal.reasons[-1] == "Proposed: threshold met."


def test_two_do_not():
    proposal = assess(RECEIVED, three_in_window()[:2], NO_EXTRAS)
    assert not proposal.met and proposal.qualifying == 2
    assert proposal.reasons[-1] == "Proposed: threshold not met."


def test_the_window_starts_six_months_before_the_application():
    on_the_day = [complaint(WINDOW_START), *three_in_window()[:2]]
    assert assess(RECEIVED, on_the_day, NO_EXTRAS).met
    a_day_outside = [complaint(WINDOW_START - timedelta(days=1)), *three_in_window()[:2]]
    proposal = assess(RECEIVED, a_day_outside, NO_EXTRAS)
    assert not proposal.met and proposal.qualifying == 2
    assert "1 complaint(s) fall outside the 6-month window." in proposal.reasons


def test_the_window_ends_on_the_day_of_the_application():
    later = [complaint(RECEIVED + timedelta(days=1)), *three_in_window()[:2]]
    assert not assess(RECEIVED, later, NO_EXTRAS).met
    assert assess(RECEIVED, [complaint(RECEIVED), *three_in_window()[:2]], NO_EXTRAS).met


def test_a_complaint_exactly_one_month_after_the_behaviour_qualifies():
    exact = complaint(date(2026, 6, 10), behaviour_on=date(2026, 5, 10))
    proposal = assess(RECEIVED, [exact, *three_in_window()[:2]], NO_EXTRAS)
    assert proposal.met and proposal.qualifying == 3
    late = complaint(date(2026, 6, 11), behaviour_on=date(2026, 5, 10))
    proposal = assess(RECEIVED, [late, *three_in_window()[:2]], NO_EXTRAS)
    assert not proposal.met and proposal.qualifying == 2
    assert ("1 complaint(s) were made more than 1 month(s) after the behaviour and do not "
            "qualify.") in proposal.reasons


def test_one_month_after_the_end_of_january_is_the_end_of_february():
    received = date(2026, 4, 1)
    in_time = complaint(date(2026, 2, 28), behaviour_on=date(2026, 1, 31))
    late = complaint(date(2026, 3, 1), behaviour_on=date(2026, 1, 31))
    others = [complaint(date(2026, 3, 10)), complaint(date(2026, 3, 20))]
    assert assess(received, [in_time, *others], NO_EXTRAS).qualifying == 3
    assert assess(received, [late, *others], NO_EXTRAS).qualifying == 2


def test_one_incident_reported_to_several_agencies_counts_once():
    same = [complaint(date(2026, 7, 1), incident_key="INC-1") for _ in range(3)]
    proposal = assess(RECEIVED, same, NO_EXTRAS)
    assert not proposal.met and proposal.qualifying == 1
    assert ("2 further report(s) of the same incident to other agencies count once."
            in proposal.reasons)
    two_more = [complaint(date(2026, 7, 5)), complaint(date(2026, 8, 5), incident_key="INC-2")]
    assert assess(RECEIVED, same + two_more, NO_EXTRAS).qualifying == 3


def test_complaints_without_an_incident_key_each_count():
    assert assess(RECEIVED, [complaint(date(2026, 7, 1)) for _ in range(3)], NO_EXTRAS).met


def test_local_extra_one_hate_incident():
    rules = ThresholdRules(individuals=0)
    hate = [complaint(date(2026, 7, 1), hate=True)]
    proposal = assess(RECEIVED, hate, rules)
    assert proposal.met and proposal.qualifying == 1
    assert ("Local threshold: a hate incident or crime was reported in the window."
            in proposal.reasons)
    assert not assess(RECEIVED, hate, NO_EXTRAS).met
    outside = [complaint(WINDOW_START - timedelta(days=1), hate=True)]
    assert not assess(RECEIVED, outside, rules).met


def test_local_extra_five_individuals():
    rules = ThresholdRules(hate_one=False, individuals=5)
    one_incident = [complaint(date(2026, 7, 1), incident_key="NOISE", by=n) for n in range(1, 6)]
    proposal = assess(RECEIVED, one_incident, rules)
    assert proposal.met and proposal.qualifying == 1
    assert ("Local threshold: 5 individuals complained about the same problem in the window "
            "(local threshold 5).") in proposal.reasons
    assert not assess(RECEIVED, one_incident[:4], rules).met
    same_person = [complaint(date(2026, 7, 1), incident_key="NOISE", by=1) for _ in range(5)]
    assert not assess(RECEIVED, same_person, rules).met
    assert not assess(RECEIVED, one_incident, NO_EXTRAS).met


def test_settings_lower_the_number_but_never_above_three():
    two = three_in_window()[:2]
    assert assess(RECEIVED, two, ThresholdRules(complaints=2, hate_one=False,
                                                individuals=0)).met
    five = ThresholdRules(complaints=5, hate_one=False, individuals=0)
    proposal = assess(RECEIVED, three_in_window(), five)
    assert proposal.met and "the threshold is 3." in proposal.reasons[0]


def test_settings_change_the_window_and_the_qualifying_time():
    old = [complaint(date(2025, 12, 1)), *three_in_window()[:2]]
    assert not assess(RECEIVED, old, NO_EXTRAS).met
    assert assess(RECEIVED, old, ThresholdRules(window_months=12, hate_one=False,
                                                individuals=0)).met
    slow = [complaint(date(2026, 7, 20), behaviour_on=date(2026, 6, 1)),
            *three_in_window()[:2]]
    assert not assess(RECEIVED, slow, NO_EXTRAS).met
    assert assess(RECEIVED, slow, ThresholdRules(qualify_months=2, hate_one=False,
                                                 individuals=0)).met


def test_no_complaints():
    proposal = assess(RECEIVED, [])
    assert not proposal.met and proposal.qualifying == 0
    assert repr(proposal) == "ThresholdProposal(met=False, qualifying=0)"


# ---------------------------------------------------------------- properties

DAYS = st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 10, 1))
COMPLAINTS = st.lists(st.builds(
    lambda n, made, delay, key, hate, by: Complaint(
        n, made - timedelta(days=delay), made, key, hate, by),
    st.integers(1, 10_000), DAYS, st.integers(0, 60), st.sampled_from(["", "A", "B", "C"]),
    st.booleans(), st.one_of(st.none(), st.integers(1, 8))),
    max_size=12, unique_by=lambda c: c.id)


def _expected_qualifying(complaints: list[Complaint]) -> int:
    start = add_months(RECEIVED, -6)
    return len({c.incident_key or f"#{c.id}" for c in complaints
                if start <= c.complained_on <= RECEIVED
                and c.complained_on <= add_months(c.behaviour_on, 1)})


@given(COMPLAINTS)
def test_the_count_is_of_distinct_qualifying_incidents(complaints):
    proposal = assess(RECEIVED, complaints)
    assert proposal.qualifying == _expected_qualifying(complaints)
    assert proposal.qualifying <= len(complaints)


@given(COMPLAINTS, st.randoms(use_true_random=False))
def test_the_order_of_complaints_does_not_matter(complaints, rnd):
    shuffled = list(complaints)
    rnd.shuffle(shuffled)
    first, second = assess(RECEIVED, complaints), assess(RECEIVED, shuffled)
    assert (first.met, first.qualifying) == (second.met, second.qualifying)


@given(COMPLAINTS, st.integers(20_000, 30_000))
def test_another_agencys_report_of_a_known_incident_never_adds_to_the_count(complaints, n):
    keyed = [c for c in complaints if c.incident_key]
    if keyed:
        again = Complaint(n, keyed[0].behaviour_on, keyed[0].complained_on,
                          keyed[0].incident_key)
        before = assess(RECEIVED, complaints, NO_EXTRAS)
        after = assess(RECEIVED, [*complaints, again], NO_EXTRAS)
        assert after.qualifying == before.qualifying and after.met == before.met


@given(COMPLAINTS, DAYS, st.integers(20_000, 30_000))
def test_a_further_complaint_never_unmeets_the_threshold(complaints, day, n):
    if assess(RECEIVED, complaints).met:
        assert assess(RECEIVED, [*complaints, Complaint(n, day, day)]).met
