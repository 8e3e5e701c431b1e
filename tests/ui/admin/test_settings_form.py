"""Administration > Settings is a form: labels, descriptions, typed editors, floors kept,
and a bad value named and focused with nothing lost."""

from __future__ import annotations

from typing import Any

from casework.core import settings as cs
from tests.ui.conftest import wait_ops


def _form(signed_in: Any, qtbot: Any) -> Any:
    _s, window = signed_in("admin")
    page = window.show_page("admin")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    page.tabs.setCurrentWidget(page.settings)
    return page, page.settings


def test_settings_show_labels_descriptions_and_keep_the_guardrail_floors(
        signed_in: Any, qtbot: Any, db: Any) -> None:
    page, form = _form(signed_in, qtbot)
    assert form.captions[cs.K_ANONYMITY].text() == "k-anonymity k"
    assert "asb." not in " ".join(c.text() for c in form.captions.values())  # no raw keys
    k = form.editors[cs.K_ANONYMITY].widget
    assert k.value() == 5 and k.minimum() == cs.K_FLOOR
    assert form.editors[cs.SUPPRESS_MAX].widget.minimum() == cs.SUPPRESS_FLOOR
    assert form.editors[cs.TRIGGER_COMPLAINTS].widget.maximum() == 3
    k.setValue(1)  # the spin box stops at the floor
    assert k.value() == cs.K_FLOOR
    form.editors[cs.IDLE_LOCK_MINUTES].widget.setValue(15)
    lh = form.editors[cs.LETTERHEAD]
    lh.focus.setText("Exampleshire Council")
    form.save()
    wait_ops(qtbot)
    assert page.status.text().startswith("Saved 3 settings")
    admin = db.ws("admin")
    assert cs.read(admin, cs.K_ANONYMITY) == cs.K_FLOOR
    assert cs.read(admin, cs.IDLE_LOCK_MINUTES) == 15
    letterhead = cs.read(admin, cs.LETTERHEAD)
    assert letterhead["council_name"] == "Exampleshire Council"
    assert "logo_png_base64" in letterhead  # entries without a field are kept


def test_a_value_that_does_not_fit_is_named_and_nothing_is_saved(
        signed_in: Any, qtbot: Any, db: Any) -> None:
    page, form = _form(signed_in, qtbot)
    form.editors[cs.IDLE_LOCK_MINUTES].widget.setValue(20)
    form.editors[cs.RISK_MEDIUM_FROM].widget.setValue(40)  # above the high-risk score
    form.save()
    wait_ops(qtbot)
    assert form.error.isVisible()
    assert form.error.text().startswith("Nothing was saved. Medium risk from score:")
    assert form.captions[cs.RISK_MEDIUM_FROM].property("invalid")
    assert form.editors[cs.RISK_MEDIUM_FROM].widget.hasFocus()
    assert form.editors[cs.RISK_MEDIUM_FROM].widget.value() == 40  # what was typed stays
    assert form.editors[cs.IDLE_LOCK_MINUTES].widget.value() == 20
    assert cs.read(db.ws("admin"), cs.IDLE_LOCK_MINUTES) == 10  # all or nothing
    form.editors[cs.RISK_HIGH_FROM].widget.setValue(50)
    form.save()
    wait_ops(qtbot)
    assert not form.error.isVisible()
    assert cs.read(db.ws("admin"), cs.RISK_HIGH_FROM) == 50
    form.editors[cs.IDLE_LOCK_MINUTES].widget.setValue(30)
    form.undo_button.click()
    assert form.editors[cs.IDLE_LOCK_MINUTES].widget.value() == 20


def test_every_setting_has_a_group_on_the_form() -> None:
    """A setting added to the declarations shows in a named group, never nowhere (a
    setting without a group once stopped the Administration screen from opening)."""
    from casework.core import settings as cs
    from ui.admin.settings_form import SECTIONS, _section

    titles = {title for title, _prefix in SECTIONS}
    for key in cs.SPECS:
        assert _section(key) in titles, key
