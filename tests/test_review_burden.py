"""The review burden: office answers case by case against combined (one per office per batch, plus each
carve-out), and the time it costs (days from actionable to decision, days waiting for the window), by
policy; on the metrics page and at GET /api/v1/metrics/review-burden/, scoped and bounded."""
from datetime import timedelta

import pytest

from cases.models import ConcurrenceRequest, ReviewBatch
from cases.review.batching import build_batches, close_windows
from cases.review.services import answer_concurrence, decide_batch, start_batch

from .builders import T0, concur_all, downloaded, office_staff, submit

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-04-30"}


@pytest.fixture
def reviewed(reviewer):
    """Three RDP MOU cases (one batch, its window closed by age after 7 days) and two Austrian ones (the
    standard policy, taken early by a reviewer on day 2); every office concurs, EUCOM carving one case out
    with conditions; all five approved on day 10."""
    for country in ("DE", "PL", "FR"):
        submit(reviewer, country=country)
    for index in range(2):
        submit(reviewer, country="AT", title=f"Austria {index}")
    build_batches(at=T0)
    trusted, standard = ReviewBatch.objects.get(bin__isnull=False), ReviewBatch.objects.get(bin__isnull=True)
    start_batch(standard, reviewer=reviewer, at=T0 + timedelta(days=2))
    close_windows(at=T0 + timedelta(days=7))
    start_batch(trusted, reviewer=reviewer, at=T0 + timedelta(days=7, hours=1))
    first = trusted.cases.order_by("pk").first()
    answer_concurrence(trusted, by=office_staff("eucom"), answer="concur", at=T0 + timedelta(days=8), carve_outs=[
        {"case": first.case_number, "answer": "conditions", "reason": "End-use monitoring for two years."}])
    for batch in (trusted, standard):
        concur_all(batch, at=T0 + timedelta(days=8))
        decide_batch(batch, [{"case": number, "outcome": "approve", "reason": ""}
                             for number in batch.cases.values_list("case_number", flat=True)],
                     reviewer=reviewer, at=T0 + timedelta(days=10))
    return trusted, standard


def test_the_units_case_by_case_and_combined(api, reviewed, reviewer):
    body = api(reviewer).get("/api/v1/metrics/review-burden/", PERIOD).json()
    requests = ConcurrenceRequest.objects.count()
    assert requests == 8  # DSCA, State, the IA and EUCOM, on each of the two batches
    assert body["lors_received"] == 5
    # Case by case: each of the four offices on each of the five cases. Combined: 8 answers, 1 carve-out.
    assert body["units"] == {"case_by_case": 20, "combined": 9, "carve_outs": 1, "answered": 8, "times_fewer": 2.2}


def test_the_days_by_policy(api, reviewed, reviewer):
    body = api(reviewer).get("/api/v1/metrics/review-burden/", PERIOD).json()
    assert body["median_days_to_decision"] == [
        {"policy": "NATO members with an RDP MOU", "days": 10.0},
        {"policy": "Standard policy", "days": 10.0},
    ]
    assert body["median_days_waiting_for_window"] == [
        {"policy": "NATO members with an RDP MOU", "days": 7.0},
        {"policy": "Standard policy", "days": 2.0},
    ]


def test_a_period_outside_counts_nothing(api, reviewed, reviewer):
    body = api(reviewer).get("/api/v1/metrics/review-burden/", {"start": "2026-05-01", "end": "2026-05-31"}).json()
    assert body["lors_received"] == 0 and body["units"]["times_fewer"] is None
    assert body["median_days_to_decision"] == []


def test_the_page_shows_the_burden(signed_in, reviewed, reviewer):
    page = signed_in(reviewer).get("/metrics/", PERIOD).content.decode()
    assert "Office answers: case by case against combined" in page
    assert "Combined review asked for 2.2x fewer answers than case-by-case review would have." in page
    assert "Median days a case waited for its batch" in page
    csv = downloaded(signed_in(reviewer).get("/metrics/review-burden.csv", PERIOD))
    assert "Case by case,20" in csv


@pytest.mark.parametrize("query,field", [({"start": "2026-05-01", "end": "2026-04-01"}, "start"),
                                         ({"end": "yesterday"}, "end")])
def test_a_bad_period_is_a_400_at_the_field(api, reviewer, query, field):
    response = api(reviewer).get("/api/v1/metrics/review-burden/", query)
    assert response.status_code == 400 and list(response.json()) == [field]


def test_only_reviewers_see_the_burden(api, liaison_pl, nspa_user):
    for user in (liaison_pl, nspa_user):
        assert api(user).get("/api/v1/metrics/review-burden/").status_code == 403


def test_the_burden_is_read_in_a_fixed_number_of_queries(api, reviewed, reviewer, django_assert_max_num_queries):
    client = api(reviewer)
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/metrics/review-burden/", PERIOD).status_code == 200
