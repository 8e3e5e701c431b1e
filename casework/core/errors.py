"""Errors the casework services raise. Messages are for the user and carry no personal data."""

from db.errors import StoreError


class CaseworkError(Exception):
    """A rule or input problem the user can act on."""


class ValidationError(CaseworkError):
    """Bad input. ``field`` names the field that is wrong (for the UI to highlight)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(CaseworkError):
    """The user's role, team or panel does not allow this."""


class NotFound(CaseworkError):
    """No such record (or the user may not know it exists)."""


__all__ = ["CaseworkError", "NotFound", "PermissionDenied", "StoreError", "ValidationError"]
