"""Regenerate the initial migration from the models (only while no schema is released).

Usage: python -m db.migrations.regenerate
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from db.migrate import MIGRATIONS, alembic_config


def main() -> None:
    versions = MIGRATIONS / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        cfg = alembic_config()
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message="initial schema", autogenerate=True,
                             rev_id="0001", version_path=str(versions))
    for made in versions.glob("0001_*.py"):
        made.rename(versions / "0001_initial.py")


if __name__ == "__main__":
    main()
