"""Spreadsheet import: a good file in one go; a bad row rejects the whole file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.asb import importer
from casework.asb.cases import open_asb_case
from casework.cli.main import main
from casework.core.errors import PermissionDenied
from casework.core.permissions import visible_cases
from db.models import (
    Address,
    AsbDetail,
    AuditEntry,
    Case,
    CaseCount,
    CaseParty,
    ChangeLog,
    Incident,
    Person,
    PersonAddress,
    Task,
)
from tests.casework.wf_helpers import make_person

HEADER = ("reference_external,opened_on,category,subcategory,risk_level,lsoa_code,status,"
          "closed_on,outcome,first_contact_on,incident_count,complainant_given_name,"
          "complainant_family_name,complainant_dob,subject_given_name,subject_family_name,"
          "subject_dob,subject_gender\n")
GOOD = [
    "OLD-1,2026-01-05,personal,harassment,high,E01028522,open,,,2026-01-06,3,"
    "Ann,Lee,1970-02-03,Bob,Ray,01/04/1999,male\n",
    "OLD-2,12/02/2026,nuisance,Noise,,E01028522,closed,2026-05-01,resolved,,1,"
    "Ann,Lee,1970-02-03,,,,\n",
    "\n",
    "OLD-3,2026-03-01,environmental,,standard,,open,,,,0,,,,Bob,Ray,1999-04-01,male\n",
]


def _counts(ws) -> tuple[int, int, int]:
    with ws.uow() as session:
        return (session.scalar(select(func.count()).select_from(Case)),
                session.scalar(select(func.count()).select_from(Person)),
                session.scalar(select(func.count()).select_from(Incident)))


def test_good_file_imports_people_once_and_cases(db):
    ws = db.ws("cm")
    result = importer.import_cases(ws, (HEADER + "".join(GOOD)).encode())
    assert (result.cases, result.open_cases, result.closed_cases) == (3, 2, 1)
    assert (result.people_created, result.people_matched, result.incidents) == (2, 2, 4)
    with ws.uow() as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        assert [c.external_reference for c in cases] == ["OLD-1", "OLD-2", "OLD-3"]
        assert cases[1].status == "closed" and cases[1].outcome == "resolved"
        assert session.get(AsbDetail, cases[1].id).subcategory == "noise"
        assert session.get(AsbDetail, cases[0].id).first_contact_on is not None
        roles = sorted(r for (r,) in session.execute(select(CaseParty.role)))
        assert roles == ["complainant", "complainant", "perpetrator", "perpetrator"]
        kinds = sorted(session.scalars(select(Task.kind).where(Task.case_id == cases[2].id)))
        assert kinds == ["complainant_update", "first_contact", "risk_review"]
        assert not session.scalars(select(Task).where(Task.case_id == cases[1].id)).all()
    # The same file again: every row is already imported, nothing changes.
    before = _counts(ws)
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(ws, (HEADER + "".join(GOOD)).encode())
    assert {e.field for e in exc.value.errors} == {"reference_external"}
    assert _counts(ws) == before


def _other_team_case(db, n: int) -> tuple[int, int, str]:
    """A North ASB Team case with a person of its own: (case id, person id, reference)."""
    other = db.ws("cm2")
    person = make_person(other, "Hidden", f"Neighbour{n}")
    view = open_asb_case(other, "personal", "", date(2026, 1, 2), None, person, None)
    return view.header.id, person, view.header.reference


def test_imported_rows_take_ids_no_other_writer_holds(db):
    """Rows the importer cannot see (another team's; on a team server its policies hide
    them, so the highest id the importer sees is not the table's) keep their ids and
    references; the import's rows get ids of their own, and the other team's next case
    and person still get new ones after the import."""
    before = [_other_team_case(db, n) for n in range(2)]
    cm = db.ws("cm")
    with cm.uow() as session:  # the importer sees none of them
        assert session.scalar(select(func.count()).select_from(Case)
                              .where(visible_cases(cm.actor))) == 0
    result = importer.import_cases(cm, (HEADER + "".join(GOOD)).encode())
    assert (result.cases, result.people_created) == (3, 2)
    after = _other_team_case(db, 9)
    with db.system().uow() as session:
        cases = session.execute(select(Case.id, Case.reference, Case.external_reference,
                                       Case.team_id)).all()
        assert len(cases) == 6
        assert len({c.reference for c in cases}) == 6
        imported = {c.id for c in cases if c.external_reference}
        theirs = {c.id for c in cases if not c.external_reference}
        assert theirs == {b[0] for b in [*before, after]}
        assert len(imported) == 3 and not imported & theirs
        assert {c.reference for c in cases if c.id in theirs} == \
            {b[2] for b in [*before, after]}
        people = session.execute(select(Person.id, Person.family_name)).all()
        assert len({p.id for p in people}) == len(people) == 5
        assert {p.id for p in people if p.family_name.startswith("Neighbour")} == \
            {b[1] for b in [*before, after]}
        # every imported row's children name the imported case or person
        assert {d for (d,) in session.execute(select(AsbDetail.case_id))} == \
            imported | theirs
        parties = session.execute(select(CaseParty.case_id, CaseParty.person_id)).all()
        ours = {p.person_id for p in parties if p.case_id in imported}
        assert len(ours) == 2 and not ours & {b[1] for b in [*before, after]}
        for model in (Address, PersonAddress, Incident, Task, CaseParty):
            ids = session.scalars(select(model.id)).all()
            assert len(ids) == len(set(ids))
        # the case list's counters hold every case, once
        counted = session.scalar(select(func.sum(CaseCount.n)))
        assert counted == 6
        # each imported case and party is audited
        created = session.scalars(select(AuditEntry.record_id).where(
            AuditEntry.action == "case.create", AuditEntry.user_id ==
            cm.actor.user_id)).all()
        assert sorted(int(r) for r in created) == sorted(imported)
        # on a team server other desktops learn of the new cases from the change log
        # (docs/SERVER.md); the file's bulk path writes none
        logged = session.scalars(select(ChangeLog.case_id).where(
            ChangeLog.table_name == "cases", ChangeLog.op == "insert")).all()
        assert set(logged) & imported == (imported if db.backend == "postgresql" else set())


def test_bad_row_rejects_the_whole_file_with_its_row_number(db):
    ws = db.ws("cm")
    bad = "OLD-9,2026-13-40,personal,,,E01028522,open,,,,2,Cy,Dee,,,,,\n"
    content = (HEADER + GOOD[0] + GOOD[1] + GOOD[2] + bad + GOOD[3]).encode()
    before = _counts(ws)
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(ws, content)
    assert [(e.row, e.field) for e in exc.value.errors] == [(5, "opened_on")]
    assert str(exc.value).startswith("Row 5: opened_on:")
    assert "Nothing was imported" in str(exc.value)
    assert "Cy" not in str(exc.value) and "Dee" not in str(exc.value)
    assert _counts(ws) == before


def test_many_problems_are_all_listed(db):
    rows = [
        "A,2026-01-05,weird,,,,open,,,,x,,,,,,,\n",           # row 2: category, count
        "B,2026-01-05,personal,,,E09999999,closed,,,,,,,,,,,\n",  # row 3: lsoa, closed_on, outcome
        "A,2026-01-05,personal,,,,open,,,,,Eve,,,,,,\n",      # row 4: dup ref, family name
    ]
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), (HEADER + "".join(rows)).encode())
    found = {(e.row, e.field) for e in exc.value.errors}
    assert found == {(2, "category"), (2, "incident_count"), (3, "lsoa_code"),
                     (3, "closed_on"), (3, "outcome"), (4, "reference_external"),
                     (4, "complainant_family_name")}


def test_header_problems(db):
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), b"opened_on,colour\n2026-01-01,red\n")
    # an unknown header cell is named by its position, never by its content
    assert {(e.row, e.field) for e in exc.value.errors} == {(1, "column 2"), (1, "category")}
    assert "colour" not in str(exc.value)


def test_import_needs_the_capability(db):
    content = (HEADER + GOOD[0]).encode()
    for who in ("coord", "swip", "admin"):
        with pytest.raises(PermissionDenied):
            importer.import_cases(db.ws(who), content)


def test_cli_import_and_rejection(db, tmp_path: Path, monkeypatch, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD[0] + "X,2026-01-01,personal,,,,closed,,,,,,,,,,,\n",
                   encoding="utf-8")
    base = [*db.cli("cm").use(monkeypatch), "import", "cases"]
    assert main([*base, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 3: closed_on" in err and "nothing was imported" in err
    assert main([*base, str(good), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main([*base, str(good)]) == 0
    assert "Imported 3 case(s)" in capsys.readouterr().out
