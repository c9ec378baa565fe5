"""The dates a case waits on, by stage: one table for what the case page shows as due, what the clock
marks stalled when it passes, and what the review queue shows red.

Each deadline gives its day for one case and the same test as a filter (`passed`: the day is before
`today`), so the stall timer works on every case at once in SQL; tests hold the two equal.
"""
from dataclasses import dataclass
from datetime import date
from typing import Callable

from django.db.models import Q
from django.utils import timezone

from ..models import RequestType, Timer
from . import rules
from .stages import Stage

DEVELOPMENT = frozenset({Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW})


@dataclass(frozen=True)
class Deadline:
    name: str  # also the stall reason recorded when it passes
    label: str
    stages: frozenset
    day: Callable  # case -> date or None
    passed: Callable  # today -> Q: cases (in `stages`) whose day is before today
    applies: Callable = lambda case: True
    applies_q: Q = Q()
    stalls: bool = True  # a case left waiting past it is stalled; the others are acted on by the clock
    column: str = ""  # the lookup of the stored day, when it is stored (the decision's is counted)

    def day_for(self, case):
        return self.day(case) if case.stage in self.stages and self.applies(case) else None

    def passed_q(self, today):
        return Q(stage__in=self.stages) & self.applies_q & self.passed(today)


def decision_due_on(case):
    by_policy = case.review_batch.decision_due_on if case.review_batch_id else None
    return by_policy or rules.due_date(Timer.DECISION, timezone.localdate(case.stage_entered_at))


def is_pa(case):
    return case.lor.request_type == RequestType.PA


DEADLINES = (
    Deadline("lor_validation", "LOR validation due", frozenset({Stage.LOR_RECEIVED}),
             day=lambda case: case.lor.validation_due_on,
             passed=lambda today: Q(lor__validation_due_on__lt=today), column="lor__validation_due_on"),
    # Due by the batch's policy once its review starts, where the policy sets it; else by the decision
    # timer from entering review (cases.review.policy).
    Deadline("decision", "Decision due", frozenset({Stage.IN_REVIEW}),
             day=decision_due_on,
             passed=lambda today: Q(review_batch__decision_due_on__lt=today) | (
                 Q(review_batch__decision_due_on__isnull=True)
                 & rules.passed_q(Timer.DECISION, "stage_entered_at__date", today))),
    Deadline("aod", "Anticipated Offer Date", DEVELOPMENT,
             day=lambda case: case.loa.anticipated_offer_date,
             passed=lambda today: Q(loa__anticipated_offer_date__lt=today),
             applies=lambda case: not is_pa(case), applies_q=~Q(lor__request_type=RequestType.PA),
             column="loa__anticipated_offer_date"),
    Deadline("pa_answer", "P&A answer due", DEVELOPMENT,
             day=lambda case: case.loa.anticipated_offer_date,
             passed=lambda today: Q(loa__anticipated_offer_date__lt=today),
             applies=is_pa, applies_q=Q(lor__request_type=RequestType.PA), column="loa__anticipated_offer_date"),
    Deadline("informal_review", "Informal review ends", frozenset({Stage.LOA_DEVELOPMENT}),
             day=lambda case: case.notification.informal_review_ends_on,
             passed=lambda today: Q(notification__informal_review_ends_on__lt=today), stalls=False,
             column="notification__informal_review_ends_on"),
    Deadline("review_end", "Congressional review ends", frozenset({Stage.CN_REVIEW}),
             day=lambda case: None if case.notification.cleared_on else case.notification.review_ends_on,
             passed=lambda today: Q(notification__review_ends_on__lt=today, notification__cleared_on__isnull=True),
             stalls=False, column="notification__review_ends_on"),
    Deadline("oed", "Offer Expiration Date", frozenset({Stage.LOA_OFFERED}),
             day=lambda case: case.loa.offer_expires_on,
             passed=lambda today: Q(loa__offer_expires_on__lt=today), stalls=False, column="loa__offer_expires_on"),
)
STALLING = tuple(deadline for deadline in DEADLINES if deadline.stalls)
BY_NAME = {deadline.name: deadline for deadline in DEADLINES}


@dataclass(frozen=True)
class Due:
    label: str
    day: date
    passed: bool
    # A passed due date is overdue only when someone owed a move by it; a review period that has run
    # (informal review, congressional review) has simply ended, which is what the case waited for.
    overdue: bool


def due_dates(case, today=None):
    """What the case waits on now, soonest first."""
    today = today or timezone.localdate()
    due = []
    for deadline in DEADLINES:
        day = deadline.day_for(case)
        if day is not None:
            due.append(Due(deadline.label, day, day < today, day < today and deadline.stalls))
    return sorted(due, key=lambda item: item.day)


def first_passed_stall(case, today):
    """The stalling deadline `case` has passed, or None."""
    for deadline in STALLING:
        day = deadline.day_for(case)
        if day is not None and day < today:
            return deadline
    return None
