"""Bin policy: each bin's dated policy rows (golden table), the standard policy for the rest; the window
closing by age and by size, set-based, asking the offices then; the decision and concurrence due days;
standing releases that spare a bin's members a TSFD review (and DTSA); the batch page saying which
policy applied and why."""
from datetime import date, timedelta

import pytest

from cases.models import Case, CaseEvent, ConcurrenceRequest, ReviewBatch, ReviewPolicy, StandingRelease, Verb
from cases.process import workflow
from cases.process.deadlines import BY_NAME
from cases.process.stages import BatchAction
from cases.review import policy
from cases.review.batching import build_batches, close_windows
from cases.review.services import start_batch

from .builders import T0, submit
from .test_rules import golden

pytestmark = pytest.mark.django_db


def bin_of(row):
    return row["bin"] or None


@pytest.mark.parametrize("row", golden("review_policies.csv"), ids=lambda row: f"{row['bin'] or 'standard'}-{row['on']}")
def test_the_policy_in_force(row):
    in_force = policy.policies_in_force(date.fromisoformat(row["on"]))
    from bins.models import Bin

    bin_id = Bin.objects.get(slug=row["bin"]).pk if row["bin"] else None
    found = policy.policy_for(bin_id, in_force)
    assert [found.bin.slug if found.bin else "", found.window_days, found.window_cases,
            found.decision_days or "", found.concurrence_days or ""] == [
        row["policy_of"], int(row["window_days"]), int(row["window_cases"]),
        int(row["decision_days"]) if row["decision_days"] else "", int(row["concurrence_days"]) if row["concurrence_days"] else ""]


@pytest.mark.parametrize("row", golden("standing_releases.csv"), ids=lambda row: f"{row['bin']}-{row['capability']}")
def test_the_standing_releases_in_force(row):
    from bins.models import Bin

    bin_id = Bin.objects.get(slug=row["bin"]).pk
    covered = (bin_id, row["capability"]) in policy.releases_in_force(date.fromisoformat(row["on"]))
    assert covered == (row["covered"] == "true")


def test_a_later_row_changes_only_batches_opened_after_it(reviewer):
    rdp = ReviewPolicy.objects.get(bin__slug="nato-rdp-mou")
    ReviewPolicy.objects.create(bin=rdp.bin, effective_from=date(2026, 3, 5), window_days=3, window_cases=5)
    submit(reviewer, country="DE")
    build_batches(at=T0)
    submit(reviewer, country="DE", at=T0 + timedelta(days=5), title="Later")
    build_batches(at=T0 + timedelta(days=5))
    batches = list(ReviewBatch.objects.order_by("created_at").values_list("policy__window_days", "window_closes_at"))
    assert batches == [(7, T0 + timedelta(days=7))]  # the second case joined the open batch of the first
    close_windows(at=T0 + timedelta(days=7))
    submit(reviewer, country="DE", at=T0 + timedelta(days=8), title="After the change")
    build_batches(at=T0 + timedelta(days=8))
    newest = ReviewBatch.objects.order_by("-created_at").first()
    assert (newest.policy.window_days, newest.window_closes_at) == (3, T0 + timedelta(days=11))


def test_no_standard_policy_is_an_error_not_a_silent_default():
    ReviewPolicy.objects.filter(bin__isnull=True).delete()
    with pytest.raises(policy.NoPolicy):
        policy.policies_in_force(date(2026, 3, 2))


@pytest.mark.parametrize("days_later,closes", [(6, False), (7, True)])
def test_the_window_closes_by_age_and_the_offices_are_asked_then(reviewer, days_later, closes):
    for country in ("DE", "PL"):
        submit(reviewer, country=country)
    build_batches(at=T0)
    batch = ReviewBatch.objects.get()
    assert close_windows(at=T0 + timedelta(days=days_later)) == ([batch.pk] if closes else [])
    batch.refresh_from_db()
    assert batch.status == ("in_review" if closes else "open")
    assert ConcurrenceRequest.objects.filter(batch=batch).exists() is closes
    asked = CaseEvent.objects.filter(verb=Verb.CONCURRENCE_ASKED, actor__isnull=True)
    assert [event.payload.get("window_closed") for event in asked] == ([True, True] if closes else [])
    if closes:
        assert batch.review_started_at == T0 + timedelta(days=7)
        assert batch.assigned_reviewer is None  # any reviewer may take it now
        assert close_windows(at=T0 + timedelta(days=8)) == []  # once


