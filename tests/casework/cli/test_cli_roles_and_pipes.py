"""A role is refused before any file is looked at; a closed pipe is no error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from casework.cli.main import main
from tests.casework.cli.clirun import CLI

# (user, command) pairs a role may not run, each naming an output or input path that does
# not exist: the answer must be "refused" (3), never "no such folder" (2).
MISSING = "/nonexistent-casework-folder/deeper"
REFUSED = {
    "sar export by a case manager": ("cm", ["sar", "export", "--person", "1", "--out", MISSING]),
    "backup by a coordinator": ("coord", ["backup", f"{MISSING}/copy.db"]),
    "quarterly export by a case manager": (
        "cm", ["export", "quarterly", "--quarter", "2026Q3", "--out", MISSING]),
    "trigger return by a panel member": (
        "swip", ["export", "trigger-return", "--year", "2026", "--out", f"{MISSING}/r.pdf"]),
    "kpi report by a case manager": (
        "cm", ["export", "kpi-report", "--period", "2026Q3", "--out", f"{MISSING}/k.pdf"]),
    "meeting pack by a case manager": (
        "cm", ["export", "pack", "--meeting", "1", "--all-attendees", "--out-dir", MISSING]),
    "case import by a coordinator": ("coord", ["import", "cases", f"{MISSING}/cases.csv"]),
    "police.uk import by a case manager": ("cm", ["import", "police-uk", f"{MISSING}/p.csv"]),
    "letter template by a case manager": (
        "cm", ["letters", "set", "cpw", "--file", f"{MISSING}/cpw.txt", "--reason", "Wording"]),
    "protocol import by a coordinator": (
        "coord", ["import", "protocol", f"{MISSING}/isp.json", "--note", "new"]),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_role_is_checked_before_the_file_system(db, monkeypatch, capsys, name):
    user, argv = REFUSED[name]
    db.close()
    code = main([*db.cli(user).use(monkeypatch), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3, err
    assert len(err) == 1 and err[0].startswith("casework-cli: refused: ")
    assert not os.path.exists("/nonexistent-casework-folder")


def test_the_right_role_then_hears_about_the_missing_folder(db, monkeypatch, capsys):
    db.close()
    code = main([*db.cli("ig").use(monkeypatch), "sar", "export", "--person", "1",
                 "--out", MISSING])
    assert code == 2
    assert "output folder does not exist" in capsys.readouterr().err


def _into_a_closed_pipe(db, *argv: str, user: str = "admin") -> subprocess.CompletedProcess[str]:
    """Run casework-cli with standard output a pipe whose reader has already gone
    (``| head`` that has read what it wanted), so every write meets EPIPE."""
    login = db.cli(user)
    command = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "casework.cli.main"]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([*command, *login.argv, *argv], stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                              env=login.subprocess_env(), timeout=120)
    finally:
        os.close(write_end)


def test_a_closed_pipe_is_silent(db, world):
    person = str(world.subject_id)
    db.close()
    for user, argv in (("admin", ["user", "list"]),
                       ("ig", ["audit", "who-saw", "--person", person])):
        result = _into_a_closed_pipe(db, *argv, user=user)
        assert result.stderr == "", argv  # no traceback, no "Broken pipe", nothing
        assert result.returncode == 0, argv


@pytest.mark.file_only(reason="damages a page of the database file and runs `check`, the "
                              "file's SQLCipher page-HMAC and integrity check")
def test_a_closed_pipe_keeps_the_usual_exit_code(db):
    db.close()
    data = bytearray(db.path.read_bytes())
    data[len(data) - 2000] ^= 0x40  # a page deep in the file fails its HMAC
    db.path.write_bytes(bytes(data))
    result = _into_a_closed_pipe(db, "check")
    assert (result.returncode, result.stderr) == (1, "")  # "a check failed", quietly


def test_a_closed_pipe_keeps_the_exit_code_of_a_failed_verify(db):
    db.ws("admin")  # a trail of a few entries (a team server's starts with none)
    db.tamper("UPDATE audit_entries SET action = 'tampered' WHERE seq = 1")
    db.close()
    result = _into_a_closed_pipe(db, "audit", "verify")
    assert (result.returncode, result.stderr) == (1, "")  # "a check failed", quietly
