"""Schema migrations through Alembic, run programmatically on an unlocked engine.

Alembic itself (about half a second to import) loads only when a database must be
upgraded or built: checking that a database is at the head revision reads the revision
lines of the migration files and the ``alembic_version`` table directly.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _scanned_head() -> str | None:
    """The one revision no other migration file names as its down revision (None if the
    files do not show exactly one)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = _REVISION.search(text)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        down = _DOWN.search(text)
        if down is not None:
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = _scanned_head()
    if head is None:  # branches or unusual files: ask Alembic
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` in one connection."""
    from alembic import command

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
        try:
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchone()
        except Exception:  # noqa: BLE001 - a missing table means no version
            return True
        return (str(row[0]) if row else None) != head_revision()
