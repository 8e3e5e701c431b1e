"""The Community Trigger review pack gives each complaint's day as weeks before the
application, never the day itself, whatever protocol version is stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.sharing import protocol
from casework.sharing.rules import weeks_before
from casework.trigger import review_pack
from tests.casework.sharing.builders import build_all
from tests.casework.sharing.test_leak import text_of

RECEIVED = date(2026, 7, 6)  # the builders' application
COMPLAINED = [date(2026, 6, d) for d in (6, 13, 20)]


def _exact_forms(d: date) -> list[str]:
    return [d.strftime("%d %b %Y"), d.isoformat(), d.strftime("%d/%m/%Y"),
            d.strftime("%d %B %Y"), f"{d.day} {d.strftime('%b %Y')}"]


def _pack_text(db, tmp_path, name: str) -> str:
    built = build_all(db.system(), n_referrals=1)
    res = review_pack.export_review_pack(db.ws("cm"), built.trigger_case_id, "Pat Sergeant",
                                         "police", tmp_path / name)
    return " ".join(text_of(res.files[0]).split())


def _assert_generalised(text: str) -> None:
    for d in COMPLAINED:
        for form in _exact_forms(d):
            assert form not in text, f"the pack prints the complaint day {form}"
    # 30, 23 and 16 days before the application.
    assert text.count("within 4 weeks") == 2
    assert text.count("4 to 8 weeks") == 1
    assert "Complained (before the application)" in text
    # The behaviour months and the application's own dates are still there for the panel.
    assert "2026-06" in text
    assert "06 Jul 2026" in text


def test_review_pack_gives_complaints_as_weeks_before_the_application(db, tmp_path):
    _assert_generalised(_pack_text(db, tmp_path, "review.pdf"))


def test_a_stored_version_that_kept_the_day_still_gets_weeks(db, tmp_path):
    admin = db.ws("admin")
    _v, definition = protocol.definition_of(admin)
    definition["outputs"]["trigger_review_pack"]["records"]["complaint"]["complained_on"] = "keep"
    protocol.new_version(admin, definition, "As stored before complaints were generalised",
                         confirm_weaker=True)
    _assert_generalised(_pack_text(db, tmp_path, "review-old.pdf"))


@pytest.mark.parametrize(("days", "band"), [
    (0, "within 4 weeks"), (28, "within 4 weeks"), (29, "4 to 8 weeks"), (56, "4 to 8 weeks"),
    (91, "8 to 13 weeks"), (92, "13 to 26 weeks"), (182, "13 to 26 weeks"),
    (183, "26 to 52 weeks"), (365, "over 52 weeks"), (-1, "after"),
])
def test_weeks_before_bands(days, band):
    assert weeks_before(RECEIVED - timedelta(days=days), RECEIVED) == band


def test_weeks_before_without_a_reference_is_the_month():
    assert weeks_before(date(2026, 6, 20), None) == "2026-06"
    assert weeks_before(None, RECEIVED) == ""
