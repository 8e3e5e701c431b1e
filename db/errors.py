"""Errors raised by the storage layer.

Messages are fixed sentences: they never carry a password, a key, a path fragment chosen
by an attacker or any value read from the database.
"""


class StoreError(Exception):
    """Base class: something is wrong with the database or the way it was opened."""

    message = "The database could not be opened."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class WrongPassword(StoreError):
    message = "Wrong password for that user."


class UnknownUser(StoreError):
    message = "No user of that name on this database."


class RevokedUser(StoreError):
    message = "That user's access to this database has been revoked."


class EmptyPassword(StoreError):
    message = "The password is empty."


class NotADatabase(StoreError):
    message = "The file is not a casework database, or it is damaged."


class DatabaseMissing(StoreError):
    message = "No database file at that path."


class DatabaseExists(StoreError):
    message = "A database already exists at that path."


class KeySlotsMissing(StoreError):
    message = "The key-slot file beside the database is missing."


class KeySlotsCorrupt(StoreError):
    message = "The key-slot file beside the database is damaged."


class DatabaseCorrupt(StoreError):
    message = "The database failed its integrity check."
