"""No password, key or personal value in any log line, error message or crash output.

Commands run with logging at DEBUG, in-process (caplog) and in a subprocess (stderr),
under faults: wrong password, delays, damaged and missing files, a full disk during an
export and a backup, and an unexpected exception carrying personal data. Every line is
scanned for the synthetic personal values, the passwords and the keys.
"""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casework.cli.main import main
from casework.core.lockout import initialise
from db.errors import StoreError
from db.keyslots import slot_path
from tests.casework.conftest import NEIGHBOUR, NOTE_TEXT, SUBJECT, SUBJECT_ADDRESS
from tests.conftest import PASSWORD

WRONG = "Wr0ng-Pa55word-Synthetic"
ROOT = Path(__file__).resolve().parents[2]


def secrets_of(db, world) -> list[str]:
    ws = db.ws("admin")
    values = [*SUBJECT.values(), *NEIGHBOUR.values(), SUBJECT_ADDRESS["line1"],
              SUBJECT_ADDRESS["postcode"], NOTE_TEXT[:30], "Zeb Q", "1980-02-29",
              PASSWORD, WRONG, ws.store._signing.private_bytes_raw().hex()]
    if db.backend == "file":  # a team server's session has no data key of its own
        values.append(ws.store._key.hex())
    return [v for v in values if v]


def enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class Runs:
    """casework-cli in-process at DEBUG, everything it printed or logged kept."""

    def __init__(self, db, world, monkeypatch, capsys, caplog) -> None:
        caplog.set_level(logging.DEBUG)
        # someone diagnosing turns SQLAlchemy's own logging up too (it logs result rows)
        caplog.set_level(logging.DEBUG, logger="sqlalchemy")
        self.secrets = secrets_of(db, world)
        db.close()
        self.db, self.monkeypatch, self.capsys, self.caplog = db, monkeypatch, capsys, caplog
        self.seen: list[str] = []

    def __call__(self, *argv: str, password: str = PASSWORD, user: str = "admin",
                 path: Path | None = None) -> int:
        login = self.db.cli(user, password)
        options = login.use(self.monkeypatch)
        if path is not None:  # another database file (a damaged copy)
            options = ["--db", str(path), "--user", user]
        code = main([*options, *argv])
        captured = self.capsys.readouterr()
        self.seen.extend([captured.out, captured.err])
        return code

    def assert_nothing_leaked(self, *, sql_logged: bool = True) -> None:
        """``sql_logged``: some SQL was run, so SQLAlchemy's logging must show."""
        caplog = self.caplog
        text = "\n".join(self.seen) + "\n" + caplog.text
        text += "\n".join(str(r.args) for r in caplog.records)
        assert len(caplog.records) > 0
        if sql_logged:
            assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
        leaked = [s for s in self.secrets if s.lower() in text.lower()]
        assert leaked == []


def test_cli_under_faults_leaks_nothing(db, world, tmp_path, monkeypatch, capsys, caplog):
    run = Runs(db, world, monkeypatch, capsys, caplog)
    pid = str(world.subject_id)
    out = tmp_path / "out"
    out.mkdir()
    # ordinary work that reads personal data
    assert run("sar", "export", "--person", pid, "--out", str(out), user="ig") == 0
    assert run("audit", "who-saw", "--person", pid, user="ig") == 0
    assert run("audit", "verify") == 0
    assert run("retention", "list", user="ig") == 0
    # a full disk during an export (information governance)
    with monkeypatch.context() as m:
        m.setattr("casework.sharing.safety.StagedSet.commit", enospc)  # fsync: disk full
        assert run("sar", "export", "--person", pid, "--out", str(out), user="ig") == 7
    # an unexpected exception whose message carries personal data
    with monkeypatch.context() as m:
        def boom(*_a, **_k):
            raise ValueError(f"cannot render {SUBJECT['family_name']} {PASSWORD}")
        m.setattr("casework.safeguards.sar_pdf.render_pdf", boom)
        assert run("sar", "export", "--person", pid, "--out", str(out), user="ig") == 70
    assert run("sar", "export", "--person", "999999", "--out", str(out), user="ig") == 2
    # refused, not attempted, for a case manager and for the administrator
    assert run("sar", "export", "--person", pid, "--out", str(out), user="cm") == 3
    assert run("sar", "export", "--person", pid, "--out", str(out)) == 3
    run.assert_nothing_leaked()


