"""User administration: the users table and the key slots move together, audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from casework.core import audit, lockout, passwords, signing
from casework.core.context import SYSTEM, Actor, Workspace, load_actor
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import require
from db.dialects import on_server
from db.models import Panel, PanelMembership, Team, User
from db.models.admin import PANEL_KINDS, ROLES, TEAM_KINDS
from db.server.policies import ACL


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    role: str
    team: str | None
    active: bool
    panels: tuple[str, ...]


def check_username(username: str) -> None:
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise ValidationError("A user name is 1 to 64 letters, digits, dots, dashes or "
                              "underscores.", field="username")


def ensure_team(ws: Workspace, name: str, kind: str) -> int:
    require(ws.actor, "admin.users")
    if kind not in TEAM_KINDS:
        raise ValidationError(f"Team kind must be one of: {', '.join(TEAM_KINDS)}.", "kind")
    with ws.uow() as session:
        team = session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = Team(name=name, kind=kind)
            session.add(team)
            session.flush()
            audit.record(ws, session, "team.add", "team", team.id)
        return team.id


def ensure_panel(ws: Workspace, name: str, kind: str) -> int:
    require(ws.actor, "admin.users")
    if kind not in PANEL_KINDS:
        raise ValidationError(f"Panel kind must be one of: {', '.join(PANEL_KINDS)}.", "kind")
    with ws.uow() as session:
        panel = session.scalar(select(Panel).where(Panel.name == name))
        if panel is None:
            panel = Panel(name=name, kind=kind)
            session.add(panel)
            session.flush()
            audit.record(ws, session, "panel.add", "panel", panel.id)
        return panel.id


def add_user(ws: Workspace, username: str, password: str, role: str, *,
             display_name: str = "", team: str | None = None,
             panels: tuple[str, ...] = (), chair: bool = False, job_title: str = "") -> None:
    """Add a user row and their key slot in one step (``job_title`` signs their letters)."""
    require(ws.actor, "admin.users")
    check_username(username)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.", field="role")
    password = passwords.check_new(password, (username, display_name))
    with ws.uow() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise ValidationError("A user of that name already exists.", field="username")
        team_id = None
        if team:
            t = session.scalar(select(Team).where(Team.name == team))
            if t is None:
                raise NotFound("No team of that name.")
            team_id = t.id
        user = User(username=username, display_name=display_name or username, role=role,
                    team_id=team_id, job_title=job_title.strip()[:120])
        session.add(user)
        session.flush()
        for panel_name in panels:
            p = session.scalar(select(Panel).where(Panel.name == panel_name))
            if p is None:
                raise NotFound("No panel of that name.")
            session.add(PanelMembership(user_id=user.id, panel_id=p.id,
                                        is_chair=chair or role == "panel_chair"))
        audit.record(ws, session, "user.add", "user", username, detail={"role": role})
        fp = ws.store.add_user_slot(username, password, session)
        audit.register_key(ws, session, username, fp)


def teams_and_panels(ws: Workspace) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, kind) of every team and of every panel, by name: what a new user can join."""
    require(ws.actor, "admin.users")
    with ws.uow() as session:
        teams = [(t.name, t.kind) for t in session.scalars(select(Team).order_by(Team.name))]
        panels = [(p.name, p.kind) for p in session.scalars(select(Panel).order_by(Panel.name))]
    return teams, panels


def list_users(ws: Workspace) -> list[UserView]:
    require(ws.actor, "admin.users")
    with ws.uow() as session:
        out = []
        for u in session.scalars(select(User).order_by(User.username)):
            panels = tuple(sorted(m.panel.name for m in u.memberships))
            out.append(UserView(u.username, u.display_name, u.role,
                                u.team.name if u.team else None, u.active, panels))
        audit.record(ws, session, "user.list")
        return out


