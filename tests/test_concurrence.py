"""Parallel concurrence: which offices must concur (dated rule rows, golden table), all asked at once when
a batch is taken, each answering once for the whole batch with carve-outs; approval waits on every one
of them; every refusal is a 4xx with its reason and writes nothing; two members of one office at once:
one wins."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bins.grouping import groups_by_country
from bins.models import Country
from cases.models import CaseConcurrence, CaseEvent, ConcurrenceRequest, ConcurrenceRule, ReviewBatch, Verb
from cases.process import workflow
from cases.review import concurrence
from cases.review.batching import build_batches
from cases.review.services import answer_concurrence, decide_batch, start_batch, withdraw_non_concurrence

from .builders import T0, concur_all, office_staff, submit
from .concurrency import run_concurrently
from .factories import ProfileFactory
from .test_rules import golden

pytestmark = pytest.mark.django_db


def facts(country, capability, value="1", tsfd=False):
    group = groups_by_country()[country]
    nation = Country.objects.get(pk=country)
    return concurrence.CaseFacts(1, 1, group.bin.pk if group.bin else None, nation.region_id, capability,
                                 nation.cn_tier, Decimal(value), tsfd)


@pytest.mark.parametrize("row", golden("concurrence_offices.csv"), ids=lambda row: f"{row['country']}-{row['capability']}")
def test_which_offices_must_concur(row):
    rules = concurrence.rules_in_force(date(2026, 12, 1))
    found = concurrence.required_offices(facts(row["country"], row["capability"], row["value_usd"], row["tsfd"] == "true"), rules)
    assert found == row["offices"].split("|")


def test_a_later_row_adds_and_a_later_row_ends_a_requirement():
    ConcurrenceRule.objects.create(office_id="dtsa", effective_from=date(2027, 1, 1), capability_id="combat-aircraft")
    ConcurrenceRule.objects.create(office_id="dtsa", effective_from=date(2028, 1, 1), capability_id="combat-aircraft",
                                   required=False)
    case = facts("DE", "combat-aircraft")
    offices = {on: concurrence.required_offices(case, concurrence.rules_in_force(on))
               for on in (date(2026, 12, 31), date(2027, 1, 1), date(2028, 1, 1))}
    assert ["dtsa" in found for found in offices.values()] == [False, True, False]


@pytest.fixture
def batch(reviewer):
    """A batch of German, Polish and French anti-armor cases, taken for review at T0 + 1 day."""
    for country in ("DE", "PL", "FR"):
        submit(reviewer, country=country)
    build_batches(at=T0)
    return start_batch(ReviewBatch.objects.get(), reviewer=reviewer, at=T0 + timedelta(days=1))


def numbers(batch):
    return list(batch.cases.order_by("country_id").values_list("case_number", flat=True))  # DE, FR, PL


def test_taking_a_batch_asks_every_office_at_once(batch):
    requests = ConcurrenceRequest.objects.filter(batch=batch)
    assert sorted(requests.values_list("office_id", flat=True)) == ["dsca", "eucom", "ia", "state-rsat"]
    # Due in 5 days, by the NATO RDP MOU bin's policy (the concurrence timer's 10 days elsewhere).
    assert {(r.asked_at, r.due_on) for r in requests} == {(T0 + timedelta(days=1), date(2026, 3, 8))}
    asked = CaseEvent.objects.filter(verb=Verb.CONCURRENCE_ASKED)
    assert asked.count() == 3 and asked.first().payload["offices"] == ["dsca", "eucom", "ia", "state-rsat"]


def test_approval_waits_on_every_office_and_names_them(batch, reviewer):
    answer_concurrence(batch, by=office_staff("dsca"), answer="concur")
    with pytest.raises(workflow.GuardFailed, match=r"waits on the concurrence of .*US European Command \(not answered yet\)"):
        decide_batch(batch, [{"case": numbers(batch)[0], "outcome": "approve"}], reviewer=reviewer)
    assert batch.decisions.count() == 0
    decide_batch(batch, [{"case": numbers(batch)[0], "outcome": "deny", "reason": "Not releasable."}], reviewer=reviewer)
    concur_all(batch)
    decide_batch(batch, [{"case": numbers(batch)[1], "outcome": "approve"}], reviewer=reviewer)


def test_a_non_concurrence_blocks_approval_until_withdrawn(batch, reviewer):
    de, fr, pl = numbers(batch)
    state = office_staff("state-rsat")
    answer_concurrence(batch, by=state, answer="non_concur", reason="Regional balance.")
    concur_all(batch)
    with pytest.raises(workflow.GuardFailed, match=r"does not concur: Regional balance"):
        decide_batch(batch, [{"case": pl, "outcome": "approve"}], reviewer=reviewer)
    withdraw_non_concurrence(batch, by=state, case=pl, reason="Basing clarified.")
    decide_batch(batch, [{"case": pl, "outcome": "approve"}], reviewer=reviewer)
    with pytest.raises(workflow.GuardFailed, match="does not concur"):  # still objects to the others
        decide_batch(batch, [{"case": de, "outcome": "approve"}], reviewer=reviewer)
    withdraw_non_concurrence(batch, by=state, reason="Regional balance reassessed.")
    decide_batch(batch, [{"case": de, "outcome": "approve"}, {"case": fr, "outcome": "approve"}], reviewer=reviewer)
    assert CaseEvent.objects.filter(verb=Verb.NON_CONCURRENCE_WITHDRAWN).count() == 3


def test_carve_outs_answer_single_cases(batch, reviewer):
    de, fr, pl = numbers(batch)
    answer_concurrence(batch, by=office_staff("eucom"), answer="concur",
                       carve_outs=[{"case": pl, "answer": "non_concur", "reason": "Basing unclear."}])
    concur_all(batch)
    decide_batch(batch, [{"case": de, "outcome": "approve"}, {"case": fr, "outcome": "approve"}], reviewer=reviewer)
    with pytest.raises(workflow.GuardFailed, match="US European Command"):
        decide_batch(batch, [{"case": pl, "outcome": "approve"}], reviewer=reviewer)
    assert CaseConcurrence.objects.get().case.case_number == pl
    answered = CaseEvent.objects.filter(verb=Verb.CONCURRENCE_ANSWERED, payload__office="eucom")
    assert sorted(event.payload["answer"] for event in answered) == ["concur", "concur", "non_concur"]


@pytest.mark.parametrize("who,inputs,expected", [
    ("africom", {"answer": "concur"}, "US Africa Command is not asked to concur on this batch."),
    (None, {"answer": "concur"}, "Your profile names no office"),
    ("eucom", {"answer": "non_concur", "reason": ""}, "cannot be recorded as sent"),
    ("eucom", {"answer": "maybe"}, "cannot be recorded as sent"),
    ("eucom", {"answer": "concur", "carve_outs": [{"case": "ZZ-Z-ZZZ", "answer": "non_concur", "reason": "x"}]},
     "cannot be recorded as sent"),
])
def test_bad_answers_are_refused_and_write_nothing(batch, who, inputs, expected):
    actor = office_staff(who) if who else ProfileFactory(user__username="officeless", office_id=None).user
    with pytest.raises(workflow.WorkflowError, match=expected) as refusal:
        answer_concurrence(batch, by=actor, **inputs)
    assert not ConcurrenceRequest.objects.exclude(answer="").exists()
    assert not CaseEvent.objects.filter(verb=Verb.CONCURRENCE_ANSWERED).exists()
    if "sent" in expected:
        assert refusal.value.errors  # a 400 naming the field


def test_an_office_answers_once_and_never_on_a_decided_batch(batch, reviewer):
    answer_concurrence(batch, by=office_staff("eucom"), answer="concur")
    with pytest.raises(workflow.GuardFailed, match="US European Command already answered"):
        answer_concurrence(batch, by=office_staff("eucom"), answer="non_concur", reason="Second thoughts.")
    decide_batch(batch, [{"case": number, "outcome": "deny", "reason": "No."} for number in numbers(batch)],
                 reviewer=reviewer)
    with pytest.raises(workflow.IllegalMove, match="concurrence is closed"):
        answer_concurrence(batch, by=office_staff("ia"), answer="concur")


def test_the_api_answers_and_shows_the_grid(api, batch, django_assert_max_num_queries):
    de, fr, pl = numbers(batch)
    eucom = office_staff("eucom")
    response = api(eucom).post(f"/api/v1/batches/{batch.pk}/concurrence/", {
        "answer": "concur", "carve_outs": [{"case": pl, "answer": "conditions", "reason": "Enhanced EUM."}]}, format="json")
    assert response.status_code == 200, response.content
    rows = {row["office"]: row for row in response.json()["concurrence"]}
    assert rows["eucom"]["answer"] == "concur" and rows["state-rsat"]["answer"] == ""
    cells = {cell["case_number"]: cell for cell in rows["eucom"]["cases"]}
    assert cells[pl] == {"case_number": pl, "required": True, "answer": "conditions", "reason": "Enhanced EUM.",
                         "carved_out": True}
    again = api(eucom).post(f"/api/v1/batches/{batch.pk}/concurrence/", {"answer": "concur"}, format="json")
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    empty = api(office_staff("ia")).post(f"/api/v1/batches/{batch.pk}/concurrence/", {"answer": "non_concur"},
                                         format="json")
    assert empty.status_code == 400 and empty.json()["reason"]
    client = api(office_staff("state-rsat"))
    with django_assert_max_num_queries(8):
        awaiting = client.get("/api/v1/concurrence/awaiting/").json()
    assert [row["batch"] for row in awaiting["results"]] == [batch.pk]


def test_the_batch_page_shows_the_grid_and_takes_the_answer(signed_in, batch):
    client = signed_in(office_staff("eucom"))
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "Answer for US European Command, once for the whole batch" in page and 'hx-trigger="every 15s"' in page
    refused = client.post(f"/batches/{batch.pk}/concur/", {"answer": "non_concur", "reason": ""})
    assert refused.status_code == 400 and "Say the conditions, or why the office does not concur." in refused.content.decode()
    done = client.post(f"/batches/{batch.pk}/concur/", {"answer": "concur"}, follow=True)
    assert "Your office&#x27;s answer is recorded: concurs." in done.content.decode()
    queue = client.get("/awaiting/").content.decode()
    assert "Nothing awaits your office." in queue


def test_an_office_past_its_due_date_stalls_the_batch(signed_in, batch, reviewer):
    late = ConcurrenceRequest.objects.get(batch=batch, office="ia")
    page = signed_in(reviewer).get(f"/batches/{batch.pk}/").content.decode()
    assert f"Implementing agency has not answered; it was due {late.due_on.isoformat()}." in page  # T0 is long past
    assert ReviewBatch.objects.filter(concurrence.overdue_since(date.today())).get() == batch


@pytest.mark.django_db(transaction=True)
def test_two_members_of_one_office_answering_at_once(postgres, api, reviewer):
    submit(reviewer, country="DE")
    build_batches()
    batch = start_batch(ReviewBatch.objects.get(), reviewer=reviewer)
    members = [ProfileFactory(user__username=f"eucom-{n}", office_id="eucom").user for n in range(2)]

    def attempt():
        user = members.pop()
        return api(user).post(f"/api/v1/batches/{batch.pk}/concurrence/", {"answer": "concur"}, format="json").status_code

    assert sorted(run_concurrently(attempt, 2)) == [200, 409]
    assert CaseEvent.objects.filter(verb=Verb.CONCURRENCE_ANSWERED).count() == 1


def test_stalled_only_in_the_queue_includes_a_batch_with_an_office_overdue(signed_in, batch, reviewer):
    from cases.review import queue_pages
    from cases.review.batch_facts import attach_case_facts, waiting_late_q

    client = signed_in(reviewer)
    queue = client.get("/", {"stalled": "on"}).content.decode()
    assert f"/batches/{batch.pk}/" in queue and "Implementing agency overdue" in queue  # due 8 March, long past
    ConcurrenceRequest.objects.filter(batch=batch).update(due_on=date.today())
    queue_pages.forget()  # a due date moved by hand, behind the rule book that changes the queue's version
    assert f"/batches/{batch.pk}/" not in client.get("/", {"stalled": "on"}).content.decode()
    # The filter and the row's flag are the same rule.
    for due in (date.today(), date(2026, 3, 8)):
        ConcurrenceRequest.objects.filter(batch=batch).update(due_on=due)
        row = attach_case_facts([ReviewBatch.objects.get(pk=batch.pk)])[0]
        assert row.late == ReviewBatch.objects.filter(waiting_late_q(date.today())).exists()
