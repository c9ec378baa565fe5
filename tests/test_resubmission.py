"""A purchaser supplies what an LOR lacked, or corrects a returned LOR and resubmits it (API and page)."""
import pytest
from django.urls import reverse

from decimal import Decimal

from cases.models import Case, Verb
from cases.process.services.lor import amend_lor
from cases.process.stages import Stage
from cases.review.batching import build_batches

from .builders import SMALL_ITEMS, Builder, submit
from .test_api_input import field_errors

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


def items_post(*items):
    """The case page's line-item formset as a browser posts it."""
    data = {"items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": str(len(items)),
            "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "200"}
    for index, item in enumerate(items):
        data.update({f"items-{index}-{name}": value for name, value in item.items() if value is not False})
    return data


JAVELIN = {"description": "FGM-148 Javelin", "capability": "anti-armor", "quantity": "10", "unit_cost_usd": "100000.00",
           "is_mde": "on"}


def test_the_case_page_resubmits(client, reviewer, liaison_de):
    case = Builder(reviewer, country="DE").build(Stage.LOR_RETURNED)
    client.force_login(liaison_de)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert "Correct and resubmit" in page and "Say where it is based." in page
    form = {"request_type": "LOA", "funding_source": "national_funds", "desired_delivery_date": "2029-06-30",
            "justification": "Basing: Grafenwoehr.", "originator_reference": "", "third_party_involvement": "",
            **items_post(JAVELIN)}
    refused = client.post(f"/cases/{case.case_number}/lor/", {**form, "desired_delivery_date": "2020-01-01"})
    assert refused.status_code == 400 and "in the past" in refused.content.decode()
    done = client.post(f"/cases/{case.case_number}/lor/", form, follow=True)
    assert "the case is now LOR actionable" in done.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_ACTIONABLE


def returned_case(reviewer):
    return Builder(reviewer, country="DE").build(Stage.LOR_RETURNED)


def test_the_returned_lor_form_holds_its_line_items_and_a_reply_box(client, reviewer, liaison_de):
    case = returned_case(reviewer)
    client.force_login(liaison_de)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert 'name="items-0-description" value="FGM-148 Javelin"' in page
    assert 'name="items-TOTAL_FORMS" value="1"' in page
    assert "Your reply to the reviewer" in page


def test_a_received_lor_takes_no_reply_box(client, liaison_pl):
    case = submit(liaison_pl, country="PL", funding_source="")
    client.force_login(liaison_pl)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert "Supply what the Letter of Request lacks" in page and "Your reply to the reviewer" not in page


def test_the_page_corrects_line_items_and_keeps_the_reply(client, reviewer, liaison_de):
    case = returned_case(reviewer)
    client.force_login(liaison_de)
    form = {"request_type": "LOA", "funding_source": "national_funds", "desired_delivery_date": "2029-06-30",
            "justification": "Basing: Grafenwoehr.", "originator_reference": "", "third_party_involvement": "",
            "reply": "Basing added; quantity cut to 6 as discussed.",
            **items_post({**JAVELIN, "quantity": "6"},
                         {"description": "CLU", "capability": "anti-armor", "quantity": "2", "unit_cost_usd": "50000.00",
                          "is_mde": False})}
    done = client.post(f"/cases/{case.case_number}/lor/", form)
    assert done.status_code == 302, done.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.LOR_ACTIONABLE
    assert case.total_value_usd == Decimal("700000.00") and case.mde_value_usd == Decimal("600000.00")
    assert sorted((item.description, item.quantity) for item in case.line_items.all()) == [("CLU", 2),
                                                                                          ("FGM-148 Javelin", 6)]
    client.force_login(reviewer)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert "Returned and resubmitted" in page and "Basing added; quantity cut to 6 as discussed." in page
    assert "Line items removed: 10 × FGM-148 Javelin" in page and "Line items added: 6 × FGM-148 Javelin" in page
    assert "Reply to the reviewer: Basing added" in page  # and in the audit trail


def test_the_page_refuses_a_bad_item_and_writes_nothing(client, reviewer, liaison_de):
    case = returned_case(reviewer)
    client.force_login(liaison_de)
    form = {"request_type": "LOA", "funding_source": "national_funds", "desired_delivery_date": "2029-06-30",
            "justification": "Basing: Grafenwoehr.", "reply": "Fixed.", **items_post({**JAVELIN, "quantity": "0"})}
    refused = client.post(f"/cases/{case.case_number}/lor/", form)
    assert refused.status_code == 400
    assert 'id="id_items-0-quantity-error"' in refused.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.LOR_RETURNED and case.total_value_usd == Decimal("1000000.00")
    assert [item.quantity for item in case.line_items.all()] == [10]


def test_the_page_answers_404_for_another_countrys_case(client, reviewer, liaison_pl):
    case = returned_case(reviewer)
    client.force_login(liaison_pl)
    assert client.post(f"/cases/{case.case_number}/lor/", {"reply": "x", **items_post(JAVELIN)}).status_code == 404


def test_api_corrects_line_items_with_a_reply(api, reviewer, liaison_de):
    case = returned_case(reviewer)
    body = {"reply": "Quantity cut to 4.", "line_items": [{"description": "FGM-148 Javelin", "capability": "anti-armor",
                                                           "quantity": 4, "unit_cost_usd": "100000.00", "is_mde": True}]}
    response = api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["total_value_usd"] == "400000.00" and response.json()["stage"] == "lor_actionable"
    resubmit = case.events.get(verb=Verb.RESUBMIT)
    assert resubmit.payload["reply"] == "Quantity cut to 4."
    assert resubmit.payload["changed"]["line_items"] == [
        ["10 × FGM-148 Javelin (Anti-armor, MDE) at $100,000.00"], ["4 × FGM-148 Javelin (Anti-armor, MDE) at $100,000.00"]]


def test_api_resubmits_a_reply_alone(api, reviewer, liaison_de):
    case = returned_case(reviewer)
    response = api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", {"reply": "The basing is in the annex."},
                                    format="json")
    assert response.status_code == 200, response.content
    assert case.events.get(verb=Verb.RESUBMIT).payload == {"changed": {}, "reply": "The basing is in the annex."}