def test_the_window_closes_when_the_batch_is_full(reviewer):
    ReviewPolicy.objects.filter(bin__slug="nato-rdp-mou").update(window_cases=3)
    for index in range(4):
        submit(reviewer, country=["DE", "PL", "FR", "NL"][index], title=f"Case {index}")
    build_batches(at=T0)
    full, overflow = ReviewBatch.objects.order_by("pk")
    assert close_windows(at=T0 + timedelta(hours=1)) == [full.pk]
    assert [batch.status for batch in ReviewBatch.objects.order_by("pk")] == ["in_review", "open"]
    assert overflow.cases.count() == 1


def test_windows_of_many_batches_close_in_a_fixed_number_of_queries(reviewer, django_assert_max_num_queries):
    countries = ["DE", "AT", "AU", "BR", "EG", "IN", "KE", "MX"]  # eight groups: eight batches
    for country in countries:
        submit(reviewer, country=country)
    build_batches(at=T0)
    # Whatever the number of batches: one UPDATE per distinct decision days, the bins read once, the
    # offices' staff told in one write of notices and one of messages.
    with django_assert_max_num_queries(28):
        closed = close_windows(at=T0 + timedelta(days=30))
    assert len(closed) == len(countries)
    assert ConcurrenceRequest.objects.values("batch").distinct().count() == len(countries)


def test_a_reviewer_takes_a_batch_whose_window_closed_and_it_is_not_asked_twice(reviewer):
    submit(reviewer, country="DE")
    build_batches(at=T0)
    batch = ReviewBatch.objects.get()
    close_windows(at=T0 + timedelta(days=7))
    asked = ConcurrenceRequest.objects.filter(batch=batch).count()
    start_batch(batch, reviewer=reviewer, at=T0 + timedelta(days=8))
    batch.refresh_from_db()
    assert (batch.assigned_reviewer, batch.review_started_at) == (reviewer, T0 + timedelta(days=7))
    assert ConcurrenceRequest.objects.filter(batch=batch).count() == asked
    with pytest.raises(workflow.GuardFailed, match="already hold"):
        start_batch(batch, reviewer=reviewer, at=T0 + timedelta(days=9))


def test_the_clock_may_not_close_a_window_still_open(reviewer):
    submit(reviewer, country="DE")
    build_batches(at=T0)
    with pytest.raises(workflow.GuardFailed, match="still open"):
        workflow.perform_batch(ReviewBatch.objects.get(), BatchAction.CLOSE_WINDOW, at=T0 + timedelta(days=1))
    with pytest.raises(workflow.NotPermitted):
        workflow.perform_batch(ReviewBatch.objects.get(), BatchAction.CLOSE_WINDOW, actor=reviewer,
                               at=T0 + timedelta(days=8))


@pytest.mark.parametrize("country,window,decision_due,concurrence_due", [
    ("DE", 7, date(2026, 3, 24), date(2026, 3, 14)),  # NATO RDP MOU: 15 and 5 days from review start (9 March)
    ("AT", 14, None, date(2026, 3, 26)),  # in no bin: the standard policy; the timers (30 from entering, 10)
])
def test_the_due_days_follow_the_policy(reviewer, country, window, decision_due, concurrence_due):
    submit(reviewer, country=country)
    build_batches(at=T0)
    batch = ReviewBatch.objects.get()
    close_windows(at=T0 + timedelta(days=window))
    batch.refresh_from_db()
    assert batch.decision_due_on == decision_due
    assert set(ConcurrenceRequest.objects.filter(batch=batch).values_list("due_on", flat=True)) == {concurrence_due}
    case = Case.objects.select_related("review_batch").get()
    assert BY_NAME["decision"].day_for(case) == (decision_due or date(2026, 4, 1))
    late = BY_NAME["decision"].day_for(case) + timedelta(days=1)
    assert Case.objects.filter(BY_NAME["decision"].passed_q(late)).exists()
    assert not Case.objects.filter(BY_NAME["decision"].passed_q(late - timedelta(days=1))).exists()


