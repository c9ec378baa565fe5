"""A case's history as a person reads it: how long each stage took, and what is due next."""
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from ..process.stages import Stage


@dataclass
class Span:
    stage: str
    label: str
    started: datetime
    ended: datetime | None

    @property
    def days(self):
        return ((self.ended or timezone.now()) - self.started).days


def stage_spans(case):
    """One span per stage the case passed through, from its move events (prefetched, oldest first)."""
    spans = []
    for event in case.events.all():
        if spans and event.from_stage == event.to_stage:
            continue
        if spans:
            spans[-1].ended = event.at
        spans.append(Span(event.to_stage, Stage(event.to_stage).label, event.at, None))
    return spans


@dataclass
class Due:
    label: str
    day: date

    @property
    def overdue(self):
        return self.day < timezone.localdate()


def due_dates(case):
    """What the case waits for next, soonest first: LOR validation, AOD, end of congressional review, OED."""
    due = []
    lor, loa, notification = (getattr(case, name, None) for name in ("lor", "loa", "notification"))
    if case.stage == Stage.LOR_RECEIVED and lor:
        due.append(Due("LOR validation", lor.validation_due_on))
    if case.stage in (Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW) and loa:
        due.append(Due("Anticipated Offer Date", loa.anticipated_offer_date))
    if case.stage == Stage.CN_REVIEW and notification and notification.review_ends_on and not notification.cleared_on:
        due.append(Due("Congressional review ends", notification.review_ends_on))
    if case.stage == Stage.LOA_OFFERED and loa and loa.offer_expires_on:
        due.append(Due("Offer Expiration Date", loa.offer_expires_on))
    return sorted(due, key=lambda item: item.day)
