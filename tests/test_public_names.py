"""What names a liaison's own case tells nothing of anyone else's filings: cases are addressed by case
number and joint requests by reference, and no database id (a counter of every country's filings)
reaches a liaison or NSPA, in the API or on a page."""
import re
import uuid

import pytest
from django.db import transaction

from cases.models import ReviewBatch
from cases.process.services.joint_requests import file_joint_request
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch

from .builders import LARGE_ITEMS, concur_all, lor_fields, submit

# What differs between two runs for reasons of its own: the clock and the form tokens.
NOISE = [re.compile(pattern) for pattern in (
    r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?",
    r'name="csrfmiddlewaretoken" value="[^"]+"',
)]


def masked(text):
    for pattern in NOISE:
        text = pattern.sub("~", text)
    return text


def decide_all(batch, reviewer, outcome, reason=""):
    concur_all(start_batch(batch, reviewer=reviewer))
    decide_batch(batch, [{"case": number, "outcome": outcome, "reason": reason}
                         for number in batch.cases.values_list("case_number", flat=True)], reviewer=reviewer)


def what_poland_sees(client, liaison_pl, liaison_de, reviewer, *, others):
    """`others` German cases are filed, batched and approved, then Poland files twice and its batch is
    returned: everything Poland's liaison is shown of its second case. Rolled back, so a second run starts
    from the same data."""
    with transaction.atomic():
        for _ in range(others):
            submit(liaison_de, country="DE", line_items=LARGE_ITEMS)
        build_batches()
        for batch in ReviewBatch.objects.all():
            decide_all(batch, reviewer, "approve")
        submit(liaison_pl, country="PL", title="First")
        case = submit(liaison_pl, country="PL", title="Second")
        build_batches()
        decide_all(ReviewBatch.objects.get(cases=case), reviewer, "return", "State the basing.")
        client.force_login(liaison_pl)
        seen = [
            client.get("/api/v1/cases/").content.decode(),
            client.get(f"/api/v1/cases/{case.case_number}/").content.decode(),
            client.get("/cases/").content.decode(),
            client.get(f"/cases/{case.case_number}/").content.decode(),
        ]
        transaction.set_rollback(True)
    return [masked(text) for text in seen]


def test_a_liaison_cannot_count_other_countries_filings(client, liaison_pl, liaison_de, reviewer):
    alone = what_poland_sees(client, liaison_pl, liaison_de, reviewer, others=0)
    after_germany = what_poland_sees(client, liaison_pl, liaison_de, reviewer, others=5)
    assert "PL-B-AAB" in alone[1] and '"verb":"return"' in alone[1] and "State the basing." in alone[3]
    assert alone == after_germany


def test_a_case_has_no_address_by_id(api, client, liaison_pl):
    case = submit(liaison_pl, country="PL")
    assert api(liaison_pl).get(f"/api/v1/cases/{case.case_number}/").status_code == 200
    assert api(liaison_pl).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    client.force_login(liaison_pl)
    assert client.get(f"/cases/{case.case_number}/").status_code == 200
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_a_batch_id_in_the_trail_is_the_reviewers_alone(api, liaison_pl, reviewer):
    case = submit(liaison_pl, country="PL")
    build_batches()
    payloads = {role: [event["payload"] for event in api(user).get(f"/api/v1/cases/{case.case_number}/").json()
                       ["timeline"]] for role, user in (("liaison", liaison_pl), ("reviewer", reviewer))}
    assert any("batch" in payload for payload in payloads["reviewer"])
    assert not any("batch" in payload for payload in payloads["liaison"])


def test_joint_requests_are_named_by_reference(api, nspa_user, liaison_pl):
    common = {name: value for name, value in lor_fields().items() if name not in {"country", "line_items", "title"}}
    joint = file_joint_request(filed_by=nspa_user, title="Coalition", model="agent_sales",
                               participants=[{"country": code, "line_items": lor_fields()["line_items"]}
                                             for code in ("PL", "LT")], **common)
    body = api(nspa_user).get(f"/api/v1/joint-requests/{joint.reference}/").json()
    assert body["reference"] == str(joint.reference) and "id" not in body
    assert api(nspa_user).get(f"/api/v1/joint-requests/{joint.pk}/").status_code == 404
    assert api(nspa_user).get(f"/api/v1/joint-requests/{uuid.uuid4()}/").status_code == 404
    rows = api(liaison_pl).get("/api/v1/cases/").json()["results"]
    assert [row["joint_request"] for row in rows] == [str(joint.reference)]


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/joint-requests/"])
def test_no_id_in_what_nspa_is_shown(api, nspa_user, path):
    common = {name: value for name, value in lor_fields().items() if name not in {"country", "line_items", "title"}}
    file_joint_request(filed_by=nspa_user, title="Coalition", model="agent_sales",
                       participants=[{"country": code, "line_items": lor_fields()["line_items"]}
                                     for code in ("PL", "LT")], **common)
    body = api(nspa_user).get(path).json()
    assert body["results"] and '"id"' not in str(body).replace("'", '"')
