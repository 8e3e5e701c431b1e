"""A login's verifier is computed from the password as libpq prepares it at sign-in
(SASLprep): a password with a no-break space, a ligature, full-width letters or a
zero-width space set with ``server user add`` must open the server when typed."""

from __future__ import annotations

import base64

import psycopg
import pytest

from casework.server import scram

PASSWORDS = [
    "plain ascii password",
    "café crème brûlée tonight",  # composed
    "cafe\u0301 cre\u0300me",  # decomposed
    "pass\u00a0word \ufb01ne long",  # no-break space, a ligature
    "\uff21\uff22 full-width letters",
    "soft\u00adhyphen and zero\u200bwidth",
    "x\u3000ideographic space é",
    "\u2163 roman four",
    "ctrl\u0007bell é",  # prohibited: used as typed
    "\u05d0abc\u05d1",  # mixed directions: used as typed
    "\u05d0\u05d1\u05d2",
    "\u00ad\u00ad",  # nothing left: used as typed
]


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_verifier_is_libpqs(pg_admin_url: str, password: str) -> None:
    with psycopg.connect(pg_admin_url) as conn:
        libpq = conn.pgconn.encrypt_password(password.encode(), b"x",
                                             b"scram-sha-256").decode()
    salt = base64.b64decode(libpq.split("$")[1].split(":")[1])
    assert scram.verifier(password, salt=salt) == libpq


def test_saslprep_maps_spaces_and_compatibility_characters() -> None:
    assert scram.saslprep("pass\u00a0word \ufb01ne") == "pass word fine"
    assert scram.saslprep("soft\u00adhyphen") == "softhyphen"
    assert scram.saslprep("plain") == "plain"
