"""What an adversarial pass found, each answered as a trusted system would: a clear 4xx, JSON under
/api/, nothing written."""
import pytest

from cases.models import Case

from .builders import Builder
from cases.process.stages import Stage

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("role,path", [
    (None, "/api/v1/auth/token/"), ("liaison_pl", "/api/v1/lors/"), ("nspa_user", "/api/v1/joint-requests/"),
    ("reviewer", "/api/v1/batches/{batch}/decisions/"), ("reviewer", "/api/v1/cases/{case}/steps/ia-approval/"),
])
def test_a_deeply_nested_body_is_malformed_json(api, request, reviewer, role, path):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    client = api(request.getfixturevalue(role) if role else None)
    count = Case.objects.count()
    response = client.post(path.format(case=case.pk, batch=case.review_batch_id), NESTED, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "nested too deeply" in response.json()["detail"]
    assert Case.objects.count() == count
