"""Bad input to the API: a clear 4xx naming the field, never a 500, and nothing written."""
import json

import pytest

from cases.models import Case, IdempotencyRecord, JointRequest, LineItem

from . import api_data
from .api_data import joint, lor, with_item

pytestmark = pytest.mark.django_db


def assert_nothing_written():
    assert not Case.objects.exists()
    assert not LineItem.objects.exists()
    assert not JointRequest.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def field_errors(response, *path):
    """The error messages at `path` in a DRF error body ("line_items", 0, "quantity")."""
    node = response.json()
    for step in path:
        node = node[str(step)]  # list positions are object keys in DRF's error bodies
    assert isinstance(node, list) and node and all(isinstance(message, str) and message for message in node), node
    return node


LOR_CASES = [
    ("zero quantity", with_item(lor(), quantity=0), ("line_items", 0, "quantity")),
    ("negative quantity", with_item(lor(), quantity=-4), ("line_items", 0, "quantity")),
    ("huge quantity", with_item(lor(), quantity=10**12), ("line_items", 0, "quantity")),
    ("negative cost", with_item(lor(), unit_cost_usd="-1.00"), ("line_items", 0, "unit_cost_usd")),
    ("non-numeric cost", with_item(lor(), unit_cost_usd="lots"), ("line_items", 0, "unit_cost_usd")),
    ("too many decimals", with_item(lor(), unit_cost_usd="1.001"), ("line_items", 0, "unit_cost_usd")),
    ("unknown capability", with_item(lor(), capability="death-ray"), ("line_items", 0, "capability")),
    ("description too long", with_item(lor(), description="x" * 201), ("line_items", 0, "description")),
    ("unknown country", lor(country="XX"), ("country",)),
    ("another country", lor(country="DE"), ("country",)),
    ("unknown agency", lor(implementing_agency="Z"), ("implementing_agency",)),
    ("unknown request type", lor(request_type="GIFT"), ("request_type",)),
    ("unknown funding", lor(funding_source="lottery"), ("funding_source",)),
    ("delivery in the past", lor(desired_delivery_date="2020-01-01"), ("desired_delivery_date",)),
    ("not a date", lor(desired_delivery_date="soon"), ("desired_delivery_date",)),
    ("no line items", lor(line_items=[]), ("line_items", "non_field_errors")),
    ("line items not a list", lor(line_items="many"), ("line_items", "non_field_errors")),
    ("too many line items", lor(line_items=api_data.LOR["line_items"] * 201), ("line_items", "non_field_errors")),
    ("title too long", lor(title="x" * 201), ("title",)),
    ("justification too long", lor(justification="x" * 5001), ("justification",)),
    ("missing title", {k: v for k, v in api_data.LOR.items() if k != "title"}, ("title",)),
]


@pytest.mark.parametrize("label,body,path", LOR_CASES, ids=[row[0] for row in LOR_CASES])
def test_bad_lor_is_refused_by_field(api, liaison_pl, label, body, path):
    response = api(liaison_pl).post("/api/v1/lors/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"key-{label}")
    assert response.status_code == 400, response.content
    field_errors(response, *path)
    assert_nothing_written()


def test_malformed_json(api, liaison_pl):
    response = api(liaison_pl).post("/api/v1/lors/", '{"country": "PL",', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert_nothing_written()


def test_wrong_content_type(api, liaison_pl):
    response = api(liaison_pl).post("/api/v1/lors/", "country=PL", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_body_over_one_megabyte(api, liaison_pl):
    body = json.dumps(lor(justification="x" * (1024 * 1024)))
    response = api(liaison_pl).post("/api/v1/lors/", body, content_type="application/json")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert_nothing_written()


def test_nspa_may_not_call_lors(api, nspa_user):
    response = api(nspa_user).post("/api/v1/lors/", lor(), format="json")
    assert response.status_code == 403
    assert_nothing_written()


def test_liaison_may_not_file_joint_requests(api, liaison_pl):
    response = api(liaison_pl).post("/api/v1/joint-requests/", joint(), format="json")
    assert response.status_code == 403
    assert_nothing_written()


def participants(*codes):
    return [{"country": code, "line_items": api_data.JOINT["participants"][0]["line_items"]} for code in codes]


JOINT_CASES = [
    ("duplicate participant", joint(participants=participants("LT", "LT")), ("participants", 1, "country")),
    ("non-NATO participant", joint(participants=participants("LT", "IN")), ("participants", 1, "country")),
    ("unknown participant", joint(participants=participants("LT", "QQ")), ("participants", 1, "country")),
    ("one participant", joint(participants=participants("LT")), ("participants", "non_field_errors")),
    ("lead nation not participating", joint(model="lead_nation", lead_nation="PL"), ("lead_nation",)),
    ("lead nation missing", joint(model="lead_nation"), ("lead_nation",)),
    ("agent sales with a lead nation", joint(lead_nation="LT"), ("lead_nation",)),
    ("unknown model", joint(model="barter"), ("model",)),
    ("participant's zero quantity",
     joint(participants=[participants("LT")[0], {"country": "LV", "line_items": [
         dict(api_data.JOINT["participants"][0]["line_items"][0], quantity=0)]}]),
     ("participants", 1, "line_items", 0, "quantity")),
    ("participant's unknown capability",
     joint(participants=[participants("LT")[0], {"country": "LV", "line_items": [
         dict(api_data.JOINT["participants"][0]["line_items"][0], capability="nope")]}]),
     ("participants", 1, "line_items", 0, "capability")),
]


@pytest.mark.parametrize("label,body,path", JOINT_CASES, ids=[row[0] for row in JOINT_CASES])
def test_bad_joint_request_is_refused_by_field(api, nspa_user, label, body, path):
    response = api(nspa_user).post("/api/v1/joint-requests/", body, format="json")
    assert response.status_code == 400, response.content
    field_errors(response, *path)
    assert_nothing_written()


def test_partner_nations_may_join(api, nspa_user):
    response = api(nspa_user).post("/api/v1/joint-requests/", joint(participants=participants("LT", "JP")), format="json")
    assert response.status_code == 201
    assert {case["country"] for case in response.json()["cases"]} == {"LT", "JP"}


class TestToken:
    def test_good_credentials_give_a_working_token(self, client, liaison_pl):
        response = client.post("/api/v1/auth/token/", {"username": "li-pl", "password": "test-pass-2026"},
                               content_type="application/json")
        assert response.status_code == 200
        token = response.json()["token"]
        assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    def test_wrong_credentials_are_401(self, client, liaison_pl):
        response = client.post("/api/v1/auth/token/", {"username": "li-pl", "password": "nope"},
                               content_type="application/json")
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "No account signs in with that username and password."}

    def test_a_missing_field_is_400_by_field(self, client):
        response = client.post("/api/v1/auth/token/", {"username": "li-pl"}, content_type="application/json")
        assert response.status_code == 400 and response.json()["password"]

    def test_bad_token_is_401(self, client):
        assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401

    def test_token_endpoint_is_throttled(self, client, liaison_pl):
        from django.core.cache import cache

        cache.clear()
        statuses = [  # a different name each time, so the per-account lock-out stays out of the way
            client.post("/api/v1/auth/token/", {"username": f"guess-{n}", "password": "nope"},
                        content_type="application/json").status_code
            for n in range(12)
        ]
        assert statuses[:10] == [401] * 10
        assert statuses[10:] == [429, 429]
        cache.clear()
