"""Subject access on the team server: the information-governance officer finds a person
on another team's case, exports everything held and logs the disclosure, through the
same services as on a file database; the database lets them read, not change, cases."""

from __future__ import annotations

import json
from datetime import date

import pytest

from casework.core.errors import CaseworkError
from casework.safeguards import retention, sar, who_saw
from tests.server.conftest import PASSWORD


def _open(ts, short: str):
    from sqlalchemy.engine import make_url

    from casework.server import session

    u = make_url(ts.db.admin_url)
    url = f"postgresql://{u.host}:{u.port or 5432}/{ts.db.name}?sslmode=disable"
    return session.open_url(url, ts.login(short), PASSWORD)


def test_subject_access_export_and_disclosure_on_the_server(team_server, tmp_path):
    ts = team_server
    ig = _open(ts, "ig")
    try:
        found = sar.find_subject(ig, "givensouth synth")
        assert [(m.person_id, m.cases) for m in found] == [(ts.ids["person_south"], 1)]
        out = sar.export(ig, ts.ids["person_south"], tmp_path, date(2026, 11, 30))
        assert out.cases == 1
        doc = json.loads(out.json.read_bytes())
        assert [c["reference"] for c in doc["cases"]] == ["T-south"]
        shown = json.dumps(doc["cases"])
        assert "note south" in shown and "synthetic south" in shown
        assert out.redacted.stat().st_size > 0 and out.review.stat().st_size > 0
        view = sar.record_disclosure(ig, ts.ids["person_south"], "The data subject",
                                     date(2026, 12, 1), "post", "records",
                                     [out.redacted, out.json])
        assert [d.id for d in sar.list_disclosures(ig, ts.ids["person_south"])] == [view.id]
        # Who saw the case (the seeded view by "system"), and the retention review.
        seen = who_saw.for_case(ig, "T-south")
        assert "system" in seen.users
        assert retention.review_list(ig) == []  # nothing closed yet
    finally:
        ig.lock()
    cm = _open(ts, "cm")
    try:
        with pytest.raises(CaseworkError):
            sar.list_disclosures(cm, ts.ids["person_south"])
    finally:
        cm.lock()
