"""Password rules: 12 characters or more, not common or guessable (zxcvbn), no NUL or
control characters, NFC before derivation; the same in init, user add, passwd and
recovery. No refusal repeats the password."""

from __future__ import annotations

import unicodedata

import pytest

from casework.admin import newdb
from casework.cli.main import main
from casework.core import passwords, users
from casework.core.errors import ValidationError
from db import errors
from tests.conftest import PASSWORD

WEAK = ["a", " ", "\x00", "short pass", "password1234", "qwertyuiopasdf", "aaaaaaaaaaaaaaaa",
        "cm2cm2cm2cm2cm2", "long enough\x00but nul", "tab\there please", "bell\x07bell-bell"]
GOOD = "plum orbit lantern velvet"
COMPOSED = "café crème brûlée tonight"  # NFC: é as one code point


def test_the_rules():
    for weak in WEAK:
        assert passwords.problem(weak, ("cm2",)) is not None, repr(weak)
    assert passwords.problem(GOOD) is None
    assert passwords.problem(PASSWORD) is None
    assert "at least 12" in (passwords.problem("Zq8#v!2") or "")
    assert "NUL" in (passwords.problem("plum orbit\x00lantern velvet") or "")
    assert "common" in (passwords.problem("password1234") or "")


def test_no_refusal_repeats_the_password():
    for weak in ["password1234", "Sunshine2024!", "abcabcabcabc", "monkeymonkeymonkey"]:
        reason = passwords.problem(weak)
        assert reason is not None and weak.lower() not in reason.lower()


@pytest.mark.parametrize("weak", ["a", " ", "\x00", "password1234", "tiny"])
def test_user_add_refuses_weak_passwords(db, weak):
    with pytest.raises(ValidationError) as exc:
        users.add_user(db.ws("admin"), "newbie", weak, "case_manager", team="ASB Team")
    assert exc.value.field == "password"
    with pytest.raises(errors.StoreError):  # no slot (on a server: no login role) was made
        db.sign_in("newbie", weak or "x")


def test_init_refuses_a_weak_password_and_leaves_nothing(tmp_path):
    with pytest.raises(ValidationError):
        newdb.init_database(tmp_path / "x.db", "admin", "password1234")
    assert list(tmp_path.iterdir()) == []


def test_passwd_refuses_weak_passwords(db):
    ws = db.ws("cm")
    with pytest.raises(ValidationError):
        users.change_password(ws, "cm", "letmein12345", PASSWORD)
    with pytest.raises(ValidationError):
        users.change_password(db.ws("admin"), "cm2", "x")
    db.sign_in("cm", PASSWORD).lock()  # nothing changed


@pytest.mark.file_only(reason="the recovery key opens the file's recovery key slot; a team "
                              "server's passwords are reset by its administrator")
def test_recovery_refuses_weak_passwords(db):
    with pytest.raises(ValidationError):
        users.recover_password(db.path, "AAAA-BBBB", "cm", "weak")
    db.sign_in("cm", PASSWORD).lock()  # nothing changed


def test_a_password_typed_decomposed_opens_what_was_set_composed(db):
    decomposed = unicodedata.normalize("NFD", COMPOSED)
    assert decomposed != COMPOSED
    db.add_user("newbie", COMPOSED, "case_manager", team="ASB Team")
    db.sign_in("newbie", decomposed).lock()


def test_a_password_with_compatibility_characters_opens_what_was_set(db):
    # a no-break space and a ligature: a team server's login prepares them (SASLprep)
    typed = "plum\u00a0orbit \ufb01ne lantern"
    db.add_user("newbie", typed, "case_manager", team="ASB Team")
    db.sign_in("newbie", typed).lock()


@pytest.mark.file_only(reason="users change their own password in the file's key slot; on "
                              "a team server the administrator sets it (server user "
                              "passwd), no old password typed")
def test_a_password_changed_typed_decomposed_opens(db):
    users.change_password(db.ws("cm"), "cm", unicodedata.normalize("NFD", GOOD + " é"),
                          unicodedata.normalize("NFD", PASSWORD))
    db.sign_in("cm", GOOD + " é").lock()


def test_the_cli_user_add_refuses_a_short_password(db, monkeypatch, capsys):
    monkeypatch.setenv("CASEWORK_NEW_PASSWORD", "a")
    code = main([*db.cli("admin").use(monkeypatch), "user", "add", "newbie",
                 "--role", "case_manager", "--team", "ASB Team"])
    assert code == 2
    assert "too short" in capsys.readouterr().err
