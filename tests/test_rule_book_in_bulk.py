"""The clock works on every case at once in SQL; these hold its filters equal to the rule book's
one-case judgement, day by day, over cases in every state the clock looks at, and the decision due
date to the dated timer rule counted from when the case entered review."""
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest

from cases.models import Case, Timer, TimerRule
from cases.process import timers, workflow
from cases.process.deadlines import DEADLINES
from cases.process.stages import Action, Stage
from cases.process.workflow.context import context
from cases.process.workflow.perform import CASE_RELATED, refusal_of

from .builders import T0, Builder, submit

pytestmark = pytest.mark.django_db

# The system's actions whose every condition has a filter form: the ones `perform_due` takes in bulk.
CLOCK_ACTIONS = [action for action, rule in workflow.RULES.items()
                 if rule.by == workflow.SYSTEM and rule.conditions and all(c.q for c in rule.conditions)]
DAYS = [0, 3, 6, 12, 25, 31, 45, 70, 100, 130, 160, 200]


@pytest.fixture
def population(reviewer):
    """Cases where every clock condition is true for some and false for others, on some day."""
    made = []
    for options, stage in [({}, Stage.LOR_RECEIVED), ({}, Stage.IN_REVIEW), ({}, Stage.LOA_DEVELOPMENT),
                           ({"pa": True}, Stage.LOA_DEVELOPMENT), ({"large": True}, Stage.LOA_DEVELOPMENT),
                           ({"large": True}, Stage.CN_REVIEW), ({}, Stage.LOA_OFFERED),
                           ({"large": True}, Stage.LOA_OFFERED), ({}, Stage.LOA_ACCEPTED), ({}, Stage.WITHDRAWN)]:
        made.append(Builder(reviewer, **options).build(stage))
    stalled = Builder(reviewer).build(Stage.IN_REVIEW)
    Case.objects.filter(pk=stalled.pk).update(stalled_since=T0, stalled_reason="decision")
    cleared = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    cleared.notification.cleared_on = cleared.notification.review_ends_on + timedelta(days=1)
    cleared.notification.save()
    return made + [stalled, cleared]


def noon(day):
    return datetime.combine(day, time(12), tzinfo=dt_timezone.utc)


def test_every_clock_action_is_checked_here():
    assert set(CLOCK_ACTIONS) == {Action.CLEAR_NOTIFICATION, Action.EXPIRE, Action.MARK_STALLED}


@pytest.mark.parametrize("action", CLOCK_ACTIONS, ids=str)
def test_the_clocks_filter_is_the_rule_books_judgement(action, population):
    rule = workflow.RULES[action]
    cases = list(Case.objects.select_related(*CASE_RELATED))
    for shift in DAYS:
        at = noon(T0.date() + timedelta(days=shift))
        ctx = context(at=at)
        one_by_one = {case.pk for case in cases if refusal_of(rule, case, ctx) is None}
        in_sql = Case.objects.filter(stage__in=rule.stages)
        for condition in rule.conditions:
            in_sql = in_sql.filter(condition.q(ctx.today))
        assert set(in_sql.values_list("pk", flat=True)) == one_by_one, (action, shift)


def test_each_deadline_has_passed_in_sql_exactly_when_it_has_passed(population):
    cases = list(Case.objects.select_related(*CASE_RELATED))
    for deadline in DEADLINES:
        for shift in DAYS:
            today = T0.date() + timedelta(days=shift)
            one_by_one = {case.pk for case in cases if (day := deadline.day_for(case)) and day < today}
            in_sql = set(Case.objects.filter(deadline.passed_q(today)).values_list("pk", flat=True))
            assert in_sql == one_by_one, (deadline.name, shift)


def test_the_clock_takes_each_action_once(population):
    """Run every day for 200 days: each case is acted on once per action at most, and a second run on the
    same day changes nothing."""
    acted = {label: [] for label, _ in timers.CLOCK}
    for shift in range(0, 200):
        at = noon(T0.date() + timedelta(days=shift))
        for label, ids in timers.run_clock(at=at).items():
            acted[label].extend(ids)
        assert not any(timers.run_clock(at=at).values())
    for label, ids in acted.items():
        assert ids and len(ids) == len(set(ids)), label


@pytest.mark.parametrize("entered,rule_row,due", [
    (date(2026, 3, 2), None, date(2026, 4, 1)),  # 30 days from entering review (the 2003 row)
    (date(2026, 3, 2), (date(2026, 3, 3), 10), date(2026, 4, 1)),  # a later row does not apply to it
    (date(2026, 3, 4), (date(2026, 3, 3), 10), date(2026, 3, 14)),  # it applies to cases entering after
])
def test_the_decision_is_due_by_the_dated_rule_from_entering_review(entered, rule_row, due, reviewer):
    if rule_row:
        TimerRule.objects.create(timer=Timer.DECISION, effective_from=rule_row[0], days=rule_row[1])
    builder = Builder(reviewer)
    builder.at = noon(entered) - timedelta(days=1)
    case = Case.objects.select_related("lor").get(pk=builder.build(Stage.IN_REVIEW).pk)
    assert case.stage_entered_at.date() == entered
    deadline = next(deadline for deadline in DEADLINES if deadline.name == "decision")
    assert deadline.day_for(case) == due
    assert not timers.mark_stalled(at=noon(due))
    assert timers.mark_stalled(at=noon(due + timedelta(days=1))) == [case.pk]
    assert Case.objects.get(pk=case.pk).stalled_reason == "decision"


@pytest.mark.django_db
def test_a_set_based_statement_takes_its_lists_whole(reviewer):
    """The lists of a set-based statement go to PostgreSQL as array literals (cases.process.bulk): every
    id arrives, and an audit payload holding quotes, backslashes, commas and braces arrives as written."""
    from cases.models import CaseEvent
    from cases.process import bulk

    cases = [submit(reviewer, country=country) for country in ("PL", "DE", "FR")]
    ids = [case.pk for case in cases]
    assert sorted(Case.objects.filter(pk__in=bulk.id_set(ids)).values_list("pk", flat=True)) == sorted(ids)
    payloads = [{"note": 'a "quoted" word'}, {"note": "C:\\path, {braced}"}, {"note": "plain"}]
    bulk.insert_events(list(zip(ids, payloads)), verb="ia_approved", at=T0, stage=Stage.LOR_ACTIONABLE)
    written = dict(CaseEvent.objects.filter(case__in=ids, verb="ia_approved").values_list("case_id", "payload"))
    assert written == dict(zip(ids, payloads))
