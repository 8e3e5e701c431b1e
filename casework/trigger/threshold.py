"""The Community Trigger threshold as a pure function of plain data (no database, no clock).

s104 ASB, Crime and Policing Act 2014: three qualifying complaints about the anti-social
behaviour in the six months before the application, a complaint qualifying when it was
made within one month of the behaviour. Reports of the same incident to several agencies
(one ``incident_key``) count once. Local extras (settings): one hate incident or crime in
the window meets the threshold; so do complaints from N individuals about the same problem.
``casework.trigger.applications`` reads the settings and complaints and calls ``assess``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from casework.core.workdays import add_months

STATUTORY_COMPLAINTS = 3  # a local threshold may be lower, never higher


@dataclass(frozen=True)
class Complaint:
    """A recorded complaint. ``incident_key`` joins reports of one incident made to
    several agencies (empty: a report of its own)."""

    id: int
    behaviour_on: date
    complained_on: date
    incident_key: str = ""
    hate_related: bool = False
    complainant_id: int | None = None


@dataclass(frozen=True)
class ThresholdRules:
    """The configurable numbers (settings ``trigger.threshold.*``)."""

    complaints: int = 3
    window_months: int = 6
    qualify_months: int = 1
    hate_one: bool = True
    individuals: int = 5  # 0: the local extra is off


@dataclass(frozen=True)
class ThresholdProposal:
    """What the rules say about the threshold, and why (no personal data in reasons)."""

    met: bool
    qualifying: int
    reasons: list[str]

    def __repr__(self) -> str:
        return f"ThresholdProposal(met={self.met!r}, qualifying={self.qualifying!r})"


def assess(received_on: date, complaints: Sequence[Complaint],
           rules: ThresholdRules = ThresholdRules()) -> ThresholdProposal:
    """The threshold proposed for an application received on ``received_on``: complaints
    made from ``window_months`` before it up to that day are in the window; those made
    more than ``qualify_months`` after the behaviour do not qualify; qualifying reports of
    one incident count once."""
    needed = min(STATUTORY_COMPLAINTS, rules.complaints)
    window, within = rules.window_months, rules.qualify_months
    start = add_months(received_on, -window)
    in_window = [c for c in complaints if start <= c.complained_on <= received_on]
    late = [c for c in in_window if c.complained_on > add_months(c.behaviour_on, within)]
    qualifying = [c for c in in_window
                  if c.complained_on <= add_months(c.behaviour_on, within)]
    incidents = {c.incident_key or f"#{c.id}" for c in qualifying}
    reasons = [f"{len(incidents)} qualifying complaint(s) in the {window} months before the "
               f"application; the threshold is {needed}."]
    outside = len(complaints) - len(in_window)
    if outside:
        reasons.append(f"{outside} complaint(s) fall outside the {window}-month window.")
    if late:
        reasons.append(f"{len(late)} complaint(s) were made more than {within} month(s) "
                       "after the behaviour and do not qualify.")
    if len(qualifying) > len(incidents):
        reasons.append(f"{len(qualifying) - len(incidents)} further report(s) of the same "
                       "incident to other agencies count once.")
    met = len(incidents) >= needed
    if rules.hate_one and any(c.hate_related for c in in_window):
        reasons.append("Local threshold: a hate incident or crime was reported in the window.")
        met = True
    if rules.individuals:
        people = {c.complainant_id for c in in_window if c.complainant_id}
        if len(people) >= rules.individuals:
            reasons.append(f"Local threshold: {len(people)} individuals complained about the "
                           f"same problem in the window (local threshold {rules.individuals}).")
            met = True
    reasons.append("Proposed: threshold met." if met else "Proposed: threshold not met.")
    return ThresholdProposal(met, len(incidents), reasons)
