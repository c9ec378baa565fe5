"""The lead-nation model: nothing is transferred to a participant before its retransfer assurance is on
file (DOMAIN.md section 5). NSPA records it, through the rule book; NSPA's pages show each nation's
quantities, values, stage and assurance."""
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import RetransferAssurance
from cases.process import workflow
from cases.process.stages import Action, Stage

from .builders import Builder, nspa_staff, purchaser_of


@pytest.fixture
def offered(reviewer):
    """Latvia's case of a lead-nation request (Lithuania leads), offered and still open."""
    builder = Builder(reviewer, lead_nation="LT", country="LV")
    builder.at = timezone.now() - timedelta(days=20)
    return builder.build(Stage.LOA_OFFERED)


def accept(case):
    today = timezone.localdate()
    return workflow.perform(case, Action.ACCEPT, actor=purchaser_of(case.country_id),
                            inputs={"signed_on": today, "initial_deposit_on": today})


def test_a_participant_cannot_accept_before_its_assurance_is_on_file(api, offered):
    with pytest.raises(workflow.GuardFailed, match="retransfer assurance is not on file"):
        accept(offered)
    today = str(timezone.localdate())
    response = api(nspa_staff()).post(f"/api/v1/cases/{offered.case_number}/steps/retransfer-assurance/",
                                      {"given_on": today, "reference": "LV-RA-2026-001"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["timeline"][-1]["verb"] == "assurance_recorded"
    assert RetransferAssurance.objects.get(case=offered).reference == "LV-RA-2026-001"
    assert accept(offered).stage == Stage.LOA_ACCEPTED


def test_the_lead_nation_and_agent_sales_need_none(reviewer, offered):
    lead = offered.joint_request.cases.get(country="LT")
    with pytest.raises(workflow.GuardFailed, match="Only a participant of a lead-nation joint request"):
        workflow.perform(lead, Action.RECORD_ASSURANCE, actor=nspa_staff(),
                         inputs={"given_on": timezone.localdate(), "reference": "x"})
    solo = Builder(reviewer, country="LV")
    solo.at = timezone.now() - timedelta(days=20)
    assert accept(solo.build(Stage.LOA_OFFERED)).stage == Stage.LOA_ACCEPTED


@pytest.mark.parametrize("body,field,message", [
    ({"reference": "LV-1"}, "given_on", "Give the day the participant gave its assurance."),
    ({"given_on": "2001-01-01", "reference": "LV-1"}, "given_on", "is before the joint request was filed"),
    ({"given_on": "2999-01-01", "reference": "LV-1"}, "given_on", "is in the future"),
    ({"given_on": "today", "reference": ""}, "reference", "Give the assurance's document reference."),
])
def test_a_bad_assurance_is_refused_by_field(api, offered, body, field, message):
    body = {key: str(timezone.localdate()) if value == "today" else value for key, value in body.items()}
    response = api(nspa_staff()).post(f"/api/v1/cases/{offered.case_number}/steps/retransfer-assurance/", body,
                                      format="json")
    assert response.status_code == 400 and message in response.json()[field][0]
    assert not RetransferAssurance.objects.exists()


def test_an_assurance_is_recorded_once_and_only_by_nspa(api, offered):
    path = f"/api/v1/cases/{offered.case_number}/steps/retransfer-assurance/"
    body = {"given_on": str(timezone.localdate()), "reference": "LV-RA-1"}
    assert api(purchaser_of("LV")).post(path, body, format="json").status_code == 403
    assert api(nspa_staff()).post(path, body, format="json").status_code == 200
    again = api(nspa_staff()).post(path, body, format="json")
    assert again.status_code == 409 and "was recorded on" in again.json()["detail"]


def test_the_joint_request_page_shows_each_nation(client, offered, django_assert_max_num_queries):
    joint = offered.joint_request
    client.force_login(nspa_staff())
    with django_assert_max_num_queries(8):
        page = client.get(f"/nspa/{joint.reference}/").content.decode()
    assert "Latvia" in page and "Lithuania (lead)" in page and "not on file: the LOA cannot be accepted" in page
    assert '<td class="num">10</td>' in page and "0 of 2 nations have accepted their LOA" in page
    listing = client.get("/nspa/").content.decode()
    assert f'href="/nspa/{joint.reference}/"' in listing and "$2.0M in all" in listing


def test_the_joint_request_page_is_nspas_and_reviewers(client, offered, liaison_pl):
    client.force_login(liaison_pl)
    assert client.get(f"/nspa/{offered.joint_request.reference}/").status_code == 403