def set_job_title(ws: Workspace, username: str, job_title: str) -> None:
    """Set the job title a user's letters are signed with (an administrator, or the user
    themself); audited ``user.job_title``."""
    if username != ws.actor.username:
        require(ws.actor, "admin.users")
    if len(job_title.strip()) > 120:
        raise ValidationError("Keep the job title under 120 characters.", field="job_title")
    with ws.uow() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("No user of that name.")
        if username == ws.actor.username and on_server(session):
            # a team server's users table is the administrators' to write: one's own title
            # goes through the server's function for it (``server init``)
            session.execute(text(f"SELECT {ACL}.set_own_job_title(:t)"),
                            {"t": job_title.strip()})
            session.expire(user)
        else:
            user.job_title = job_title.strip()
        audit.record(ws, session, "user.job_title", "user", username)


def disable_user(ws: Workspace, username: str) -> None:
    """Deactivate the user and revoke their key slot (in the file and in the database's
    registry). Their old copy of the data key opens the file until a rekey."""
    require(ws.actor, "admin.users")
    if username == ws.actor.username:
        raise ValidationError("You cannot disable yourself.", field="username")
    with ws.uow() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("No user of that name.")
        user.active = False
        audit.record(ws, session, "user.disable", "user", username)
        audit.record(ws, session, "keyslot.revoke", "user", username)
        ws.store.revoke_slot(username, session)


def change_password(ws: Workspace, username: str, new_password: str,
                    old_password: str | None = None) -> None:
    """Users change their own password (old one needed); administrators reset others'."""
    new_password = passwords.check_new(new_password, (username,))
    own = username == ws.actor.username
    if not own:
        require(ws.actor, "admin.users")
    with ws.uow() as session:
        if session.scalar(select(User).where(User.username == username)) is None:
            raise NotFound("No user of that name.")
        audit.record(ws, session, "user.passwd", "user", username,
                     detail={"by_admin": not own})
        if own and old_password is not None:
            fp = ws.store.change_password(username, passwords.normalise(old_password),
                                     new_password, session)
        else:
            fp = ws.store.reset_password(username, new_password, session)
        audit.register_key(ws, session, username, fp)


def actor_for(ws: Workspace, username: str) -> Actor:
    with ws.uow() as session:
        return load_actor(session, username)


# -- the recovery-key route -----------------------------------------------------------------

def new_recovery_key(ws: Workspace) -> str:
    """An administrator replaces the recovery slot: the old recovery key stops opening
    this file (a rekey makes that hold for old copies of the key file too). Audited
    ``keyslot.recovery_new``. Returns the new key, to print once; it is never stored."""
    from db.keyslots import RECOVERY_SLOT

    require(ws.actor, "admin.users")
    with ws.uow() as session:
        audit.record(ws, session, "keyslot.recovery_new", "user", RECOVERY_SLOT)
        recovery, fp = ws.store.new_recovery_key(session)
        audit.register_key(ws, session, RECOVERY_SLOT, fp)
    return recovery


def recover_password(path: Path, recovery_key: str, username: str,
                     new_password: str) -> Workspace:
    """Open the database with its recovery key and give ``username`` a new password (a
    new key slot), audited ``keyslot.recover`` with that user as the actor. Returns the
    user's workspace (the caller may sign them in, or lock it and ask for the password).
    ``ValidationError`` names the field at fault; the recovery key is never echoed."""
    from db.errors import StoreError, UnknownUser

    check_username(username)
    new_password = passwords.check_new(new_password, (username,))
    try:
        store = lockout.open_recovery(Path(path), recovery_key)
    except StoreError as exc:
        raise ValidationError("That recovery key does not open this database.",
                              field="recovery") from exc
    try:
        with Workspace(store, SYSTEM).uow() as session:
            try:
                actor = load_actor(session, username)
            except PermissionDenied:
                raise ValidationError("No active user of that name on this database.",
                                      field="username") from None
        ws = Workspace(store, actor)
        signing.ensure_enrolled(ws)
        with ws.uow() as session:
            audit.record(ws, session, "keyslot.recover", "user", username,
                         detail={"by": "recovery_key"})
            try:
                fp = store.reset_password(username, new_password, session)
            except UnknownUser:
                raise ValidationError("That user has no key slot on this database.",
                                      field="username") from None
            audit.register_key(ws, session, username, fp)
        return ws
    except BaseException:
        store.lock()
        raise
