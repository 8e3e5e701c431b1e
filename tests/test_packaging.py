"""The wheel carries everything the program reads: every package is declared, every file
in resources/ is packaged and checked at start, and a missing one is named."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from casework.core import resources

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_of_the_tree_is_in_the_wheel() -> None:
    found = {str(p.parent.relative_to(ROOT)).replace("/", ".")
             for top in ("casework", "ui", "db") for p in (ROOT / top).rglob("__init__.py")}
    declared = set(CONFIG["packages"])
    assert found - declared == set(), "add these packages to pyproject.toml"
    assert declared - found == {"casework_resources"}
    assert CONFIG["package-dir"]["casework_resources"] == "resources"


def test_every_resource_file_is_packaged_and_checked_at_start() -> None:
    folder = ROOT / "resources"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and p.name != "__init__.py" and "__pycache__" not in p.parts)
    patterns = CONFIG["package-data"]["casework_resources"]
    unpackaged = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert unpackaged == []
    assert sorted(resources.REQUIRED) == [f for f in files if f != "README.md"]


def test_migrations_are_packaged() -> None:
    patterns = CONFIG["package-data"]["db"]
    for f in ("migrations/env.py", "migrations/versions/0001_initial.py"):
        assert any(fnmatch.fnmatch(f, pat) for pat in patterns)


def test_resources_are_read_through_the_package() -> None:
    assert resources.read_text("letters/cpn.txt").strip()
    assert "letters" in str(resources.root().joinpath("letters"))
    assert "cpn.txt" in resources.names("letters", ".txt")
    resources.check_installed()


def test_a_missing_resource_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "letters").mkdir()
    monkeypatch.setattr(resources, "root", lambda: tmp_path)
    with pytest.raises(resources.MissingResource) as caught:
        resources.check_installed()
    assert "sharing_protocol.json" in str(caught.value)
    assert "Reinstall" in str(caught.value)
    with pytest.raises(resources.MissingResource, match="letters/cpn.txt"):
        resources.read_text("letters/cpn.txt")


def test_the_desktop_refuses_to_start_without_its_files(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from ui.shell import app

    def missing() -> None:
        raise resources.MissingResource("style.qss")

    monkeypatch.setattr(resources, "check_installed", missing)
    assert app.main(["--demo"]) == 8
    assert "style.qss" in capsys.readouterr().err
