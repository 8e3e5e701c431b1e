"""casework-cli against bad input: one clear line, a non-zero exit, nothing changed.

Every case runs the real ``casework-cli`` in a subprocess with the password in
``CASEWORK_PASSWORD`` and checks that stderr is exactly one line, that no traceback and
no password appear anywhere in the output, and that the database, its key slots and any
WAL are byte-for-byte what they were before (sha256).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from casework.core import users
from casework.core.lockout import lockout_path
from db.keyslots import slot_path
from tests.casework.cli.clirun import QUOTED, assert_clean_failure, digests, run_cli
from tests.conftest import PASSWORD, copy_db


@pytest.fixture
def folder(template_db: Path, tmp_path: Path) -> Path:
    """A folder holding only ``case.db`` and ``case.db.keys`` (copies of the template)."""
    copy_db(template_db, tmp_path / "case.db")
    return tmp_path


def _wrong_password(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db), "--user", "admin", "user", "list"], "not the password"


def _unknown_user(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db), "--user", "nobody", "user", "list"], PASSWORD


def _empty_password(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db), "--user", "admin", "user", "list"], ""


def _quoted_wrong_password(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db), "--user", "admin", "user", "list"], QUOTED


def _no_password_no_terminal(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db), "--user", "admin", "user", "list"], None


def _missing_file(db: Path) -> tuple[list[str], str | None]:
    return ["--db", str(db.with_name("absent.db")), "--user", "admin", "user", "list"], PASSWORD


def _not_a_database(db: Path) -> tuple[list[str], str | None]:
    db.write_bytes(b"This is a letter, not a database.\n" * 200)
    return ["--db", str(db), "--user", "admin", "check"], PASSWORD


def _plain_sqlite(db: Path) -> tuple[list[str], str | None]:
    import sqlite3

    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("create table t(x)")
    conn.commit()
    conn.close()
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


def _truncated(db: Path) -> tuple[list[str], str | None]:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 100])
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


def _keys_missing(db: Path) -> tuple[list[str], str | None]:
    slot_path(db).unlink()
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


def _keys_not_json(db: Path) -> tuple[list[str], str | None]:
    slot_path(db).write_text("{not json", encoding="utf-8")
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


def _keys_binary(db: Path) -> tuple[list[str], str | None]:
    slot_path(db).write_bytes(b"\xff\xfe\x00garbage\x80")
    return ["--db", str(db), "--user", "admin", "check"], PASSWORD


def _keys_tampered(db: Path) -> tuple[list[str], str | None]:
    keys = slot_path(db)
    keys.write_text(keys.read_text(encoding="utf-8").replace('"check": "', '"check": "AA'),
                    encoding="utf-8")
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


def _first_page_flipped(db: Path) -> tuple[list[str], str | None]:
    data = bytearray(db.read_bytes())
    data[100] ^= 0x01
    db.write_bytes(bytes(data))
    return ["--db", str(db), "--user", "admin", "user", "list"], PASSWORD


# name -> (how to break it, the exit code: 2 bad input, 4 could not open, 5 damaged)
CASES: dict[str, tuple[Callable[[Path], tuple[list[str], str | None]], int]] = {
    "wrong password": (_wrong_password, 4),
    "unknown user": (_unknown_user, 4),
    "empty password": (_empty_password, 4),
    "password with quotes and backslashes": (_quoted_wrong_password, 4),
    "no password and no terminal": (_no_password_no_terminal, 2),
    "no file at the path": (_missing_file, 4),
    "not a database": (_not_a_database, 4),
    "plain unencrypted sqlite": (_plain_sqlite, 4),
    "truncated file": (_truncated, 4),
    "key-slot file missing": (_keys_missing, 4),
    "key-slot file not json": (_keys_not_json, 4),
    "key-slot file binary junk": (_keys_binary, 4),
    "key-slot file tampered": (_keys_tampered, 4),
    "one byte flipped in the first page": (_first_page_flipped, 5),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_fails_cleanly_and_changes_nothing(folder: Path, name: str) -> None:
    db = folder / "case.db"
    breaks, code = CASES[name]
    args, password = breaks(db)
    before = digests(folder)
    result = run_cli(*args, password=password)
    line = assert_clean_failure(result, PASSWORD, QUOTED, password or "")
    assert result.returncode == code, line
    assert digests(folder) == before, line


def test_revoked_user_is_refused_and_nothing_changes(folder: Path) -> None:
    from casework.core.context import open_workspace

    ws = open_workspace(folder / "case.db", "admin", PASSWORD)
    users.disable_user(ws, "cm")
    ws.lock()
    before = digests(folder)
    result = run_cli("--db", str(folder / "case.db"), "--user", "cm", "user", "list")
    line = assert_clean_failure(result, PASSWORD)
    assert result.returncode == 4
    assert "revoked" in line
    assert digests(folder) == before


def test_password_with_quotes_and_backslashes_works(tmp_path: Path) -> None:
    db = tmp_path / "quoted.db"
    made = run_cli("--db", str(db), "--user", "admin", "init", password=QUOTED)
    assert made.returncode == 0, made.stderr
    assert QUOTED not in made.stdout + made.stderr
    listed = run_cli("--db", str(db), "--user", "admin", "user", "list", password=QUOTED)
    assert listed.returncode == 0, listed.stderr
    assert "admin" in listed.stdout
    wrong = run_cli("--db", str(db), "--user", "admin", "user", "list",
                    password=QUOTED[:-1])
    assert_clean_failure(wrong, QUOTED, QUOTED[:-1])


def test_environment_supplies_database_and_user(folder: Path) -> None:
    result = run_cli("user", "list", env_extra={"CASEWORK_DB": str(folder / "case.db"),
                                                "CASEWORK_USER": "admin"})
    assert result.returncode == 0, result.stderr
    assert "cm" in result.stdout
    missing = run_cli("user", "list", env_extra={"CASEWORK_USER": "admin"})
    assert "CASEWORK_DB" in assert_clean_failure(missing, PASSWORD)


def test_check_is_ok_on_a_sound_database_and_fails_on_a_deep_flip(folder: Path) -> None:
    db = folder / "case.db"
    ok = run_cli("--db", str(db), "--user", "admin", "check")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK")
    bad = folder / "flipped.db"
    data = bytearray(db.read_bytes())
    data[len(data) - 2000] ^= 0x40
    bad.write_bytes(bytes(data))
    shutil.copy2(slot_path(db), slot_path(bad))
    shutil.copy2(lockout_path(db), lockout_path(bad))  # else the first unlock waits 30 s
    before = digests(folder)
    result = run_cli("--db", str(bad), "--user", "admin", "check")
    assert result.returncode != 0
    assert "FAIL" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert digests(folder) == before


def test_backup_then_open_the_copy(folder: Path) -> None:
    db, copy = folder / "case.db", folder / "backup" / "copy.db"
    copy.parent.mkdir()
    made = run_cli("--db", str(db), "--user", "admin", "backup", str(copy))
    assert made.returncode == 0, made.stderr
    assert copy.exists() and slot_path(copy).exists() and lockout_path(copy).exists()
    listed = run_cli("--db", str(copy), "--user", "cm", "user", "list")
    # cm may open the copy (their slot came with it) but may not administer users.
    assert listed.returncode == 3
    assert_clean_failure(listed, PASSWORD)
    checked = run_cli("--db", str(copy), "--user", "admin", "check")
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stderr
    before = digests(copy.parent)
    again = run_cli("--db", str(db), "--user", "admin", "backup", str(copy))
    line = assert_clean_failure(again, PASSWORD)  # never overwrites an existing file
    assert again.returncode == 2  # bad input, not "could not open the database"
    assert "already exists; choose another name" in line
    assert digests(copy.parent) == before