def test_a_standing_release_covers_the_members_tsfd_review_and_spares_dtsa(reviewer):
    covered = submit(reviewer, country="DE", tsfd_required=True)  # anti-armor: released to the RDP MOU bin
    plain = submit(reviewer, country="PL", title="No TSFD needed")
    build_batches(at=T0)
    batch = ReviewBatch.objects.get()
    start_batch(batch, reviewer=reviewer, at=T0 + timedelta(days=1))
    covered.refresh_from_db()
    plain.refresh_from_db()
    assert covered.tsfd_release.capability_id == "anti-armor" and covered.tsfd_approved_at == T0 + timedelta(days=1)
    assert not covered.tsfd_pending and plain.tsfd_release is None and plain.tsfd_approved_at is None
    assert "dtsa" not in ConcurrenceRequest.objects.filter(batch=batch).values_list("office_id", flat=True)
    event = covered.events.get(verb=Verb.TSFD_APPROVED)
    assert event.payload["standing_release"] == covered.tsfd_release.decision


def test_without_a_release_the_tsfd_review_and_dtsa_stay(reviewer):
    StandingRelease.objects.create(bin_id=StandingRelease.objects.first().bin_id, capability_id="anti-armor",
                                   effective_from=date(2026, 3, 1), covered=False, decision="Revoked")
    case = submit(reviewer, country="DE", tsfd_required=True)
    build_batches(at=T0)
    batch = start_batch(ReviewBatch.objects.get(), reviewer=reviewer, at=T0 + timedelta(days=1))
    case.refresh_from_db()
    assert case.tsfd_pending and case.tsfd_release is None
    assert "dtsa" in ConcurrenceRequest.objects.filter(batch=batch).values_list("office_id", flat=True)


def test_the_batch_page_says_which_policy_applied_and_why(signed_in, reviewer):
    submit(reviewer, country="DE")
    submit(reviewer, country="AT", title="Austria's")
    build_batches(at=T0)
    client = signed_in(reviewer)
    trusted, standard = (ReviewBatch.objects.get(bin__isnull=False), ReviewBatch.objects.get(bin__isnull=True))
    page = client.get(f"/batches/{trusted.pk}/").content.decode()
    assert "Review policy: NATO members with an RDP MOU policy from 2025-04-09" in page
    assert "which has a policy of its own" in page and "Anti-armor is covered" in page
    page = client.get(f"/batches/{standard.pk}/").content.decode()
    assert "Review policy: Standard policy from 2003-01-01" in page
    assert "are in no bin" in page and "the decision timer" in page


def test_the_api_says_the_policy_and_why(api, reviewer, django_assert_max_num_queries):
    submit(reviewer, country="DE")
    build_batches(at=T0)
    batch = ReviewBatch.objects.get()
    body = api(reviewer).get(f"/api/v1/batches/{batch.pk}/").json()["policy"]
    assert body["name"] == "NATO members with an RDP MOU policy from 2025-04-09"
    assert (body["window_days"], body["window_cases"], body["covered"]) == (7, 25, True)
    assert "Anti-armor" in body["standing_releases"] and "has a policy of its own" in body["reason"]


def test_a_batch_whose_cases_all_left_does_not_enter_review_empty(reviewer):
    from cases.process.stages import Action

    from .builders import purchaser_of

    case = submit(reviewer, country="DE")
    build_batches(at=T0)
    workflow.perform(case, Action.WITHDRAW, actor=purchaser_of("DE"), inputs={"reason": "Budget moved."},
                     at=T0 + timedelta(days=1))
    assert close_windows(at=T0 + timedelta(days=30)) == []
    assert ReviewBatch.objects.get().status == "open"
