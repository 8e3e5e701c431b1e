"""Write the next schema revision from the difference between the models and the newest
released schema (0001 and later are released: never edit them; add a revision).

Usage: python -m db.migrations.new_revision "what changed"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from db.migrate import MIGRATIONS, alembic_config


def main(message: str) -> None:
    versions = MIGRATIONS / "versions"
    numbers = [int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]
    rev_id = f"{max(numbers, default=0) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'at-head.db'}")
        cfg = alembic_config()
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id,
                             version_path=str(versions))


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
