"""The head revision read from the migration files is Alembic's own, and checking a
database at the head does not load Alembic."""

from __future__ import annotations

import subprocess
import sys

from db import migrate


def test_the_scanned_head_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    alembic_head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate._scanned_head() == alembic_head
    assert migrate.head_revision() == alembic_head


def test_opening_a_current_database_leaves_alembic_unloaded(db) -> None:
    code = ("import sys; from casework.core.context import open_workspace; "
            f"ws = open_workspace({str(db.path)!r}, 'cm', {_password()!r}); "
            "print('alembic' in sys.modules, 'holidays' in sys.modules); ws.lock()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == ["False", "False"]


def _password() -> str:
    from tests.conftest import PASSWORD

    return PASSWORD
