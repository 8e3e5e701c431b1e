"""Bulk synthetic cases for benchmarks and tests when ``casework.demo`` is not available.

Rows go in through SQLAlchemy Core ``executemany`` (no ORM objects), so 100,000 cases take
seconds. Every name and address is invented from small word lists; nothing is real.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from casework import users
from casework.context import SYSTEM, Workspace
from db.models import (
    Address,
    AsbDetail,
    Case,
    CaseParty,
    Lsoa,
    MartDetail,
    NrmDecision,
    Person,
    PersonAddress,
    PersonAlias,
    TriggerApplication,
    User,
)

PASSWORD = "benchmark password"
GIVEN = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Riley", "Avery",
         "Charlie", "Robin", "Frankie", "Harper", "Kai", "Rowan", "Elliot", "Quinn", "Reese",
         "Sasha", "Toby", "Amira", "Bilal", "Chen", "Dara", "Esme", "Femi", "Greta", "Hugo")
FAMILY = ("Abbott", "Barker", "Carver", "Dalton", "Ellery", "Fenwick", "Garrow", "Hollis",
          "Ingram", "Jarvis", "Kettle", "Lomax", "Marlow", "Norcott", "Oakes", "Pryce",
          "Quarry", "Rendell", "Sowerby", "Thorne", "Upton", "Varley", "Wetherall", "Yardley",
          "Zouch", "Ashdown", "Blyth", "Crowther", "Dunmore", "Eskdale", "Farrant", "Gedge")
STREETS = ("Cowley Road", "Iffley Road", "Botley Road", "Banbury Road", "Woodstock Road",
           "London Road", "Abingdon Road", "Marston Road", "Headington Road", "Cricket Road",
           "Barns Road", "Blackbird Leys Road", "Rose Hill", "Sandy Lane", "Between Towns Road")
TYPES = ("asb",) * 6 + ("trigger", "swip", "mart", "sanctuary")
PREFIX = {"asb": "ASB", "trigger": "CT", "swip": "SWIP", "mart": "MART", "sanctuary": "SAN"}
RISKS = ("standard", "standard", "medium", "high")


def build_users(path: Path, password: str = PASSWORD) -> Workspace:
    """A new database with ``admin``, ``cm`` (ASB team), ``swip`` (panel member) and
    ``coord``; returns a system workspace on it."""
    ws, _recovery = users.init_database(path, "admin", password, "Admin")
    users.ensure_team(ws, "ASB Team", "asb")
    users.ensure_team(ws, "North ASB Team", "asb")
    users.ensure_team(ws, "Sanctuary Team", "sanctuary")
    users.ensure_team(ws, "Partnership Team", "coordination")
    users.ensure_panel(ws, "SWIP Panel", "swip")
    users.ensure_panel(ws, "MART Panel", "mart")
    for name, role, team, panels in (
        ("cm", "case_manager", "ASB Team", ()),
        ("cm2", "case_manager", "North ASB Team", ()),
        ("swip", "panel_member", None, ("SWIP Panel",)),
        ("mart", "panel_member", None, ("MART Panel",)),
        ("coord", "coordinator", "Partnership Team", ()),
    ):
        users.add_user(ws, name, password, role, display_name=name.title(), team=team,
                       panels=panels)
    return ws.as_actor(SYSTEM)


def populate(ws: Workspace, cases: int, seed: int = 1, batch: int = 10000) -> None:
    """Insert ``cases`` synthetic cases with people, aliases, addresses and detail rows."""
    rng = random.Random(seed)
    with ws.uow() as session:
        lsoas = list(session.scalars(select(Lsoa.code)))
        staff = {u.username: (u.id, u.team_id) for u in session.scalars(select(User))}
        teams = {"asb": [staff["cm"], staff["cm2"]], "trigger": [staff["cm"], staff["cm2"]],
                 "sanctuary": [staff["cm"]]}
        from db.models import Panel

        panels = {p.kind: p.id for p in session.scalars(select(Panel))}
    today = date.today()
    seq: dict[str, int] = {}
    done = 0
    while done < cases:
        n = min(batch, cases - done)
        _insert_batch(ws, rng, done, n, lsoas, teams, panels, today, seq)
        done += n


def _insert_batch(ws: Workspace, rng: random.Random, start: int, n: int, lsoas: list[str],
                  teams: dict[str, list[tuple[int, int | None]]], panels: dict[str, int],
                  today: date, seq: dict[str, int]) -> None:
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "cases", "asb", "trigger", "mart", "nrm", "people", "alias", "addr", "paddr", "party")}
    for i in range(n):
        cid = start + i + 1
        ctype = rng.choice(TYPES)
        opened = today - timedelta(days=rng.randint(0, 6 * 365))
        key = f"{PREFIX[ctype]}-{opened.year}-"
        seq[key] = seq.get(key, 0) + 1
        owner, team = rng.choice(teams.get(ctype, [(None, None)]))
        closed = rng.random() < 0.6
        lsoa = rng.choice(lsoas)
        rows["addr"].append({"id": cid, "line1": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
                             "town": "Oxford", "postcode": f"OX{rng.randint(1, 4)} "
                             f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                             f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}", "lsoa_code": lsoa})
        rows["cases"].append({
            "id": cid, "reference": f"{key}{seq[key]:06d}", "case_type": ctype,
            "status": "closed" if closed else "open", "opened_on": opened,
            "closed_on": opened + timedelta(days=90) if closed else None,
            "owner_id": owner, "team_id": team,
            "panel_id": panels.get(ctype), "risk_level": rng.choice(RISKS),
            "address_id": cid, "lsoa_code": lsoa, "summary": "Synthetic case.",
            "next_review_on": None if closed else today + timedelta(days=rng.randint(-20, 56)),
        })
        for k in range(2 if rng.random() < 0.4 else 1):
            pid = 2 * cid - k
            rows["people"].append({"id": pid, "given_name": rng.choice(GIVEN),
                                   "family_name": rng.choice(FAMILY),
                                   "date_of_birth": date(rng.randint(1940, 2008),
                                                         rng.randint(1, 12), rng.randint(1, 28))})
            rows["party"].append({"case_id": cid, "person_id": pid,
                                  "role": "victim" if k == 0 else "perpetrator"})
            rows["paddr"].append({"person_id": pid, "address_id": cid})
            if rng.random() < 0.1:
                rows["alias"].append({"person_id": pid, "alias": f"{rng.choice(GIVEN)} "
                                                                 f"{rng.choice(FAMILY)}"})
        if ctype == "asb":
            rows["asb"].append({"case_id": cid, "category": "nuisance",
                                "stage": rng.randint(0, 4)})
        elif ctype == "trigger":
            rows["trigger"].append({"case_id": cid, "received_on": opened,
                                    "threshold_met": rng.choice((True, False, None))})
        elif ctype == "mart":
            rows["mart"].append({"case_id": cid, "nrm_referred": True})
            if rng.random() < 0.5:
                rows["nrm"].append({"case_id": cid, "kind": "reasonable_grounds",
                                    "decided_on": opened + timedelta(days=5),
                                    "positive": rng.random() < 0.8})
    with ws.uow() as session:
        for table, key in ((Address, "addr"), (Case, "cases"), (Person, "people"),
                           (CaseParty, "party"), (PersonAddress, "paddr"),
                           (PersonAlias, "alias"), (AsbDetail, "asb"),
                           (TriggerApplication, "trigger"), (MartDetail, "mart"),
                           (NrmDecision, "nrm")):
            if rows[key]:
                session.execute(insert(table), rows[key])


def create_database(path: Path, cases: int, seed: int = 1, password: str = PASSWORD) -> None:
    """A new database at ``path`` with ``cases`` synthetic cases (users: see build_users)."""
    ws = build_users(path, password)
    try:
        populate(ws, cases, seed)
    finally:
        ws.lock()
