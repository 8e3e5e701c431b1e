"""The application on the team server: a case manager's workspace sees and audits as in
file mode, the database refusing what the policies hide; ``audit verify`` checks the
chain the server kept."""

from __future__ import annotations

import psycopg

from casework.core import audit
from casework.server import session as server_session
from tests.server.conftest import PASSWORD


def _url(ts) -> str:
    from sqlalchemy.engine import make_url
    u = make_url(ts.db.admin_url)
    return f"postgresql://{u.host}:{u.port or 5432}/{ts.db.name}?sslmode=disable"


def test_server_workspace_signs_in_audits_and_verifies(team_server):
    from sqlalchemy import select

    from db.models import Case

    cm = server_session.open_url(_url(team_server), team_server.login("cm"), PASSWORD)
    try:
        assert cm.actor.role == "case_manager"
        with cm.uow() as s:
            refs = set(s.scalars(select(Case.reference)))
            audit.record(cm, s, "view", "case", team_server.ids["case_north"])
        assert "T-north" in refs and not refs & {"T-south", "T-east", "T-west"}
    finally:
        cm.lock()
    admin = server_session.open_url(_url(team_server), team_server.login("admin"), PASSWORD)
    try:
        result = audit.verify(admin)
        assert result.ok and result.signers >= 2, result
        assert result.signed_by == team_server.login("admin")
        # A database administrator can step around the guard (replica mode skips
        # triggers); the chain shows what they changed.
        with psycopg.connect(team_server.db.url, autocommit=True) as dba:
            dba.execute("SET session_replication_role = replica")
            seq, action = dba.execute(
                "SELECT seq, action FROM casework.audit_entries WHERE action = 'view' "
                "ORDER BY seq DESC LIMIT 1").fetchone()
            dba.execute("UPDATE casework.audit_entries SET action = 'login' WHERE seq = %s",
                        (seq,))
            try:
                tampered = audit.verify(admin)
            finally:
                dba.execute("UPDATE casework.audit_entries SET action = %s WHERE seq = %s",
                            (action, seq))
        assert not tampered.ok and tampered.first_bad_seq == seq
        assert audit.verify(admin).ok
    finally:
        admin.lock()
