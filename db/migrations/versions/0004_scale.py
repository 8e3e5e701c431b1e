"""case list at scale: group counters kept by triggers, per-sort list indexes, KPI
date indexes

Revision ID: 0004_scale
Revises: 0003_signing

The upgrade builds the counters from the cases already there, so an existing database
counts correctly from its first open after the upgrade.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_scale'
down_revision = '0003_signing'
branch_labels = None
depends_on = None

GROUP = ['case_type', 'team_id', 'panel_id', 'status', 'risk_level', 'owner_id']
SORTS = {'opened': 'opened_on', 'review': 'next_review_on', 'ref': 'reference'}
LIST = [*GROUP, 'opened_on', 'next_review_on', 'reference', 'lsoa_code']
# (index name, table, columns) for the KPI date ranges
KPI_INDEXES = [
    ('ix_cases_type_opened', 'cases', ['case_type', 'opened_on']),
    ('ix_incidents_case_occurred', 'incidents', ['case_id', 'occurred_on']),
    ('ix_breaches_occurred', 'breaches', ['occurred_on', 'step_id', 'action_taken']),
    ('ix_sanctuary_feedback_collected', 'sanctuary_feedback', ['collected_on']),
    ('ix_mart_details_nrm_referred', 'mart_details', ['nrm_referred_on']),
    ('ix_mart_details_dtn', 'mart_details', ['duty_to_notify_on']),
]


def _match(prefix: str) -> str:
    return ' AND '.join(f'{c} IS {prefix}.{c}' for c in GROUP)


def _add(prefix: str) -> str:
    cols = ', '.join(GROUP)
    vals = ', '.join(f'{prefix}.{c}' for c in GROUP)
    return (f'INSERT INTO case_counts ({cols}, n) SELECT {vals}, 0 WHERE NOT EXISTS '
            f'(SELECT 1 FROM case_counts WHERE {_match(prefix)}); '
            f'UPDATE case_counts SET n = n + 1 WHERE {_match(prefix)};')


BUMP = 'UPDATE case_list_state SET version = version + 1;'
CHANGED = ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in GROUP)
TRIGGERS = [
    f"CREATE TRIGGER tr_cases_count_insert AFTER INSERT ON cases BEGIN {_add('NEW')} {BUMP} END",
    f"CREATE TRIGGER tr_cases_count_delete AFTER DELETE ON cases BEGIN "
    f"UPDATE case_counts SET n = n - 1 WHERE {_match('OLD')}; {BUMP} END",
    f"CREATE TRIGGER tr_cases_count_update AFTER UPDATE OF {', '.join(GROUP)} ON cases "
    f"WHEN {CHANGED} BEGIN UPDATE case_counts SET n = n - 1 WHERE {_match('OLD')}; "
    f"{_add('NEW')} END",
    f"CREATE TRIGGER tr_cases_list_update AFTER UPDATE OF {', '.join(LIST)} ON cases "
    f"BEGIN {BUMP} END",
]


NEW_GROUP_LOCK = 7_243_003


def _pg_same(a: str, b: str) -> str:
    return ' AND '.join(f'{a}.{c} IS NOT DISTINCT FROM {b}.{c}' for c in GROUP)


def _pg_groups(rows: str) -> str:
    cols = ', '.join(GROUP)
    return f'(SELECT {cols}, count(*) AS k FROM {rows} GROUP BY {cols}) g'


def _pg_add(rows: str) -> str:
    cols = ', '.join(GROUP)
    missing = f'NOT EXISTS (SELECT 1 FROM case_counts c WHERE {_pg_same("c", "g")})'
    return (f'UPDATE case_counts c SET n = c.n + g.k FROM {_pg_groups(rows)} '
            f'WHERE {_pg_same("c", "g")}; '
            f'IF EXISTS (SELECT 1 FROM {_pg_groups(rows)} WHERE {missing}) THEN '
            f'PERFORM pg_advisory_xact_lock({NEW_GROUP_LOCK}); '
            f'INSERT INTO case_counts ({cols}, n) SELECT {cols}, g.k FROM {_pg_groups(rows)} '
            f'WHERE {missing}; END IF;')


def _pg_sub(rows: str) -> str:
    return (f'UPDATE case_counts c SET n = c.n - g.k FROM {_pg_groups(rows)} '
            f'WHERE {_pg_same("c", "g")};')


def _pg_row(prefix: str, cols: list[str]) -> str:
    return 'ROW(' + ', '.join(f'{prefix}.{c}' for c in cols) + ')'


# PostgreSQL: statement-level triggers over transition tables do what the SQLite row
# triggers do, once per statement (a bulk load does not update one row per case). They
# run as the schema's owner (SECURITY DEFINER, search path fixed when created) so that a
# user who may write a case need not be granted writes on the counters. A new group is
# added under a lock (and looked for again once it is held), so it gets one row only.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cw_cases_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_add('new_rows')}
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_sub('old_rows')}
  ELSE
    {_pg_sub('old_rows')}
    {_pg_add('new_rows')}
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
                   WHERE {_pg_row("o", LIST)} IS DISTINCT FROM {_pg_row("w", LIST)}) THEN
      RETURN NULL;
    END IF;
  END IF;
  UPDATE case_list_state SET version = version + 1;
  RETURN NULL;
END
$fn$"""
PG_TRIGGERS = [
    "CREATE TRIGGER tr_cases_count_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION cw_cases_count()",
    "CREATE TRIGGER tr_cases_count_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cw_cases_count()",
    "CREATE TRIGGER tr_cases_count_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION cw_cases_count()",
]


def upgrade() -> None:
    op.create_table('case_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=12), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('panel_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('risk_level', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_counts'))
    )
    with op.batch_alter_table('case_counts', schema=None) as batch_op:
        batch_op.create_index('ix_case_counts_group', GROUP, unique=False)
    op.create_table('case_list_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_list_state'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_grp', GROUP, unique=False)
        batch_op.create_index('ix_cases_area', ['lsoa_code', *GROUP], unique=False)
        for short, column in SORTS.items():
            batch_op.create_index(f'ix_cases_grp_{short}', [*GROUP, column], unique=False)
            batch_op.create_index(f'ix_cases_area_{short}', ['lsoa_code', *GROUP, column],
                                  unique=False)
    for name, table, columns in KPI_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    cols = ', '.join(GROUP)
    op.execute(f'INSERT INTO case_counts ({cols}, n) SELECT {cols}, count(*) FROM cases '
               f'GROUP BY {cols}')
    op.execute('INSERT INTO case_list_state (id, version) VALUES (1, 0)')
    if op.get_context().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        for ddl in PG_TRIGGERS:
            op.execute(ddl)
    else:
        for ddl in TRIGGERS:
            op.execute(ddl)


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        for name in ('tr_cases_count_insert', 'tr_cases_count_update',
                     'tr_cases_count_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON cases')
        op.execute('DROP FUNCTION IF EXISTS cw_cases_count()')
    for name in ('tr_cases_list_update', 'tr_cases_count_update', 'tr_cases_count_delete',
                 'tr_cases_count_insert'):
        if op.get_context().dialect.name == 'sqlite':
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for name, table, _columns in reversed(KPI_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for short in reversed(list(SORTS)):
            batch_op.drop_index(f'ix_cases_area_{short}')
            batch_op.drop_index(f'ix_cases_grp_{short}')
        batch_op.drop_index('ix_cases_area')
        batch_op.drop_index('ix_cases_grp')
    op.drop_table('case_list_state')
    with op.batch_alter_table('case_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_counts_group')
    op.drop_table('case_counts')
