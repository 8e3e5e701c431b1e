"""Controlled vocabularies: reference table vocabulary_terms, seeded; coded fields

Revision ID: 0002_vocab
Revises: 0001
Create Date: 2026-12-01 23:40:00

Adds ``vocabulary_terms`` (agency, need, outcome, exploitation type, action type, recipient
body, breach response) with the default terms, and turns the free text held in coded fields
into codes: ``referrals.referrer_agency``, ``referrals.agencies_engaged`` and
``referrals.needs`` (JSON lists), ``panel_actions.agency``, ``trigger_complaints.agency`` and
``breaches.action_taken``. A value matching a term's code, label or a known spelling (case,
accents and punctuation ignored) becomes that code; anything else becomes "other", and the
original words are kept in a case note that is not shareable, so nothing recorded is lost
and none of it reaches an output.

The default terms are a snapshot of resources/vocabularies.json at this revision (a
migration never reads files that may change after it is released).
"""

import json
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "0002_vocab"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    'agency': [
        ('police', 'Police', ()),
        ('council_asb', 'Council ASB team', ('council asb', 'asb team')),
        ('council_housing', 'Council housing', ()),
        ('council_licensing', 'Council licensing', ()),
        ('trading_standards', 'Trading standards', ()),
        ('housing_options', 'Housing options', ()),
        ('housing_provider', 'Housing provider', ('housing association', 'social landlord')),
        ('sexual_health', 'Sexual health service', ()),
        ('drug_alcohol', 'Drug and alcohol service', ()),
        ('mental_health', 'Mental health service', ()),
        ('gp', 'GP practice', ('gp',)),
        ('probation', 'Probation', ()),
        ('adult_social_care', 'Adult social care', ()),
        ('adult_safeguarding', 'Adult safeguarding', ()),
        ('childrens_social_care', "Children's social care", ()),
        ('domestic_abuse', 'Domestic abuse service', ()),
        ('victim_care', 'Victim care service', ()),
        ('outreach', 'Outreach charity', ('outreach charity (demo)', 'outreach')),
        ('job_centre', 'Job centre', ()),
        ('dwp', 'DWP', ('department for work and pensions',)),
        ('glaa', 'Gangmasters and Labour Abuse Authority', ('glaa',)),
        ('fire_service', 'Fire service', ()),
        ('community_safety', 'Community safety partnership', ()),
        ('home_office', 'Home Office', ()),
        ('self_referral', 'Self-referral', ('self referral',)),
        ('other', 'Other', ()),
    ],
    'need': [
        ('housing', 'Housing', ()),
        ('substance_use', 'Substance use', ()),
        ('health', 'Health', ()),
        ('exploitation_risk', 'Exploitation risk', ()),
        ('debt', 'Debt', ()),
        ('mental_health', 'Mental health', ()),
        ('safe_accommodation', 'Safe accommodation', ()),
        ('immigration_advice', 'Immigration advice', ()),
        ('benefits', 'Benefits', ()),
        ('legal_advice', 'Legal advice', ()),
        ('interpreter', 'Interpreter', ()),
        ('family_contact', 'Family contact', ()),
        ('other', 'Other', ()),
    ],
    'outcome': [
        ('resolved', 'Resolved', ()),
        ('no_further_action', 'No further action', ()),
        ('referred_elsewhere', 'Referred elsewhere', ()),
        ('enforcement_concluded', 'Enforcement concluded', ()),
        ('engaged_with_support', 'Engaged with support', ()),
        ('exited', 'Exited', ()),
        ('moved_away', 'Moved away', ()),
        ('disengaged', 'Disengaged', ()),
        ('removed_from_exploitation', 'Removed from exploitation', ()),
        ('housed', 'Housed', ()),
        ('benefits_in_place', 'Benefits in place', ()),
        ('perpetrators_disrupted', 'Perpetrators disrupted', ()),
        ('prosecution', 'Prosecution', ()),
        ('felt_safer', 'Felt safer', ()),
        ('further_incidents', 'Further incidents', ()),
        ('completed', 'Completed', ()),
        ('withdrawn', 'Withdrawn', ()),
        ('threshold_not_met', 'Threshold not met', ()),
        ('review_completed', 'Review completed', ()),
    ],
    'exploitation_type': [
        ('labour', 'Labour', ()),
        ('sexual', 'Sexual', ()),
        ('criminal', 'Criminal', ()),
        ('county_lines', 'County lines', ()),
        ('domestic_servitude', 'Domestic servitude', ()),
        ('organ_harvesting', 'Organ harvesting', ()),
        ('forced_marriage', 'Forced marriage', ()),
        ('financial_fraud', 'Financial fraud', ()),
        ('unknown', 'Unknown', ()),
    ],
    'action_type': [
        ('verbal_warning', 'Verbal warning', ()),
        ('first_warning_letter', 'First warning letter', ()),
        ('second_warning_letter', 'Second warning letter', ()),
        ('home_visit', 'Home visit', ()),
        ('abc', 'Acceptable behaviour contract', ()),
        ('cpw', 'Community Protection Warning', ()),
        ('cpn', 'Community Protection Notice', ()),
        ('injunction', 'Injunction', ()),
        ('closure_notice', 'Closure notice', ()),
        ('closure_order', 'Closure order', ()),
        ('closure_order_extension', 'Closure order extension', ()),
        ('tenancy_enforcement', 'Tenancy enforcement', ()),
        ('possession', 'Possession proceedings', ()),
        ('cbo', 'Criminal behaviour order', ()),
        ('de_escalation', 'De-escalation', ()),
        ('closure', 'Case closure', ()),
    ],
    'recipient_body': [
        ('council', 'Council', ('local authority',)),
        ('police', 'Police', ()),
        ('icb', 'Integrated care board', ('nhs', 'health')),
        ('housing_provider', 'Housing provider', ('housing association', 'social landlord')),
        ('other', 'Other', ()),
    ],
    'breach_response': [
        ('further_warning', 'Further warning', ()),
        ('fixed_penalty_notice', 'Fixed penalty notice', ('fpn',)),
        ('escalated_to_cpn', 'Escalated to CPN', ()),
        ('prosecution', 'Prosecution', ()),
        ('court_application', 'Application to court', ()),
        ('no_action', 'No action', ('no further action',)),
        ('other', 'Other', ()),
    ],
}