@pytest.mark.parametrize("item,path", [
    ({"quantity": 0}, ("line_items", 0, "quantity")),
    ({"capability": "death-ray"}, ("line_items", 0, "capability")),
    ({"description": ""}, ("line_items", 0, "description")),
])
def test_api_refuses_bad_corrected_items_and_writes_nothing(api, reviewer, liaison_de, item, path):
    case = returned_case(reviewer)
    body = {"reply": "Fixed.", "line_items": [{**SMALL_ITEMS[0], **item}]}
    response = api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", body, format="json")
    assert response.status_code == 400
    assert field_errors(response, *path)
    case.refresh_from_db()
    assert case.stage == Stage.LOR_RETURNED and [i.quantity for i in case.line_items.all()] == [10]
    assert not case.events.filter(verb=Verb.RESUBMIT).exists()


def test_api_refuses_an_empty_list_of_items(api, reviewer, liaison_de):
    case = returned_case(reviewer)
    response = api(liaison_de).post(f"/api/v1/cases/{case.case_number}/lor/", {"line_items": []}, format="json")
    assert response.status_code == 400 and "line_items" in response.json()


def test_api_refuses_a_reply_on_a_received_lor(api, liaison_pl):
    case = submit(liaison_pl, country="PL", funding_source="")
    response = api(liaison_pl).post(f"/api/v1/cases/{case.case_number}/lor/", {"funding_source": "fmf", "reply": "Hi"},
                                    format="json")
    assert response.status_code == 400 and "reply" in response.json()
    case.refresh_from_db()
    assert case.stage == Stage.LOR_RECEIVED and case.lor.funding_source == ""


def test_api_correction_is_the_purchasers_own(api, reviewer, liaison_pl):
    case = returned_case(reviewer)
    response = api(liaison_pl).post(f"/api/v1/cases/{case.case_number}/lor/", {"reply": "Mine now?"}, format="json")
    assert response.status_code == 404
    assert case.events.filter(verb=Verb.RESUBMIT).count() == 0


def test_the_batch_page_shows_the_reply(client, reviewer, liaison_de):
    case = returned_case(reviewer)
    amend_lor(case, {}, actor=liaison_de, reply="Basing is Grafenwoehr.")
    build_batches()
    case.refresh_from_db()
    client.force_login(reviewer)
    page = client.get(reverse("batch", args=[case.review_batch_id])).content.decode()
    assert "Resubmitted" in page and "Purchaser's reply: Basing is Grafenwoehr." in page
