"""SCRAM-SHA-256 verifiers computed on the client (RFC 5802/7677, PostgreSQL's format), so
a password never travels to the server or its statement log in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import stringprep
import unicodedata

ITERATIONS = 4096


def saslprep(password: str) -> str:
    """The password as libpq prepares it before SCRAM (RFC 4013 SASLprep, as PostgreSQL's
    ``pg_saslprep``): non-ASCII spaces mapped to a space, characters mapped to nothing
    removed, NFKC. A password SASLprep prohibits (control characters, unassigned code
    points, mixed directions) or leaves empty is used as it is, as libpq does; so is pure
    ASCII."""
    if password.isascii():
        return password
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password
                     if stringprep.in_table_c12(c) or not stringprep.in_table_b1(c))
    prepared = unicodedata.ucd_3_2_0.normalize("NFKC", mapped)
    prohibited = (stringprep.in_table_a1, stringprep.in_table_c12, stringprep.in_table_c21,
                  stringprep.in_table_c22, stringprep.in_table_c3, stringprep.in_table_c4,
                  stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7,
                  stringprep.in_table_c8, stringprep.in_table_c9)
    if not prepared or any(test(c) for c in prepared for test in prohibited):
        return password
    if any(stringprep.in_table_d1(c) for c in prepared) and (
            any(stringprep.in_table_d2(c) for c in prepared)
            or not stringprep.in_table_d1(prepared[0])
            or not stringprep.in_table_d1(prepared[-1])):
        return password
    return prepared


def verifier(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`` for ``password`` (after
    SASLprep, as libpq prepares what is typed at sign-in)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt,
                                 iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
