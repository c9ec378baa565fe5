"""The LOA and notification steps through the API: who may take each, and the guards as 409s."""
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.process.stages import Stage

from .builders import Builder

pytestmark = pytest.mark.django_db


def step(api, user, case, name, body=None):
    return api(user).post(f"/api/v1/cases/{case.pk}/steps/{name}/", body or {}, format="json")


def test_reviewer_walks_a_notifiable_case_to_offer(api, reviewer):
    builder = Builder(reviewer, large=True)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    assert step(api, reviewer, case, "informal-review").json()["notification"]["informal_review_ends_on"]
    today = timezone.localdate()
    body = step(api, reviewer, case, "ia-approval", {"on": str(today)}).json()
    assert body["loa"]["offer_expires_on"] == str(today + timedelta(days=85))
    assert step(api, reviewer, case, "notification").json()["stage"] == "cn_review"
    refused = step(api, reviewer, case, "offer")
    assert refused.status_code == 409 and "review period" in refused.json()["detail"]
    waiver = step(api, reviewer, case, "emergency-waiver", {"justification": "Presidential emergency."})
    assert waiver.json()["notification"]["emergency_waiver"] is True
    assert step(api, reviewer, case, "offer").json()["stage"] == "loa_offered"


def test_waiver_needs_its_justification(api, reviewer):
    case = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    response = step(api, reviewer, case, "emergency-waiver")
    assert response.status_code == 400 and response.json()["justification"]


def test_acceptance_is_the_purchasers_liaisons(api, reviewer, liaison_de, liaison_pl):
    case = Builder(reviewer, country="DE").build(Stage.LOA_OFFERED)
    oed = str(case.loa.offer_expires_on)
    body = {"signed_on": oed, "initial_deposit_on": oed}
    assert step(api, reviewer, case, "acceptance", body).status_code == 403
    assert step(api, liaison_pl, case, "acceptance", body).status_code == 404
    response = step(api, liaison_de, case, "acceptance", body)
    assert response.status_code == 200 and response.json()["stage"] == "loa_accepted"


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
