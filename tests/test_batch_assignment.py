"""A batch someone holds is theirs: it is assigned or taken, handed over by its holder, and decided only
by its holder (or an administrator). Every move is the rule book's and is in each case's trail."""
import pytest

from cases.models import CaseEvent, ReviewBatch, Verb
from cases.process import workflow
from cases.review.batching import build_batches
from cases.review.services import assign_batch, decide_batch, start_batch

from .builders import concur_all, purchaser_of, submit
from .factories import ProfileFactory


@pytest.fixture
def colleague(db):
    return ProfileFactory(user__username="amy").user


@pytest.fixture
def batch(db):
    for code in ("DE", "PL"):
        submit(purchaser_of(code), country=code)
    build_batches()
    return ReviewBatch.objects.get()


def approve_all(batch, reviewer):
    concur_all(batch)
    return decide_batch(batch, [{"case": number, "outcome": "approve"}
                                for number in batch.cases.values_list("case_number", flat=True)], reviewer=reviewer)


def test_an_assigned_batch_is_the_assignees(batch, reviewer, colleague):
    assign_batch(batch, "amy", by=reviewer)
    events = CaseEvent.objects.filter(verb=Verb.BATCH_ASSIGNED)
    assert events.count() == 2 and events.first().payload == {"batch": batch.pk, "to": "amy", "from": None}
    with pytest.raises(workflow.GuardFailed, match="This batch is amy's"):
        start_batch(batch, reviewer=reviewer)
    start_batch(batch, reviewer=colleague)
    with pytest.raises(workflow.GuardFailed, match="This batch is amy's"):
        approve_all(batch, reviewer)
    with pytest.raises(workflow.GuardFailed, match="This batch is amy's"):
        assign_batch(batch, "rev", by=reviewer)  # only its holder hands it over


def test_the_holder_hands_it_over_and_the_new_holder_decides(batch, reviewer, colleague):
    start_batch(batch, reviewer=colleague)
    assign_batch(batch, "rev", by=colleague)
    assert ReviewBatch.objects.get().assigned_reviewer == reviewer
    with pytest.raises(workflow.GuardFailed, match="This batch is rev's"):
        approve_all(batch, colleague)
    approve_all(batch, reviewer)
    assert ReviewBatch.objects.get().status == "decided"
    with pytest.raises(workflow.IllegalMove):
        assign_batch(batch, "amy", by=reviewer)


def test_an_administrator_may_decide_anyones_batch(batch, colleague, admin_user):
    start_batch(batch, reviewer=colleague)
    approve_all(batch, admin_user)
    assert ReviewBatch.objects.get().status == "decided"


@pytest.mark.parametrize("name,message", [("", "Name the reviewer"), ("nobody", "No reviewer is called nobody."),
                                          ("li-pl", "No reviewer is called li-pl."), ("rev", "rev already holds")])
def test_only_a_reviewer_other_than_the_holder_can_be_given_it(api, batch, reviewer, liaison_pl, name, message):
    start_batch(batch, reviewer=reviewer)
    response = api(reviewer).post(f"/api/v1/batches/{batch.pk}/assign/", {"reviewer": name}, format="json")
    assert response.status_code == 400 and message in response.json()["reviewer"][0]
    assert ReviewBatch.objects.get().assigned_reviewer == reviewer


def test_the_api_hands_over_and_refuses_others(api, batch, reviewer, colleague, liaison_pl):
    assert api(liaison_pl).post(f"/api/v1/batches/{batch.pk}/assign/", {"reviewer": "amy"},
                                format="json").status_code == 403
    body = api(reviewer).post(f"/api/v1/batches/{batch.pk}/assign/", {"reviewer": "amy"}, format="json").json()
    assert body["assigned_reviewer"] == "amy" and body["status"] == "open"
    refused = api(reviewer).post(f"/api/v1/batches/{batch.pk}/start/")
    assert refused.status_code == 409 and "amy's" in refused.json()["detail"]


