"""Reading cases through the API: filters, ordering, pagination, the detail, and query bounds."""
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.api.serializers import CaseListSerializer
from cases.models import Case
from cases.process.services.joint_requests import file_joint_request
from cases.process.stages import Stage
from cases.reads import joint_references

from .api_data import lor
from .builders import LARGE_ITEMS, SMALL_ITEMS, T0, Builder, lor_fields, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(reviewer):
    """Cases across countries, capabilities and stages, created a day apart."""
    made = []
    for index, (country, stage, large) in enumerate([
        ("PL", Stage.LOR_ACTIONABLE, False), ("DE", Stage.IN_REVIEW, True), ("EE", Stage.LOA_DEVELOPMENT, False),
        ("IS", Stage.LOR_ACTIONABLE, True), ("AT", Stage.DENIED, False), ("JP", Stage.LOA_OFFERED, False),
    ]):
        builder = Builder(reviewer, large=large, country=country)
        builder.at = T0 + timedelta(days=index)
        made.append(builder.build(stage))
    return made


def numbers(response):
    assert response.status_code == 200, response.content
    return sorted(row["case_number"][:2] for row in response.json()["results"])


@pytest.mark.parametrize(
    "query,countries",
    [
        ("stage=lor_actionable", ["IS", "PL"]),
        ("stage=lor_actionable&stage=denied", ["AT", "IS", "PL"]),
        ("country=DE", ["DE"]),
        ("bin=nato-rdp-mou", ["DE", "EE", "PL"]),  # rule bin: NATO and RDP MOU
        ("bin=nordic-baltic", ["EE", "IS"]),  # list bin
        ("region=INDOPACOM", ["JP"]),
        ("capability=air-missile-defense", ["DE", "IS"]),
        ("created_after=2026-03-04T00:00:00Z", ["AT", "EE", "IS", "JP"]),
        ("created_before=2026-03-03T12:00:00Z", ["DE", "PL"]),
    ],
)
def test_filters(api, reviewer, portfolio, query, countries):
    assert numbers(api(reviewer).get(f"/api/v1/cases/?{query}")) == countries


@pytest.mark.parametrize(
    "query,field",
    [("stage=approved", "stage"), ("joint_request=first", "joint_request"), ("created_after=soon", "created_after"),
     ("created_before=0001-01-01T00:00:00%2B15:00", "created_before"), ("ordering=title", "ordering")],
)
def test_bad_filter_values_are_400_with_the_field(api, reviewer, portfolio, query, field):
    """A value of the wrong type; a well-formed one naming nothing matches nothing (tests/test_hardening.py)."""
    response = api(reviewer).get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400
    assert response.json()[field]


def coalition(filed_by):
    fields = {k: v for k, v in lor_fields().items() if k not in {"country", "line_items", "title"}}
    return file_joint_request(filed_by=filed_by, title="Coalition", model="agent_sales",
                              participants=[{"country": c, "line_items": LARGE_ITEMS} for c in ("NO", "DK")], **fields)


def test_joint_request_filter(api, reviewer, portfolio):
    joint = coalition(reviewer)
    assert numbers(api(reviewer).get(f"/api/v1/cases/?joint_request={joint.reference}")) == ["DK", "NO"]


@pytest.mark.parametrize(
    "ordering,key,descending",
    [("created", "created", False), ("-created", "created", True), ("-total_value_usd", "total_value_usd", True),
     ("total_value_usd", "total_value_usd", False)],
)
def test_ordering(api, reviewer, portfolio, ordering, key, descending):
    rows = api(reviewer).get(f"/api/v1/cases/?ordering={ordering}").json()["results"]
    values = [float(row[key]) if key == "total_value_usd" else row[key] for row in rows]
    assert values == sorted(values, reverse=descending)
    assert len(set(values)) > 1


