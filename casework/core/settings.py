"""Settings declared once, with type, default and description; stored in the database.

Every "configurable" rule of the domain is here. A new database starts with the defaults;
an administrator changes them (audited). Read with ``get(session, KEY)`` inside a unit of
work, or ``read(ws, KEY)`` / ``read_all(ws)``; change with ``update(ws, KEY, value)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    type: type
    default: Any
    description: str
    minimum: int | None = None  # a floor below which the setting is refused


SPECS: dict[str, SettingSpec] = {}
# Floors of disclosure control, for these settings and every sharing protocol version:
# k-anonymity k of at least 3, and counts of 1 to 2 (at least) always suppressed.
K_FLOOR = 3
SUPPRESS_FLOOR = 2


def _declare(key: str, typ: type, default: Any, description: str,
             minimum: int | None = None) -> str:
    SPECS[key] = SettingSpec(key, typ, default, description, minimum)
    return key


# ASB risk and review cadence
REVIEW_DAYS_HIGH = _declare("asb.review_days.high", int, 14, "Review a high-risk case every N days")
REVIEW_DAYS_MEDIUM = _declare("asb.review_days.medium", int, 28, "Review a medium-risk case every N days")
REVIEW_DAYS_STANDARD = _declare("asb.review_days.standard", int, 56, "Review a standard-risk case every N days")
RISK_MEDIUM_FROM = _declare("asb.risk.medium_from", int, 20, "Total risk score at which a case is medium risk")
RISK_HIGH_FROM = _declare("asb.risk.high_from", int, 35, "Total risk score at which a case is high risk")
FIRST_CONTACT_HIGH = _declare("asb.first_contact.high_working_days", int, 1, "First contact with a high-risk complainant within N working days")
FIRST_CONTACT_OTHER = _declare("asb.first_contact.other_working_days", int, 5, "First contact with other complainants within N working days")
UPDATE_WORKING_DAYS = _declare("asb.update.working_days", int, 10, "Update the complainant every N working days")
LADDER = _declare("asb.ladder", dict, {
    "1": ["verbal_warning", "first_warning_letter"],
    "2": ["second_warning_letter", "home_visit"],
    "3": ["abc", "cpw"],
    "4": ["cpn", "injunction", "closure_notice", "closure_order", "closure_order_extension",
          "tenancy_enforcement", "possession", "cbo"],
}, "The four-stage escalation ladder: which actions belong to each stage")
# Letters
LETTERHEAD = _declare("letters.letterhead", dict, {
    "council_name": "Oxford City Council",
    "address": "Town Hall, St Aldate's, Oxford, OX1 1BX",
    "phone": "01865 249811",
    "email": "communitysafety@oxford.gov.uk",
    "magistrates_court": "Oxford Magistrates' Court, Speedwell Street, Oxford, OX1 1RZ",
    "logo_png_base64": "",
}, "Letterhead and contact block of every letter: council name, address, phone, e-mail, "
   "the magistrates' court named in notices, and an optional logo (PNG, base64)")
# Evidence
EVIDENCE_MAX_MB = _declare("evidence.max_file_mb", int, 25, "Largest evidence file accepted, in MB")
# Community Trigger
TRIGGER_COMPLAINTS = _declare("trigger.threshold.complaints", int, 3, "Qualifying complaints needed in the window (never more than 3)")
TRIGGER_WINDOW_MONTHS = _declare("trigger.threshold.window_months", int, 6, "Window in months for qualifying complaints")
TRIGGER_QUALIFY_MONTHS = _declare("trigger.threshold.complaint_within_months", int, 1, "A complaint qualifies if made within N months of the behaviour")
TRIGGER_HATE_ONE = _declare("trigger.threshold.one_hate_incident", bool, True, "Local extra: one hate incident or crime in the window meets the threshold")
TRIGGER_INDIVIDUALS = _declare("trigger.threshold.individuals", int, 5, "Local extra: N individuals complaining about the same problem (0 = off)")
TRIGGER_ACK_DAYS = _declare("trigger.deadline.acknowledge", int, 5, "Acknowledge an application within N working days")
TRIGGER_DECISION_DAYS = _declare("trigger.deadline.threshold_decision", int, 10, "Decide the threshold within N working days")
TRIGGER_OUTCOME_DAYS = _declare("trigger.deadline.outcome", int, 25, "Review meeting and outcome letter within N working days")
# MART / NRM
NRM_RG_DAYS = _declare("mart.nrm.reasonable_grounds_working_days", int, 5, "Reasonable-grounds decision expected within N working days")
NRM_RECOVERY_DAYS = _declare("mart.nrm.recovery_period_days", int, 30, "Minimum recovery period in days after a positive reasonable-grounds decision")
# Panels
PANEL_INTERVAL_DAYS = _declare("panel.meeting_interval_days", int, 42, "Days between panel meetings")
# Sanctuary
FEEDBACK_FROM_MONTHS = _declare("sanctuary.feedback_from_months", int, 3, "Collect feedback from N months after fitting")
FEEDBACK_TO_MONTHS = _declare("sanctuary.feedback_to_months", int, 6, "... and no later than N months after fitting")
SANCTUARY_REVIEW_DAYS = _declare("sanctuary.review_days", int, 28, "Review an open sanctuary job every N days until the work is fitted")
# Retention and subject access
RETENTION_YEARS = _declare("retention.years", dict, {
    "asb": 6, "trigger": 6, "swip": 6, "mart": 6, "sanctuary": 6,
}, "Years a closed case is kept, per case type")
SAR_MONTHS = _declare("sar.deadline_months", int, 1, "Answer a subject access request within N calendar months (moved to the next working day)")
# Disclosure control
SUPPRESS_MAX = _declare("isp.suppress_max", int, 4, "Counts from 1 to N are suppressed in aggregate tables (N at least 2)", minimum=SUPPRESS_FLOOR)
ROUND_TO = _declare("isp.round_to", int, 0, "Round unsuppressed counts to a multiple of N (0 = no rounding)")
K_ANONYMITY = _declare("isp.k", int, 5, "Every quasi-identifier combination must occur at least k times (k at least 3)", minimum=K_FLOOR)
# Backups
BACKUP_REMINDER_DAYS = _declare("admin.backup_reminder_days", int, 7, "Remind the administrator when the last backup is older than N days", minimum=1)
# Desktop safeguards
IDLE_LOCK_MINUTES = _declare("ui.idle_lock_minutes", int, 10, "Lock the application after N idle minutes")
CLIPBOARD_CLEAR_SECONDS = _declare("ui.clipboard_clear_seconds", int, 10, "Clear a copied sensitive value after N seconds")


def get(session: Session, key: str) -> Any:
    """The stored value of a setting, or its default."""
    spec = SPECS[key]
    row = session.get(Setting, key)
    if row is None:
        return spec.default
    value = json.loads(row.value)
    if spec.minimum is not None and isinstance(value, int) and value < spec.minimum:
        return spec.minimum  # stored before the floor existed: the floor applies
    return value


def set_value(session: Session, key: str, value: Any, user_id: int | None) -> None:
    """Store a setting after checking its type (callers audit the change)."""
    spec = SPECS[key]
    if spec.type is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError(f"{key} takes a whole number")
    if spec.type is bool and not isinstance(value, bool):
        raise ValueError(f"{key} takes yes or no")
    if spec.type is dict and not isinstance(value, dict):
        raise ValueError(f"{key} takes a mapping")
    if spec.type is int and value < 0:
        raise ValueError(f"{key} cannot be negative")
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"{key} cannot be below {spec.minimum}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value), updated_by=user_id))
    else:
        row.value = json.dumps(value)
        row.updated_by = user_id


def all_values(session: Session) -> dict[str, Any]:
    stored = {r.key: json.loads(r.value) for r in session.scalars(select(Setting))}
    return {k: stored.get(k, s.default) for k, s in SPECS.items()}


# -- services: read and change settings with a workspace ------------------------------------

def _messages(spec: SettingSpec) -> str:
    if spec.minimum is not None:
        return (f"{spec.key} takes a whole number of at least {spec.minimum}: the "
                "information-sharing protocol's floor for disclosure control.")
    return {int: "This setting takes a whole number of zero or more.",
            bool: "This setting takes yes or no.",
            dict: "This setting takes a mapping."}.get(spec.type, "That value does not fit.")


def read(ws: Workspace, key: str) -> Any:
    """One setting's value (configuration, not personal data: any signed-in user may
    read it, e.g. the idle-lock time). NotFound for an unknown key."""
    if key not in SPECS:
        raise NotFound("No such setting.")
    with ws.uow() as session:
        return get(session, key)


def read_all(ws: Workspace) -> dict[str, Any]:
    """Every declared setting with its current value, in declaration order."""
    with ws.uow() as session:
        return all_values(session)


# Settings that must be at least 1 (0 would switch a safeguard or a deadline off).
AT_LEAST_ONE = frozenset({
    REVIEW_DAYS_HIGH, REVIEW_DAYS_MEDIUM, REVIEW_DAYS_STANDARD, RISK_MEDIUM_FROM,
    RISK_HIGH_FROM, UPDATE_WORKING_DAYS, EVIDENCE_MAX_MB, TRIGGER_COMPLAINTS,
    TRIGGER_WINDOW_MONTHS, TRIGGER_QUALIFY_MONTHS, TRIGGER_ACK_DAYS, TRIGGER_DECISION_DAYS,
    TRIGGER_OUTCOME_DAYS, NRM_RG_DAYS, NRM_RECOVERY_DAYS, PANEL_INTERVAL_DAYS,
    FEEDBACK_TO_MONTHS, SANCTUARY_REVIEW_DAYS, SAR_MONTHS, IDLE_LOCK_MINUTES, CLIPBOARD_CLEAR_SECONDS,
    FIRST_CONTACT_HIGH, FIRST_CONTACT_OTHER})
CASE_TYPES = ("asb", "trigger", "swip", "mart", "sanctuary")


def problem(key: str, value: Any, values: Mapping[str, Any]) -> str | None:
    """Why ``value`` cannot be stored for ``key`` given the other settings ``values``
    (None: it can). The message names neither the key nor the value."""
    spec = SPECS[key]
    if spec.type is int and (not isinstance(value, int) or isinstance(value, bool)
                             or value < 0):
        return _messages(spec) if spec.minimum is not None else \
            "This setting takes a whole number of zero or more."
    if spec.minimum is not None and value < spec.minimum:
        return (f"This takes a whole number of at least {spec.minimum}: the "
                "information-sharing protocol's floor for disclosure control.")
    if key in AT_LEAST_ONE and value < 1:
        return "This takes a whole number of at least 1."
    if spec.type is bool and not isinstance(value, bool):
        return "This setting takes yes or no."
    if spec.type is dict and (not isinstance(value, dict)
                              or not all(isinstance(k, str) for k in value)):
        return "This setting takes a mapping."
    return _cross(key, value, values)


def _retention_ok(value: Mapping[str, Any]) -> bool:
    return set(value) == set(CASE_TYPES) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value.values())


def _ladder_ok(value: Mapping[str, Any]) -> bool:
    return sorted(value) == ["1", "2", "3", "4"] and all(
        isinstance(v, list) and v and all(isinstance(a, str) and a for a in v)
        for v in value.values())


def _letterhead_ok(value: Mapping[str, Any]) -> bool:
    return all(isinstance(v, str) for v in value.values()) and bool(
        str(value.get("council_name", "")).strip())


_SHAPES = {
    RETENTION_YEARS: (_retention_ok, "Give every case type a whole number of years, at "
                                     "least 1."),
    LADDER: (_ladder_ok, "The ladder has four stages, 1 to 4, each with at least one "
                         "action."),
    LETTERHEAD: (_letterhead_ok, "The letterhead needs the council's name; every entry is "
                                 "text."),
}


def _cross(key: str, value: Any, values: Mapping[str, Any]) -> str | None:
    def other(k: str) -> Any:
        return value if k == key else values.get(k, SPECS[k].default)

    if key == TRIGGER_COMPLAINTS and value > 3:
        return "The statutory threshold is never more than 3 complaints."
    if key in (RISK_MEDIUM_FROM, RISK_HIGH_FROM) and \
            other(RISK_MEDIUM_FROM) >= other(RISK_HIGH_FROM):
        return "The medium-risk score must be below the high-risk score."
    if key in (FEEDBACK_FROM_MONTHS, FEEDBACK_TO_MONTHS) and \
            other(FEEDBACK_FROM_MONTHS) > other(FEEDBACK_TO_MONTHS):
        return "Feedback cannot start after the last month it is collected in."
    shape = _SHAPES.get(key)
    if shape is not None and not shape[0](value):
        return shape[1]
    return None


def update(ws: Workspace, key: str, value: Any) -> Any:
    """Change a setting (``admin.settings``), audited ``setting.change`` with the old and
    new values (configuration only). ``ValidationError(field=key)`` on a bad value."""
    return update_many(ws, {key: value})[key]


def update_many(ws: Workspace, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change several settings at once, all or none (the settings form's Save). Each is
    checked against its type, its floor and the other settings as they will be;
    ``ValidationError(field=key)`` names the first that cannot be stored, and nothing is
    changed. Each change is audited ``setting.change``. Returns the values stored."""
    require(ws.actor, "admin.settings")
    for key in changes:
        if key not in SPECS:
            raise NotFound("No such setting.")
    with ws.uow() as session:
        values = {**all_values(session), **changes}
        for key, value in changes.items():
            why = problem(key, value, values)
            if why:
                raise ValidationError(why, field=key)
        for key, value in changes.items():
            old = get(session, key)
            if old == value:
                continue
            try:
                set_value(session, key, value, ws.actor.user_id)
            except ValueError:
                raise ValidationError(_messages(SPECS[key]), field=key) from None
            audit.record(ws, session, "setting.change", "setting", key,
                         detail={"old": old, "new": value})
        return dict(changes)
