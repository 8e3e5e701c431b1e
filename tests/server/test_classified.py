"""Every table the models define is placed in a table class of the server's policies (or
is said not to be on the server), so a new table cannot reach the server unprotected or
silently unusable. Checked against the models alone: no server needed."""

from __future__ import annotations

from db.models import Base
from db.server import policies

CLASSIFIED = {*policies.IDENTIFIABLE, *policies.REFERENCE, *policies.DISCLOSURES,
              policies.CHANGE_LOG, policies.AUDIT}


def test_every_model_table_is_classified_or_said_not_to_be_on_the_server():
    tables = set(Base.metadata.tables)
    forgotten = tables - CLASSIFIED - set(policies.NOT_ON_SERVER)
    assert forgotten == set(), f"tables with no server table class: {sorted(forgotten)}"
    # Nor in two classes that contradict each other, nor named but gone.
    assert set(policies.NOT_ON_SERVER).isdisjoint(CLASSIFIED)
    assert set(policies.IDENTIFIABLE).isdisjoint(policies.REFERENCE)
    assert set(policies.DISCLOSURES).isdisjoint({*policies.IDENTIFIABLE, *policies.REFERENCE})
    assert CLASSIFIED - tables - {"alembic_version"} == set()
    assert set(policies.ADMIN_WRITES) <= set(policies.REFERENCE)
    assert set(policies.POLICE) <= set(policies.REFERENCE)


def test_case_children_and_person_links_name_real_columns():
    meta = Base.metadata.tables
    for t in policies.CASE_CHILD_TABLES:
        fks = {fk.column.table.name for fk in meta[t].c.case_id.foreign_keys}
        assert fks == {"cases"}, t
    for t in policies.PERSON_CHILD_TABLES:
        assert {fk.column.table.name for fk in meta[t].c.person_id.foreign_keys} == {"people"}
    for t, col in policies.PERSON_LINKS:
        assert {fk.column.table.name for fk in meta[t].c[col].foreign_keys} == {"people"}, t
    for t, col, target in policies.REFERENCE_LINKS:
        assert {fk.column.table.name for fk in meta[t].c[col].foreign_keys} == {target}, t


def test_every_link_to_a_case_or_a_person_is_covered_by_a_policy():
    """A column pointing at cases makes its table a case child (or a table with a policy of
    its own); one pointing at people is a person link checked on write."""
    own_policies = {"tasks", "ugly_mug_reports", "case_counts"}
    links = {(t, c) for t, c in policies.PERSON_LINKS}
    for table in Base.metadata.tables.values():
        for col in table.columns:
            targets = {fk.column.table.name for fk in col.foreign_keys}
            if "cases" in targets:
                assert (table.name in policies.CASE_CHILD_TABLES
                        or table.name in own_policies), f"{table.name}.{col.name}"
            if "people" in targets and table.name != "people":
                assert ((table.name, col.name) in links
                        or table.name in policies.PERSON_CHILD_TABLES), \
                    f"{table.name}.{col.name}"
