"""Search as you type: matching, visibility, auditing, limits."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text

from casework.cases import search
from casework.core.context import SYSTEM
from casework.core.errors import PermissionDenied, ValidationError
from db.models import (
    Address,
    AsbDetail,
    AuditEntry,
    Case,
    CaseParty,
    Panel,
    Person,
    PersonAddress,
    PersonAlias,
    Team,
)
from tests.pg_backend import roster_name


@pytest.fixture
def world(db):
    """People on an ASB case (ASB Team), a North team case, a SWIP referral, and one
    person on no case at all."""
    ws = db.ws("admin").as_actor(SYSTEM)
    with ws.uow() as s:
        teams = {t.name: t.id for t in s.scalars(select(Team))}
        swip_panel = s.scalar(select(Panel.id).where(Panel.name == "SWIP Panel"))

        def person(given, family, postcode, line1, *, born=None, aliases=()):
            addr = Address(line1=line1, town="Oxford", postcode=postcode)
            p = Person(given_name=given, family_name=family, date_of_birth=born)
            s.add_all([addr, p])
            s.flush()
            s.add(PersonAddress(person_id=p.id, address_id=addr.id))
            for a in aliases:
                s.add(PersonAlias(person_id=p.id, alias=a))
            return p, addr

        def case(ref, ctype, address, *, team=None, panel=None):
            c = Case(reference=ref, case_type=ctype, status="open", opened_on=date(2025, 1, 1),
                     team_id=team, panel_id=panel, address_id=address.id)
            s.add(c)
            s.flush()
            return c

        ids = {}
        zeb, zeb_addr = person("Zebedee", "McQuarrie", "OX4 1AB", "12 Cowley Road",
                               born=date(1980, 5, 17), aliases=("Zeb the Knife",))
        ids["zeb"], ids["zeb_addr"] = zeb.id, zeb_addr.id
        c1 = case("ASB-2025-000001", "asb", zeb_addr, team=teams["ASB Team"])
        s.add(CaseParty(case_id=c1.id, person_id=zeb.id, role="victim"))
        ids["c1"] = c1.id

        # The subject is linked only through the ASB detail row (not case_parties).
        subj, subj_addr = person("Quentin", "Mcquade", "OX4 2CD", "3 Iffley Road")
        s.add(AsbDetail(case_id=c1.id, category="personal", stage=1,
                        subject_person_id=subj.id))
        ids["subj"] = subj.id

        north, north_addr = person("Zelda", "Mcquillan", "OX3 9ZZ", "7 Marston Road")
        c2 = case("ASB-2025-000002", "asb", north_addr, team=teams["North ASB Team"])
        s.add(CaseParty(case_id=c2.id, person_id=north.id, role="victim"))
        ids["north"], ids["c2"] = north.id, c2.id

        sw, sw_addr = person("Zora", "Mcqueen", "OX1 1AA", "1 High Street")
        c3 = case("SWIP-2025-000001", "swip", sw_addr, panel=swip_panel)
        s.add(CaseParty(case_id=c3.id, person_id=sw.id, role="victim"))
        ids["swip"], ids["c3"] = sw.id, c3.id

        lone, _ = person("Zachary", "Mcquinn", "OX2 6QQ", "99 Botley Road")
        ids["lone"] = lone.id

        merged, _ = person("Zebedee", "Mcquarrie-Old", "OX4 1AB", "12 Cowley Road")
        merged.merged_into_id = zeb.id
        ids["merged"] = merged.id
    db.ids = ids
    return db


def hits(ws, text, kind=None, limit=20):
    found = search.search(ws, text, limit)
    return [(h.kind, h.id) for h in found if kind is None or h.kind == kind]


def test_people_by_prefix_of_either_name_any_case(world):
    cm, ids = world.ws("cm"), world.ids
    assert ("person", ids["zeb"]) in hits(cm, "zeb")
    assert ("person", ids["zeb"]) in hits(cm, "MCQUA")
    assert ("person", ids["zeb"]) in hits(cm, "mcq")  # "McQuarrie": mixed case inside
    assert ("person", ids["zeb"]) in hits(cm, "Zeb mcq")
    assert ("person", ids["zeb"]) in hits(cm, "mcquarrie zebedee")
    assert ("person", ids["zeb"]) not in hits(cm, "zeb mcquade")
    assert hits(cm, "ebedee", "person") == []  # a prefix, not a substring


def test_people_by_alias(world):
    cm, ids = world.ws("cm"), world.ids
    found = search.search(cm, "zeb the kn")
    person = [h for h in found if h.kind == "person"]
    assert [h.id for h in person] == [ids["zeb"]]
    assert "also known as" in person[0].detail


def test_person_hit_label_and_detail(world):
    hit = next(h for h in search.search(world.ws("cm"), "zebedee") if h.kind == "person")
    assert hit.label == "Zebedee McQuarrie"
    assert "1980-05-17" in hit.detail
    assert "Zebedee" not in repr(hit)


def test_visibility_of_people(world):
    ids = world.ids
    cm = world.ws("cm")
    found = set(hits(cm, "mcq", "person"))
    # own case (party), own case (ASB subject link), unlinked person: yes
    assert {("person", ids["zeb"]), ("person", ids["subj"]), ("person", ids["lone"])} <= found
    # another team's case, a SWIP referral, a merged duplicate: no
    assert not found & {("person", ids["north"]), ("person", ids["swip"]),
                        ("person", ids["merged"])}
    swip = set(hits(world.ws("swip"), "mcq", "person"))
    assert ("person", ids["swip"]) in swip and ("person", ids["zeb"]) not in swip
    assert ("person", ids["north"]) in set(hits(world.ws("cm2"), "mcq", "person"))


def test_cases_by_reference_prefix(world):
    cm, ids = world.ws("cm"), world.ids
    assert hits(cm, "asb-2025", "case") == [("case", ids["c1"])]
    assert hits(cm, "ASB-2025-000001", "case") == [("case", ids["c1"])]
    assert hits(cm, "swip-20", "case") == []
    assert hits(world.ws("swipchair"), "swip-20", "case") == [("case", ids["c3"])]
    hit = search.search(cm, "asb-2025-0000")[0]
    assert hit.kind == "case" and hit.label == "ASB-2025-000001" and "ASB" in hit.detail


def test_addresses_by_postcode_and_first_line(world):
    cm, ids = world.ws("cm"), world.ids
    assert ("address", ids["zeb_addr"]) in hits(cm, "ox4 1")
    assert ("address", ids["zeb_addr"]) in hits(cm, "OX41A")
    assert ("address", ids["zeb_addr"]) in hits(cm, "cowley")
    assert ("address", ids["zeb_addr"]) in hits(cm, "12 COW")
    # The North team's address and the SWIP address are not the ASB Team's to see.
    assert hits(cm, "marston", "address") == []
    assert hits(cm, "ox1 1", "address") == []
    # The unlinked person's address is visible through the person.
    assert len(hits(cm, "botley", "address")) == 1


def test_wildcards_in_text_are_literal(world):
    cm = world.ws("cm")
    assert hits(cm, "%%") == []
    assert hits(cm, "__") == []
    assert hits(cm, "z%", "person") == []


def test_search_is_audited_without_the_text(world):
    cm = world.ws("cm")
    found = search.search(cm, "Zebedee")
    with world.ws("ig").uow() as s:  # (on a server, a role that reads the whole trail)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.username == cm.actor.username)
                          .order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "search" and roster_name(entry.username) == "cm"
    assert json.loads(entry.detail)["results"] == len(found)
    assert "zeb" not in (entry.detail + entry.reason + entry.record_id).lower()


def test_rules(world):
    cm = world.ws("cm")
    with pytest.raises(ValidationError):
        search.search(cm, "z")
    with pytest.raises(ValidationError):
        search.search(cm, "  z   ")
    for user in ("coord", "admin"):
        with pytest.raises(PermissionDenied):
            search.search(world.ws(user), "zeb")


def test_limit_is_shared_between_kinds(world):
    cm = world.ws("cm")
    everything = search.search(cm, "mcq", limit=100)
    assert len(everything) >= 3
    assert len(search.search(cm, "mcq", limit=2)) == 2
    mixed = search.search(cm, "ox4", limit=4)  # addresses only by postcode
    assert {h.kind for h in mixed} == {"address"}


def test_helpers():
    assert search.spellings("mc")[:3] == ["Mc", "mc", "MC"]
    assert sorted(search.spellings("mc")) == ["MC", "Mc", "mC", "mc"]
    assert sorted(search.spellings("4a")) == ["4A", "4a"]
    assert search.postcode_forms("ox41a") == ["OX 41A", "OX4 1A", "OX41 A", "OX41A"]
    assert search.postcode_forms("cowley") == []
    assert search.fold("ÄbC") == "Äbc"


@pytest.mark.file_only(reason=(
    "the file's own trigram tables for first lines, kept in step by SQLite triggers; on a "
    "team server the pg_trgm index is PostgreSQL's (tests/server/test_search_server.py)"))
def test_first_line_substring_follows_every_change_to_an_address(world):
    cm, ids = world.ws("cm"), world.ids
    system = world.ws("admin").as_actor(SYSTEM)
    assert ("address", ids["zeb_addr"]) in hits(cm, "wley ro")  # inside a word
    with system.uow() as s:
        s.get(Address, ids["zeb_addr"]).line1 = "12 Kingston Road"
        extra = Address(line1="5 Quernbrook Lane", town="Oxford", postcode="OX9 9ZZ")
        s.add(extra)
    assert ("address", ids["zeb_addr"]) in hits(cm, "ngston")
    assert ("address", ids["zeb_addr"]) not in hits(cm, "wley ro")
    assert [h.id for h in search.search(system, "uernbro")] == [extra.id]
    with system.uow() as s:
        s.delete(s.get(Address, extra.id))
    assert search.search(system, "uernbro") == []
    assert world.ws("admin").store.check() == []


@pytest.mark.file_only(reason=(
    "the file's own trigram tables for first lines, kept in step by SQLite triggers; on a "
    "team server the pg_trgm index is PostgreSQL's (tests/server/test_search_server.py)"))
def test_a_first_line_that_matches_nothing_is_an_index_lookup(world):
    cm = world.ws("cm")
    with cm.uow() as s:
        query, served = search._line_contains(s, "zzqqy")
        assert query is not None and not served
        sql = str(query.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "VIRTUAL TABLE INDEX 0:L" in plan  # the trigram index serves the LIKE
    assert "addresses" not in plan
    assert hits(cm, "zzqqy") == []


@pytest.mark.file_only(reason=(
    "the file's own trigram tables for first lines, kept in step by SQLite triggers; on a "
    "team server the pg_trgm index is PostgreSQL's (tests/server/test_search_server.py)"))
def test_check_names_an_address_index_out_of_step_and_rebuild_mends_it(world):
    system = world.ws("admin").as_actor(SYSTEM)
    with system.uow() as s:  # as a bulk change with the triggers off would leave it
        s.connection().exec_driver_sql("DROP TRIGGER tr_addresses_lines_update")
        s.get(Address, world.ids["zeb_addr"]).line1 = "12 Kingston Road"
    problems = world.ws("admin").store.check()
    assert len(problems) == 1 and "address search index" in problems[0]
    search.rebuild_index(world.ws("admin"))
    assert world.ws("admin").store.check() == []
    assert ("address", world.ids["zeb_addr"]) in hits(system, "ngston")
