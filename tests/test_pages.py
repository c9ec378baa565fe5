"""The server-rendered pages: who may open what, the forms, the exports, and bounded queries."""
import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Decision, ReviewBatch, ReviewerNote
from cases.process.stages import Stage
from cases.review import queue_pages
from cases.review.batching import build_batches
from cases.review.services import start_batch

from .builders import LARGE_ITEMS, SMALL_ITEMS, T0, Builder, concur_all, downloaded, nspa_staff, purchaser_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reviewer, liaison_pl, liaison_de):
    pl = submit(liaison_pl, country="PL")
    de = submit(liaison_de, country="DE")
    build_batches()
    return {"pl": pl, "de": de, "batch": ReviewBatch.objects.get()}


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ["/", "/cases/", "/metrics/", "/nspa/", "/cases/new/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_sign_in_page_signs_in(client, reviewer):
    response = client.post("/accounts/login/", {"username": "rev", "password": "test-pass-2026"})
    assert response.status_code == 302 and response.url == "/"
    assert "Combined review queue" in client.get("/").content.decode()


@pytest.mark.parametrize("role,landing", [("liaison_pl", "/inbox/"), ("nspa_user", "/nspa/")])
def test_each_role_lands_on_its_page(signed_in, request, role, landing):
    response = signed_in(request.getfixturevalue(role)).get("/")
    assert response.status_code == 302 and response.url == landing


def test_a_liaison_gets_404_for_another_countrys_case_and_any_batch(signed_in, world, liaison_pl):
    client = signed_in(liaison_pl)
    assert client.get(f"/cases/{world['pl'].case_number}/").status_code == 200
    assert client.get(f"/cases/{world['de'].case_number}/").status_code == 404
    assert client.get(f"/batches/{world['batch'].pk}/").status_code == 404
    assert client.post(f"/batches/{world['batch'].pk}/decide/", {"outcome": "approve"}).status_code == 404
    assert client.post(f"/cases/{world['de'].case_number}/withdraw/").status_code == 404
    listed = client.get("/cases/").content.decode()
    assert world["pl"].case_number in listed and world["de"].case_number not in listed


def test_liaisons_never_see_internal_notes(signed_in, world, reviewer, liaison_pl):
    ReviewerNote.objects.create(case=world["pl"], author=reviewer, text="Watch the end-use checks.")
    assert "Watch the end-use checks." in signed_in(reviewer).get(f"/cases/{world['pl'].case_number}/").content.decode()
    page = signed_in(liaison_pl).get(f"/cases/{world['pl'].case_number}/").content.decode()
    assert "Watch the end-use checks." not in page and "Internal notes" not in page


def test_reviewer_adds_a_note_and_an_empty_one_is_refused(signed_in, world, reviewer):
    client = signed_in(reviewer)
    assert client.post(f"/cases/{world['pl'].case_number}/notes/", {"text": "Check basing."}).status_code == 302
    response = client.post(f"/cases/{world['pl'].case_number}/notes/", {"text": "  "})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert ReviewerNote.objects.count() == 1


def test_batch_decision_form(signed_in, world, reviewer):
    client = signed_in(reviewer)
    batch = world["batch"]
    client.post(f"/batches/{batch.pk}/start/")
    refused = client.post(f"/batches/{batch.pk}/decide/", {"cases": [world["pl"].case_number], "outcome": "deny", "reason": ""})
    assert refused.status_code == 400 and "A reason is required" in refused.content.decode()
    assert not Decision.objects.exists()
    both = {"cases": [world["pl"].case_number, world["de"].case_number], "outcome": "approve"}
    waiting = client.post(f"/batches/{batch.pk}/decide/", both)
    assert waiting.status_code == 409 and "Approval waits on the concurrence of" in waiting.content.decode()
    assert "State Department, Regional Security and Arms Transfers (PM/RSAT) (not answered yet)" in waiting.content.decode()
    concur_all(batch)
    done = client.post(f"/batches/{batch.pk}/decide/", both, follow=True)
    assert "2 cases approved." in done.content.decode()
    assert set(Case.objects.values_list("stage", flat=True)) == {Stage.LOA_DEVELOPMENT}


def test_case_page_offers_what_the_rule_book_allows(signed_in, reviewer):
    case = Builder(reviewer, large=True).build(Stage.LOA_DEVELOPMENT)
    client = signed_in(reviewer)
    page = client.get(f"/cases/{case.case_number}/").content.decode()
    for step in ("ia-approval", "informal-review", "emergency-waiver"):
        assert f'action="/cases/{case.case_number}/steps/{step}/"' in page
    for step in ("notification", "offer", "implementation", "tsfd-approval"):
        assert f'action="/cases/{case.case_number}/steps/{step}/"' not in page
    assert "Start the informal (tiered) review first: formal notification follows it." in page
    assert client.post(f"/cases/{case.case_number}/steps/informal-review/").status_code == 302
    assert Case.objects.get(pk=case.pk).notification.informal_review_started_on is not None
    refused = client.post(f"/cases/{case.case_number}/steps/emergency-waiver/", {"emergency-waiver-justification": " "})
    assert refused.status_code == 400
    assert "An emergency waiver needs a written justification." in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()


def test_lor_form_shows_field_errors_then_submits(signed_in, liaison_pl):
    client = signed_in(liaison_pl)
    base = {"submission": "8f6d4e0a-1b2c-4d5e-9f00-112233445566",
            "title": "Javelin", "implementing_agency": "B", "request_type": "LOA", "funding_source": "national_funds",
            "desired_delivery_date": "2029-01-31", "justification": "Anti-armor stocks.",
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "200",
            "items-0-description": "FGM-148 Javelin", "items-0-capability": "anti-armor", "items-0-quantity": "0",
            "items-0-unit_cost_usd": "200000", "items-1-description": "CLU", "items-1-capability": "anti-armor",
            "items-1-quantity": "4", "items-1-unit_cost_usd": "150000"}
    refused = client.post("/cases/new/", base)
    assert refused.status_code == 400
    assert "greater than or equal to 1" in refused.content.decode()
    assert not Case.objects.exists()
    done = client.post("/cases/new/", {**base, "items-0-quantity": "20"}, follow=True)
    case = Case.objects.get()
    assert f"Letter of Request received: case {case.case_number}" in done.content.decode()
    assert case.country_id == "PL" and case.line_items.count() == 2


def test_csv_export_is_the_visible_filtered_list(signed_in, world, liaison_pl, reviewer):
    rows = list(csv.DictReader(io.StringIO(downloaded(signed_in(liaison_pl).get("/cases/export.csv")))))
    assert [row["case_number"] for row in rows] == [world["pl"].case_number]
    everything = downloaded(signed_in(reviewer).get("/cases/export.csv?country=DE"))
    assert world["de"].case_number in everything and world["pl"].case_number not in everything


def test_metrics_for_reviewers_only_with_csv(signed_in, world, reviewer, liaison_pl):
    assert signed_in(liaison_pl).get("/metrics/").status_code == 403
    client = signed_in(reviewer)
    period = {"start": T0.date(), "end": T0.date() + timedelta(days=365)}
    page = client.get("/metrics/", period).content.decode()
    assert page.count("<svg") >= 5 and "Reviews: combined against case by case" in page
    rows = list(csv.reader(io.StringIO(downloaded(client.get("/metrics/stages.csv", period)))))
    assert rows[0] == ["label", "cases"] and ["In combined review", "2"] in rows


def test_dashboard_filters_and_partial(signed_in, world, reviewer):
    client = signed_in(reviewer)
    full = client.get("/?status=open").content.decode()
    assert "<html" in full and "NATO members with an RDP MOU" in full
    partial = client.get("/?status=decided", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "No batch matches these filters." in partial


def test_dashboard_query_count_is_bounded(signed_in, reviewer, django_assert_max_num_queries,
                                          django_assert_num_queries):
    for index in range(60):
        submit(reviewer, country=["PL", "AT", "JP", "BR", "DE"][index % 5],
               line_items=[dict(LARGE_ITEMS[0], capability=["anti-armor", "maritime", "isr-uas"][index % 3])])
    build_batches()
    start_batch(ReviewBatch.objects.order_by("pk").first(), reviewer=reviewer)
    client = signed_in(reviewer)
    with django_assert_max_num_queries(13):  # a process's first page also reads the reference tables it shows
        assert client.get("/").status_code == 200
    # Kept (cases.review.queue_pages): the session, the user with profile, the saved views.
    with django_assert_num_queries(3):
        kept = client.get("/").content.decode()
    queue_pages.forget()
    # Built again: also the batch count, the page, its case facts and the offices overdue of its batches in
    # review; the rules, bins, regions and capabilities come from the process's copy.
    with django_assert_num_queries(7):
        page = client.get("/").content.decode()
    def queue(html):  # the filter bar, the count and the rows (each render masks its CSRF token anew)
        return html[html.index('<form class="filters"'):html.index("</table>")]

    assert queue(page) == queue(kept) and page.count('href="/batches/') == ReviewBatch.objects.count() > 1


def test_the_filter_lists_are_read_without_a_server_side_cursor(postgres, signed_in, reviewer):
    """Three round trips each (DECLARE, FETCH, CLOSE) for a table of a few dozen rows: cases.shortcuts.choices."""
    with CaptureQueriesContext(connection) as queries:
        page = signed_in(reviewer).get("/").content.decode()
    assert [query["sql"] for query in queries if query["sql"].startswith("DECLARE")] == []
    for option in ('<option value="nato-rdp-mou">NATO members with an RDP MOU</option>', '<option value="EUCOM">',
                   '<option value="anti-armor">'):
        assert option in page


def test_batch_page_query_count_is_bounded(signed_in, reviewer, django_assert_max_num_queries):
    for index in range(40):  # in no bin: the standard policy's window holds 50 cases
        submit(reviewer, country=["AT", "CH", "HR", "AL"][index % 4])
    build_batches()
    batch = start_batch(ReviewBatch.objects.get(), reviewer=reviewer)
    client = signed_in(reviewer)
    # concurrence: requests, carve-outs, rules, case facts, offices overdue; the policy: its releases and timers
    with django_assert_max_num_queries(23):
        page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert page.count('name="cases"') == 40


def test_case_page_query_count_is_bounded(signed_in, reviewer, django_assert_max_num_queries):
    case = Builder(reviewer, large=True).build(Stage.LOA_OFFERED)
    client = signed_in(reviewer)
    with django_assert_max_num_queries(12):
        assert client.get(f"/cases/{case.case_number}/").status_code == 200


def test_case_list_query_count_is_bounded(signed_in, reviewer, django_assert_max_num_queries):
    for _ in range(60):
        submit(reviewer)
    client = signed_in(reviewer)
    with django_assert_max_num_queries(10):
        assert client.get("/cases/").status_code == 200


def test_dashboard_sorts_and_filters_by_what_the_cases_add_up_to(signed_in, reviewer):
    """Batches of 3, 1 and 2 Polish cases; the single maritime case is the oldest and the only stalled one."""
    made = {}
    for capability, count, day in (("anti-armor", 3, 5), ("maritime", 1, 1), ("isr-uas", 2, 3)):
        for _ in range(count):
            made[capability] = submit(reviewer, country="PL", at=T0 + timedelta(days=day),
                                      line_items=[dict(SMALL_ITEMS[0], capability=capability)])
    build_batches()
    Case.objects.filter(pk=made["maritime"].pk).update(stalled_since=T0, stalled_reason="decision")
    client = signed_in(reviewer)

    def queue(query):
        queue_pages.forget()  # built afresh, so that its context holds the batches shown
        return [(batch.capability_id, batch.case_count, batch.total_value_usd, batch.stalled_count)
                for batch in client.get(f"/?{query}").context["batches"]]

    million = Decimal("1000000.00")
    assert queue("ordering=-cases") == [("anti-armor", 3, 3 * million, 0), ("isr-uas", 2, 2 * million, 0),
                                        ("maritime", 1, million, 1)]
    assert [row[0] for row in queue("ordering=value")] == ["maritime", "isr-uas", "anti-armor"]
    assert [row[0] for row in queue("ordering=oldest")] == ["maritime", "isr-uas", "anti-armor"]
    assert [row[0] for row in queue("ordering=-value")] == ["anti-armor", "isr-uas", "maritime"]
    assert queue("stalled=on") == [("maritime", 1, million, 1)]
    assert sorted(queue("")) == sorted(queue("ordering=-cases"))


def test_batches_that_tie_in_the_queue_order_keep_the_order_of_their_keys(signed_in, reviewer):
    """Three batches of one case of the same value: a page of a sort by value or by count must not shift
    between requests, so ties fall back on the batch's key, in the sort's direction."""
    for capability in ("anti-armor", "maritime", "isr-uas"):
        submit(reviewer, country="PL", at=T0, line_items=[dict(SMALL_ITEMS[0], capability=capability)])
    build_batches()
    keys = sorted(ReviewBatch.objects.values_list("pk", flat=True))
    client = signed_in(reviewer)

    def queue(query):
        queue_pages.forget()  # built afresh, so that its context holds the batches shown
        return [batch.pk for batch in client.get(f"/?{query}").context["batches"]]

    assert queue("ordering=value") == queue("ordering=oldest") == keys  # the cases were all filed at T0
    assert queue("ordering=-value") == queue("ordering=-cases") == keys[::-1]
    # Said, not left to the engine (an index holding the key returns ties in its order; a sort need not).
    for ordering, key in (("value", "id"), ("-cases", "-id"), ("created", "id")):
        queue_pages.forget()
        assert client.get(f"/?ordering={ordering}").context["page"].object_list.query.order_by[-1] == key


def test_a_red_row_is_a_batch_under_review_with_a_stalled_case(signed_in, reviewer):
    """The clock marks the stall; the queue shows it red, and filters it, until the batch is decided."""
    late, on_time, decided = (Builder(reviewer, country=country).build(Stage.IN_REVIEW) for country in ("PL", "BR", "JP"))
    for case in (late, decided):
        Case.objects.filter(pk=case.pk).update(stalled_since=T0, stalled_reason="decision")
    ReviewBatch.objects.filter(cases=decided).update(status="decided", review_started_at=T0, decided_at=T0)
    client = signed_in(reviewer)
    rows = {batch.pk: batch.late for batch in client.get("/").context["batches"]}
    batch_of = {case: ReviewBatch.objects.get(cases=case).pk for case in (late, on_time, decided)}
    assert rows == {batch_of[late]: True, batch_of[on_time]: False, batch_of[decided]: False}
    assert [batch.pk for batch in client.get("/?stalled=on").context["batches"]] == [batch_of[late]]
    page = client.get("/").content.decode()
    assert page.count('class="overdue"') == 1 and "1 stalled" in page


def test_the_joint_request_list_query_count_does_not_grow(signed_in, reviewer, django_assert_max_num_queries):
    for lead, other in (("LT", "LV"), ("PL", "DE"), ("NL", "BE"), ("FR", "IT")):
        Builder(reviewer, lead_nation=lead, country=other).build(Stage.LOR_ACTIONABLE)
    client = signed_in(nspa_staff())
    # session, user with profile, count, page, nations with their batches and assurances
    with django_assert_max_num_queries(6):
        page = client.get("/nspa/").content.decode()
    assert page.count('href="/nspa/') >= 4


@pytest.mark.parametrize("items", [1, 12])
def test_a_returned_case_page_with_its_line_item_forms_is_bounded(signed_in, reviewer, items,
                                                                django_assert_max_num_queries):
    """The correction form lists every line item with its capability choices: one read of them, not one a row."""
    case = Builder(reviewer).decide(submit(purchaser_of("DE"), line_items=SMALL_ITEMS * items), "return", "Basing?")
    client = signed_in(purchaser_of("DE"))
    with django_assert_max_num_queries(12):
        page = client.get(f"/cases/{case.case_number}/").content.decode()
    assert len(re.findall(r'name="items-\d+-description"', page)) == items
