"""Reference data a new database starts with."""

from __future__ import annotations

import csv

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import resources
from db.models import Lsoa


def seed_lsoas(session: Session) -> int:
    """Load Oxford's LSOAs from resources/ (idempotent). Returns how many were added."""
    have = set(session.scalars(select(Lsoa.code)))
    added = 0
    with open(resources.path("oxford-lsoas.csv"), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["lsoa_code"] in have:
                continue
            session.add(Lsoa(code=row["lsoa_code"], name=row["lsoa_name"],
                             msoa_code=row["msoa_code"], local_authority=row["local_authority"],
                             population=int(row["population"]),
                             households=int(row["households"])))
            added += 1
    return added


def seed(session: Session) -> None:
    """Everything a new database needs before its first user works in it."""
    seed_lsoas(session)
    try:
        from casework.isp import protocol  # the sharing protocol, when that module exists
    except ImportError:
        return
    protocol.seed_default(session)
