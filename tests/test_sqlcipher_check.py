"""Both programs refuse to run unless the database library really is SQLCipher 4: plain
SQLite ignores ``PRAGMA key`` and would write the case file unencrypted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casework.cli import main as cli
from casework.core import resources
from db import engine


def test_the_installed_library_is_sqlcipher_4() -> None:
    version = engine.cipher_version()
    assert version is not None and version.startswith("4.")
    assert engine.is_sqlcipher4(version)
    resources.check_installed()


def test_plain_sqlite_reports_no_cipher_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "sqlcipher3", sqlite3)
    assert engine.cipher_version() is None
    with pytest.raises(resources.WrongDatabaseLibrary, match="plain SQLite"):
        resources.check_installed()


@pytest.mark.parametrize("version", [None, "3.4.2 community", "5.0.0 community"])
def test_the_cli_refuses_another_library_with_exit_8(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        version: str | None) -> None:
    monkeypatch.setattr(engine, "cipher_version", lambda: version)
    code = cli.main(["--db", str(tmp_path / "cw.db"), "--user", "admin", "init",
                     "--name", "Ada Admin"])
    assert code == 8
    err = capsys.readouterr().err
    assert "needs SQLCipher 4" in err and "Reinstall casework" in err
    assert not list(tmp_path.iterdir())  # refused before anything was made


def test_the_desktop_refuses_another_library_with_exit_8(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ui.shell import app

    monkeypatch.setattr(engine, "cipher_version", lambda: "3.4.2 community")
    assert app.main(["--demo"]) == 8
    assert "SQLCipher 3.4.2" in capsys.readouterr().err
