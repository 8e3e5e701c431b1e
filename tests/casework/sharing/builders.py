"""Rows for ISP tests, inserted directly with the ORM (no dependency on other services).

People carry distinctive synthetic identifiers, and free text repeats them, so that a leak
test can look for them in every output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from db.models import (
    Address,
    AsbDetail,
    Case,
    CaseParty,
    EscalationStep,
    MartDetail,
    Meeting,
    MeetingAttendance,
    MeetingItem,
    Note,
    NrmDecision,
    Panel,
    PanelAction,
    Person,
    PersonAddress,
    PersonAlias,
    Referral,
    Team,
    TriggerApplication,
    TriggerComplaint,
    TriggerRecommendation,
    TriggerReview,
)

# Distinctive values that must never appear in an output.
PEOPLE = [
    dict(given="Zebediah", family="Quillfeather", alias="Ziggy Quill", phone="07700 900123",
         email="zeb.quill@example.org", line1="17 Wobblebury Lane", postcode="OX9 9ZZ",
         dob=date(1987, 3, 14), gender="male"),
    dict(given="Marigold", family="Thistlewaite", alias="Goldie Thorn", phone="07700 900456",
         email="marigold.t@example.net", line1="4 Crumplehorn Court", postcode="OX8 8YY",
         dob=date(1999, 11, 2), gender="female"),
    dict(given="Ptolemy", family="Brackenridge", alias="Tolly B", phone="01865 496 789",
         email="ptolemy.b@example.com", line1="221 Snodgrass Terrace", postcode="OX7 7XX",
         dob=date(2008, 6, 30), gender="male"),
    dict(given="Wilhelmina", family="Fairweather-Zog", alias="Mina Zog", phone="07700 900789",
         email="mina.zog@example.org", line1="9 Gribblethorpe Rise", postcode="OX6 6WW",
         dob=date(1958, 1, 23), gender="female"),
]
LSOA = "E01028521"  # an Oxford LSOA from the reference table


def secret_values() -> list[str]:
    """Every identifying value a leak test must not find."""
    out: list[str] = []
    for p in PEOPLE:
        d: date = p["dob"]  # type: ignore[assignment]
        out += [p["given"], p["family"], p["alias"], p["phone"], p["email"], p["line1"],
                p["postcode"], d.isoformat(), d.strftime("%d/%m/%Y")]
    out += ["Wobblebury", "Crumplehorn", "Snodgrass", "Gribblethorpe", "Quillfeather"]
    return [str(v) for v in out]


def secret_text(i: int) -> str:
    p = PEOPLE[i % len(PEOPLE)]
    return (f"{p['given']} {p['family']} (aka {p['alias']}) of {p['line1']} {p['postcode']}, "
            f"born {p['dob']}, phone {p['phone']}, {p['email']}")


@dataclass
class Built:
    meeting_id: int = 0
    mart_meeting_id: int = 0
    trigger_case_id: int = 0
    review_id: int = 0
    case_ids: list[int] = field(default_factory=list)


def person(session, i: int) -> Person:
    p = PEOPLE[i % len(PEOPLE)]
    per = Person(given_name=p["given"], family_name=p["family"], date_of_birth=p["dob"],
                 gender=p["gender"], phone=p["phone"], email=p["email"],
                 notes=secret_text(i))
    per.aliases.append(PersonAlias(alias=p["alias"]))
    addr = Address(line1=p["line1"], town="Oxford", postcode=p["postcode"], lsoa_code=LSOA)
    session.add(addr)
    session.flush()
    per.addresses.append(PersonAddress(address_id=addr.id))
    session.add(per)
    session.flush()
    return per


def case(session, ref: str, ctype: str, opened: date, *, team_id=None, panel_id=None,
         person_obj: Person | None = None, risk="high", closed=None, outcome=None,
         lsoa=LSOA) -> Case:
    c = Case(reference=ref, case_type=ctype, opened_on=opened, closed_on=closed,
             status="closed" if closed else "open", outcome=outcome, team_id=team_id,
             panel_id=panel_id, risk_level=risk, lsoa_code=lsoa, summary=secret_text(0))
    if person_obj is not None:
        c.parties.append(CaseParty(person_id=person_obj.id, role="victim"))
    session.add(c)
    session.flush()
    session.add(Note(case_id=c.id, body=secret_text(1), shareable=False))
    return c


def build_all(ws, n_referrals: int = 4) -> Built:
    """A SWIP meeting with referrals, a MART meeting, and a Community Trigger review."""
    out = Built()
    with ws.uow() as s:
        swip = s.scalar(select(Panel).where(Panel.name == "SWIP Panel"))
        mart = s.scalar(select(Panel).where(Panel.name == "MART Panel"))
        asb_team = s.scalar(select(Team).where(Team.name == "ASB Team"))
        people = [person(s, i) for i in range(len(PEOPLE))]
        meeting = Meeting(panel_id=swip.id, scheduled_on=date(2026, 8, 12),
                          location="Room 3, St Aldates")
        mmeet = Meeting(panel_id=mart.id, scheduled_on=date(2026, 8, 19))
        s.add_all([meeting, mmeet])
        s.flush()
        out.meeting_id, out.mart_meeting_id = meeting.id, mmeet.id
        s.add_all([
            MeetingAttendance(meeting_id=meeting.id, attendee="Alex Officer",
                              agency="Thames Valley Police"),
            MeetingAttendance(meeting_id=meeting.id, attendee="Sam Nurse",
                              agency="Sexual health service"),
            MeetingAttendance(meeting_id=mmeet.id, attendee="Jo Inspector", agency="GLAA"),
        ])
        for i in range(n_referrals):
            c = case(s, f"SWIP-{i}", "swip", date(2026, 7, 1 + i % 20), panel_id=swip.id,
                     person_obj=people[i % len(people)], risk=("high", "medium")[i % 2])
            s.add(Referral(case_id=c.id, referrer_name=secret_text(i)[:100],
                           referrer_agency="Thames Valley Police", referred_on=date(2026, 7, 1),
                           consent="given", needs=json.dumps(["housing", "substance_use"]),
                           agencies_engaged=json.dumps(["police", "sexual health"])))
            s.add(MeetingItem(meeting_id=meeting.id, case_id=c.id, order=i, reason="new",
                              progress=secret_text(i), progress_shareable=False))
            s.add(PanelAction(case_id=c.id, meeting_id=meeting.id, agency="Housing",
                              owner=secret_text(i)[:100], description=secret_text(i),
                              shareable=False, due_on=date(2026, 9, 1)))
            who = PEOPLE[i % len(PEOPLE)]
            s.add(PanelAction(case_id=c.id, meeting_id=meeting.id, agency="Police",
                              owner="PC Example",
                              description=f"Offer support <img src='file:///etc/passwd'/> "
                                          f"<a href='http://evil.example/x'>link</a> & "
                                          f"visit {who['given']} {who['family']}",
                              shareable=True, due_on=date(2026, 9, 15)))
            out.case_ids.append(c.id)
        mc = case(s, "MART-1", "mart", date(2026, 7, 3), panel_id=mart.id,
                  person_obj=people[1])
        s.add(Referral(case_id=mc.id, referred_on=date(2026, 7, 3), consent="given",
                       needs=json.dumps(["housing"])))
        s.add(MartDetail(case_id=mc.id, exploitation_type="labour", nationality="Ruritanian",
                         nrm_referred=True, nrm_referred_on=date(2026, 7, 5),
                         informed_consent=True, first_responder="Police"))
        s.add(NrmDecision(case_id=mc.id, kind="reasonable_grounds", decided_on=date(2026, 7, 9),
                          positive=True, recovery_period_ends=date(2026, 8, 8)))
        s.add(MeetingItem(meeting_id=mmeet.id, case_id=mc.id, order=0, reason="new",
                          progress="Safe house found", progress_shareable=True))
        tc = case(s, "CT-1", "trigger", date(2026, 7, 6), team_id=asb_team.id,
                  person_obj=people[3])
        s.add(TriggerApplication(case_id=tc.id, applicant_person_id=people[3].id,
                                 received_on=date(2026, 7, 6), acknowledged_on=date(2026, 7, 8),
                                 threshold_met=True, threshold_reasons=secret_text(3),
                                 threshold_decided_on=date(2026, 7, 15),
                                 applicant_response=secret_text(3)))
        for d in (5, 12, 19):
            s.add(TriggerComplaint(case_id=tc.id, behaviour_on=date(2026, 6, d),
                                   complained_on=date(2026, 6, d + 1), agency="council",
                                   complainant_person_id=people[3].id,
                                   description=secret_text(3)))
        review = TriggerReview(case_id=tc.id, meeting_on=date(2026, 8, 1),
                               bodies=json.dumps(["council", "police"]),
                               findings=secret_text(2))
        s.add(review)
        s.add(TriggerRecommendation(case_id=tc.id, body="police", recommendation=secret_text(0),
                                    due_on=date(2026, 9, 1)))
        ac = case(s, "ASB-1", "asb", date(2026, 7, 2), team_id=asb_team.id,
                  person_obj=people[0])
        s.add(AsbDetail(case_id=ac.id, category="personal", stage=2,
                        subject_person_id=people[2].id))
        s.add(EscalationStep(case_id=ac.id, stage=1, action="first_warning_letter",
                             taken_on=date(2026, 7, 10), reason=secret_text(2)))
        s.flush()
        out.trigger_case_id, out.review_id = tc.id, review.id
    return out
