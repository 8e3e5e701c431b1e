"""Who is working, and the unit of work they work in.

``Workspace`` is the unlocked database plus the signed-in user (the ``Actor``). Services
take a workspace, open a unit of work (one transaction, BEGIN IMMEDIATE), and return plain
dataclasses: an ORM object or a session never leaves a unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from casework.core.errors import EditConflict, PermissionDenied
from db import changelog
from db.models import PanelMembership, User
from db.store import Store


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the rules see them."""

    user_id: int | None
    username: str
    role: str
    team_id: int | None = None
    team_kind: str | None = None
    panel_ids: frozenset[int] = field(default_factory=frozenset)
    chair_panel_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


SYSTEM = Actor(user_id=None, username="system", role="system")


class Workspace:
    """An unlocked store and the actor using it."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor
        self._sessions = sessionmaker(bind=store.engine, expire_on_commit=False)
        changelog.install()

    def __repr__(self) -> str:
        return f"Workspace(user={self.actor.username!r}, role={self.actor.role!r})"

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        session.info[changelog.ACTOR_ID] = self.actor.user_id
        session.info[changelog.ACTOR_NAME] = self.actor.username
        try:
            with session.begin():
                yield session
        except StaleDataError as exc:
            # another user's transaction changed the row between our read and our write
            raise EditConflict("Someone else saved this record at the same moment; nothing "
                               "of yours was saved. Reload it and save again.") from exc
        finally:
            session.close()

    def as_actor(self, actor: Actor) -> Workspace:
        """The same store seen by another actor (tests, system jobs)."""
        return Workspace(self.store, actor)

    def lock(self) -> None:
        self.store.lock()


def load_actor(session: Session, username: str) -> Actor:
    """Build the Actor for a user name from the users table."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise PermissionDenied("That user is not active on this database.")
    memberships = session.scalars(
        select(PanelMembership).where(PanelMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        team_id=user.team_id,
        team_kind=user.team.kind if user.team else None,
        panel_ids=frozenset(m.panel_id for m in memberships),
        chair_panel_ids=frozenset(m.panel_id for m in memberships if m.is_chair),
    )


def open_workspace(path: Path, username: str, password: str) -> Workspace:
    """Unlock a database with a user's password and sign that user in (audited)."""
    from casework.core import lockout  # local: lockout imports the store

    store, _failed = lockout.open_store(Path(path), username, password)
    try:
        return finish_unlock(store, Path(path), username)
    except BaseException:
        store.lock()
        raise


def finish_unlock(store: Store, path: Path, username: str, *,
                  login: bool = True) -> Workspace:
    """Sign ``username`` in on an unlocked store: every failed unlock not yet audited (any
    user's, and names that are no user) goes into the audit trail, then the counts are
    settled (``casework.core.lockout``). Shared by every command, ``check`` and the
    desktop."""
    from casework.core import audit, lockout, signing  # local: they import this module

    sessions = sessionmaker(bind=store.engine)
    with sessions() as session, session.begin():
        actor = load_actor(session, username)
        names = list(session.scalars(select(User.username)))
    ws = Workspace(store, actor)
    signing.ensure_enrolled(ws)
    waiting, unknown_history = lockout.pending(path, names)
    with ws.uow() as session:
        if unknown_history:
            audit.record(ws, session, "unlock.counter_reset", "user", username,
                         detail={"why": "the unlock-failure file was missing or unreadable"})
        for p in waiting:
            audit.record(ws, session, "unlock.failed", "user", p.name,
                         detail={"count": p.count})
        if login:
            audit.record(ws, session, "login")
    lockout.settle(path, username, waiting)
    return ws
