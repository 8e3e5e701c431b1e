"""Schema migrations through Alembic, run programmatically on an unlocked engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` in one connection."""
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def current_revision(dbapi_conn: Any) -> str | None:
    """The schema revision recorded in a raw DB-API connection's database."""
    try:
        row = dbapi_conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception:  # noqa: BLE001 - a missing table means no version
        return None
    return str(row[0]) if row else None


def needs_upgrade(engine: Engine) -> bool:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        return ctx.get_current_revision() != head_revision()
