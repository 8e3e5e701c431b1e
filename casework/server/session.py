"""Signing in to a team server: the same ``Workspace`` as for a file, on a ``ServerStore``
connected as the user's own login role."""

from __future__ import annotations

import hashlib
from pathlib import Path

import platformdirs
from sqlalchemy.orm import Session

from casework.core import audit, logguard
from casework.core.context import Workspace, load_actor
from casework.server.profiles import Profile
from db.server.connect import translated
from db.server.store import ServerStore


def state_path(url: str) -> Path:
    """Where this laptop keeps per-server state (nothing secret): a name, not a file."""
    tag = hashlib.sha256(url.encode()).hexdigest()[:12]
    return platformdirs.user_state_path("casework") / f"server-{tag}"


def open_url(url: str, username: str, password: str | None, *,
             state: Path | None = None) -> Workspace:
    """Connect as ``username`` and sign in (the sign-in and the session's signing key are
    audited). ``state`` is where this laptop keeps the server's state (default:
    ``state_path``)."""
    logguard.install()  # no result row in a log, as before a file is unlocked
    store = ServerStore.connect(url, username, password, state or state_path(url))
    try:
        with translated():
            with Session(store.engine) as session, session.begin():
                actor = load_actor(session, username)
            ws = Workspace(store, actor)
            with ws.uow() as session:
                owner, fp = store.enrol(session)
                audit.register_key(ws, session, owner, fp)
                audit.record(ws, session, "login")
        return ws
    except BaseException:
        store.lock()
        raise


def open_profile(profile: Profile, username: str | None, password: str | None) -> Workspace:
    return open_url(profile.url(), username or profile.user, password)
