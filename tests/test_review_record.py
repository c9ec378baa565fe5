"""The record a reviewer works from: a batch that keeps every case it held, precedent as rows with counts,
an audit trail that reads like a record, and pages that say what is true (a batch nobody has taken,
thresholds in dollars, a review period that ended rather than passed)."""
from datetime import timedelta

import pytest

from cases.models import ReviewBatch
from cases.models.case import WAITING_FOR_REVIEWER
from cases.process.deadlines import due_dates
from cases.process.services.lor import amend_lor
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch

from .builders import LARGE_ITEMS, Builder, concur_all, purchaser_of, submit


@pytest.fixture
def decided_batch(reviewer):
    """A batch of DE, FR and PL: DE approved, PL returned, FR still in review."""
    cases = {code: submit(purchaser_of(code), country=code) for code in ("DE", "FR", "PL")}
    build_batches()
    batch = concur_all(start_batch(ReviewBatch.objects.get(), reviewer=reviewer))
    decide_batch(batch, [{"case": cases["DE"].case_number, "outcome": "approve"},
                         {"case": cases["PL"].case_number, "outcome": "return", "reason": "State the basing."}],
                 reviewer=reviewer)
    return batch, cases


def test_a_returned_case_stays_on_its_batch_page(signed_in, reviewer, decided_batch):
    batch, cases = decided_batch
    page = signed_in(reviewer).get(f"/batches/{batch.pk}/").content.decode()
    for case in cases.values():
        assert f'href="/cases/{case.case_number}/"' in page
    assert "<b>Returned for information</b> by rev" in page and "<b>Approved</b> by rev" in page and "Reason: State the basing." in page
    assert "(left this batch)" in page and "1 returned, listed for the record" in page
    assert "2 decided here" in page


def test_the_api_lists_the_batch_record(api, reviewer, decided_batch):
    batch, cases = decided_batch
    rows = {row["country"]: row for row in api(reviewer).get(f"/api/v1/batches/{batch.pk}/").json()["cases"]}
    assert set(rows) == {"DE", "FR", "PL"}
    assert rows["PL"]["left_batch"] is True and rows["PL"]["decided_here"]["outcome"] == "return"
    assert rows["PL"]["decided_here"]["reason"] == "State the basing." and rows["PL"]["decided_here"]["decided_by"] == "rev"
    assert rows["FR"]["decided_here"] is None and rows["FR"]["left_batch"] is False


def test_precedents_are_rows_with_counts(signed_in, reviewer):
    earlier_pl = Builder(reviewer, country="PL").build(Stage.LOA_DEVELOPMENT)  # approved
    earlier_de = Builder(reviewer, country="DE").build(Stage.DENIED)  # "Not releasable."
    for code in ("PL", "DE"):
        submit(purchaser_of(code), country=code)
    build_batches()
    batch = ReviewBatch.objects.get(status="open")
    page = signed_in(reviewer).get(f"/batches/{batch.pk}/").content.decode()
    assert f'<a href="/cases/{earlier_pl.case_number}/">{earlier_pl.case_number}</a>' in page
    assert f"{earlier_de.case_number}</a> {earlier_de.decisions.get().decided_at.date().isoformat()} <b>Denied</b> $1.0M: Not releasable." in page
    assert "<b>PL:</b> 1 approval, 0 denials in the last 5 years" in page
    assert "<b>DE:</b> 0 approvals, 1 denial in the last 5 years" in page
    assert "Group precedent:</b> 1 approval, 1 denial in the last 5 years" in page
    assert page.count(f'href="/cases/{earlier_pl.case_number}/"') == 2  # Poland's own row, Germany's group row


def test_a_case_in_a_batch_nobody_took_is_waiting(signed_in, reviewer, liaison_pl):
    case = submit(liaison_pl, country="PL")
    build_batches()
    assert WAITING_FOR_REVIEWER in signed_in(liaison_pl).get(f"/cases/{case.case_number}/").content.decode()
    start_batch(ReviewBatch.objects.get(), reviewer=reviewer)
    page = signed_in(liaison_pl).get(f"/cases/{case.case_number}/").content.decode()
    assert WAITING_FOR_REVIEWER not in page and "In combined review" in page


