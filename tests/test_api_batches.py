"""Combined review through the API: the queue, a batch side by side, start, and batch decisions."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.api.batches import BatchSerializer
from cases.models import BatchStatus, Case, Decision, ReviewBatch
from cases.process.stages import Stage
from cases.review.batch_facts import attach_case_facts
from cases.review.batching import build_batches
from cases.review.services import start_batch

from .builders import LARGE_ITEMS, concur_all, submit
from .concurrency import run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(reviewer):
    """A started batch of three Polish, German and French anti-armor cases."""
    for country in ("PL", "DE", "FR"):
        submit(reviewer, country=country)
    build_batches()
    return concur_all(start_batch(ReviewBatch.objects.get(), reviewer=reviewer))


def ids(batch):
    return list(batch.cases.order_by("country_id").values_list("case_number", flat=True))  # DE, FR, PL


def decide(api, user, batch, decisions):
    return api(user).post(f"/api/v1/batches/{batch.pk}/decisions/", {"decisions": decisions}, format="json")


@pytest.mark.parametrize("role", ["liaison_pl", "nspa_user"])
def test_only_reviewers_reach_batches(api, request, batch, role):
    client = api(request.getfixturevalue(role))
    assert client.get("/api/v1/batches/").status_code == 403
    assert client.get(f"/api/v1/batches/{batch.pk}/").status_code == 403
    assert client.post(f"/api/v1/batches/{batch.pk}/start/").status_code == 403
    response = decide(api, request.getfixturevalue(role), batch, [{"case": ids(batch)[0], "outcome": "approve"}])
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_queue_row(api, reviewer, batch):
    submit(reviewer, country="PL", line_items=LARGE_ITEMS)
    build_batches()
    rows = {row["capability"]: row for row in api(reviewer).get("/api/v1/batches/").json()["results"]}
    row = rows["anti-armor"]
    assert row["key"] == "bin:nato-rdp-mou" and row["bin"] == "nato-rdp-mou" and row["region"] is None
    assert row["status"] == "in_review" and row["case_count"] == 3
    assert row["countries"] == ["DE", "FR", "PL"]
    assert row["total_value_usd"] == "3000000.00"
    assert row["oldest_case_age_days"] >= 0
    assert row["notification_count"] == 0
    assert rows["air-missile-defense"]["notification_count"] == 1  # 30 M USD of MDE for a NATO member


@pytest.mark.parametrize(
    "query,count",
    [("status=in_review", 1), ("status=open", 0), ("capability=anti-armor", 1), ("bin=nato-rdp-mou", 1),
     ("region=EUCOM", 0), ("key=bin:nato-rdp-mou", 1), ("key=region:EUCOM", 0)],
)
def test_queue_filters(api, reviewer, batch, query, count):
    assert len(api(reviewer).get(f"/api/v1/batches/?{query}").json()["results"]) == count


def test_list_rows_are_what_the_serializer_would_give(api, reviewer, batch):
    """The list renders database rows and `case_facts` for speed (cases.shortcuts.rows); the serializer over
    batches with their facts attached stays the contract: a bin's batch, a region's, an emptied one."""
    for country in ("BR", "CO", "PL"):
        submit(reviewer, country=country, line_items=[dict(LARGE_ITEMS[0], capability="maritime")])
    build_batches()
    emptied = ReviewBatch.objects.get(capability="maritime", bin__isnull=False)
    Case.objects.filter(review_batch=emptied).update(review_batch=None)
    Case.objects.filter(country="CO").update(created_at=timezone.now() - timedelta(days=400, hours=1))
    rows = api(reviewer).get("/api/v1/batches/").json()["results"]
    expected = BatchSerializer(attach_case_facts(ReviewBatch.objects.order_by("-created_at", "-id")), many=True).data
    assert rows == json.loads(json.dumps(expected)) and len(rows) == 3
    by_id = {row["id"]: row for row in rows}
    region = ReviewBatch.objects.get(group_key="region:SOUTHCOM").pk
    assert by_id[region]["countries"] == ["BR", "CO"] and by_id[region]["bin"] is None
    assert by_id[region]["oldest_case_age_days"] == 400
    assert by_id[emptied.pk]["case_count"] == 0 and by_id[emptied.pk]["oldest_case_age_days"] is None
    assert rows[-1]["assigned_reviewer"] == reviewer.username


def test_batch_side_by_side_with_precedents(api, reviewer, batch):
    earlier = submit(reviewer, country="PL")
    build_batches()
    other = ReviewBatch.objects.exclude(pk=batch.pk).get()
    concur_all(start_batch(other, reviewer=reviewer))
    decide(api, reviewer, other, [{"case": earlier.case_number, "outcome": "approve"}])
    body = api(reviewer).get(f"/api/v1/batches/{batch.pk}/").json()
    cases = {case["country"]: case for case in body["cases"]}
    assert set(cases) == {"DE", "FR", "PL"}
    assert cases["PL"]["line_items"][0]["quantity"] == 10
    assert cases["PL"]["funding_source"] == "national_funds" and cases["PL"]["desired_delivery_date"] == "2028-06-30"
    assert [p["case_number"] for p in cases["PL"]["precedents"]["own"]] == [earlier.case_number]
    assert cases["PL"]["precedents"]["own_tally"] == {"approvals": 1, "denials": 0}
    assert cases["DE"]["precedents"]["own"] == []
    assert [p["country"] for p in cases["DE"]["precedents"]["group"]] == ["PL"]  # prior approvals count
    assert body["group_tally"] == {"approvals": 1, "denials": 0}


def test_start_takes_an_open_batch_once(api, reviewer):
    submit(reviewer)
    build_batches()
    batch = ReviewBatch.objects.get()
    response = api(reviewer).post(f"/api/v1/batches/{batch.pk}/start/")
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    assert response.json()["assigned_reviewer"] == "rev"
    assert api(reviewer).post(f"/api/v1/batches/{batch.pk}/start/").status_code == 409


def test_bulk_decisions(api, reviewer, batch):
    de, fr, pl = ids(batch)
    response = decide(api, reviewer, batch, [
        {"case": de, "outcome": "approve"},
        {"case": fr, "outcome": "deny", "reason": "Not releasable."},
        {"case": pl, "outcome": "return", "reason": "State the basing."},
    ])
    assert response.status_code == 200, response.content
    stages = dict(Case.objects.values_list("case_number", "stage"))
    assert (stages[de], stages[fr], stages[pl]) == ("loa_development", "denied", "lor_returned")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DECIDED and batch.decided_at is not None
    assert Decision.objects.get(case__case_number=fr).reason == "Not releasable."
    assert Case.objects.get(case_number=de).notification.required is False  # assessed on entering LOA development


def test_batch_stays_in_review_until_every_case_is_decided(api, reviewer, batch):
    decide(api, reviewer, batch, [{"case": ids(batch)[0], "outcome": "approve"}])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IN_REVIEW


@pytest.mark.parametrize("outcome", ["deny", "return"])
def test_deny_and_return_need_a_reason(api, reviewer, batch, outcome):
    response = decide(api, reviewer, batch, [{"case": ids(batch)[0], "outcome": "approve"},
                                              {"case": ids(batch)[1], "outcome": outcome}])
    assert response.status_code == 400
    assert response.json()["decisions"]["1"]["reason"]
    assert not Decision.objects.exists()


def test_a_case_outside_the_batch_is_400(api, reviewer, batch):
    stranger = submit(reviewer, country="AT")
    response = decide(api, reviewer, batch, [{"case": stranger.case_number, "outcome": "approve"}])
    assert response.status_code == 400 and response.json()["decisions"]["0"]["case"]


def test_an_already_decided_case_is_409_and_nothing_is_applied(api, reviewer, batch):
    de, fr, pl = ids(batch)
    decide(api, reviewer, batch, [{"case": de, "outcome": "approve"}])
    response = decide(api, reviewer, batch, [{"case": fr, "outcome": "approve"}, {"case": de, "outcome": "deny",
                                                                                   "reason": "Changed my mind."}])
    assert response.status_code == 409
    assert "applies only while a case is In combined review" in response.json()["detail"]
    assert Case.objects.get(case_number=fr).stage == Stage.IN_REVIEW  # all or nothing
    assert Decision.objects.count() == 1


def test_deciding_an_open_batch_is_409(api, reviewer):
    case = submit(reviewer)
    build_batches()
    response = decide(api, reviewer, ReviewBatch.objects.get(), [{"case": case.case_number, "outcome": "approve"}])
    assert response.status_code == 409 and "Start the review" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_one_case_at_once(postgres, api, reviewer, admin_user):
    case = submit(reviewer)
    build_batches()
    batch = concur_all(start_batch(ReviewBatch.objects.get(), reviewer=reviewer))
    clients = iter([reviewer, admin_user])
    users = [next(clients), next(clients)]

    def attempt():
        user = users.pop()
        return decide(api, user, batch, [{"case": case.case_number, "outcome": "approve"}]).status_code

    assert sorted(run_concurrently(attempt, 2)) == [200, 409]
    assert Decision.objects.filter(case=case).count() == 1


def test_queue_query_count_does_not_grow(api, reviewer, django_assert_max_num_queries):
    for index in range(60):
        submit(reviewer, country=["PL", "AT", "JP", "BR"][index % 4],
               line_items=[dict(LARGE_ITEMS[0], capability=["anti-armor", "maritime", "isr-uas"][index % 3])])
    build_batches()
    client = api(reviewer)
    with django_assert_max_num_queries(6):  # token+user, profile, page, case facts, rules
        body = client.get("/api/v1/batches/").json()
    assert len(body["results"]) == 12


def test_batch_detail_query_count_does_not_grow_with_its_size(api, reviewer, django_assert_max_num_queries):
    for index in range(45):  # in no bin: the standard policy's window holds 50 cases
        submit(reviewer, country=["AT", "CH", "HR", "AL", "ME"][index % 5])
    build_batches()
    batch = ReviewBatch.objects.get()
    client = api(reviewer)
    with django_assert_max_num_queries(18):  # with its offices overdue, its policy's releases and timers
        body = client.get(f"/api/v1/batches/{batch.pk}/").json()
    assert len(body["cases"]) == 45
