"""A new database: the encrypted store, its reference data, the default sharing protocol and
the first administrator."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import audit, lockout, passwords, resources, users, vocabulary
from casework.core.context import SYSTEM, Workspace, load_actor
from casework.sharing import protocol
from db.models import Lsoa, Team, User
from db.store import Store


@contextmanager
def creating(path: Path, username: str, password: str, display_name: str = "",
             kdf: dict[str, int] | None = None) -> Iterator[tuple[Workspace, str]]:
    """Build a new database all or nothing: the body works on it under a hidden name;
    only when the body finishes are the database and its key slots moved to ``path``.
    A failure, or a kill, leaves nothing at ``path``. Yields the first administrator's
    workspace (valid inside the body only) and the recovery key. ``kdf`` overrides the
    key-derivation cost (only throwaway databases, such as benchmarks', use a cheaper one)."""
    users.check_username(username)
    password = passwords.check_new(password, (username, display_name))
    store, recovery = Store.create_staged(Path(path), username, password, kdf)
    try:
        ws = Workspace(store, SYSTEM)
        with ws.uow() as session:
            seed(session)
            team = Team(name="Administration", kind="administration")
            session.add(team)
            session.flush()
            session.add(User(username=username, display_name=display_name or username,
                             role="administrator", team_id=team.id))
            session.flush()
            audit.record(ws, session, "database.create")
            audit.record(ws, session, "user.add", "user", username,
                         detail={"role": "administrator"})
            for name, fp in store.registered_keys():
                audit.register_key(ws, session, name, fp)
        with ws.uow() as session:
            actor = load_actor(session, username)
        yield Workspace(store, actor), recovery
        store.publish()
        lockout.initialise(store.path)  # a sound, empty failure counter (see lockout)
    except BaseException:
        store.discard()
        raise


def init_database(path: Path, username: str, password: str, display_name: str = "",
                  kdf: dict[str, int] | None = None) -> tuple[Workspace, str]:
    """Create a database and its first administrator, all or nothing. Returns the
    workspace (at ``path``) and the recovery key (to be shown once)."""
    with creating(path, username, password, display_name, kdf) as (ws, recovery):
        store, actor = ws.store, ws.actor
    # the staged workspace is bound to the staging file: a new one for the final path
    return Workspace(store, actor), recovery


def seed_lsoas(session: Session) -> int:
    """Load Oxford's LSOAs from resources/ (idempotent). Returns how many were added."""
    have = set(session.scalars(select(Lsoa.code)))
    added = 0
    text = resources.read_text("oxford-lsoas.csv")
    for row in csv.DictReader(io.StringIO(text, newline="")):
        if row["lsoa_code"] in have:
            continue
        session.add(Lsoa(code=row["lsoa_code"], name=row["lsoa_name"],
                         msoa_code=row["msoa_code"], local_authority=row["local_authority"],
                         population=int(row["population"]), households=int(row["households"])))
        added += 1
    return added


def seed(session: Session) -> None:
    """Everything a new database needs before its first user works in it."""
    seed_lsoas(session)
    vocabulary.seed_defaults(session)
    protocol.seed_default(session)