NOTE_HEAD = "Recorded before coded values (kept here; never shared):"


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("\u2019", "'").replace("'", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def _matcher(vocabulary: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, label, spellings in DEFAULTS[vocabulary]:
        for s in (code, label, *spellings):
            found.setdefault(_normalise(s), code)
    return found


def _code(table: dict[str, str], text: str | None) -> str:
    wanted = _normalise(text or "")
    return "" if not wanted else table.get(wanted, "other")


def _json_list(text: str | None) -> list[str]:
    try:
        values = json.loads(text or "[]")
    except ValueError:
        return [text] if text else []
    return [str(v) for v in values] if isinstance(values, list) else []


def _convert(conn: sa.Connection) -> None:
    agency, need = _matcher("agency"), _matcher("need")
    body, breach = _matcher("recipient_body"), _matcher("breach_response")
    kept: dict[int, list[str]] = {}

    def keep(case_id: int, what: str, text: str) -> None:
        kept.setdefault(case_id, []).append(f"{what}: {text.strip()}")

    for case_id, referrer, engaged, needs in conn.execute(sa.text(
            "SELECT case_id, referrer_agency, agencies_engaged, needs FROM referrals")).all():
        new_referrer = _code(agency, referrer)
        if new_referrer == "other" and _normalise(referrer) != "other":
            keep(case_id, "referred by (agency)", referrer)
        engaged_codes, need_codes = set(), set()
        for text in _json_list(engaged):
            c = _code(agency, text)
            if c:
                engaged_codes.add(c)
            if c == "other" and _normalise(text) != "other":
                keep(case_id, "agency engaged", text)
        for text in _json_list(needs):
            c = _code(need, text)
            if c:
                need_codes.add(c)
            if c == "other" and _normalise(text) != "other":
                keep(case_id, "need", text)
        conn.execute(sa.text(
            "UPDATE referrals SET referrer_agency = :r, agencies_engaged = :a, needs = :n "
            "WHERE case_id = :id"), {"r": new_referrer, "a": json.dumps(sorted(engaged_codes)),
                                     "n": json.dumps(sorted(need_codes)), "id": case_id})
    for row_id, case_id, text in conn.execute(sa.text(
            "SELECT id, case_id, agency FROM panel_actions")).all():
        c = _code(agency, text) or "other"
        if c == "other" and _normalise(text or "") != "other":
            keep(case_id, "action agency", text or "")
        conn.execute(sa.text("UPDATE panel_actions SET agency = :c WHERE id = :id"),
                     {"c": c, "id": row_id})
    for row_id, case_id, text in conn.execute(sa.text(
            "SELECT id, case_id, agency FROM trigger_complaints")).all():
        c = _code(body, text) or "council"
        if c == "other" and _normalise(text or "") != "other":
            keep(case_id, "complaint made to", text or "")
        conn.execute(sa.text("UPDATE trigger_complaints SET agency = :c WHERE id = :id"),
                     {"c": c, "id": row_id})
    for row_id, case_id, text in conn.execute(sa.text(
            "SELECT b.id, s.case_id, b.action_taken FROM breaches b "
            "JOIN escalation_steps s ON s.id = b.step_id")).all():
        c = _code(breach, text)
        if c == "other" and _normalise(text or "") != "other":
            keep(case_id, "action taken on a breach", text or "")
        conn.execute(sa.text("UPDATE breaches SET action_taken = :c WHERE id = :id"),
                     {"c": c, "id": row_id})
    for case_id, lines in kept.items():
        conn.execute(sa.text(
            "INSERT INTO notes (case_id, author_id, created_at, body, shareable) "
            "VALUES (:c, NULL, CURRENT_TIMESTAMP, :b, 0)"),
            {"c": case_id, "b": "\n".join([NOTE_HEAD, *lines])})


def upgrade() -> None:
    terms = op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vocabulary", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary_terms")),
        sa.UniqueConstraint("vocabulary", "code", name="uq_vocabulary_terms_vocabulary_code"),
    )
    with op.batch_alter_table("vocabulary_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vocabulary_terms_vocabulary"), ["vocabulary"],
                              unique=False)
    op.bulk_insert(terms, [
        {"vocabulary": v, "code": code, "label": label, "active": True, "position": pos}
        for v, rows in DEFAULTS.items() for pos, (code, label, _m) in enumerate(rows)])
    _convert(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("vocabulary_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vocabulary_terms_vocabulary"))
    op.drop_table("vocabulary_terms")