def _refuses_a_wrong_password(db) -> bool:
    """False for a test server that trusts local logins (any password signs in)."""
    try:
        db.sign_in("cm", WRONG).lock()
    except StoreError:
        return True
    return False


def test_cli_wrong_passwords_leak_nothing(db, world, monkeypatch, capsys, caplog):
    if not _refuses_a_wrong_password(db):
        pytest.skip("this PostgreSQL server trusts local logins (pg_hba.conf 'trust'): a "
                    "wrong password is not refused")
    run = Runs(db, world, monkeypatch, capsys, caplog)
    assert run("audit", "head", password=WRONG) == 4
    assert run("audit", "head", password=WRONG) == 4
    assert run("audit", "head", user="cm", password="") == 4
    run.assert_nothing_leaked(sql_logged=False)  # nobody signed in


@pytest.mark.file_only(reason="the file's own faults: a full disk during a file backup, "
                              "the unlock delay after failed unlocks (a file's lockout "
                              "counter), damaged and missing database and key-slot files")
def test_cli_under_file_faults_leaks_nothing(db, world, tmp_path, monkeypatch, capsys,
                                             caplog):
    run = Runs(db, world, monkeypatch, capsys, caplog)
    # a full disk during a backup (administrator)
    with monkeypatch.context() as m:
        m.setattr("db.store.atomic_write_text", enospc)
        assert run("backup", str(tmp_path / "b.db")) == 7
    # wrong passwords, then the delay
    assert run("audit", "head", password=WRONG) == 4
    assert run("audit", "head", password=WRONG) == 4
    assert run("audit", "head", password=WRONG) == 3
    # damaged and missing files
    broken = tmp_path / "broken.db"
    data = bytearray(db.path.read_bytes())
    data[5000:5016] = os.urandom(16)
    broken.write_bytes(bytes(data))
    slot_path(broken).write_bytes(slot_path(db.path).read_bytes())
    assert run("audit", "verify", path=broken) != 0
    assert run("check", path=broken) != 0
    truncated = tmp_path / "trunc.db"
    truncated.write_bytes(db.path.read_bytes()[:3000])
    slot_path(truncated).write_bytes(slot_path(db.path).read_bytes())
    initialise(truncated)  # a sound counter of its own: the copies are not delayed
    initialise(broken)
    assert run("audit", "verify", path=truncated) == 4
    slot_path(broken).write_text('{"format": "casework-keyslots", garbage')
    assert run("audit", "verify", path=broken) == 4
    slot_path(broken).unlink()
    assert run("audit", "verify", path=broken) == 4
    run.assert_nothing_leaked()


def test_subprocess_debug_logging_and_crash_output_leak_nothing(db, world, tmp_path):
    secrets = secrets_of(db, world)
    db.close()
    script = ("import logging, sys; logging.basicConfig(level=logging.DEBUG); "
              "logging.getLogger('sqlalchemy').setLevel(logging.DEBUG); "
              "from casework.cli.main import main; sys.exit(main(sys.argv[1:]))")
    login = db.cli("admin")
    env = {**login.subprocess_env(), "PYTHONPATH": str(ROOT)}
    outputs = []
    for password, argv in ((PASSWORD, ["sar", "export", "--person", str(world.subject_id),
                                       "--out", str(tmp_path)]),
                           (WRONG, ["audit", "verify"]),
                           (PASSWORD, ["sar", "export", "--person", "1", "--out",
                                       str(tmp_path / "missing")])):
        proc = subprocess.run([sys.executable, "-c", script, *login.argv, *argv], cwd=ROOT,
                              text=True, capture_output=True,
                              env={**env, "CASEWORK_PASSWORD": password}, timeout=120)
        outputs.append(proc.stdout + proc.stderr)
    text = "\n".join(outputs)
    assert "DEBUG:sqlalchemy" in text  # logging really was on
    assert [s for s in secrets if s.lower() in text.lower()] == []
