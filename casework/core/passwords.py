"""The rules every new password meets, and the one form a password is derived from.

A password is NFC-normalised before it is used (``normalise``), so the same password typed
composed or decomposed opens the same slot. A new password (``init``, ``user add``,
``user passwd``, recovery, and the desktop's new-database and change-password dialogs) is
refused, with the reason, when it:

- is shorter than ``MIN_LENGTH`` characters (passphrases are welcome);
- holds NUL or another control character (they cannot be typed back reliably);
- is common or easy to guess, by the zxcvbn strength estimator (its frequency lists of
  common passwords, names and words ship inside the package): a score below
  ``MIN_SCORE`` (3 on its scale of 0 to 4) is refused. The user name and display
  name count as guessable words.

No message repeats the password.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from casework.core.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_SCORE = 3  # zxcvbn: 0 too guessable ... 4 very unguessable
_ESTIMATE_CHARS = 100  # zxcvbn's time grows with length; the first 100 decide
_ALLOWED_FORMAT = {"\u200d"}  # the zero-width joiner of emoji sequences


def normalise(password: str) -> str:
    """The form a password is derived from: Unicode NFC."""
    return unicodedata.normalize("NFC", password)


def problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` may not be set, or None when it may."""
    text = normalise(password)
    if not text:
        return "The password is empty."
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\x00":
            return "The password contains a NUL character."
        if category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf"
                                                    and ch not in _ALLOWED_FORMAT):
            return "The password contains a control or invisible character."
    if len(text) < MIN_LENGTH:
        return (f"The password is too short: use at least {MIN_LENGTH} characters "
                "(a few unrelated words make a good one).")
    if len(text) > MAX_LENGTH:
        return f"The password is too long: at most {MAX_LENGTH} characters."
    from zxcvbn import zxcvbn  # local: its dictionaries take a moment to load

    inputs = [u for u in user_inputs if u]
    result = zxcvbn(text[:_ESTIMATE_CHARS], user_inputs=inputs)
    if int(result["score"]) < MIN_SCORE:
        feedback = result.get("feedback") or {}
        warning = str(feedback.get("warning") or "").strip()
        reason = "The password is too easy to guess"
        if warning:
            reason += f" ({warning.rstrip('.').lower()})"
        return reason + ": add more unrelated words or make it longer."
    return None


def check_new(password: str, user_inputs: Iterable[str] = (),
              field: str = "password") -> str:
    """The normalised password, or ``ValidationError`` (naming ``field``) with the reason."""
    reason = problem(password, user_inputs)
    if reason is not None:
        raise ValidationError(reason, field=field)
    return normalise(password)
