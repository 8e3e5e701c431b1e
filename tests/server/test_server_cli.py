"""``casework-cli server``: init twice (the second brings policies up to date), add a user
who can then log in, disable them, and clear refusals of bad URLs."""

from __future__ import annotations

import psycopg
import pytest

from casework.cli.main import EXIT_STORE, EXIT_USAGE, main
from tests.server.conftest import PASSWORD


def test_init_user_add_passwd_disable(pg_empty, pg_prefix, capsys, monkeypatch):
    prefix = f"{pg_prefix}c"
    name = f"{prefix}_officer"
    from casework.server.setup import SERVER_ROLES

    pg_empty.roles += [name, *(f"{prefix}_r_{r}" for r in SERVER_ROLES), f"{prefix}_user",
                       f"{prefix}_owner"]
    url = pg_empty.url
    assert main(["server", "init", "--url", url, "--prefix", prefix]) == 0
    assert main(["server", "init", "--url", url, "--prefix", prefix]) == 0
    assert "row-level security forced" in capsys.readouterr().out
    monkeypatch.setenv("CASEWORK_NEW_PASSWORD", PASSWORD)
    assert main(["server", "user", "add", name, "--role", "case_manager", "--team", "ASB",
                 "--url", url, "--prefix", prefix]) == 0
    assert main(["server", "user", "add", name, "--role", "case_manager", "--url", url,
                 "--prefix", prefix]) == EXIT_USAGE
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setenv("CASEWORK_NEW_PASSWORD", PASSWORD + " and more")
    assert main(["server", "user", "passwd", name, "--url", url, "--prefix", prefix]) == 0
    login = pg_empty.libpq(name, PASSWORD)
    with psycopg.connect(**login) as conn:
        assert conn.execute("SELECT count(*) FROM casework.cases").fetchone() == (0,)
    assert main(["server", "user", "disable", name, "--url", url, "--prefix", prefix]) == 0
    with psycopg.connect(pg_empty.url) as conn:
        assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                            (name,)).fetchone() == (False,)
        assert conn.execute("SELECT active FROM casework.users WHERE username = %s",
                            (name,)).fetchone() == (False,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**login)


def test_bad_urls_are_refused_before_connecting(capsys):
    assert main(["server", "init", "--url", "postgresql://a:secret@db.example/cw"]) \
        == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no password in the URL" in err and "secret" not in err
    assert main(["server", "init", "--url",
                 "postgresql://a@db.example/cw?sslmode=disable"]) == EXIT_STORE
    assert "TLS is required" in capsys.readouterr().err


def test_commands_work_against_a_server_profile(team_server, tmp_path, monkeypatch, capsys):
    """``--server PROFILE`` signs in on the team server: audit verify as the administrator,
    and a case manager is refused it as in file mode."""
    from sqlalchemy.engine import make_url

    from casework.cli.main import EXIT_REFUSED

    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(tmp_path / "servers.json"))
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    u = make_url(team_server.db.admin_url)
    assert main(["server", "profile", "add", "council", "--host", str(u.host), "--port",
                 str(u.port or 5432), "--database", team_server.db.name,
                 "--sslmode", "disable"]) == 0
    saved = (tmp_path / "servers.json").read_text()
    assert PASSWORD not in saved and "password" not in saved
    assert main(["server", "profile", "add", "far", "--host", "db.example", "--database",
                 "cw", "--sslmode", "disable"]) == EXIT_USAGE
    assert "only for a server on this machine" in capsys.readouterr().err
    assert main(["--server", "council", "--user", team_server.login("admin"),
                 "audit", "verify"]) == 0
    assert "OK" in capsys.readouterr().out
    monkeypatch.setenv("CASEWORK_SERVER", "council")
    assert main(["--user", team_server.login("cm"), "audit", "verify"]) == EXIT_REFUSED


def test_init_refuses_a_database_not_in_utf8_and_creates_nothing(pg_admin_url, pg_prefix,
                                                                  capsys):
    """Names in any script need UTF8 (and the search ranges are UTF-8's): a LATIN1 database
    is refused with the reason and the fix, before any role or schema is made."""
    from sqlalchemy.engine import make_url

    from tests.server.conftest import _drop

    name, prefix = f"{pg_prefix}_latin1", f"{pg_prefix}l"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'LATIN1' LC_COLLATE 'C' "
                     "LC_CTYPE 'C' TEMPLATE template0")
    try:
        url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
        assert main(["server", "init", "--url", url, "--prefix", prefix]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "LATIN1" in err and "UTF8" in err
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = "
                                "'casework'").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE %s",
                                (f"{prefix}\\_%",)).fetchone() == (0,)
    finally:
        _drop(pg_admin_url, name, [])
