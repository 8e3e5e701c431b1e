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


class EditConflict(CaseworkError):
    """A save based on a version of a record that someone else has changed since it was
    loaded: nothing was written. The message says who changed it, when and which fields
    (names only, never values); ``current_version`` is the version to reload."""

    def __init__(self, message: str, *, record_type: str = "", record_id: object = "",
                 current_version: int | None = None) -> None:
        super().__init__(message)
        self.record_type = record_type
        self.record_id = record_id
        self.current_version = current_version


__all__ = ["CaseworkError", "EditConflict", "NotFound", "PermissionDenied", "StoreError",
           "ValidationError"]
