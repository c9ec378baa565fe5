"""The beat timers through their Celery tasks, each at its boundary (the day before, the day of, the
day after), in frozen time; each writes the rule book's audit verb."""
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine

from cases.models import Case, CaseEvent
from cases.process.stages import Action, Stage
from cases.process.workflow import perform
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
    assert CaseEvent.objects.filter(case=case, verb="notification_cleared").count() == int(acts)


def test_cleared_review_lets_the_offer_go(reviewer):
    builder = Builder(reviewer, large=True)
    case = builder.build(Stage.CN_REVIEW)
    case = builder.step(case, Action.RECORD_IA_APPROVAL, days=0)
    run(clear_notifications_task, case.notification.review_ends_on, 1)
    event = case.events.get(verb="notification_cleared")
    assert event.payload == {"review_ended_on": str(case.notification.review_ends_on)} and event.actor is None
    offered = perform(case, Action.OFFER, actor=reviewer, at=on(case.notification.review_ends_on, 1))
    assert offered.stage == Stage.LOA_OFFERED


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_offers_expire_after_the_oed(reviewer, shift, acts):
    case = Builder(reviewer).build(Stage.LOA_OFFERED)
    oed = case.loa.offer_expires_on
    assert run(expire_offers_task, oed, shift) == int(acts)
    case.refresh_from_db()
    assert case.stage == (Stage.LOA_EXPIRED if acts else Stage.LOA_OFFERED)
    assert run(expire_offers_task, oed, shift) == 0
    if acts:
        event = case.events.get(verb="expire")
        assert (event.from_stage, event.to_stage, event.actor) == (Stage.LOA_OFFERED, Stage.LOA_EXPIRED, None)
        assert case.stage_entered_at == on(oed, shift)


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


@pytest.mark.parametrize("shift,acts", SHIFTS)
def test_a_pa_answer_left_past_its_due_date_stalls(reviewer, shift, acts):
    case = Builder(reviewer, pa=True).build(Stage.LOA_DEVELOPMENT)
    assert case.loa.anticipated_offer_date == case.stage_entered_at.date() + timedelta(days=45)
    assert run(mark_stalled_task, case.loa.anticipated_offer_date, shift) == int(acts)
    assert (Case.objects.get(pk=case.pk).stalled_reason == "pa_answer") is acts


def test_a_move_clears_the_stall(reviewer):
    builder = Builder(reviewer)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    run(mark_stalled_task, case.loa.anticipated_offer_date, 1)
    assert Case.objects.get(pk=case.pk).stalled_since is not None
    at = on(case.loa.anticipated_offer_date, 2)
    perform(case, Action.RECORD_IA_APPROVAL, actor=reviewer, at=at)
    perform(case, Action.OFFER, actor=reviewer, at=at)
    assert Case.objects.get(pk=case.pk).stalled_since is None