def test_pagination(api, reviewer, portfolio):
    body = api(reviewer).get("/api/v1/cases/?page_size=4").json()
    assert "count" not in body and len(body["results"]) == 4 and body["previous"] is None
    assert "cursor=" in body["next"] and "page=" not in body["next"]
    second = api(reviewer).get(body["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert api(reviewer).get(second["previous"]).json()["results"] == body["results"]
    seen = [row["case_number"] for row in body["results"] + second["results"]]
    assert sorted(seen) == sorted(case.case_number for case in portfolio)


@pytest.mark.parametrize("ordering", ["", "created", "-total_value_usd", "total_value_usd"])
def test_a_cursor_walks_every_case_once_both_ways_in_order(api, reviewer, ordering):
    # Ties in the sort column (three totals among 11 cases) are broken by the primary key.
    for n in range(11):
        submit(reviewer, line_items=[{**SMALL_ITEMS[0], "quantity": 1 + n % 3}])
    everything = api(reviewer).get(f"/api/v1/cases/?page_size=200&ordering={ordering}").json()["results"]
    pages, link = [], f"/api/v1/cases/?page_size=3&ordering={ordering}"
    while link:
        pages.append(api(reviewer).get(link).json())
        link = pages[-1]["next"]
    assert [row for page in pages for row in page["results"]] == everything and len(pages) == 4
    link, back = pages[-1]["previous"], []
    while link:
        back.insert(0, api(reviewer).get(link).json()["results"])
        link = api(reviewer).get(link).json()["previous"]
    assert back == [page["results"] for page in pages[:-1]]


def test_a_deep_page_by_cursor_reads_from_its_row_not_an_offset(api, reviewer):
    for _ in range(5):
        submit(reviewer)
    first = api(reviewer).get("/api/v1/cases/?page_size=2").json()
    with CaptureQueriesContext(connection) as queries:
        second = api(reviewer).get(first["next"]).json()
    assert len(second["results"]) == 2 and second["results"][0] not in first["results"]
    page_query = [query["sql"] for query in queries.captured_queries if "case_number" in query["sql"]]
    assert page_query and all("OFFSET" not in sql for sql in page_query)
    assert len(queries.captured_queries) <= 2  # the token with its user, profile and country; the page
    numbered = api(reviewer).get("/api/v1/cases/?page_size=2&page=2").json()
    assert numbered["results"] == second["results"]


@pytest.mark.parametrize("cursor", ["x", "W10=", "WyJhIiwgZmFsc2Vd", "W1siYSIsICIxIl0sIGZhbHNlXQ==", "%00"])
def test_a_cursor_this_list_did_not_give_is_404(api, reviewer, cursor):
    submit(reviewer)
    response = api(reviewer).get(f"/api/v1/cases/?cursor={cursor}")
    assert response.status_code == 404 and "Invalid cursor" in response.json()["detail"]


def test_a_search_pages_by_number_and_refuses_a_cursor(api, reviewer):
    for _ in range(3):
        submit(reviewer)
    body = api(reviewer).get("/api/v1/cases/?search=javelin&page_size=2").json()
    assert "page=2" in body["next"] and "cursor" not in body["next"]
    response = api(reviewer).get("/api/v1/cases/?search=javelin&cursor=W10=")
    assert response.status_code == 404 and "Invalid cursor" in response.json()["detail"]


# Not named `page`: that is pytest-playwright's fixture, and borrowing its name drags in its browser.
@pytest.mark.parametrize("number", ["9", "0", "-1", "two", "1481336134242255988691304448"])
def test_a_page_that_does_not_exist_is_404(api, reviewer, portfolio, number):
    response = api(reviewer).get(f"/api/v1/cases/?page_size=4&page={number}")
    assert response.status_code == 404 and "Invalid page" in response.json()["detail"]


def test_an_empty_list_is_one_empty_page(api, liaison_de):
    assert api(liaison_de).get("/api/v1/cases/").json() == {"next": None, "previous": None, "results": []}


@pytest.mark.parametrize("size,status", [("200", 200), ("201", 400), ("0", 400), ("-1", 400), ("null", 400), ("1.5", 400)])
def test_page_size_is_1_to_200(api, reviewer, size, status):
    for _ in range(3):
        submit(reviewer)
    response = api(reviewer).get(f"/api/v1/cases/?page_size={size}")
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"page_size": ["Give a whole number from 1 to 200."]}
    else:
        assert len(response.json()["results"]) == 3


def test_detail_carries_lor_loa_notification_and_timeline(api, reviewer):
    case = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    body = api(reviewer).get(f"/api/v1/cases/{case.case_number}/").json()
    assert body["case_number"] == case.case_number and body["stage"] == "cn_review"
    assert body["lor"]["line_items"][0]["capability"] == "air-missile-defense"
    assert body["lor"]["line_items"][0]["total_usd"] == "30000000.00"
    assert body["line_items"] == body["lor"]["line_items"]
    assert body["loa"]["development_group"] == "C"
    assert body["notification"]["required"] is True and body["notification"]["tripped"] == ["mde"]
    assert body["notification"]["formal_review_days"] == 15
    assert [event["verb"] for event in body["timeline"]] == [
        "lor_received", "mark_actionable", "start_review", "batch_started", "concurrence_asked",
        *["concurrence_answered"] * 4, "approve", "informal_review_started", "submit_notification",
    ]
    assert body["decisions"][0]["outcome"] == "approve"


def test_early_case_has_no_loa_or_notification(api, liaison_pl):
    case = submit(liaison_pl, country="PL")
    body = api(liaison_pl).get(f"/api/v1/cases/{case.case_number}/").json()
    assert body["loa"] is None and body["notification"] is None


def test_case_list_query_count_is_bounded(api, reviewer, django_assert_max_num_queries):
    for index in range(60):
        submit(reviewer, country=["PL", "DE", "FR"][index % 3])
    client = api(reviewer)
    with django_assert_max_num_queries(3):  # token+user, profile, page (no count)
        body = client.get("/api/v1/cases/?page_size=50").json()
    assert len(body["results"]) == 50
    with django_assert_max_num_queries(4):  # and the country filter's lookup
        assert len(client.get("/api/v1/cases/?country=PL").json()["results"]) == 20


def test_list_rows_are_what_the_list_serializer_would_give(api, reviewer, portfolio):
    """The list renders database rows for speed (cases.shortcuts.rows); the serializer stays the contract."""
    coalition(reviewer)
    odd = submit(reviewer, country="LT")
    Case.objects.filter(pk=odd.pk).update(total_value_usd=Decimal("123456789.99"), mde_value_usd=Decimal("0.5"))
    rows = api(reviewer).get("/api/v1/cases/?page_size=200").json()["results"]
    expected = CaseListSerializer(Case.objects.order_by("-created_at", "-id"), many=True).data
    assert rows == json.loads(json.dumps(expected)) and len(rows) == 9
    assert {row["joint_request"] is None for row in rows} == {True, False}
    assert {row["created"][-1] for row in rows} == {"Z"} and "0.50" in {row["mde_value_usd"] for row in rows}


def joint_request_reads(queries):
    return [query["sql"] for query in queries if 'FROM "cases_jointrequest"' in query["sql"]]


@pytest.mark.django_db(transaction=True)
def test_the_list_keeps_joint_request_references_once_read(api, reviewer):
    """The list reads a joint request's reference once per process (cases.reads.joint_references), with no
    join: a later page showing the same joint request's cases asks nothing more."""
    joint = coalition(reviewer)
    submit(reviewer, country="PL")
    client = api(reviewer)
    pages = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            pages.append(client.get("/api/v1/cases/").json()["results"])
        assert not any("JOIN" in sql for sql in joint_request_reads(queries) + [
            query["sql"] for query in queries if 'FROM "cases_case"' in query["sql"]])
        if len(pages) == 1:
            assert len(joint_request_reads(queries)) == 1
    assert not joint_request_reads(queries)
    assert sorted(str(row["joint_request"]) for row in pages[1]) == sorted([str(joint.reference)] * 2 + ["None"])
    assert pages[0] == pages[1]


def test_references_read_inside_a_transaction_are_not_kept(api, reviewer):
    """A transaction's joint request may yet roll back (its id given again on SQLite): read, not kept."""
    joint = coalition(reviewer)
    client = api(reviewer)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            rows = client.get("/api/v1/cases/").json()["results"]
        assert len(joint_request_reads(queries)) == 1
        assert {row["joint_request"] for row in rows} == {str(joint.reference)}


@pytest.mark.django_db(transaction=True)
def test_kept_references_are_bounded(reviewer, monkeypatch):
    first, second = coalition(reviewer), coalition(reviewer)
    monkeypatch.setattr(joint_references, "KEEP_AT_MOST", 1)
    assert joint_references.references([first.pk, None]) == {first.pk: first.reference}
    assert joint_references.references([second.pk]) == {second.pk: second.reference}
    assert joint_references._kept == {second.pk: second.reference}


def test_case_detail_query_count_does_not_grow_with_items_or_events(api, reviewer, django_assert_max_num_queries):
    """A case with one line item and two events, one with a long history, one with 150 line items: the
    same number of queries for each, so nothing is fetched per row."""
    small = submit(reviewer)
    long_history = Builder(reviewer, large=True).build(Stage.LOA_OFFERED)
    many_items = submit(reviewer, line_items=[dict(LARGE_ITEMS[0], description=f"Lot {n}") for n in range(150)])
    assert long_history.events.count() > 8 and many_items.line_items.count() == 150
    client = api(reviewer)
    counts = []
    for target in (small, long_history, many_items):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(9):
            # token+user, profile, the case with its lor, loa, notification, rule and batch, 3 prefetches
            assert client.get(f"/api/v1/cases/{target.case_number}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[2] == counts[1], counts


def test_offsets_postgresql_cannot_store_are_normalised(api, reviewer, portfolio):
    """Found by schemathesis: ISO 8601 allows +23:20, PostgreSQL does not; the filter works in UTC."""
    response = api(reviewer).get("/api/v1/cases/?created_before=2026-03-04T14:50:19%2B23:20")
    assert response.status_code == 200
    assert numbers(response) == ["DE", "PL"]


@pytest.mark.parametrize("changes", [{}, {"dcs_negotiation": True}], ids=["actionable", "incomplete"])
def test_the_201_is_the_case_as_it_reads_back(api, liaison_pl, changes, django_assert_max_num_queries):
    """The 201 is built from what the service wrote (cases.reads.queries.as_written), not read back."""
    client = api(liaison_pl)
    # token+profile, agency, capabilities, timer rule, then the writes (the pair's first case also
    # creates its sequence; on PostgreSQL the search vector beside it) and nothing after them
    with django_assert_max_num_queries(18) as queries:
        created = client.post("/api/v1/lors/", lor(**changes), format="json")
    assert created.status_code == 201, created.content
    assert queries.captured_queries[-1]["sql"].startswith(("COMMIT", "RELEASE SAVEPOINT"))
    body = created.json()
    assert body == client.get(f"/api/v1/cases/{body['case_number']}/").json()
    assert [event["verb"] for event in body["timeline"]][-1] == ("lor_checked" if changes else "mark_actionable")
