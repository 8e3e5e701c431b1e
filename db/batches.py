"""Statements of a bounded size, whatever the size of the input.

SQLite refuses a statement that binds more values than its limit (``too many SQL
variables``): 999 before SQLite 3.32, 32766 since, and whatever a build chose. Every
statement casework builds from a list of input binds at most ``MAX_VARIABLES`` values, so
an import of any size runs on any build: long lists are cut into ``chunks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

MAX_VARIABLES = 999


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def rows_per_statement(columns: int) -> int:
    """How many rows of ``columns`` values one statement may carry."""
    return max(1, MAX_VARIABLES // max(1, columns))
