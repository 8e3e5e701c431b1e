"""Every released schema version still opens, upgrades and matches the models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import migrate
from db.keyslots import slot_path
from db.models import Base
from db.models.search import include_name
from db.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSWORD = "fixture-0001-synthetic"


def released() -> list[Path]:
    return sorted(FIXTURES.glob("schema-*"))


def test_there_is_a_fixture_for_the_first_release() -> None:
    assert [p.name for p in released()][:1] == ["schema-0001"]


@pytest.mark.parametrize("folder", released(), ids=lambda p: p.name)
def test_released_schema_upgrades_and_matches_the_models(folder: Path, tmp_path: Path) -> None:
    src = folder / "casework.db"
    dest = tmp_path / "casework.db"
    shutil.copy2(src, dest)
    shutil.copy2(slot_path(src), slot_path(dest))
    revision = folder.name.removeprefix("schema-")

    store = Store.open(dest, "admin", PASSWORD)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == migrate.head_revision()
            ctx = MigrationContext.configure(conn, opts={"include_name": include_name})
            diff = compare_metadata(ctx, Base.metadata)
            cases = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar()
        assert diff == []
        assert cases == 60
        assert store.check() == []
    finally:
        store.lock()
    backups = list(tmp_path.glob("casework.db.before-*.bak"))
    if revision != migrate.head_revision():
        assert [b.name for b in backups] == [f"casework.db.before-{revision}.bak"]
    else:
        assert backups == []
