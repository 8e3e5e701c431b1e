"""report indexes that cover their queries; no single-column index where a wider one
starts with the same column

Revision ID: 0013_gen_indexes
Revises: 0012_letters

A large database builds the new indexes during the upgrade (one sort of each table).
"""

from alembic import op

revision = "0013_gen_indexes"
down_revision = "0012_letters"
branch_labels = None
depends_on = None

# (name, table, columns before, columns after); None: no such index on that side
CHANGES = [
    ("ix_escalation_steps_taken", "escalation_steps", ["taken_on", "action"],
     ["taken_on", "action", "case_id"]),
    ("ix_escalation_steps_case_id", "escalation_steps", ["case_id"], None),
    ("ix_escalation_steps_case_taken", "escalation_steps", None,
     ["case_id", "taken_on", "action"]),
    ("ix_tasks_kind_due", "tasks", ["kind", "due_on"], ["kind", "due_on", "completed_on"]),
    ("ix_sanctuary_jobs_completed_on", "sanctuary_jobs", ["completed_on"],
     ["completed_on", "referred_on"]),
    # served by ix_incidents_case_occurred, ix_cases_type_closed, ix_cases_area and
    # ix_people_family_given, which start with the same columns
    ("ix_incidents_case_id", "incidents", ["case_id"], None),
    ("ix_cases_type_status", "cases", ["case_type", "status"], None),
    ("ix_cases_lsoa_code", "cases", ["lsoa_code"], None),
    ("ix_people_family_name", "people", ["family_name"], None),
]


def _apply(before: int, after: int) -> None:
    for change in CHANGES:
        name, table = change[0], change[1]
        old, new = change[before], change[after]
        if old is not None:
            op.drop_index(name, table_name=table)
        if new is not None:
            op.create_index(name, table, new, unique=False)


def upgrade() -> None:
    _apply(2, 3)


def downgrade() -> None:
    _apply(3, 2)
