"""Each kind of notice: who hears of it, whether organisations' webhooks carry it, and its words.

The rule book (cases.process.workflow.rulebook) names the kind an action tells of; the clock's reminders
(cases.notify.reminders) and concurrence (cases.review.concurrence) name theirs here too.
"""
from dataclasses import dataclass
from enum import Enum

from ..models import REVIEWERS, NoticeKind, Role


class Hears(Enum):
    """Who hears of a notice. Each is someone `visible_to` lets open its subject."""

    PURCHASER = "the case's purchaser: its country's liaisons, and NSPA staff for a joint request's case"
    HOLDER = "the reviewer holding the batch (the case's)"
    RETURNER = "the reviewer who last returned the case"
    OFFICE = "the staff of the office asked"
    OWNER = "the webhook subscription's owner"


PURCHASERS = frozenset({Role.LIAISON, Role.NSPA})


@dataclass(frozen=True)
class Kind:
    kind: NoticeKind
    hears: tuple
    summary: str  # formatted with the notice's facts: number (the case's), batch, and the kind's own
    webhook: bool = False  # also pushed to the organisations' subscriptions

    @property
    def roles(self):
        """Whose preferences list this kind."""
        return PURCHASERS if Hears.PURCHASER in self.hears else frozenset(REVIEWERS)

    @property
    def label(self):
        return self.kind.label


def purchaser(kind, summary):
    return Kind(kind, (Hears.PURCHASER,), summary, webhook=True)


KINDS = {entry.kind: entry for entry in (
    purchaser(NoticeKind.RETURNED, "Case {number} was returned for information"),
    purchaser(NoticeKind.DENIED, "Case {number} was denied"),
    purchaser(NoticeKind.APPROVED, "Case {number} was approved; its LOA is in development"),
    purchaser(NoticeKind.OFFERED, "An LOA is offered for case {number}; it expires on {oed}"),
    purchaser(NoticeKind.OED_SOON, "The offer for case {number} expires on {oed}, in {days} days"),
    purchaser(NoticeKind.OED_IMMINENT, "The offer for case {number} expires on {oed}, in {days} days"),
    purchaser(NoticeKind.EXPIRED, "The offer for case {number} expired unaccepted"),
    purchaser(NoticeKind.ACCEPTED, "The LOA for case {number} is accepted"),
    Kind(NoticeKind.RESUBMITTED, (Hears.RETURNER,), "The LOR of case {number} was resubmitted"),
    Kind(NoticeKind.BATCH_ASSIGNED, (Hears.HOLDER,), "Batch {batch} ({cases} cases) was given to you"),
    Kind(NoticeKind.CONCURRENCE_ASKED, (Hears.OFFICE,), "{office} is asked to concur on batch {batch}, by {due}"),
    Kind(NoticeKind.CONCURRENCE_OVERDUE, (Hears.OFFICE, Hears.HOLDER),
         "{office} is overdue on batch {batch}: its answer was due on {due}"),
    Kind(NoticeKind.STALLED, (Hears.HOLDER,), "Case {number} is stalled: {reason} passed"),
    Kind(NoticeKind.WEBHOOK_DISABLED, (Hears.OWNER,),
         "Webhook {url} is disabled: its deliveries failed for a day"),
)}

# Timer names for the two offer reminders' days (dated TimerRule rows).
OED_REMINDERS = ((NoticeKind.OED_SOON, "oed_first_reminder"), (NoticeKind.OED_IMMINENT, "oed_last_reminder"))


def kinds_for(role):
    return [entry for entry in KINDS.values() if role in entry.roles and Hears.OWNER not in entry.hears]
