"""The leak test: every output, for every role allowed to produce it, carries none of the
people's names, aliases, addresses, phone numbers, e-mails or dates of birth, even though
free text in the database repeats them."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from casework.core.errors import NotFound, PermissionDenied
from casework.panels import pack
from casework.reporting import kpi_report
from casework.sharing import quarterly
from casework.trigger import annual_return as trigger_return
from casework.trigger import review_pack
from tests.casework.sharing.builders import build_all, secret_values
from tests.casework.sharing.test_quarterly import fill


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row if c is not None]
        with zipfile.ZipFile(path) as z:
            xml = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        return "\n".join(cells) + xml
    return path.read_text(encoding="utf-8")


def assert_clean(paths: list[Path]) -> None:
    secrets = [s.casefold() for s in secret_values()] + ["ruritanian"]
    for path in paths:
        text = " ".join(text_of(path).casefold().split())
        found = [s for s in secrets if " ".join(s.split()) in text]
        assert not found, f"{path.name} leaks {found}"


@pytest.fixture
def world(db):
    built = build_all(db.system(), n_referrals=5)
    fill(db.system(), 120)
    return built


def test_no_output_leaks_an_identifier(db, world, tmp_path):
    files: list[Path] = []
    for name in ("Alex Officer", "Sam Nurse"):
        r = pack.export_pack(db.ws("swipchair"), world.meeting_id, name,
                             tmp_path / f"swip-{name[:3]}.pdf")
        files += list(r.files)
    files += list(pack.export_pack(db.ws("martchair"), world.mart_meeting_id, "Jo Inspector",
                                   tmp_path / "mart.pdf").files)
    files += list(review_pack.export_review_pack(db.ws("cm"), world.trigger_case_id,
                                                 "Pat Sergeant", "police",
                                                 tmp_path / "review.pdf").files)
    files += list(quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "q").files)
    for suffix in (".pdf", ".csv", ".xlsx"):
        files += list(trigger_return.export_trigger_return(
            db.ws("coord"), 2026, tmp_path / f"return{suffix}").files)
    files += list(kpi_report.export_kpi_report(db.ws("coord"), "2026Q3",
                                               tmp_path / "kpi.pdf").files)
    assert len(files) == 15
    assert_clean(files)
    # The pack still says what the panel needs, under tokens.
    swip = text_of(tmp_path / "swip-Ale.pdf")
    for expected in ("OFFICIAL-SENSITIVE", "Referral 1", "Person A", "Housing, Substance use",
                     "Copy for: Alex Officer (Thames Valley Police)", "Page 1 of",
                     "sharing protocol v1", "[redacted]"):
        assert expected in swip
    mart = text_of(tmp_path / "mart.pdf")
    assert "Labour" in mart and "Safe house found" in mart and "positive" in mart
    review = text_of(tmp_path / "review.pdf")
    assert "Application 1" in review and "Person A" in review


def test_pdf_markup_in_user_text_prints_literally_and_fetches_nothing(db, world, tmp_path):
    out = tmp_path / "pack.pdf"
    pack.export_pack(db.ws("swipchair"), world.meeting_id, "Alex Officer", out)
    text = text_of(out)
    assert "<img src='file:///etc/passwd'/>" in text
    assert "<a href='http://evil.example/x'>link</a> &" in " ".join(text.split())
    raw = out.read_bytes()
    assert b"/URI" not in raw and b"/Subtype /Image" not in raw and b"/Annots" not in raw


def test_every_page_is_marked_numbered_and_stamped(db, world, tmp_path):
    out = tmp_path / "pack.pdf"
    pack.export_pack(db.ws("swipchair"), world.meeting_id, "Sam Nurse", out)
    pages = text_of(out).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2
        assert f"Page {n} of {len(pages)}" in page
        assert "Copy for: Sam Nurse (Sexual health service)" in page


def test_roles_that_may_not_produce_an_output_are_refused(db, world, tmp_path):
    out = tmp_path / "x.pdf"
    for user in ("swip", "cm", "coord", "admin", "martchair"):
        with pytest.raises(db.refused):  # another panel's meeting: hidden on a server
            pack.export_pack(db.ws(user), world.meeting_id, "Alex Officer", out)
    for user in ("swipchair", "coord", "admin"):
        with pytest.raises((PermissionDenied, NotFound)):
            review_pack.export_review_pack(db.ws(user), world.trigger_case_id, "Pat", "police",
                                           out)
    with pytest.raises(PermissionDenied):
        review_pack.export_review_pack(db.ws("cm"), world.trigger_case_id, "Pat", "icb", out)
    for user in ("cm", "swipchair", "admin"):
        with pytest.raises(PermissionDenied):
            trigger_return.export_trigger_return(db.ws(user), 2026, tmp_path / "r.csv")
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_minutes_and_every_attendee_copy_leak_nothing(db, world, tmp_path):
    """The minutes and the stamped copies for each attendee go through the same pipeline:
    free text that repeats the people's identifiers (minuted progress, action details)
    must not come out of any of them, nor out of the files' names."""
    from casework.panels import minutes
    from db.models import Meeting, MeetingItem

    with db.system().uow() as s:
        s.get(Meeting, world.meeting_id).held = True
        for item in s.query(MeetingItem).filter_by(meeting_id=world.meeting_id):
            item.discussed = True
            item.progress_shareable = True  # marked shareable: the scrubber must catch it
    files = list(minutes.export_minutes(db.ws("swipchair"), world.meeting_id, "Alex Officer",
                                        tmp_path / "minutes.pdf").files)
    for document in ("pack", "minutes"):
        for r in minutes.export_copies(db.ws("swipchair"), world.meeting_id,
                                       tmp_path / document, document=document):
            files += list(r.files)
    assert len(files) == 5
    assert_clean(files)
    secrets = [s.casefold() for s in secret_values()]
    assert not [f.name for f in files if any(s in f.name.casefold() for s in secrets)]
    body = " ".join(text_of(tmp_path / "minutes.pdf").split())
    assert "Person A" in body and "[redacted]" in body
