"""The files casework reads at run time, read from the installed package.

Letter templates, Oxford's LSOAs, the default sharing protocol, the stylesheet and the
icon travel in the wheel as the package ``casework_resources`` (the project's
``resources/`` folder) and are read through ``importlib.resources``, so a wheel install,
an editable install and a frozen build all find them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources as _ir
from importlib.resources.abc import Traversable
from pathlib import Path

from casework.core.errors import CaseworkError

PACKAGE = "casework_resources"

# Everything the program reads. A start-up check (``check_installed``) finds a missing one
# before any work is done, so nothing is left half made.
REQUIRED: tuple[str, ...] = (
    "sharing_protocol.json",
    "vocabularies.json",
    "oxford-lsoas.csv",
    "style.qss",
    "icons/casework.svg",
    "letters/abc.txt",
    "letters/closure_notice.txt",
    "letters/cpn.txt",
    "letters/cpw.txt",
    "letters/first_warning_letter.txt",
    "letters/home_visit.txt",
    "letters/injunction.txt",
    "letters/second_warning_letter.txt",
    "letters/trigger_acknowledgement.txt",
    "letters/trigger_outcome.txt",
    "letters/trigger_threshold_decision.txt",
    "letters/cbo.txt",
    "letters/closure_order.txt",
    "letters/closure_order_extension.txt",
    "letters/cpn_youth.txt",
    "letters/first_warning_letter_youth.txt",
    "letters/injunction_youth.txt",
    "letters/possession.txt",
    "letters/tenancy_enforcement.txt",
    "letters/trigger_appeal_outcome.txt",
    "import_template.xlsx",
)


class MissingResource(CaseworkError):
    """A file that ships with casework is not installed: the installation is incomplete."""

    def __init__(self, name: str) -> None:
        super().__init__(f"casework is not installed completely: the packaged file "
                         f"'{name}' is missing. Reinstall casework.")
        self.name = name


class WrongDatabaseLibrary(MissingResource):
    """The database library is not SQLCipher 4 (plain SQLite, or another SQLCipher)."""

    def __init__(self, version: str | None) -> None:
        found = f"SQLCipher {version}" if version else "plain SQLite, without encryption"
        CaseworkError.__init__(
            self, f"casework is not installed completely: it needs SQLCipher 4, but its "
                  f"database library is {found}. Reinstall casework.")
        self.name = "SQLCipher 4"


def root() -> Traversable:
    """The installed resources folder."""
    try:
        return _ir.files(PACKAGE)
    except ModuleNotFoundError:
        raise MissingResource(PACKAGE) from None


def _file(name: str) -> Traversable:
    item = root()
    for part in name.split("/"):
        item = item.joinpath(part)
    if not item.is_file():
        raise MissingResource(name)
    return item


def read_text(name: str) -> str:
    """A packaged text file (UTF-8), e.g. ``read_text("letters/cpn.txt")``."""
    return _file(name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return _file(name).read_bytes()


def exists(name: str) -> bool:
    try:
        _file(name)
    except MissingResource:
        return False
    return True


def names(folder: str, suffix: str = "") -> list[str]:
    """The file names in a packaged folder (sorted), e.g. ``names("letters", ".txt")``."""
    item = root().joinpath(folder)
    if not item.is_dir():
        raise MissingResource(folder)
    return sorted(c.name for c in item.iterdir() if c.is_file() and c.name.endswith(suffix))


@contextmanager
def as_path(name: str) -> Iterator[Path]:
    """A real file path for a packaged file, for libraries that want one (Qt icons)."""
    with _ir.as_file(_file(name)) as path:
        yield Path(path)


def check_installed() -> None:
    """Raise ``MissingResource`` naming the first packaged file that is not installed, or
    ``WrongDatabaseLibrary`` unless the database library is SQLCipher 4 (both programs run
    this first and stop with exit code 8)."""
    for name in REQUIRED:
        _file(name)
    from db import engine

    version = engine.cipher_version()
    if not engine.is_sqlcipher4(version):
        raise WrongDatabaseLibrary(version)
