"""A sanctuary job worked in the window from referral to feedback: the survey task, the
survey refused until the dated checks pass, work lines with their total, the order from
a new contractor, completion and the victim's feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from casework.sanctuary import jobs as sanctuary
from tests.casework.wf_helpers import make_person
from tests.ui.conftest import wait_ops
from tests.ui.flow_helpers import accept, open_view, refused, set_date
from ui.common.mnemonics import clashes

pytestmark = pytest.mark.dates


def test_a_sanctuary_job_from_referral_to_feedback(db: Any, signed_in: Any,
                                                   qtbot: Any) -> None:
    today = clock.today()
    day = lambda n: today - timedelta(days=n)  # noqa: E731 - n days ago
    ws = db.ws("sanct")
    job = sanctuary.refer_sanctuary(ws, make_person(ws, "Vic", "Tim"), day(200), "idva",
                                    victim_chose=True)
    _s, window = signed_in("sanct")
    view = open_view(qtbot, window, job.header.id, job.header.reference)
    assert clashes(window) == {}
    assert any(t.kind == sanctuary.TASK_SURVEY and t.completed_on is None
               for t in view.parts.tasks)  # the referral made its survey task
    # the survey is refused while checks fail
    view._step("Record the survey", "record_survey", "Survey recorded.")
    dlg = view.dialog
    set_date(dlg.form.fields["on"], day(196))
    refused(qtbot, dlg)
    assert "perpetrator may still live" in dlg.form.error.text()
    dlg.reject()
    # the checks, dated; the risk assessment is dated after the survey day tried next
    view.eligibility()
    dlg = view.dialog
    assert dlg.boxes["victim_chose"].isChecked()
    for key in ("perpetrator_not_resident", "right_to_occupy", "landlord_consent",
                "risk_assessment_done"):
        dlg.boxes[key].setChecked(True)
    set_date(dlg.form.fields["checked_on"], day(195))
    accept(qtbot, view, dlg)
    assert view.job.eligible and view.job.checked_on["risk_assessment_done"] == day(195)
    assert view.job.checked_on["victim_chose"] == day(200)
    view._step("Record the survey", "record_survey", "Survey recorded.")
    dlg = view.dialog
    set_date(dlg.form.fields["on"], day(196))  # before the risk assessment
    refused(qtbot, dlg)
    assert "risk assessment" in dlg.form.error.text() and "comes first" in dlg.form.error.text()
    set_date(dlg.form.fields["on"], day(194))
    accept(qtbot, view, dlg)
    assert all(t.completed_on == day(194) for t in view.parts.tasks
               if t.kind == sanctuary.TASK_SURVEY)
    # two work lines and their total
    for kind, pounds in (("door_lock", 120.0), ("video_doorbell", 89.5)):
        view.add_work_line()
        dlg = view.dialog
        dlg.form.fields["kind"].setCurrentIndex(dlg.form.fields["kind"].findData(kind))
        dlg.form.fields["cost_pence"].setValue(pounds)
        accept(qtbot, view, dlg)
    assert view.work_total.text() == "Total: £209.50 for 2 line(s)"
    # order from a contractor named in the dialog
    view.dialog = None
    view.order()  # reads the contractors first
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=15000)
    dlg = view.dialog
    assert refused(qtbot, dlg) == "new_contractor"
    qtbot.keyClicks(dlg.form.fields["new_contractor"], "SecureHomes Ltd")
    set_date(dlg.form.fields["ordered_on"], day(190))
    accept(qtbot, view, dlg)
    assert view.job.contractor == "SecureHomes Ltd"
    view._step("Complete the job", "complete_job", "Job completed.")
    dlg = view.dialog
    set_date(dlg.form.fields["on"], day(180))
    accept(qtbot, view, dlg)
    # feedback, from three months after fitting
    view.record_feedback()
    dlg = view.dialog
    set_date(dlg.form.fields["collected_on"], day(170))
    assert refused(qtbot, dlg) == "collected_on"
    set_date(dlg.form.fields["collected_on"], day(5))
    dlg.form.fields["felt_safer"].setCurrentIndex(dlg.form.fields["felt_safer"].findData(True))
    qtbot.keyClicks(dlg.form.fields["comments"], "Feels safer at night.")
    accept(qtbot, view, dlg)
    assert [(f.collected_on, f.felt_safer) for f in view.job.feedback] == [(day(5), True)]
    assert view.feedback.rowCount() == 1
    assert all(t.completed_on == day(5) for t in view.parts.tasks
               if t.kind == sanctuary.TASK_FEEDBACK)
    wait_ops(qtbot)
