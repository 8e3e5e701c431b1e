"""Indexes the aggregate reports (``casework.kpis``) rely on, declared beside the tables'
own so each report query reads an index range instead of scanning a table."""

from __future__ import annotations

from sqlalchemy import Index

from db.models.asb import EscalationStep
from db.models.cases import Case, Task

# Steps by date: CPW/CPN/ABC counts and subjects' first interventions in a period.
ESCALATION_STEPS_TAKEN = Index("ix_escalation_steps_taken", EscalationStep.taken_on,
                               EscalationStep.action)
# Cases closed in a period, with what the closure figures need (covering).
CASES_TYPE_CLOSED = Index("ix_cases_type_closed", Case.case_type, Case.status, Case.closed_on,
                          Case.opened_on, Case.outcome)
# Deadline tasks of one kind due in a period (complainant-update timeliness).
TASKS_KIND_DUE = Index("ix_tasks_kind_due", Task.kind, Task.due_on)
