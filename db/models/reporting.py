"""Indexes the aggregate reports (``casework.kpis``) rely on, declared beside the tables'
own so each report query reads an index range instead of scanning a table."""

from __future__ import annotations

from sqlalchemy import Index

from db.models.asb import Breach, EscalationStep, Incident
from db.models.cases import Case, Task
from db.models.panels import MartDetail
from db.models.sanctuary import SanctuaryFeedback, SanctuaryJob

# Steps by date: CPW/CPN/ABC counts and subjects' first interventions in a period
# (covering: the case tells whose intervention it was).
ESCALATION_STEPS_TAKEN = Index("ix_escalation_steps_taken", EscalationStep.taken_on,
                               EscalationStep.action, EscalationStep.case_id)
# A case's steps, and whether a subject had an intervention before a date (covering).
ESCALATION_STEPS_CASE = Index("ix_escalation_steps_case_taken", EscalationStep.case_id,
                              EscalationStep.taken_on, EscalationStep.action)
# Cases closed in a period, with what the closure figures need (covering).
CASES_TYPE_CLOSED = Index("ix_cases_type_closed", Case.case_type, Case.status, Case.closed_on,
                          Case.opened_on, Case.outcome)
# Deadline tasks of one kind due in a period (complainant-update timeliness; covering).
TASKS_KIND_DUE = Index("ix_tasks_kind_due", Task.kind, Task.due_on, Task.completed_on)

# Migration 0004_scale: every KPI date range an index of its own.
# Cases of one type opened in a period (ASB opened, panel referrals, open at the end).
CASES_TYPE_OPENED = Index("ix_cases_type_opened", Case.case_type, Case.opened_on)
# "No further ASB": a subject's incidents after a date, case by case.
INCIDENTS_CASE_OCCURRED = Index("ix_incidents_case_occurred", Incident.case_id,
                                Incident.occurred_on)
# CPN breaches in a period and the action taken (covering).
BREACHES_OCCURRED = Index("ix_breaches_occurred", Breach.occurred_on, Breach.step_id,
                          Breach.action_taken)
SANCTUARY_FEEDBACK_COLLECTED = Index("ix_sanctuary_feedback_collected",
                                     SanctuaryFeedback.collected_on)
MART_NRM_REFERRED = Index("ix_mart_details_nrm_referred", MartDetail.nrm_referred_on)
MART_DTN = Index("ix_mart_details_dtn", MartDetail.duty_to_notify_on)
# Sanctuary jobs completed in a period and how long they took (covering).
SANCTUARY_JOBS_COMPLETED = Index("ix_sanctuary_jobs_completed_on", SanctuaryJob.completed_on,
                                 SanctuaryJob.referred_on)
