"""A purchaser supplies what an LOR lacked, or corrects a returned LOR and resubmits it (API and page)."""
import pytest

from cases.models import Case
from cases.process.stages import Stage

from .builders import Builder, submit

pytestmark = pytest.mark.django_db


def test_api_resubmits_a_returned_lor(api, reviewer, liaison_de):
    case = Builder(reviewer, country="DE").build(Stage.LOR_RETURNED)
    response = api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", {"justification": "Basing: Grafenwoehr."},
                                    format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "lor_actionable"
    assert [event["verb"] for event in response.json()["timeline"]][-2:] == ["resubmit", "mark_actionable"]


def test_api_supplies_a_missing_funding_source(api, liaison_pl):
    case = submit(liaison_pl, country="PL", funding_source="")
    response = api(liaison_pl).post(f"/api/v1/cases/{case.case_number}/lor/", {"funding_source": "fmf"}, format="json")
    assert response.json()["stage"] == "lor_actionable" and response.json()["lor"]["missing"] == []


@pytest.mark.parametrize(
    "body,field", [({}, "non_field_errors"), ({"funding_source": "lottery"}, "funding_source"),
                   ({"desired_delivery_date": "2020-01-01"}, "desired_delivery_date")],
)
def test_api_refuses_bad_amendments(api, liaison_pl, body, field):
    case = submit(liaison_pl, country="PL", funding_source="")
    response = api(liaison_pl).post(f"/api/v1/cases/{case.case_number}/lor/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_RECEIVED


def test_api_amendment_is_the_purchasers_own(api, reviewer, liaison_pl, liaison_de):
    case = submit(liaison_pl, country="PL", funding_source="")
    assert api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", {"funding_source": "fmf"}, format="json").status_code == 404
    assert api(reviewer).post(f"/api/v1/cases/{case.case_number}/lor/", {"funding_source": "fmf"}, format="json").status_code == 403
    in_review = Builder(reviewer, country="PL").build(Stage.IN_REVIEW)
    assert api(liaison_pl).post(f"/api/v1/cases/{in_review.case_number}/lor/", {"funding_source": "fmf"}, format="json").status_code == 409


def test_the_case_page_resubmits(client, reviewer, liaison_de):
    case = Builder(reviewer, country="DE").build(Stage.LOR_RETURNED)
    client.force_login(liaison_de)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert "Correct and resubmit" in page and "Say where it is based." in page
    form = {"request_type": "LOA", "funding_source": "national_funds", "desired_delivery_date": "2029-06-30",
            "justification": "Basing: Grafenwoehr.", "originator_reference": "", "third_party_involvement": ""}
    refused = client.post(f"/cases/{case.case_number}/lor/", {**form, "desired_delivery_date": "2020-01-01"})
    assert refused.status_code == 400 and "in the past" in refused.content.decode()
    done = client.post(f"/cases/{case.case_number}/lor/", form, follow=True)
    assert "the case is now LOR actionable" in done.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_ACTIONABLE
