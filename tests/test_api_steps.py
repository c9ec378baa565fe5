"""The LOA and notification steps through the API: who may take each, and the guards as 409s."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.process.stages import Stage

from .builders import Builder

pytestmark = pytest.mark.django_db


def step(api, user, case, name, body=None):
    return api(user).post(f"/api/v1/cases/{case.case_number}/steps/{name}/", body or {}, format="json")


def test_reviewer_walks_a_notifiable_case_to_offer(api, reviewer, settings):
    settings.API_TOKEN_HOURS = 24 * 60  # the walk spans weeks; a token's expiry is tests/test_security.py's
    builder = Builder(reviewer, large=True)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    started = step(api, reviewer, case, "informal-review").json()
    assert started["notification"]["informal_review_ends_on"] == str(timezone.localdate() + timedelta(days=20))
    refused = step(api, reviewer, case, "notification")
    assert refused.status_code == 409 and "formal notification follows it" in refused.json()["detail"]
    assert {entry["step"]: entry["reason"] for entry in refused_detail(api, reviewer, case)}["notification"] \
        == refused.json()["detail"]
    today = timezone.localdate()
    body = step(api, reviewer, case, "ia-approval", {"on": str(today)}).json()
    assert body["loa"]["offer_expires_on"] == str(today + timedelta(days=85))
    with time_machine.travel(timezone.now() + timedelta(days=21)):
        assert step(api, reviewer, case, "notification").json()["stage"] == "cn_review"
        refused = step(api, reviewer, case, "offer")
        assert refused.status_code == 409 and "review period" in refused.json()["detail"]
        waiver = step(api, reviewer, case, "emergency-waiver", {"justification": "Presidential emergency."})
        assert waiver.json()["notification"]["emergency_waiver"] is True
        body = step(api, reviewer, case, "offer").json()
        assert body["stage"] == "loa_offered" and {entry["step"] for entry in body["actions"]} == set()


def refused_detail(api, user, case):
    return api(user).get(f"/api/v1/cases/{case.case_number}/").json()["blocked"]


def test_waiver_needs_its_justification(api, reviewer):
    case = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    response = step(api, reviewer, case, "emergency-waiver")
    assert response.status_code == 400 and response.json()["justification"]


def test_acceptance_is_the_purchasers_liaisons(api, reviewer, liaison_de, liaison_pl):
    builder = Builder(reviewer, country="DE")
    builder.at = timezone.now() - timedelta(days=10)
    case = builder.build(Stage.LOA_OFFERED)
    today = str(timezone.localdate())
    body = {"signed_on": today, "initial_deposit_on": today}
    assert step(api, reviewer, case, "acceptance", body).status_code == 403
    assert step(api, liaison_pl, case, "acceptance", body).status_code == 404
    missing = step(api, liaison_de, case, "acceptance", {"signed_on": today})
    assert missing.status_code == 400 and missing.json() == {
        "initial_deposit_on": ["Give the date the initial deposit was received."]}
    response = step(api, liaison_de, case, "acceptance", body)
    assert response.status_code == 200 and response.json()["stage"] == "loa_accepted"


def test_an_offer_past_its_oed_offers_no_acceptance(api, reviewer, liaison_de):
    case = Builder(reviewer, country="DE").build(Stage.LOA_OFFERED)  # offered in March 2026: its OED is gone
    detail = api(liaison_de).get(f"/api/v1/cases/{case.case_number}/").json()
    assert "acceptance" not in {entry["step"] for entry in detail["actions"]}
    reason = {entry["step"]: entry["reason"] for entry in detail["blocked"]}["acceptance"]
    assert "has passed" in reason
    today = str(timezone.localdate())
    refused = step(api, liaison_de, case, "acceptance", {"signed_on": today, "initial_deposit_on": today})
    assert refused.status_code == 409 and refused.json()["detail"] == reason


def test_liaisons_cannot_take_reviewer_steps(api, reviewer, liaison_de):
    case = Builder(reviewer, country="DE").build(Stage.LOA_DEVELOPMENT)
    assert step(api, liaison_de, case, "ia-approval").status_code == 403


def test_unknown_step_is_404(api, reviewer):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    assert step(api, reviewer, case, "teleport").status_code == 404


def test_a_step_the_stage_does_not_allow_is_409(api, reviewer):
    case = Builder(reviewer).build(Stage.IN_REVIEW)
    response = step(api, reviewer, case, "implementation")
    assert response.status_code == 409 and response.json()["detail"]
