"""Guardrails on the sharing protocol: identifiers, floors, weaker versions, honest notes."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casework.cli.main import main
from casework.core import settings
from casework.core.errors import ValidationError
from casework.sharing import guardrails, protocol, quarterly
from casework.trigger import annual_return
from db.models import AuditEntry, Setting, SharingProtocol

# Every direct identifier, under the names the outputs' select steps use.
IDENTIFIERS = ("given_name", "family_name", "aliases", "address", "postcode", "phone",
               "email", "referrer_name")
FREE_TEXT = ("summary", "description", "progress", "findings", "threshold_reasons",
             "recommendation", "applicant_response", "reason")


def default() -> dict:
    return protocol.default_definition()


def protected_kinds(definition: dict) -> list[tuple[str, str]]:
    return [(name, kind) for name, out in definition["outputs"].items()
            if guardrails.output_class(name, out) in guardrails.PROTECTED_CLASSES
            for kind in out["records"]]


def count_versions(ws) -> int:
    with ws.uow() as s:
        return s.scalar(select(func.count()).select_from(SharingProtocol))


def test_the_default_protocol_passes_its_own_guardrails():
    assert guardrails.problems(default()) == []
    assert len(protected_kinds(default())) >= 10


@pytest.mark.parametrize("field", IDENTIFIERS + ("date_of_birth",))
def test_a_direct_identifier_is_refused_in_every_record_of_every_anonymised_output(field):
    for name, kind in protected_kinds(default()):
        for rule in ("keep", {"rule": "keep", "only_if": "shareable", "scrub": True},
                     {"rule": "generalise", "to": "month"}):
            d = default()
            d["outputs"][name]["records"][kind][field] = rule
            found = guardrails.problems(d)
            assert found and field in found[0], (name, kind, rule)
    d = default()
    d["outputs"]["meeting_pack"]["records"]["referral"][field] = "drop"
    assert guardrails.problems(d) == []


@pytest.mark.parametrize("field", FREE_TEXT)
def test_free_text_goes_out_only_marked_shareable_and_scrubbed(field):
    for name, kind in protected_kinds(default()):
        for rule in ("keep", {"rule": "keep", "scrub": True},
                     {"rule": "keep", "only_if": "shareable"},
                     {"rule": "keep", "only_if": "shareable", "scrub": False}):
            d = default()
            d["outputs"][name]["records"][kind][field] = rule
            assert guardrails.problems(d), (name, kind, rule)
        d = default()
        d["outputs"][name]["records"][kind][field] = {"rule": "keep", "only_if": "shareable",
                                                      "scrub": True}
        assert guardrails.problems(d) == []


def test_the_reported_pack_is_refused_before_anything_is_stored(db):
    admin = db.ws("admin")
    d = default()
    referral = d["outputs"]["meeting_pack"]["records"]["referral"]
    for field in ("given_name", "family_name", "phone", "date_of_birth"):
        referral[field] = "keep"
    with pytest.raises(ValidationError) as err:
        protocol.new_version(admin, d, "keep names", confirm_weaker=True)
    for field in ("given_name", "family_name", "phone", "date_of_birth"):
        assert f"meeting_pack.referral.{field}" in str(err.value)
    # A version cannot reclassify an anonymised output to get round the rule.
    d = default()
    d["outputs"]["meeting_pack"]["class"] = "identifiable"
    d["outputs"]["meeting_pack"]["records"]["referral"]["given_name"] = "keep"
    with pytest.raises(ValidationError):
        protocol.new_version(admin, d, "reclassify", confirm_weaker=True)
    assert count_versions(admin) == 1


def test_floors_on_k_and_suppression_in_a_version(db):
    admin = db.ws("admin")
    q = "quarterly_dataset"
    for change in (lambda d: d["outputs"][q].pop("k_anonymity"),
                   lambda d: d["outputs"][q]["k_anonymity"].update(k=2),
                   lambda d: d["outputs"][q]["suppression"].update(max=0),
                   lambda d: d["outputs"][q]["suppression"].update(max=1),
                   lambda d: d["outputs"]["kpi_report"]["suppression"].update(max=1),
                   lambda d: d["outputs"][q]["k_anonymity"]["quasi_identifiers"].remove("area")):
        d = default()
        change(d)
        with pytest.raises(ValidationError):
            protocol.new_version(admin, d, "too weak", confirm_weaker=True)
    assert count_versions(admin) == 1
    d = default()
    d["outputs"][q]["k_anonymity"]["k"] = 3
    d["outputs"][q]["suppression"]["max"] = 2
    assert protocol.new_version(admin, d, "at the floors", confirm_weaker=True) == 2


def test_settings_that_feed_the_protocol_obey_the_floors(db):
    admin = db.ws("admin")
    for key, bad, good in ((settings.K_ANONYMITY, (0, 1, 2), 3),
                           (settings.SUPPRESS_MAX, (0, 1), 2)):
        for value in bad:
            with pytest.raises(ValidationError) as err:
                settings.update(admin, key, value)
            assert f"at least {good}" in str(err.value) and err.value.field == key
        assert settings.update(admin, key, good) == good
    # A value stored before the floor existed reads as the floor.
    with admin.uow() as s:
        s.get(Setting, settings.K_ANONYMITY).value = "0"
    with admin.uow() as s:
        assert settings.get(s, settings.K_ANONYMITY) == 3


def weaker_definition() -> dict:
    d = default()
    d["outputs"]["quarterly_dataset"]["k_anonymity"]["k"] = 3
    d["outputs"]["quarterly_dataset"]["records"]["case"]["opened_on"] = {
        "rule": "generalise", "to": "month", "as": "quarter_opened"}
    return d


def test_a_weaker_version_needs_confirmation_and_every_output_says_so(db, tmp_path):
    admin = db.ws("admin")
    with pytest.raises(ValidationError) as err:
        protocol.new_version(admin, weaker_definition(), "monthly detail")
    assert "weaker than version 1" in str(err.value)
    assert "k-anonymity k 5 -> 3" in str(err.value)
    assert "quarterly_dataset.case.opened_on" in str(err.value)
    assert count_versions(admin) == 1
    assert protocol.new_version(admin, weaker_definition(), "monthly detail",
                                confirm_weaker=True) == 2
    with admin.uow() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "protocol.version")).one()
    detail = json.loads(entry.detail)
    assert entry.reason == "monthly detail" and detail["confirmed_weaker"] is True
    paths = {c["path"]: (c["old"], c["new"]) for c in detail["changes"]}
    assert paths["outputs.quarterly_dataset.k_anonymity.k"] == (None, 3)
    assert paths["outputs.quarterly_dataset.records.case.opened_on.to"] == ("quarter", "month")
    assert any("k 5 -> 3" in w for w in detail["weaker"])

    coord = db.ws("coord")
    quarterly.export_quarterly(coord, "2026Q3", tmp_path / "q")
    for path in (tmp_path / "q").glob("*.csv"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert "WEAKER PROTOCOL" in first and "v2" in first, path.name
    annual_return.export_trigger_return(coord, 2026, tmp_path / "r.pdf")
    page1 = PdfReader(str(tmp_path / "r.pdf")).pages[0].extract_text()
    assert "WEAKER PROTOCOL" in page1.splitlines()[0] + page1[:300]

    # The next version, no weaker than v2 but still weaker than v1, stays marked.
    _v, d = protocol.definition_of(admin)
    assert protocol.new_version(admin, d, "re-issue") == 3
    quarterly.export_quarterly(coord, "2026Q3", tmp_path / "q3")
    first = (tmp_path / "q3" / "quarterly-2026Q3-records.csv").read_text().splitlines()[0]
    assert "WEAKER PROTOCOL: sharing protocol v3" in first
    # Restoring v1's rules ends the warning, and needs no confirmation.
    assert protocol.new_version(admin, default(), "back to the default") == 4
    quarterly.export_quarterly(coord, "2026Q3", tmp_path / "q4")
    first = (tmp_path / "q4" / "quarterly-2026Q3-records.csv").read_text().splitlines()[0]
    assert "WEAKER" not in first and "sharing protocol v4" in first


def test_a_stronger_version_needs_no_confirmation(db):
    d = default()
    d["outputs"]["quarterly_dataset"]["suppression"]["max"] = 9
    del d["outputs"]["meeting_pack"]["records"]["referral"]["needs"]
    preview = protocol.preview_version(db.ws("admin"), d)
    assert preview.weaker == () and len(preview.changes) == 2
    assert protocol.new_version(db.ws("admin"), d, "stricter") == 2


def test_notes_state_what_was_applied(db, tmp_path):
    admin = db.ws("admin")
    settings.update(admin, settings.K_ANONYMITY, 7)
    settings.update(admin, settings.SUPPRESS_MAX, 6)
    coord = db.ws("coord")
    quarterly.export_quarterly(coord, "2026Q3", tmp_path / "q")
    records = (tmp_path / "q" / "quarterly-2026Q3-records.csv").read_text()
    assert "k-anonymity k=7" in records and "k=5" not in records
    table = (tmp_path / "q" / "quarterly-2026Q3-asb_by_lsoa.csv").read_text()
    assert "Counts of 1 to 6 are suppressed" in table
    about = dict(r for r in csv.reader(io.StringIO(
        (tmp_path / "q" / "quarterly-2026Q3-about.csv").read_text())) if len(r) == 2)
    assert about["Small counts suppressed"].startswith("1 to 6")
    annual_return.export_trigger_return(coord, 2026, tmp_path / "r.pdf")
    text = "".join(p.extract_text() for p in PdfReader(str(tmp_path / "r.pdf")).pages)
    assert "1 to 4" not in text


def test_import_protocol_shows_the_difference_and_needs_a_reason_and_confirmation(
        db, tmp_path, monkeypatch, capsys):
    admin = db.cli("admin").use(monkeypatch)  # the file, or a team server's profile
    db.close()
    weak = tmp_path / "weak.json"
    weak.write_text(json.dumps(weaker_definition()), encoding="utf-8")
    with pytest.raises(SystemExit):  # no reason: a usage error
        main([*admin, "import", "protocol", str(weak)])
    capsys.readouterr()
    assert main([*admin, "import", "protocol", str(weak), "--reason", "monthly",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "outputs.quarterly_dataset.k_anonymity.k: (absent) -> 3" in out
    assert "Weaker than version 1" in out and "nothing was added" in out
    assert main([*admin, "import", "protocol", str(weak), "--reason",
                 "monthly"]) == 2  # refused as invalid input, like every ValidationError
    captured = capsys.readouterr()
    assert "--confirm-weaker" in captured.err and "k_anonymity.k" in captured.out
    assert main([*admin, "import", "protocol", str(weak), "--reason", "monthly",
                 "--confirm-weaker"]) == 0
    assert "version 2 is now in force" in capsys.readouterr().out
    leaky = copy.deepcopy(weaker_definition())
    leaky["outputs"]["meeting_pack"]["records"]["referral"]["phone"] = "keep"
    weak.write_text(json.dumps(leaky), encoding="utf-8")
    assert main([*admin, "import", "protocol", str(weak), "--reason", "x",
                 "--confirm-weaker"]) == 2
    assert "meeting_pack.referral.phone is a direct identifier" in capsys.readouterr().err
