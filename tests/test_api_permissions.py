"""The permission matrix: every role x every endpoint x own / other country, refusals included."""
import pytest

from cases.models import Case, JointRequest
from cases.process.services.joint_requests import file_joint_request
from cases.process.stages import Stage

from . import api_data
from .builders import lor_fields, submit
from .factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "reviewer", "liaison_pl", "liaison_de", "nspa", "admin"]


@pytest.fixture
def world(reviewer, liaison_pl, liaison_de, nspa_user, admin_user):
    pl = submit(liaison_pl, country="PL")
    de = submit(liaison_de, country="DE")
    fields = {k: v for k, v in lor_fields().items() if k not in {"country", "line_items", "title"}}
    joint = file_joint_request(
        filed_by=nspa_user, title="Stinger, Baltic coalition", model="agent_sales",
        participants=[{"country": c, "line_items": lor_fields()["line_items"]} for c in ("LT", "LV")], **fields,
    )
    users = {
        "anonymous": None, "no_role": UserFactory(username="nobody"), "reviewer": reviewer,
        "liaison_pl": liaison_pl, "liaison_de": liaison_de, "nspa": nspa_user, "admin": admin_user,
    }
    return {"users": users, "pl": pl, "de": de, "joint": joint, "lt": joint.cases.get(country="LT")}


def call(api, world, role, method, path, body=None):
    client = api(world["users"][role])
    path = path.format(pl=world["pl"].case_number, de=world["de"].case_number, lt=world["lt"].case_number,
                       joint=world["joint"].reference)
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


# (method, path, body, {role: expected status}); roles left out expect the row's "*" entry.
MATRIX = [
    ("get", "/api/v1/cases/", None, {"anonymous": 401, "no_role": 403, "*": 200}),
    ("get", "/api/v1/cases/{pl}/", None, {"anonymous": 401, "no_role": 403, "liaison_de": 404, "nspa": 404, "*": 200}),
    ("get", "/api/v1/cases/{de}/", None, {"anonymous": 401, "no_role": 403, "liaison_pl": 404, "nspa": 404, "*": 200}),
    ("get", "/api/v1/cases/{lt}/", None,
     {"anonymous": 401, "no_role": 403, "liaison_pl": 404, "liaison_de": 404, "*": 200}),
    ("post", "/api/v1/lors/", api_data.lor(country="PL"), {"anonymous": 401, "liaison_pl": 201, "liaison_de": 400, "*": 403}),
    ("post", "/api/v1/lors/", api_data.lor(country="DE"), {"anonymous": 401, "liaison_pl": 400, "liaison_de": 201, "*": 403}),
    ("post", "/api/v1/cases/{pl}/withdraw/", {}, {"anonymous": 401, "liaison_pl": 200, "liaison_de": 404, "*": 403}),
    ("post", "/api/v1/cases/{de}/withdraw/", {}, {"anonymous": 401, "liaison_pl": 404, "liaison_de": 200, "*": 403}),
    ("get", "/api/v1/joint-requests/", None, {"reviewer": 200, "nspa": 200, "admin": 200, "anonymous": 401, "*": 403}),
    ("get", "/api/v1/joint-requests/{joint}/", None,
     {"reviewer": 200, "nspa": 200, "admin": 200, "anonymous": 401, "*": 403}),
    ("post", "/api/v1/joint-requests/", api_data.joint(), {"nspa": 201, "anonymous": 401, "*": 403}),
    ("get", "/api/v1/batches/", None, {"reviewer": 200, "admin": 200, "anonymous": 401, "*": 403}),
    # NSPA takes a step (the retransfer assurance), so a case it may not see is 404 to it, as to a liaison.
    ("post", "/api/v1/cases/{pl}/steps/ia-approval/", {}, {"anonymous": 401, "liaison_de": 404, "nspa": 404,
                                                           "no_role": 403, "liaison_pl": 403, "*": 409}),
    ("get", "/api/v1/countries/", None, {"anonymous": 401, "no_role": 403, "*": 200}),
    ("get", "/api/v1/bins/", None, {"anonymous": 401, "no_role": 403, "*": 200}),
    ("get", "/api/v1/capabilities/", None, {"anonymous": 401, "no_role": 403, "*": 200}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,body,expected", MATRIX, ids=[f"{m} {p}#{i}" for i, (m, p, _, _) in enumerate(MATRIX)])
def test_matrix(api, world, role, method, path, body, expected):
    cases_before = Case.objects.count()
    response = call(api, world, role, method, path, body)
    status = expected.get(role, expected["*"])
    assert response.status_code == status, response.content
    if method == "post" and status not in (200, 201):
        assert Case.objects.count() == cases_before  # a refusal writes nothing
    if status == 404:
        assert "case_number" not in response.content.decode()


# What each role's case list holds, and what filtering by someone else's country reveals: nothing.
VISIBLE = {
    "reviewer": {"PL", "DE", "LT", "LV"},
    "admin": {"PL", "DE", "LT", "LV"},
    "liaison_pl": {"PL"},
    "liaison_de": {"DE"},
    "nspa": {"LT", "LV"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_lists_hold_only_what_the_role_may_see(api, world, role):
    body = call(api, world, role, "get", "/api/v1/cases/").json()
    assert sorted(row["country"] for row in body["results"]) == sorted(VISIBLE[role])


@pytest.mark.parametrize("role", sorted(VISIBLE))
@pytest.mark.parametrize("country", ["PL", "DE", "LT"])
def test_filtering_by_another_country_leaks_nothing(api, world, role, country):
    body = call(api, world, role, "get", f"/api/v1/cases/?country={country}").json()
    expected = 1 if country in VISIBLE[role] else 0
    assert len(body["results"]) == expected


def test_withdrawn_case_is_withdrawn_through_the_stage_machine(api, world):
    response = call(api, world, "liaison_pl", "post", "/api/v1/cases/{pl}/withdraw/", {"reason": "Budget moved."})
    assert response.json()["stage"] == Stage.WITHDRAWN
    assert response.json()["timeline"][-1]["verb"] == "withdraw"
    again = call(api, world, "liaison_pl", "post", "/api/v1/cases/{pl}/withdraw/", {})
    assert again.status_code == 409 and "Withdrawn" in again.json()["detail"]


def test_joint_request_lists_hold_its_cases(api, world):
    body = call(api, world, "nspa", "get", "/api/v1/joint-requests/").json()
    assert len(body["results"]) == JointRequest.objects.count() == 1
    assert [case["country"] for case in body["results"][0]["cases"]] == ["LT", "LV"]
