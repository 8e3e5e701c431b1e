"""Every screen, case view and new-case wizard the window can show, imported by name.

Nothing is looked up from a string at run time: a frozen build contains exactly what is
imported here, and a missing screen is an import error at start-up, not a blank window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ui.admin.screen import Page as AdminPage
from ui.asb.view import AsbCaseView
from ui.asb.wizard import NewAsbWizard
from ui.cases.mywork import Page as MyWorkPage
from ui.cases.screen import Page as CasesPage
from ui.common import services
from ui.panels.referral_view import MartCaseView, SwipCaseView
from ui.panels.screen import Page as PanelsPage
from ui.panels.wizards import NewMartWizard, NewSwipWizard
from ui.people.screen import Page as PeoplePage
from ui.reporting.screen import Page as ReportsPage
from ui.safeguards.screen import Page as GovernancePage
from ui.sanctuary.view import SanctuaryCaseView
from ui.sanctuary.wizard import NewSanctuaryWizard
from ui.trigger.view import TriggerCaseView
from ui.trigger.wizard import NewTriggerWizard

if TYPE_CHECKING:
    from casework.core.context import Actor


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation list and the screen it opens."""

    key: str
    label: str
    page: Callable[..., Any]  # a Screen subclass: page(ws, main)
    allowed: Callable[[Actor], bool]


@dataclass(frozen=True)
class CaseTypeUi:
    """How the desktop shows and creates one case type."""

    view: Callable[..., Any]  # view(ws, case_id, main)
    wizard: Callable[..., Any]  # wizard(parent, ws)


def _any(*caps: str) -> Callable[[Actor], bool]:
    return lambda actor: any(services.can(actor, c) for c in caps)


NAV: tuple[NavItem, ...] = (
    NavItem("mywork", "My work", MyWorkPage, _any("task.read")),
    NavItem("cases", "Cases", CasesPage, _any("case.read")),
    NavItem("people", "People", PeoplePage, _any("people.read")),
    NavItem("panels", "Panels and meetings", PanelsPage, _any("meeting.read")),
    NavItem("reports", "Reports", ReportsPage,
            _any("report.kpis", "report.panel", "export.quarterly", "export.trigger_return")),
    NavItem("governance", "Information governance", GovernancePage,
            _any("sar.export", "admin.retention", "audit.who_saw")),
    NavItem("admin", "Administration", AdminPage, _any("admin.users", "admin.settings")),
)

CASE_TYPES: dict[str, CaseTypeUi] = {
    "asb": CaseTypeUi(AsbCaseView, NewAsbWizard),
    "trigger": CaseTypeUi(TriggerCaseView, NewTriggerWizard),
    "swip": CaseTypeUi(SwipCaseView, NewSwipWizard),
    "mart": CaseTypeUi(MartCaseView, NewMartWizard),
    "sanctuary": CaseTypeUi(SanctuaryCaseView, NewSanctuaryWizard),
}
