"""Engines for the team server. URLs carry no password: libpq takes it from the caller
(a prompt), a client certificate, or the administrator's own set-up (peer, .pgpass)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from db.errors import StoreError
from db.server.policies import SCHEMA, ident

log = logging.getLogger(__name__)
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost", ""})


class InsecureConnection(StoreError):
    """A server URL that is not one, or TLS turned off for a server elsewhere."""


def checked_url(url: str | URL) -> URL:
    """The SQLAlchemy URL for ``url`` (postgresql://...), TLS required unless the server is
    on this machine (a test set-up may then say ``sslmode=disable``)."""
    try:
        u = make_url(url) if isinstance(url, str) else url
    except sa_exc.ArgumentError:
        raise InsecureConnection("A server URL looks like postgresql://host/database") \
            from None
    if u.get_backend_name() != "postgresql":
        raise InsecureConnection("A server URL starts with postgresql://")
    u = u.set(drivername="postgresql+psycopg")
    mode = str(u.query.get("sslmode", ""))
    host = str(u.host or u.query.get("host", "") or "")
    if not mode:
        u = u.update_query_dict({"sslmode": "require"})
    elif mode in ("disable", "allow", "prefer") and host not in LOCAL_HOSTS \
            and not host.startswith("/"):
        raise InsecureConnection("TLS is required for a server that is not on this machine "
                                 "(sslmode=require, verify-ca or verify-full).")
    return u


def server_engine(url: str | URL, *, password: str | None = None, role: str | None = None,
                  **kwargs: Any) -> Engine:
    """An engine on the casework schema. ``role`` (set-up only) is taken with SET ROLE on
    every connection, so what the migrations create belongs to that role."""
    u = checked_url(url)
    if password is not None:
        u = u.set(password=password)
    # No SQL parameter in a log line or an error message: they carry personal values (as
    # the file's engine, db.engine.make_engine).
    engine = create_engine(u, pool_pre_ping=True, hide_parameters=True, **kwargs)

    @event.listens_for(engine, "handle_error")
    def _classify(context: Any) -> StoreError | None:
        return refusal(context.original_exception, context.sqlalchemy_exception)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            if role is not None:
                cur.execute(f"SET ROLE {ident(role)}")
            cur.execute(f"SET search_path = {SCHEMA}")
        dbapi_conn.commit()

    return engine


class ServerUnreachable(StoreError):
    message = ("The team server could not be reached or refused the sign-in (host, port, "
               "database, user, password or TLS settings).")


class ServerNotAnswering(ServerUnreachable):
    message = ("The team server did not answer: check the host and port in the profile, and "
               "that the server is running and reachable from this computer.")


class ServerWrongPassword(ServerUnreachable):
    message = "The team server refused the sign-in: wrong user name or password."


class ServerNeedsTLS(ServerUnreachable):
    message = ("The TLS settings do not match the team server's: it requires TLS, does not "
               "offer it, or its certificate did not verify (check the profile's TLS mode "
               "and certificate files).")


class ServerNoDatabase(ServerUnreachable):
    message = ("The team server has no database of the name in the profile: check the "
               "profile's database name.")


class ServerNotInitialised(ServerUnreachable):
    message = ("The database in the profile is not set up for casework: check the profile's "
               "database name, or ask the server's administrator to run "
               "casework-cli server init.")


def sign_in_failure(text: str) -> type[ServerUnreachable]:
    """The cause of a failed connection, from libpq's message (which is never shown: it
    may carry the host and the user name)."""
    low = text.lower()
    if "password authentication failed" in low or "does not exist" in low and "role" in low \
            or "no password supplied" in low or "not permitted to log in" in low:
        return ServerWrongPassword
    if "database" in low and "does not exist" in low:
        return ServerNoDatabase
    if "ssl" in low or "certificate" in low or "no pg_hba.conf entry" in low \
            and "no encryption" in low:
        return ServerNeedsTLS
    if "connection refused" in low or "resolve host" in low or "timeout" in low \
            or "could not translate host" in low or "no route" in low \
            or "could not connect" in low or "is the server running" in low:
        return ServerNotAnswering
    return ServerUnreachable


class ServerRefused(StoreError):
    message = "The team server refused this: your database role does not allow it."


class ServerFailed(StoreError):
    message = "The team server could not do this (see its log for the statement)."


def refusal(orig: BaseException, wrapped: BaseException | None = None) -> StoreError | None:
    """The classified error for a statement the server refused (its role's grants or
    policies) or a connection that failed or was lost; None for anything else. Every
    statement on a server engine raises it, so a screen says why, not the driver's
    exception name."""
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    if sqlstate == "42501":
        return ServerRefused()
    if sqlstate.startswith("08") or (isinstance(wrapped, sa_exc.OperationalError)
                                     and not sqlstate):
        return sign_in_failure(str(orig))()
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Server errors as one classified line: never the statement, URL or a value."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        orig = exc.orig
        log.debug("server statement failed: %s", type(orig).__name__)
        sqlstate = getattr(orig, "sqlstate", None) or ""
        if isinstance(exc, sa_exc.OperationalError) and not sqlstate.startswith("42"):
            raise sign_in_failure(str(orig))() from None
        if sqlstate == "42501":
            raise ServerRefused() from None
        raise ServerFailed(f"The team server could not do this ({type(orig).__name__}).") \
            from None
