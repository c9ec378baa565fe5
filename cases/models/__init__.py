from .batch import BatchStatus, ReviewBatch
from .concurrence import CONCURRING, Answer, CaseConcurrence, ConcurrenceRequest, ConcurrenceRule, Office
from .case import Case, CaseSearch, DesignatorSequence, ImplementingAgency, LineItem
from .decision import Decision, Outcome
from .events import CaseEvent, Verb
from .idempotency import IdempotencyRecord
from .joint import JointRequest, RetransferAssurance
from .loa import DevelopmentGroup, LetterOfOfferAndAcceptance
from .lor import FundingSource, LetterOfRequest, RequestType
from .note import ReviewerNote
from .notices import (
    Channel,
    DigestSettings,
    Mode,
    Notice,
    NoticeKind,
    NoticePreference,
    OutboxMessage,
    WebhookAttempt,
    WebhookSubscription,
)
from .notification import CongressionalNotification
from .policy import ReviewPolicy, StandingRelease
from .people import EVERY_ROLE, REVIEWERS, Profile, Role, role_of
from .rules import NotificationRule, NotificationTier, Timer, TimerRule
from .views import SavedView

__all__ = [
    "Answer",
    "Channel",
    "DigestSettings",
    "Mode",
    "Notice",
    "NoticeKind",
    "NoticePreference",
    "OutboxMessage",
    "WebhookAttempt",
    "WebhookSubscription",
    "CONCURRING",
    "CaseConcurrence",
    "ConcurrenceRequest",
    "ConcurrenceRule",
    "Office",
    "BatchStatus",
    "RetransferAssurance",
    "ReviewBatch",
    "ReviewPolicy",
    "StandingRelease",
    "SavedView",
    "Case",
    "CaseSearch",
    "CaseEvent",
    "CongressionalNotification",
    "Decision",
    "DesignatorSequence",
    "DevelopmentGroup",
    "FundingSource",
    "IdempotencyRecord",
    "ImplementingAgency",
    "JointRequest",
    "LetterOfOfferAndAcceptance",
    "LetterOfRequest",
    "LineItem",
    "NotificationRule",
    "NotificationTier",
    "Outcome",
    "EVERY_ROLE",
    "Profile",
    "REVIEWERS",
    "RequestType",
    "ReviewerNote",
    "Role",
    "Timer",
    "TimerRule",
    "Verb",
    "role_of",
]
