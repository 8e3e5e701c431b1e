"""``server import-file``: a file database moves into an empty server database with its
people, cases, documents and audit trail; the chain still verifies there, and a second
import is refused with nothing changed."""

from __future__ import annotations

from datetime import date

import psycopg
from sqlalchemy.engine import make_url

from casework.asb import cases as asb
from casework.cli.main import EXIT_USAGE, main
from casework.core import audit
from casework.people import persons
from casework.server import session, setup
from tests.conftest import PASSWORD as FILE_PASSWORD
from tests.conftest import ROSTER
from tests.server.conftest import PASSWORD


def test_import_file_keeps_everything_and_the_chain(db, pg_empty, pg_prefix, capsys,
                                                    monkeypatch):
    prefix, logins = f"{pg_prefix}m", f"{pg_prefix}m_"
    pg_empty.roles += [logins + n for n in (*ROSTER, "admin")]
    pg_empty.roles += [f"{prefix}_r_{r}" for r in setup.SERVER_ROLES]
    pg_empty.roles += [f"{prefix}_user", f"{prefix}_owner"]
    cm = db.ws("cm")
    person = persons.create_person(cm, persons.PersonInput("Robin", "Synthetic-Moved"))
    case = asb.open_asb_case(cm, "personal", "noise", date(2026, 11, 30), None, person.id,
                             None, summary="synthetic")
    db.close()
    setup.init(pg_empty.url, prefix=prefix)
    monkeypatch.setenv("CASEWORK_PASSWORD", FILE_PASSWORD)
    args = ["--db", str(db.path), "--user", "admin", "server", "import-file", str(db.path),
            "--url", pg_empty.url, "--prefix", prefix, "--login-prefix", logins]
    assert main(args) == 0
    assert "cannot log in yet" in capsys.readouterr().out
    assert main(args) == EXIT_USAGE  # not into a database that holds data
    assert "already holds data" in capsys.readouterr().err
    for who in ("admin", "cm"):
        setup.set_password(pg_empty.url, logins + who, PASSWORD, prefix=prefix)
    u = make_url(pg_empty.admin_url)
    url = f"postgresql://{u.host}:{u.port or 5432}/{pg_empty.name}?sslmode=disable"
    officer = session.open_url(url, logins + "cm", PASSWORD)
    try:
        moved = asb.get_asb_case(officer, case.header.id)
        assert moved.header.reference == case.header.reference
        assert persons.get_person(officer, person.id).family_name == "Synthetic-Moved"
        # New rows continue the ids and references after the imported ones.
        again = asb.open_asb_case(officer, "nuisance", "litter", date(2026, 11, 30), None,
                                  None, None)
        assert again.header.id > case.header.id
    finally:
        officer.lock()
    admin = session.open_url(url, logins + "admin", PASSWORD)
    try:
        result = audit.verify(admin)
    finally:
        admin.lock()
    assert result.ok, result
    with psycopg.connect(pg_empty.url) as conn:
        assert conn.execute("SELECT count(*) FROM casework.audit_entries WHERE action = "
                            "'server.import'").fetchone() == (1,)


def test_import_refuses_a_missing_file(tmp_path, capsys):
    assert main(["--user", "admin", "server", "import-file", str(tmp_path / "none.db"),
                 "--url", "postgresql://x@127.0.0.1/none?sslmode=disable"]) == EXIT_USAGE
    assert "No database file" in capsys.readouterr().err
