"""db.errors.classify on the errors SQLCipher really raises: the one place a failure is
named busy, disk full, damaged or a fault."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3

from db import errors
from db.engine import connect_raw


def _raised(fn) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.fixture
def pair(tmp_path: Path):
    key = os.urandom(32)
    path = tmp_path / "t.db"
    first = connect_raw(path, key, create=True)
    first.execute("CREATE TABLE t (x UNIQUE)")
    first.execute("INSERT INTO t VALUES (1)")
    second = connect_raw(path, key)
    second.execute("PRAGMA busy_timeout = 50")
    yield first, second
    first.close()
    second.close()


def test_a_lock_held_elsewhere_is_busy(pair):
    first, second = pair
    first.execute("BEGIN IMMEDIATE")
    exc = _raised(lambda: second.execute("BEGIN IMMEDIATE"))
    first.execute("ROLLBACK")
    assert isinstance(errors.classify(exc), errors.DatabaseBusy)


def test_a_constraint_violation_is_a_fault_not_damage(pair):
    first, _ = pair
    exc = _raised(lambda: first.execute("INSERT INTO t VALUES (1)"))
    problem = errors.classify(exc)
    assert isinstance(problem, errors.StoreFault)
    assert not isinstance(problem, errors.DatabaseCorrupt)


def test_too_many_sql_variables_is_a_fault_not_damage(pair):
    first, _ = pair
    n = 250_001  # this build's SQLITE_MAX_VARIABLE_NUMBER is 250,000
    exc = _raised(lambda: first.execute(
        f"SELECT 1 WHERE 1 IN ({','.join('?' * n)})", [1] * n))
    assert "too many SQL variables" in str(exc)
    assert isinstance(errors.classify(exc), errors.TooManyValues)


@pytest.mark.parametrize("exc", [
    sqlcipher3.OperationalError("database or disk is full"),
    sqlite3.OperationalError("database or disk is full"),
    OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
])
def test_no_space_is_disk_full(exc):
    assert isinstance(errors.classify(exc), errors.DiskFull)


def test_a_malformed_or_undecryptable_page_is_damage():
    assert isinstance(errors.classify(sqlcipher3.DatabaseError(
        "database disk image is malformed")), errors.DatabaseCorrupt)
    assert isinstance(errors.classify(sqlcipher3.DatabaseError(
        "file is not a database")), errors.DatabaseCorrupt)


def test_anything_else_is_left_alone():
    assert errors.classify(ValueError("x")) is None
    assert errors.classify(OSError(errno.ENOENT, "No such file")) is None
    assert errors.classify(sqlcipher3.OperationalError("no such table: t")) is None


def test_messages_carry_no_value_from_the_failure(pair):
    first, _ = pair
    first.execute("CREATE TABLE p (name TEXT UNIQUE)")
    first.execute("INSERT INTO p VALUES ('Zebedee Quorn')")
    exc = _raised(lambda: first.execute("INSERT INTO p VALUES ('Zebedee Quorn')"))
    assert "Zebedee" not in str(errors.classify(exc))
    assert "p.name" not in str(errors.classify(exc))
