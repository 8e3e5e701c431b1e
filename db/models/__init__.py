"""All tables. Importing this package registers every model on ``Base.metadata``."""

from db.models.admin import (
    AuditEntry,
    Panel,
    PanelMembership,
    Setting,
    SharingProtocol,
    Team,
    User,
)
from db.models.asb import AsbDetail, Breach, EscalationStep, Incident, RiskAssessment
from db.models.base import Base, utcnow
from db.models.caselist import CaseCount, CaseListState
from db.models.cases import (
    Case,
    CaseParty,
    Document,
    EvidenceItem,
    LetterTemplateVersion,
    Note,
    Task,
)
from db.models.keys import AuditHead, KeySlotRecord, SigningKey
from db.models.panels import (
    MartDetail,
    MartOutcome,
    Meeting,
    MeetingAttendance,
    MeetingItem,
    NrmDecision,
    PanelAction,
    Referral,
    UglyMugLink,
    UglyMugReport,
)
from db.models.people import Address, Lsoa, Person, PersonAddress, PersonAlias
from db.models.police import PoliceAsbImport, PoliceAsbIncident
from db.models.reporting import ESCALATION_STEPS_TAKEN  # noqa: F401  (registers the report indexes)
from db.models.safeguards import Disclosure
from db.models.sanctuary import Contractor, SanctuaryFeedback, SanctuaryJob, WorkLine
from db.models.sync import ChangeLog
from db.models.trigger import (
    TriggerApplication,
    TriggerComplaint,
    TriggerRecommendation,
    TriggerReview,
)
from db.models.vocab import VocabularyTerm

__all__ = [
    "Address", "AsbDetail", "AuditEntry", "AuditHead", "Base", "Breach", "Case", "CaseCount",
    "CaseListState", "CaseParty", "ChangeLog", "Contractor",
    "Disclosure", "Document", "EscalationStep", "EvidenceItem", "Incident", "KeySlotRecord",
    "LetterTemplateVersion", "Lsoa", "MartDetail", "MartOutcome", "Meeting",
    "MeetingAttendance", "MeetingItem", "Note", "NrmDecision", "Panel", "PanelAction",
    "PanelMembership", "Person", "PersonAddress", "PersonAlias", "PoliceAsbImport",
    "PoliceAsbIncident", "Referral", "RiskAssessment",
    "SanctuaryFeedback", "SanctuaryJob", "Setting", "SharingProtocol", "SigningKey", "Task", "Team",
    "TriggerApplication", "TriggerComplaint", "TriggerRecommendation", "TriggerReview", "User",
    "UglyMugLink", "UglyMugReport", "VocabularyTerm", "WorkLine", "utcnow",
]
