"""The beat timers, each at its boundary (the day before, the day of, the day after), in frozen time."""
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine

from cases.models import Case, CaseEvent
from cases.process.services import offers
from cases.process.stages import Stage
from cases.tasks import clear_notifications_task, expire_offers_task, mark_stalled_task

from .builders import Builder

pytestmark = pytest.mark.django_db

SHIFTS = [(-1, False), (0, False), (1, True)]  # relative to the due date: does the timer act?


def on(day, shift):
    return datetime.combine(day + timedelta(days=shift), time(12, 0), tzinfo=dt_timezone.utc)


def run(task, day, shift):
    with time_machine.travel(on(day, shift), tick=False):
        return task.apply().get()


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_congressional_review_clears_after_its_last_day(reviewer, shift, acts):
    case = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    ends = case.notification.review_ends_on
    assert run(clear_notifications_task, ends, shift) == int(acts)
    case.notification.refresh_from_db()
    assert (case.notification.cleared_on is not None) is acts
    assert run(clear_notifications_task, ends, shift) == 0  # idempotent


def test_cleared_review_lets_the_offer_go(reviewer):
    builder = Builder(reviewer, large=True)
    case = builder.build(Stage.CN_REVIEW)
    offers.record_ia_approval(case, actor=reviewer, at=builder.at)
    run(clear_notifications_task, case.notification.review_ends_on, 1)
    assert case.events.filter(verb="notification_cleared").count() == 1
    assert offers.offer_loa(case, actor=reviewer, at=on(case.notification.review_ends_on, 1)).stage == Stage.LOA_OFFERED


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_offers_expire_after_the_oed(reviewer, shift, acts):
    case = Builder(reviewer).build(Stage.LOA_OFFERED)
    oed = case.loa.offer_expires_on
    assert run(expire_offers_task, oed, shift) == int(acts)
    case.refresh_from_db()
    assert case.stage == (Stage.LOA_EXPIRED if acts else Stage.LOA_OFFERED)
    assert run(expire_offers_task, oed, shift) == 0


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_lor_not_validated_by_its_due_date_stalls(reviewer, shift, acts):
    case = Builder(reviewer).build(Stage.LOR_RECEIVED)
    assert run(mark_stalled_task, case.lor.validation_due_on, shift) == int(acts)
    case.refresh_from_db()
    assert (case.stalled_reason == "lor_validation") is acts
    assert run(mark_stalled_task, case.lor.validation_due_on, shift) == 0
    assert CaseEvent.objects.filter(case=case, verb="stalled").count() == int(acts)


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_review_without_a_decision_for_30_days_stalls(reviewer, shift, acts):
    case = Builder(reviewer).build(Stage.IN_REVIEW)
    due = case.stage_entered_at.date() + timedelta(days=30)
    assert run(mark_stalled_task, due, shift) == int(acts)
    assert (Case.objects.get(pk=case.pk).stalled_reason == "decision") is acts


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_missed_anticipated_offer_date_stalls(reviewer, shift, acts):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    assert run(mark_stalled_task, case.loa.anticipated_offer_date, shift) == int(acts)
    assert (Case.objects.get(pk=case.pk).stalled_reason == "aod") is acts


def test_a_move_clears_the_stall(reviewer):
    builder = Builder(reviewer)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    run(mark_stalled_task, case.loa.anticipated_offer_date, 1)
    assert Case.objects.get(pk=case.pk).stalled_since is not None
    offers.record_ia_approval(case, actor=reviewer, at=on(case.loa.anticipated_offer_date, 2))
    offers.offer_loa(case, actor=reviewer, at=on(case.loa.anticipated_offer_date, 2))
    assert Case.objects.get(pk=case.pk).stalled_since is None
