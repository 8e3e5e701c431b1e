"""Letter templates an administrator edits: versions kept, the newest used, reverts as new
versions, refusals that name what the law requires, markup printed as typed, every save
audited without the text, and a letter's document naming the version it was made from."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.asb import ladder
from casework.cases import caseview, letter_rules, letter_templates, letters
from casework.core.context import SYSTEM
from casework.core.errors import PermissionDenied, ValidationError
from db.models import AuditEntry, Document
from tests.casework import factories as f
from tests.pg_backend import roster_name

TAKEN = date(2026, 11, 20)


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _cpw_edit() -> str:
    return letters.packaged_text("cpw").replace(
        "Please contact me on", "Our mediation service can help. Please contact me on")


def test_every_built_in_template_passes_its_own_checks() -> None:
    for key in letters.template_keys():
        template = letter_templates.check_template(key, letters.packaged_text(key))
        assert set(template.body.get_identifiers()) <= set(letter_rules.fields_of(key)), key
        # what must be kept is a placeholder the letter has
        assert set(letter_rules.required_of(key).placeholders) \
            <= set(letter_rules.fields_of(key)), key


def test_every_ladder_letter_knows_the_fields_the_ladder_fills() -> None:
    for action, extras in ladder.LETTER_EXTRAS.items():
        for name, _what in extras:
            assert name in letter_rules.fields_of(action), (action, name)
    for action in ladder.LETTER_ACTIONS:
        assert {"action_date", "behaviour", "in_force_until"} \
            <= set(letter_rules.fields_of(action)), action


def test_save_keeps_versions_and_the_newest_is_used(db) -> None:
    admin = db.ws("admin")
    first = letter_templates.save_template(admin, "cpw", _cpw_edit(), "Mention mediation")
    second_text = _cpw_edit().replace("mediation service", "mediation team")
    second = letter_templates.save_template(admin, "cpw", second_text, "Team, not service")
    assert (first.version, second.version) == (1, 2)
    detail = letter_templates.template_detail(admin, "cpw")
    assert detail.version == 2 and detail.text == second_text
    assert [(v.version, v.reason) for v in detail.history] == [
        (2, "Team, not service"), (1, "Mention mediation"), (0, "Built in")]
    assert detail.history[1].text == _cpw_edit()
    assert roster_name(detail.history[0].created_by) == "admin"
    with admin.uow() as session:
        assert letters.load_template("cpw", session).version == 2
    listed = {t.key: t for t in letter_templates.list_templates(admin)}
    assert listed["cpw"].version == 2 and listed["cpn"].version == 0
    assert listed["cpw"].title == "Community Protection Warning"


def test_revert_saves_a_copy_of_an_older_version(db) -> None:
    admin = db.ws("admin")
    letter_templates.save_template(admin, "cpw", _cpw_edit(), "Mention mediation")
    back = letter_templates.revert_template(admin, "cpw", 0, "Legal asked for the original")
    assert back.version == 2 and back.reverted_from == 0
    assert back.text == letters.packaged_text("cpw")
    again = letter_templates.revert_template(admin, "cpw", 1, "Mediation wording approved")
    assert again.version == 3 and again.text == _cpw_edit()
    assert [v.version for v in letter_templates.template_versions(admin, "cpw")] \
        == [3, 2, 1, 0]
    with pytest.raises(ValidationError, match="same as the current"):
        letter_templates.revert_template(admin, "cpw", 1, "Twice")


def test_save_and_revert_are_audited_with_versions_and_reason_not_text(db) -> None:
    admin = db.ws("admin")
    letter_templates.save_template(admin, "cpw", _cpw_edit(), "Mention mediation")
    letter_templates.revert_template(admin, "cpw", 0, "Back to the original")
    with admin.uow() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("letter.template", "letter.template_revert")))
            .order_by(AuditEntry.seq)).all()
        got = [(e.action, e.record_id, e.reason, json.loads(e.detail)) for e in entries]
    assert got == [
        ("letter.template", "cpw", "Mention mediation",
         {"template": "cpw", "from_version": 0, "version": 1}),
        ("letter.template_revert", "cpw", "Back to the original",
         {"template": "cpw", "from_version": 1, "version": 2, "reverted_to": 0})]
    assert all("mediation service" not in e.detail for e in entries)


def test_only_an_administrator_edits_templates(db) -> None:
    for user in ("cm", "coord", "ig", "swipchair"):
        ws = db.ws(user)
        with pytest.raises(PermissionDenied):
            letter_templates.save_template(ws, "cpw", _cpw_edit(), "Mention mediation")
        with pytest.raises(PermissionDenied):
            letter_templates.revert_template(ws, "cpw", 0, "Back")
        with pytest.raises(PermissionDenied):
            letter_templates.template_detail(ws, "cpw")
    assert [v.version for v in letter_templates.template_versions(db.ws("admin"), "cpw")] \
        == [0]


@pytest.mark.parametrize(("key", "cut", "named"), [
    ("cpn", "$requirements", "$requirements (the requirements of the notice)"),
    ("cpn", "requirements: $comply_by", "$comply_by"),
    ("cpn", "to $magistrates_court within 21 days", "$magistrates_court"),
    ("cpn", "within 21 days", "“21 days” (the time limit for an appeal)"),
    ("cpn_youth", "$requirements", "$requirements"),
    ("closure_notice", "on $hearing_date", "$hearing_date (the court hearing's date)"),
    ("closure_notice", "at $hearing_time", "$hearing_time"),
    ("closure_notice", "by $court", "$court"),
    ("trigger_outcome", "$appeal_route", "$appeal_route"),
    ("abc", "$contract_terms", "$contract_terms (the terms agreed in the contract)"),
    ("possession", "before $proceedings_from", "$proceedings_from"),
    ("cpw", "$officer_title", "$officer_title (the officer's job title)"),
])
def test_removing_required_content_is_refused_by_name(db, key: str, cut: str,
                                                      named: str) -> None:
    text = letters.packaged_text(key)
    assert cut in text
    with pytest.raises(ValidationError) as refused:
        letter_templates.save_template(db.ws("admin"), key, text.replace(cut, ""), "Shorter")
    assert "must keep what the law requires" in str(refused.value)
    assert named in str(refused.value)
    assert [v.version for v in letter_templates.template_versions(db.ws("admin"), key)] == [0]


def test_unknown_placeholders_and_malformed_text_are_refused(db) -> None:
    admin = db.ws("admin")
    cpw = letters.packaged_text("cpw")
    with pytest.raises(ValidationError, match=r"no such placeholder: \$requirements"):
        # a CPN's field is not a CPW's
        letter_templates.save_template(admin, "cpw", cpw + "\n\n$requirements", "More")
    with pytest.raises(ValidationError, match="malformed"):
        letter_templates.save_template(admin, "cpw", cpw + "\n\nCost: $5", "Price")
    with pytest.raises(ValidationError, match="title"):
        letter_templates.save_template(admin, "cpw", cpw.split("\n\n", 1)[1], "No title")
    with pytest.raises(ValidationError, match="reason"):
        letter_templates.save_template(admin, "cpw", _cpw_edit(), " ")
    with pytest.raises(ValidationError, match="nothing to save"):
        letter_templates.save_template(admin, "cpw", cpw, "No change")
    # a dollar sign is written $$
    saved = letter_templates.save_template(admin, "cpw", cpw + "\n\nFee: $$5.", "Fee")
    assert saved.version == 1


def test_markup_in_a_template_is_printed_as_typed(db) -> None:
    admin = db.ws("admin")
    text = letters.packaged_text("cpw").replace(
        "Please contact me on",
        '<img src="/etc/passwd"/><font size="40">Big</font> &amp; <b>bold</b> Please '
        "contact me on").replace("title: Community Protection Warning",
                                 "title: Community Protection Warning <i>x</i>")
    pdf = letter_templates.preview_template(admin, "cpw", text)
    shown = pdf_text(pdf)
    assert '<img src="/etc/passwd"/><font size="40">Big</font> &amp; <b>bold</b>' \
        in shown.replace("\n", " ")
    assert "Community Protection Warning <i>x</i>" in shown
    letter_templates.save_template(admin, "cpw", text, "Markup test")


def test_preview_uses_sample_data_and_the_letterhead(db) -> None:
    from casework.core import settings

    admin = db.ws("admin")
    settings.update(admin, settings.LETTERHEAD, {
        "council_name": "Exampleshire Council", "address": "1 Civic Way, Exton",
        "phone": "01234 567890", "email": "asb@example.gov.uk",
        "magistrates_court": "Exton Magistrates' Court", "logo_png_base64": ""})
    shown = pdf_text(letter_templates.preview_template(admin, "cpn",
                                                       letters.packaged_text("cpn")))
    for expected in ("Exampleshire Council", "1 Civic Way", "01234 567890", "Sam Sample",
                     "Exton Magistrates' Court", "Do not play amplified music", "£100"):
        assert expected in shown, expected
    with pytest.raises(ValidationError, match="comply_by"):
        letter_templates.preview_template(admin, "cpn", letters.packaged_text("cpn")
                                          .replace("$comply_by", "soon"))


def test_an_issued_letter_records_the_template_version(db) -> None:
    admin, cm = db.ws("admin"), db.ws("cm")
    case = f.asb_case(cm, date(2026, 10, 1))
    cid = case.header.id
    ladder.escalate(cm, cid, "first_warning_letter", date(2026, 10, 5))
    letter_templates.save_template(admin, "cpw", _cpw_edit(), "Mention mediation")
    step = ladder.escalate(cm, cid, "cpw", TAKEN, reason="Behaviour escalated quickly")
    docs = {d.id: d for d in caseview.case_documents(cm, cid)}
    cpw_doc = docs[step.document_id]
    assert (cpw_doc.template_key, cpw_doc.template_version) == ("cpw", 1)
    assert "Our mediation service can help" in pdf_text(
        caseview.document_content(cm, step.document_id).content)
    first = next(d for d in docs.values() if d.id != step.document_id)
    assert (first.template_key, first.template_version) == ("first_warning_letter", 0)
    # a later edit does not change the letter already issued
    letter_templates.revert_template(admin, "cpw", 0, "Back to the original")
    with cm.uow() as session:
        row = session.get(Document, step.document_id)
        assert row is not None and row.template_version == 1
        assert "Our mediation service can help" in pdf_text(row.content)


def test_letterhead_addresses_phone_numbers_postcodes_and_dates_are_not_broken() -> None:
    from casework.cases.letter_render import NBSP, address_lines, keep_together

    assert address_lines("Town Hall, St Aldate's, Oxford, OX1 1BX") \
        == "Town Hall\nSt Aldate's\nOxford\nOX1 1BX"
    assert address_lines("Town Hall\nOxford OX1 1BX") == "Town Hall\nOxford OX1 1BX"
    assert keep_together("Ring 01865 249811 or 0300 123 4567 at OX1 1BX on 1 May 2026.") \
        == (f"Ring 01865{NBSP}249811 or 0300{NBSP}123{NBSP}4567 at OX1{NBSP}1BX "
            f"on 1{NBSP}May{NBSP}2026.")
    assert keep_together("until 5 June 2025") == f"until 5{NBSP}June{NBSP}2025"
    assert keep_together("5 Junes 2025") == "5 Junes 2025"


def _old_edit(admin, text: str, standard: str | None) -> None:  # type: ignore[no-untyped-def]
    """A council's edit as an earlier release saved it (``standard``: what it recorded of
    the standard wording; None before that was recorded)."""
    from db.models import LetterTemplateVersion

    with admin.uow() as session:
        session.add(LetterTemplateVersion(key="cpn", version=1, text=text, created_by=None,
                                          reason="Our wording", standard_sha256=standard))


OLD_CPN = letters.packaged_text("cpn").replace(
    "If you have any questions,", "A fixed penalty of 100 pounds may be offered.\n\n"
    "If you have any questions,")


def test_an_edit_saved_before_the_standard_was_recorded_is_flagged_and_still_used(db) -> None:
    admin, cm = db.ws("admin"), db.ws("cm")
    _old_edit(admin, OLD_CPN, None)
    detail = letter_templates.template_detail(admin, "cpn")
    assert detail.version == 1 and detail.standard.changed
    assert "may have changed since this template was edited" in detail.standard.message
    assert "New letters still use your council's wording" in detail.standard.message
    assert {t.key: t.standard_changed for t in letter_templates.list_templates(admin)}[
        "cpn"] is True
    diff = letter_templates.compare_with_standard(admin, "cpn")
    assert "\n+A fixed penalty of 100 pounds may be offered.\n" in diff
    assert diff.startswith("--- standard wording\n+++ your wording (version 1)")
    # letters keep the council's wording: nothing is overwritten
    with cm.uow() as session:
        assert "100 pounds" in letters.load_template("cpn", session).body.template

    kept = letter_templates.keep_reviewed(admin, "cpn", "Checked against the new wording")
    assert kept.version == 2 and kept.text == OLD_CPN
    assert kept.standard_sha256 == letter_templates.standard_fingerprint("cpn")
    assert not letter_templates.template_detail(admin, "cpn").standard.changed
    with cm.uow() as session:
        assert "100 pounds" in letters.load_template("cpn", session).body.template
    with cm.as_actor(SYSTEM).uow() as session:  # the trail as written (a case role reads none)
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_type == "letter_template")))
    assert actions == ["letter.template_reviewed"]
    with pytest.raises(ValidationError) as err:  # nothing left to review
        letter_templates.keep_reviewed(admin, "cpn", "Again")
    assert err.value.field == "standard"


def test_a_release_that_changes_the_standard_flags_the_councils_edit(db, monkeypatch) -> None:
    admin = db.ws("admin")
    assert not letter_templates.template_detail(admin, "cpw").standard.changed  # built in
    letter_templates.save_template(admin, "cpw", _cpw_edit(), "Mention mediation")
    assert not letter_templates.template_detail(admin, "cpw").standard.changed
    # the next release corrects the standard wording
    standard = letters.packaged_text("cpw")
    corrected = standard.replace("Please contact me on", "You may contact me on")
    monkeypatch.setattr(letter_templates, "packaged_text",
                        lambda key: corrected if key == "cpw" else letters.packaged_text(key))
    detail = letter_templates.template_detail(admin, "cpw")
    assert detail.standard.changed
    assert "The standard wording changed since this template was edited (version 1" in \
        detail.standard.message
    diff = letter_templates.compare_with_standard(admin, "cpw")
    assert "-" + next(ln for ln in corrected.splitlines() if "You may contact" in ln) in diff
    # a further edit still descends from the old standard: it stays flagged
    letter_templates.save_template(admin, "cpw", _cpw_edit().replace("can help", "helps"),
                                   "Shorter")
    assert letter_templates.template_detail(admin, "cpw").standard.changed
    # reverting to the built-in text takes this release's standard wording
    letter_templates.revert_template(admin, "cpw", 0, "Take the corrected wording")
    detail = letter_templates.template_detail(admin, "cpw")
    assert detail.text == corrected and not detail.standard.changed
    # reverting to the old edit brings its flag back with it
    letter_templates.revert_template(admin, "cpw", 1, "Our wording after all")
    assert letter_templates.template_detail(admin, "cpw").standard.changed
