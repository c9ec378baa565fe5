"""Many clients at once, with real transactions on PostgreSQL: nothing duplicated, nothing lost."""
import pytest

from cases.models import Case, JointRequest

from .api_data import joint, lor
from .concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_concurrent_lors_for_one_country_and_agency(postgres, api, liaison_pl):
    responses = run_concurrently(lambda: api(liaison_pl).post("/api/v1/lors/", lor(), format="json"), 50)
    assert [response.status_code for response in responses] == [201] * 50
    numbers = {response.json()["case_number"] for response in responses}
    assert len(numbers) == 50 and all(number.startswith("PL-B-") for number in numbers)
    assert Case.objects.count() == 50


def test_nspa_retrying_a_joint_request_ten_times_files_it_once(postgres, api, nspa_user):
    client = api(nspa_user)
    first = client.post("/api/v1/joint-requests/", joint(), format="json", HTTP_IDEMPOTENCY_KEY="nspa-retry")
    retries = run_concurrently(
        lambda: api(nspa_user).post("/api/v1/joint-requests/", joint(), format="json", HTTP_IDEMPOTENCY_KEY="nspa-retry"),
        6,
    )
    later = [client.post("/api/v1/joint-requests/", joint(), format="json", HTTP_IDEMPOTENCY_KEY="nspa-retry")
             for _ in range(3)]
    responses = [first, *retries, *later]
    assert len(responses) == 10
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["reference"] for response in responses}) == 1
    assert JointRequest.objects.count() == 1 and Case.objects.count() == 2