def test_the_batch_page_offers_the_hand_over_to_its_holder_only(client, batch, reviewer, colleague):
    start_batch(batch, reviewer=reviewer)
    client.force_login(colleague)
    assert "Hand this batch over to" not in client.get(f"/batches/{batch.pk}/").content.decode()
    client.force_login(reviewer)
    page = client.get(f"/batches/{batch.pk}/?status=in_review").content.decode()
    assert "Hand this batch over to" in page and '<option value="amy">' in page and '<option value="rev">' not in page
    done = client.post(f"/batches/{batch.pk}/assign/?status=in_review", {"reviewer": "amy"})
    assert done.status_code == 302 and done.url == f"/batches/{batch.pk}/?status=in_review"
    assert ReviewBatch.objects.get().assigned_reviewer == colleague


def test_the_holder_writes_the_batch_memo_once_and_reviewers_see_it_on_each_case(api, client, batch, reviewer,
                                                                                 colleague, liaison_pl):
    path = f"/api/v1/batches/{batch.pk}/memo/"
    assert api(reviewer).post(path, {"memo": "Releasable to all."}, format="json").status_code == 409  # not taken
    start_batch(batch, reviewer=reviewer)
    assert api(colleague).post(path, {"memo": "Mine."}, format="json").status_code == 409  # not the holder's
    blank = api(reviewer).post(path, {"memo": "  "}, format="json")
    assert blank.status_code == 400 and "Write the memo" in blank.json()["memo"][0]
    body = api(reviewer).post(path, {"memo": "Releasable to all: RDP MOU partners."}, format="json").json()
    assert body["memo"] == "Releasable to all: RDP MOU partners." and body["memo_by"] == "rev"
    again = api(reviewer).post(path, {"memo": "Second thoughts."}, format="json")
    assert again.status_code == 409 and "written once" in again.json()["detail"]
    assert CaseEvent.objects.filter(verb=Verb.BATCH_MEMO).count() == 2
    case = batch.cases.get(country="PL")
    client.force_login(colleague)
    assert "Releasable to all: RDP MOU partners." in client.get(f"/cases/{case.case_number}/").content.decode()
    client.force_login(purchaser_of("PL"))
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert "Releasable to all" not in page
    assert "<h2>Batch memo</h2>" not in page  # the trail says one was written, never what it says
    trail = api(purchaser_of("PL")).get(f"/api/v1/cases/{case.case_number}/").json()["timeline"]
    assert all("Releasable" not in str(event["payload"]) for event in trail)


def test_the_memo_form_on_the_batch_page(client, batch, reviewer):
    start_batch(batch, reviewer=reviewer)
    client.force_login(reviewer)
    assert "Save the memo" in client.get(f"/batches/{batch.pk}/").content.decode()
    assert client.post(f"/batches/{batch.pk}/memo/", {"memo": "Basing differs; all approvable."}).status_code == 302
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "Basing differs; all approvable." in page and "Save the memo" not in page


def test_the_batch_page_refuses_with_a_status_that_says_why(client, batch, reviewer, colleague):
    """A refused start, hand-over or memo shows the batch page again with the rule book's reason, as 4xx."""
    start_batch(batch, reviewer=reviewer)
    client.force_login(colleague)
    taken = client.post(f"/batches/{batch.pk}/start/")
    assert taken.status_code == 409 and "Batch" in taken.content.decode()
    assert client.post(f"/batches/{batch.pk}/assign/", {"reviewer": "amy"}).status_code == 409  # not colleague's
    client.force_login(reviewer)
    nobody = client.post(f"/batches/{batch.pk}/assign/", {"reviewer": "no-such-user"})
    assert nobody.status_code == 400 and ReviewBatch.objects.get().assigned_reviewer == reviewer
    blank = client.post(f"/batches/{batch.pk}/memo/", {"memo": ""})
    assert blank.status_code == 400 and 'id="id_memo-error"' in blank.content.decode()
    assert ReviewBatch.objects.get().memo == ""