def test_the_batch_page_leads_back_to_the_queue_and_on(signed_in, reviewer):
    submit(purchaser_of("PL"), country="PL")
    submit(purchaser_of("PL"), country="PL", line_items=LARGE_ITEMS)
    build_batches()
    newer, older = ReviewBatch.objects.order_by("-created_at", "-id")
    client = signed_in(reviewer)
    page = client.get(f"/batches/{newer.pk}/?status=open").content.decode()
    assert 'href="/?status=open">← Back to the queue' in page
    assert f'href="/batches/{older.pk}/?status=open" rel="next"' in page and 'rel="prev"' not in page
    page = client.get(f"/batches/{older.pk}/?status=open").content.decode()
    assert f'href="/batches/{newer.pk}/?status=open" rel="prev"' in page and 'rel="next"' not in page
    assert 'rel="next"' not in client.get(f"/batches/{newer.pk}/?status=decided").content.decode()  # not in that queue


def test_the_trail_reads_like_a_record(signed_in, reviewer, liaison_pl, decided_batch):
    batch, cases = decided_batch
    returned = cases["PL"]
    amend_lor(returned, {"funding_source": "fmf", "justification": "Basing: Rzeszow."}, actor=purchaser_of("PL"))
    as_reviewer = signed_in(reviewer).get(f"/cases/{returned.case_number}/").content.decode()
    trail = as_reviewer[as_reviewer.index("Audit trail"):]
    assert "In combined review → LOR returned for information" in trail and "Reason: State the basing." in trail
    assert "Funding source: National funds → Foreign Military Financing" in trail
    assert f'<a href="/batches/{batch.pk}/">Left batch {batch.pk}</a>' in trail
    assert " UTC</td>" in trail
    as_liaison = signed_in(liaison_pl).get(f"/cases/{returned.case_number}/").content.decode()
    liaison_trail = as_liaison[as_liaison.index("Audit trail"):]
    assert "Reason: State the basing." in liaison_trail and "batch" not in liaison_trail.lower().replace(
        "joined a combined-review batch", "").replace("batch taken for review", "")


def test_notification_thresholds_are_shown_in_dollars(signed_in, reviewer):
    case = Builder(reviewer, large=True, country="PL").build(Stage.LOA_DEVELOPMENT)
    page = signed_in(reviewer).get(f"/cases/{case.case_number}/").content.decode()
    assert "Major defense equipment $30.0M <b>meets</b> the $25.0M threshold" in page
    assert "Total value $30.0M is under the $100.0M threshold" in page


def test_an_ended_review_period_is_not_overdue(reviewer):
    case = Builder(reviewer, large=True, country="PL").build(Stage.LOA_DEVELOPMENT)
    case = Builder(reviewer, large=True, country="PL").step(case, "informal_review_started")
    later = case.notification.informal_review_ends_on + timedelta(days=1)
    informal = next(item for item in due_dates(case, today=later) if item.label == "Informal review ends")
    assert informal.passed and not informal.overdue
    anticipated = next(item for item in due_dates(case, today=case.loa.anticipated_offer_date + timedelta(days=1))
                       if item.label == "Anticipated Offer Date")
    assert anticipated.overdue


def test_the_queue_speaks_the_reviewers_words(signed_in, reviewer):
    submit(purchaser_of("BR"), country="BR")  # in no bin: a region's batch
    submit(purchaser_of("PL"), country="PL")
    build_batches()
    mine = start_batch(ReviewBatch.objects.get(bin__isnull=False), reviewer=reviewer)
    client = signed_in(reviewer)
    page = client.get("/").content.decode()
    assert 'name="key"' not in page and "Group key" not in page
    assert ">US Southern Command (SOUTHCOM)</option>" in page and "(descending)" not in page
    assert ">Longest-waiting case first</option>" in page and "Any bin" in page
    assert "<td>you</td>" in page and "nobody yet" in page
    assert [batch.pk for batch in client.get("/?mine=on").context["batches"]] == [mine.pk]


def test_a_resubmitted_case_arrives_with_its_return_and_its_changes(signed_in, reviewer, decided_batch):
    batch, cases = decided_batch
    amend_lor(cases["PL"], {"funding_source": "fmf"}, actor=purchaser_of("PL"))
    build_batches()
    new_batch = ReviewBatch.objects.get(cases=cases["PL"])
    assert new_batch != batch
    page = signed_in(reviewer).get(f"/batches/{new_batch.pk}/").content.decode()
    assert "Resubmitted</span> returned" in page and "State the basing." in page
    assert "<li>Funding source: National funds → Foreign Military Financing</li>" in page
