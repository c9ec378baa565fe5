"""A case's history as a person reads it: how long each stage took (what is due next: process.deadlines)."""
from dataclasses import dataclass
from datetime import datetime

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
