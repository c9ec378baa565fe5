"""Idempotency-Key on the create endpoints: a retry never creates a second set of cases."""
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, IdempotencyRecord, JointRequest

from .api_data import joint, lor, with_item
from .concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def post(client, path, body, key):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_same_body_returns_the_first_response(api, liaison_pl):
    client = api(liaison_pl)
    first = post(client, "/api/v1/lors/", lor(), "retry-1")
    second = post(client, "/api/v1/lors/", lor(), "retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_same_key_different_body_is_409(api, liaison_pl):
    client = api(liaison_pl)
    post(client, "/api/v1/lors/", lor(), "retry-2")
    response = post(client, "/api/v1/lors/", lor(title="Another request"), "retry-2")
    assert response.status_code == 409
    assert "different request" in response.json()["detail"]
    assert Case.objects.count() == 1


def test_keys_are_scoped_to_the_user(api, liaison_pl, liaison_de):
    assert post(api(liaison_pl), "/api/v1/lors/", lor(), "shared").status_code == 201
    assert post(api(liaison_de), "/api/v1/lors/", lor(country="DE"), "shared").status_code == 201
    assert Case.objects.count() == 2


def test_without_a_key_each_post_creates(api, liaison_pl):
    client = api(liaison_pl)
    client.post("/api/v1/lors/", lor(), format="json")
    client.post("/api/v1/lors/", lor(), format="json")
    assert Case.objects.count() == 2


def test_a_refused_request_is_not_remembered(api, liaison_pl):
    client = api(liaison_pl)
    assert post(client, "/api/v1/lors/", with_item(lor(), quantity=0), "fix-me").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(client, "/api/v1/lors/", lor(), "fix-me").status_code == 201


def test_a_key_is_kept_24_hours_then_forgotten(api, liaison_pl):
    client = api(liaison_pl)
    post(client, "/api/v1/lors/", lor(), "old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=23))
    assert post(client, "/api/v1/lors/", lor(), "old")["Idempotent-Replayed"] == "true"
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert post(client, "/api/v1/lors/", lor(), "old").status_code == 201
    assert Case.objects.count() == 2


def test_key_length_is_checked(api, liaison_pl):
    response = post(api(liaison_pl), "/api/v1/lors/", lor(), "k" * 256)
    assert response.status_code == 400 and response.json()["Idempotency-Key"]


def test_joint_request_retry_creates_one_set_of_cases(api, nspa_user):
    client = api(nspa_user)
    responses = [post(client, "/api/v1/joint-requests/", joint(), "nspa-1") for _ in range(3)]
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["reference"] for response in responses}) == 1
    assert JointRequest.objects.count() == 1 and Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path,body,role", [("/api/v1/lors/", lor(), "liaison_pl"),
                                            ("/api/v1/joint-requests/", joint(), "nspa_user")])
def test_concurrent_requests_with_one_key_create_once(postgres, request, api, path, body, role):
    """Real concurrent transactions on PostgreSQL: the second waits on the key's row, then replays."""
    user = request.getfixturevalue(role)
    workers = 4
    responses = run_concurrently(lambda: post(api(user), path, body, "concurrent-key"), workers)
    assert [response.status_code for response in responses] == [201] * workers
    key = "case_number" if path == "/api/v1/lors/" else "reference"
    assert len({response.json()[key] for response in responses}) == 1
    assert sum(response.has_header("Idempotent-Replayed") for response in responses) == workers - 1
    assert Case.objects.count() == (1 if path == "/api/v1/lors/" else 2)
