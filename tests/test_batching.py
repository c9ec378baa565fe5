"""Combined-review batching: the golden keys, the invariants, reruns, and two runs at once."""
import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import BatchStatus, Case, CaseEvent, ReviewBatch
from cases.process.services import lor as lor_services
from cases.process.services.joint_requests import file_joint_request
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch

from .builders import lor_fields, submit
from .concurrency import run_concurrently

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden" / "batching_keys.csv"


def golden_rows():
    with open(GOLDEN, newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def item(capability):
    return [{"description": "Item", "capability": capability, "quantity": 2, "unit_cost_usd": "1000.00"}]


def test_golden_keys(reviewer):
    cases = {(row["country"], row["capability"]): submit(reviewer, country=row["country"], line_items=item(row["capability"]))
             for row in golden_rows()}
    build_batches()
    for row in golden_rows():
        case = Case.objects.select_related("review_batch").get(pk=cases[(row["country"], row["capability"])].pk)
        assert case.stage == Stage.IN_REVIEW
        assert (case.review_batch.group_key, case.review_batch.capability_id) == (row["key"], row["capability"])


def test_every_actionable_case_lands_in_exactly_one_batch_with_its_peers(reviewer):
    for country in ["PL", "DE", "FR", "PL"]:
        submit(reviewer, country=country, line_items=item("anti-armor"))
    submit(reviewer, country="PL", line_items=item("maritime"))
    submit(reviewer, country="AT", line_items=item("anti-armor"))
    result = build_batches()
    assert (result.cases_batched, result.batches_created) == (6, 3)
    batches = {(b.group_key, b.capability_id): b.cases.count() for b in ReviewBatch.objects.all()}
    assert batches == {("bin:nato-rdp-mou", "anti-armor"): 4, ("bin:nato-rdp-mou", "maritime"): 1,
                       ("region:EUCOM", "anti-armor"): 1}
    assert not Case.objects.filter(stage=Stage.LOR_ACTIONABLE).exists()


def test_joining_writes_the_move_and_its_audit_event(reviewer):
    case = submit(reviewer)
    build_batches()
    case.refresh_from_db()
    event = case.events.last()
    assert (event.verb, event.from_stage, event.to_stage, event.payload) == (
        "start_review", "lor_actionable", "in_review", {"batch": case.review_batch_id}
    )
    assert case.stage_entered_at == event.at


def test_rerun_with_nothing_new_changes_nothing(reviewer):
    submit(reviewer)
    build_batches()
    snapshot = (ReviewBatch.objects.count(), CaseEvent.objects.count(), list(Case.objects.values_list("review_batch", "stage")))
    assert build_batches().cases_batched == 0
    assert snapshot == (ReviewBatch.objects.count(), CaseEvent.objects.count(),
                        list(Case.objects.values_list("review_batch", "stage")))


def test_newcomers_join_the_open_batch(reviewer):
    first = submit(reviewer, country="PL")
    build_batches()
    second = submit(reviewer, country="DE")
    result = build_batches()
    assert (result.batches_created, result.batches_joined) == (0, 1)
    assert Case.objects.get(pk=first.pk).review_batch_id == Case.objects.get(pk=second.pk).review_batch_id


def test_a_started_batch_is_frozen(reviewer):
    submit(reviewer, country="PL")
    build_batches()
    batch = ReviewBatch.objects.get()
    start_batch(batch, reviewer=reviewer)
    late = submit(reviewer, country="DE")
    build_batches()
    assert batch.cases.count() == 1
    assert Case.objects.get(pk=late.pk).review_batch.status == BatchStatus.OPEN


def test_size_cap_opens_another_batch(reviewer):
    for _ in range(7):
        submit(reviewer, country="PL")
    build_batches(max_size=3)
    assert sorted(batch.cases.count() for batch in ReviewBatch.objects.all()) == [1, 3, 3]


def test_a_withdrawal_from_an_open_batch_leaves_room_for_a_newcomer(reviewer):
    from cases.process import workflow
    from cases.process.stages import Action

    from .builders import purchaser_of

    first, second, third = (submit(reviewer, country="PL") for _ in range(3))
    build_batches(max_size=3)
    batch = ReviewBatch.objects.get()
    assert batch.open_size == 3
    workflow.perform(second, Action.WITHDRAW, actor=purchaser_of("PL"), inputs={"reason": "Budget moved."})
    assert ReviewBatch.objects.get().open_size == 2
    late = submit(reviewer, country="PL")
    build_batches(max_size=3)
    assert Case.objects.get(pk=late.pk).review_batch_id == batch.pk
    assert ReviewBatch.objects.count() == 1
    assert ReviewBatch.objects.get().open_size == batch.cases.filter(stage=Stage.IN_REVIEW).count() == 3
    build_batches(max_size=3)  # the count is not moved by a run that moves nobody
    start_batch(batch, reviewer=reviewer)
    workflow.perform(first, Action.WITHDRAW, actor=purchaser_of("PL"), inputs={"reason": "Budget moved."})
    assert ReviewBatch.objects.get().open_size == 3  # frozen once the review has started


def test_the_default_cap_is_fifty(settings):
    assert settings.REVIEW_BATCH_SIZE == 50


def test_a_joint_request_lands_in_one_batch(nspa_user, reviewer):
    fields = {k: v for k, v in lor_fields().items() if k not in {"country", "line_items", "title"}}
    joint = file_joint_request(
        filed_by=nspa_user, title="Coalition buy", model="lead_nation", lead_nation="IS",
        participants=[{"country": c, "line_items": item("short-range-air-defense")} for c in ("PL", "IS", "BG")],
        **fields,
    )
    submit(reviewer, country="DE", line_items=item("short-range-air-defense"))
    build_batches(max_size=2)  # the joint request (3 cases) is kept whole even past the cap
    batches = {case.review_batch for case in joint.cases.select_related("review_batch")}
    assert len(batches) == 1
    (batch,) = batches
    assert batch.group_key == "bin:nordic-baltic"  # the lead nation's group
    assert batch.cases.count() == 3


def test_a_returned_case_leaves_its_batch_and_rejoins_when_resubmitted(reviewer, liaison_de):
    case = submit(liaison_de)
    build_batches()
    batch = ReviewBatch.objects.get()
    start_batch(batch, reviewer=reviewer)
    decide_batch(batch, [{"case": case.case_number, "outcome": "return", "reason": "Give the basing."}], reviewer=reviewer)
    case.refresh_from_db()
    assert case.review_batch is None and case.decisions.get().batch == batch
    lor_services.amend_lor(case, {"justification": "Basing: Rzeszow."}, actor=liaison_de)
    build_batches()
    case.refresh_from_db()
    assert case.stage == Stage.IN_REVIEW and case.review_batch != batch


def test_only_the_named_cases_when_asked(reviewer):
    one, other = submit(reviewer), submit(reviewer)
    build_batches(case_ids=[one.pk])
    assert Case.objects.get(pk=one.pk).stage == Stage.IN_REVIEW
    assert Case.objects.get(pk=other.pk).stage == Stage.LOR_ACTIONABLE


def test_statements_do_not_grow_with_cases(reviewer, django_assert_max_num_queries):
    for index in range(40):
        submit(reviewer, country=["PL", "DE", "AT", "JP"][index % 4], line_items=item(["anti-armor", "maritime"][index % 2]))
    with django_assert_max_num_queries(15):
        assert build_batches().cases_batched == 40


def test_command_says_what_it_did(reviewer, capsys):
    submit(reviewer)
    call_command("build_batches")
    assert "batching: 1 case batched (1 new batch, 0 open batches joined)" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_neither_duplicate_nor_lose_a_case(postgres, reviewer, monkeypatch):
    # Leave the cases waiting: this test runs batching itself, twice at once.
    monkeypatch.setattr("cases.tasks.build_batches_task.apply_async", lambda *args, **kwargs: None)
    for index in range(60):
        submit(reviewer, country=["PL", "DE", "AT"][index % 3])

    def run():
        return build_batches(max_size=7).cases_batched

    assert sum(run_concurrently(run, 2)) == 60
    assert Case.objects.filter(stage=Stage.IN_REVIEW, review_batch__isnull=False).count() == 60
    assert CaseEvent.objects.filter(verb="start_review").count() == 60
    for batch in ReviewBatch.objects.all():
        assert 0 < batch.cases.count() <= 7


def members_as_counted():
    """Each batch's member_* columns beside what its cases add up to now."""
    from django.db.models import Count, Min, Sum

    counted = {row["review_batch"]: (row["n"], row["value"], row["since"]) for row in
               Case.objects.filter(review_batch__isnull=False).values("review_batch").order_by()
               .annotate(n=Count("*"), value=Sum("total_value_usd"), since=Min("created_at"))}
    kept = {batch.pk: (batch.member_count, batch.member_value_usd, batch.member_since)
            for batch in ReviewBatch.objects.all()}
    return kept, {pk: counted.get(pk, (0, 0, None)) for pk in kept}


def test_the_member_facts_kept_on_the_batch_follow_every_change_of_membership(reviewer, liaison_de):
    """Batching from nothing, newcomers joining, a withdrawal (it stays a member) and a return (it leaves)."""
    from cases.process import workflow
    from cases.process.stages import Action

    from .builders import purchaser_of

    submit(reviewer, country="PL", line_items=item("anti-armor"))
    returned = submit(liaison_de, line_items=[dict(item("anti-armor")[0], quantity=7)])
    build_batches()
    kept, counted = members_as_counted()
    assert kept == counted and sorted(count for count, _, _ in kept.values()) == [2]
    withdrawn = submit(reviewer, country="PL", line_items=item("anti-armor"))
    build_batches()
    workflow.perform(withdrawn, Action.WITHDRAW, actor=purchaser_of("PL"), inputs={"reason": "Budget moved."})
    kept, counted = members_as_counted()
    assert kept == counted and [count for count, _, _ in kept.values()] == [3]
    batch = ReviewBatch.objects.get()
    start_batch(batch, reviewer=reviewer)
    decide_batch(batch, [{"case": returned.case_number, "outcome": "return", "reason": "Give the basing."}],
                 reviewer=reviewer)
    kept, counted = members_as_counted()
    assert kept == counted and [count for count, _, _ in kept.values()] == [2]
    lor_services.amend_lor(returned, {"justification": "Basing: Rzeszow."}, actor=liaison_de)
    build_batches()  # the resubmitted case opens a new batch: the first is frozen
    kept, counted = members_as_counted()
    assert kept == counted and sorted(count for count, _, _ in kept.values()) == [1, 2]
