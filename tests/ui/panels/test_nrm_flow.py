"""An NRM case worked in the window: refer, reasonable grounds, a conclusive-grounds
decision refused inside the recovery period until its reason is given, outcomes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from casework.panels import mart
from tests.casework.wf_helpers import make_person, panel_id
from tests.ui.conftest import wait_ops
from tests.ui.flow_helpers import accept, open_view, refused, set_date
from ui.common.mnemonics import clashes

pytestmark = pytest.mark.dates


def test_an_nrm_case_through_reasonable_and_conclusive_grounds(db: Any, signed_in: Any,
                                                               qtbot: Any) -> None:
    today = clock.today()
    ws = db.ws("mart")
    born = today.replace(year=today.year - 16)
    ref = mart.refer_mart(ws, panel_id(ws, "MART Panel"), make_person(ws, "Ana", "Young", born),
                          today - timedelta(days=70), "Coordinator", "police", "not_sought",
                          "county_lines")
    assert ref.is_child  # from the date of birth
    header = ref.referral.header
    _s, window = signed_in("mart")
    view = open_view(qtbot, window, header.id, header.reference)
    assert view.summary.value("Age group") == "Child"
    assert not view.buttons["duty"].isEnabled()  # a child is referred, never notified
    assert clashes(window) == {}
    # refer to the NRM: the first responder is needed
    view.refer_nrm()
    dlg = view.dialog
    set_date(dlg.form.fields["referred_on"], today - timedelta(days=65))
    assert refused(qtbot, dlg) == "first_responder"
    qtbot.keyClicks(dlg.form.fields["first_responder"], "Local authority")
    accept(qtbot, view, dlg)
    assert not view.buttons["nrm"].isEnabled()
    # reasonable grounds, positive
    view.nrm_decision()
    dlg = view.dialog
    set_date(dlg.form.fields["decided_on"], today - timedelta(days=40))
    accept(qtbot, view, dlg)
    assert view.mart.recovery_period_ends == today - timedelta(days=10)
    # conclusive grounds twenty days after: inside the 30-day minimum recovery period
    view.nrm_decision()
    dlg = view.dialog
    assert dlg.form.fields["kind"].currentData() == "conclusive_grounds"
    set_date(dlg.form.fields["decided_on"], today - timedelta(days=20))
    assert refused(qtbot, dlg) == "early_reason"
    assert "recovery period" in dlg.form.error.text()
    qtbot.keyClicks(dlg.form.fields["early_reason"], "Family reunification abroad")
    accept(qtbot, view, dlg)
    kinds = [(d.kind, d.early_reason) for d in view.mart.decisions]
    assert kinds == [("reasonable_grounds", ""),
                     ("conclusive_grounds", "Family reunification abroad")]
    assert view.decisions.rowCount() == 2
    # several outcomes
    view.edit_outcomes()
    dlg = view.dialog
    dlg.boxes["removed_from_exploitation"].setChecked(True)
    dlg.boxes["housed"].setChecked(True)
    accept(qtbot, view, dlg)
    assert view.mart.outcomes == ("removed_from_exploitation", "housed")
    assert view.summary.value("Outcomes") == "Removed from exploitation, Housed"
    wait_ops(qtbot)
