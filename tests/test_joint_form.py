"""NSPA files a joint request from the browser's form: one case per nation, all or nothing."""
import uuid

import pytest

from cases.models import Case, JointRequest

pytestmark = pytest.mark.django_db

URL = "/nspa/new/"


def row(nation, description="FGM-148 Javelin", quantity="20", unit_cost="100000.00", **extra):
    return {"nation": nation, "description": description, "capability": "anti-armor", "quantity": quantity,
            "unit_cost_usd": unit_cost, "is_mde": "on", **extra}


def posted(*rows, **overrides):
    data = {"submission": str(uuid.uuid4()), "title": "Coalition Javelin buy", "implementing_agency": "B",
            "request_type": "LOA", "funding_source": "national_funds", "desired_delivery_date": "2029-06-30",
            "justification": "Replace stocks transferred to allies.", "model": "lead_nation", "lead_nation": "PL",
            "items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "2",
            "items-MAX_NUM_FORMS": "200"}
    for index, fields in enumerate(rows):
        data.update({f"items-{index}-{name}": value for name, value in fields.items()})
    data.update(overrides)
    return data


def test_the_form_is_nspas(client, nspa_user, liaison_pl, reviewer):
    client.force_login(nspa_user)
    page = client.get(URL)
    assert page.status_code == 200 and "File a joint request" in page.content.decode()
    assert 'name="items-TOTAL_FORMS" value="2"' in page.content.decode()
    assert "File a joint request" in client.get("/nspa/").content.decode()
    for other in (liaison_pl, reviewer):
        client.force_login(other)
        assert client.get(URL).status_code == 403
        assert client.post(URL, posted(row("PL"), row("DE"))).status_code == 403
    assert not JointRequest.objects.exists()


def test_nspa_files_one_case_per_nation(client, nspa_user):
    client.force_login(nspa_user)
    response = client.post(URL, posted(row("PL"), row("DE", quantity="10"), row("PL", "Command launch unit", "4")))
    joint = JointRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/nspa/{joint.reference}/"
    assert joint.lead_nation_id == "PL" and joint.filed_by == nspa_user
    cases = {case.country_id: case for case in joint.cases.all()}
    assert sorted(cases) == ["DE", "PL"]
    assert sorted(cases["PL"].line_items.values_list("description", "quantity")) == [("Command launch unit", 4),
                                                                                    ("FGM-148 Javelin", 20)]
    page = client.get(response["Location"]).content.decode()
    assert "Joint request filed: 2 nations, one case each." in page and cases["DE"].case_number in page


def test_a_form_posted_twice_files_once(client, nspa_user):
    client.force_login(nspa_user)
    data = posted(row("PL"), row("DE"))
    first, second = client.post(URL, data), client.post(URL, data)
    assert first["Location"] == second["Location"] and JointRequest.objects.count() == 1


@pytest.mark.parametrize("data,error", [
    (posted(row("PL"), row("PL", "Spare seeker")), "A joint request needs at least two participating nations."),
    (posted(row("PL"), row("DE"), lead_nation="FR"),
     "A lead-nation request needs a lead nation that is one of the participants."),
    (posted(row("PL"), row("DE"), model="agent_sales"), "Agent sales have no lead nation"),
    (posted(row("PL"), row("DE", quantity="0")), "Ensure this value is greater than or equal to 1."),
    (posted(row("PL"), row("DE"), title=""), "This field is required."),
    (posted(row("PL"), row("SA")), "Select a valid choice."),  # neither NATO member nor partner
])
def test_a_refused_form_says_why_and_files_nothing(client, nspa_user, data, error):
    client.force_login(nspa_user)
    response = client.post(URL, data)
    assert response.status_code == 400 and error in response.content.decode()
    assert not JointRequest.objects.exists() and not Case.objects.exists()


def test_a_row_error_lands_on_its_row(client, nspa_user):
    client.force_login(nspa_user)
    response = client.post(URL, posted(row("PL"), row("DE", quantity="0")))
    assert 'id="id_items-1-quantity-error"' in response.content.decode()


def test_the_form_page_reads_a_fixed_number_of_queries(client, nspa_user, django_assert_max_num_queries):
    client.force_login(nspa_user)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
