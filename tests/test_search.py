"""Case search: the header's box, the case list and its export, the API's `?search=`; ranked, and never
wider than what the user may see. Each test runs on SQLite (the fallback) and on PostgreSQL (full text)."""
import csv
import importlib
import io
import re

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from bins.models import Country
from cases.models import Case, CaseSearch
from cases.process.services.joint_requests import file_joint_request
from cases.process.services.lor import amend_lor
from cases.reads.search import refresh_vectors

from .builders import T0, downloaded, lor_fields, submit

pytestmark = pytest.mark.django_db

FILL = importlib.import_module("cases.migrations.0028_case_search_table").FILL


def page_text(response, searched):
    """The page but for the text searched and the form's CSRF token, which is new in every answer."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "~", response.content.decode().replace(searched, "~"))


def listed(response):
    """The case numbers the API answered with, in its order."""
    assert response.status_code == 200, response.content
    return [row["case_number"] for row in response.json()["results"]]


@pytest.fixture
def german_case(liaison_de):
    """A German case with a word of its own in every field searched."""
    return submit(liaison_de, country="DE", title="Harpoon coastal battery", justification="Defend the Kiel canal.",
                  line_items=[dict(lor_fields()["line_items"][0], description="Naval strike missile launcher")])


def test_a_case_number_goes_straight_to_the_case(signed_in, liaison_pl):
    case = submit(liaison_pl, country="PL")
    client = signed_in(liaison_pl)
    for text in (case.case_number, f"  {case.case_number.lower()} "):
        response = client.get("/cases/", {"search": text})
        assert (response.status_code, response.url) == (302, f"/cases/{case.case_number}/")


def test_another_countrys_case_number_answers_as_one_that_does_not_exist(signed_in, api, liaison_pl, german_case):
    """Same status, same page but for the text searched, same empty API page: no redirect, no hint."""
    missing = "DE-B-ZZZ"
    assert not Case.objects.filter(case_number=missing).exists()
    client = signed_in(liaison_pl)
    seen, absent = (client.get("/cases/", {"search": number}) for number in (german_case.case_number, missing))
    assert seen.status_code == absent.status_code == 200
    assert page_text(seen, german_case.case_number) == page_text(absent, missing)
    assert "No case matches" in seen.content.decode()
    answers = [api(liaison_pl).get("/api/v1/cases/", {"search": number}) for number in (german_case.case_number, missing)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json() == {"next": None, "previous": None, "results": []}


def test_the_api_lists_a_case_number_instead_of_jumping(api, liaison_pl):
    case = submit(liaison_pl, country="PL")
    submit(liaison_pl, country="PL")
    assert listed(api(liaison_pl).get("/api/v1/cases/", {"search": case.case_number.lower()})) == [case.case_number]


def test_a_title_match_ranks_before_a_justification_only_match(signed_in, api, reviewer):
    in_title = submit(reviewer, at=T0, title="Stinger replenishment")
    in_justification = submit(reviewer, at=T0.replace(day=3), title="Air defence",
                              justification="Replace Stinger missiles fired in exercises.")
    submit(reviewer, title="Unrelated request")
    ranked = [in_title.case_number, in_justification.case_number]  # the older first: newest is only the tie-break
    client = api(reviewer)
    assert listed(client.get("/api/v1/cases/", {"search": "stinger"})) == ranked
    assert listed(client.get("/api/v1/cases/", {"search": "stinger", "ordering": "-created"})) == ranked[::-1]
    page = signed_in(reviewer).get("/cases/", {"search": "stinger"}).content.decode()
    assert page.index(ranked[0]) < page.index(ranked[1])


def test_the_list_pages_through_the_ranked_order(signed_in, reviewer, monkeypatch):
    """The page is cut from the ranked cases before their rows are read: every case once, in rank order."""
    monkeypatch.setattr("cases.web.case_pages.LIST_PAGE_SIZE", 2)
    titled = [submit(reviewer, at=T0.replace(day=1 + index), title=f"Stinger lot {index}") for index in range(3)]
    mentioned = [submit(reviewer, at=T0.replace(day=9 + index), justification="Stinger spares.") for index in range(3)]
    client = signed_in(reviewer)
    rows = []
    for number in (1, 2, 3):
        page = client.get("/cases/", {"search": "stinger", "page": number}).content.decode()
        rows += re.findall(r'<th scope="row"><a href="/cases/([^/]+)/">', page)
    newest_first = [case.case_number for case in reversed(titled)] + [case.case_number for case in reversed(mentioned)]
    assert rows == newest_first


def test_a_broad_search_ranks_its_newest_matches_and_says_so(signed_in, api, reviewer, monkeypatch):
    """Past the cap, the oldest matches are left out (the best-ranked old one too) and the page says so."""
    monkeypatch.setattr("cases.reads.search.CANDIDATES", 2)
    old_title = submit(reviewer, at=T0.replace(day=1), title="Stinger lot")
    newer = [submit(reviewer, at=T0.replace(day=2 + index), justification="Stinger spares.") for index in range(2)]
    assert listed(api(reviewer).get("/api/v1/cases/", {"search": "stinger"})) == [
        case.case_number for case in reversed(newer)]
    page = signed_in(reviewer).get("/cases/", {"search": "stinger"}).content.decode()
    assert "the newest 2 matches" in page and old_title.case_number not in page
    monkeypatch.setattr("cases.reads.search.CANDIDATES", 4)
    page = signed_in(reviewer).get("/cases/", {"search": "stinger"}).content.decode()
    assert "the newest" not in page and old_title.case_number in page


def test_the_cap_counts_what_the_other_filters_leave(api, reviewer, monkeypatch):
    """The newest match overall is Polish; a German search filtered to Germany still finds its case."""
    monkeypatch.setattr("cases.reads.search.CANDIDATES", 1)
    german = submit(reviewer, country="DE", at=T0.replace(day=1), title="Stinger lot")
    submit(reviewer, country="PL", at=T0.replace(day=2), title="Stinger lot")
    for ordering in ("", "-created"):
        found = api(reviewer).get("/api/v1/cases/", {"search": "stinger", "country": "DE", "ordering": ordering})
        assert listed(found) == [german.case_number]


@pytest.mark.parametrize("text", ["Harpoon", "coastal battery", "Kiel", "launcher", "naval strike", "Germany",
                                  "DE-B"], ids=["title", "title words", "justification", "line item",
                                                "line item words", "country", "purchaser and agency"])
def test_each_searched_field_finds_the_case(api, reviewer, liaison_pl, german_case, text):
    submit(liaison_pl, country="PL", title="Patriot replenishment")
    assert listed(api(reviewer).get("/api/v1/cases/", {"search": text})) == [german_case.case_number]


def test_every_word_must_be_found(api, reviewer, german_case):
    client = api(reviewer)
    assert listed(client.get("/api/v1/cases/", {"search": "harpoon kiel"})) == [german_case.case_number]
    assert listed(client.get("/api/v1/cases/", {"search": "harpoon tornado"})) == []
    assert listed(client.get("/api/v1/cases/", {"search": '"'})) == []  # text, but no word in it


@pytest.mark.parametrize("text", ["Harpoon", "Kiel", "launcher", "Germany", "DE-B"])
def test_a_liaison_never_finds_another_countrys_case(signed_in, api, liaison_pl, german_case, text):
    own = submit(liaison_pl, country="PL", title="Harpoon for Gdynia", justification="Kiel class corvette support.",
                 line_items=[dict(lor_fields()["line_items"][0], description="Launcher")])
    expected = [own.case_number] if text not in ("Germany", "DE-B") else []
    assert listed(api(liaison_pl).get("/api/v1/cases/", {"search": text})) == expected
    page = signed_in(liaison_pl).get("/cases/", {"search": text}).content.decode()
    assert german_case.case_number not in page and (own.case_number in page) == bool(expected)
    export = downloaded(signed_in(liaison_pl).get("/cases/export.csv", {"search": text}))
    assert [row[0] for row in csv.reader(io.StringIO(export))][1:] == expected


def test_nspa_finds_only_its_joint_requests_cases(api, nspa_user, liaison_pl):
    common = {name: value for name, value in lor_fields().items() if name not in {"country", "line_items", "title"}}
    file_joint_request(filed_by=nspa_user, title="Coalition Stinger buy", model="agent_sales",
                       participants=[{"country": code, "line_items": lor_fields()["line_items"]} for code in ("LT", "LV")],
                       **common)
    submit(liaison_pl, country="PL", title="National Stinger buy")
    assert sorted(number[:2] for number in listed(api(nspa_user).get("/api/v1/cases/", {"search": "stinger"}))) == [
        "LT", "LV"]


def test_the_list_page_says_what_it_found(signed_in, reviewer, german_case):
    client = signed_in(reviewer)
    found = client.get("/cases/", {"search": "harpoon"}).content.decode()
    assert "1 case matches “harpoon”" in found and german_case.case_number in found
    assert 'value="harpoon"' in found  # in the header's box and in the list's
    nothing = client.get("/cases/", {"search": "tornado"}).content.decode()
    assert "No case matches “tornado”" in nothing and "Check the spelling" in nothing
    unsearched = client.get("/cases/").content.decode()
    assert "1 case</caption>" in unsearched and "No case matches" not in unsearched


@pytest.mark.parametrize("role", ["reviewer", "liaison_pl", "nspa_user"])
def test_every_role_has_the_search_box(signed_in, request, role):
    page = signed_in(request.getfixturevalue(role)).get("/cases/").content.decode()
    assert '<form class="search" role="search" method="get" action="/cases/">' in page
    assert 'name="search"' in page


def test_an_empty_search_is_no_search(api, reviewer, german_case):
    client = api(reviewer)
    assert listed(client.get("/api/v1/cases/", {"search": ""})) == listed(client.get("/api/v1/cases/", {"search": "  "}))\
        == [german_case.case_number]


@pytest.mark.parametrize("text,error", [("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
                                        ("Harpoon\x00", "Null characters are not allowed.")])
def test_a_search_the_schema_refuses_is_400_with_its_reason(signed_in, api, reviewer, text, error):
    answer = api(reviewer).get("/api/v1/cases/", {"search": text})
    assert (answer.status_code, answer.json()) == (400, {"search": [error]})
    page = signed_in(reviewer).get("/cases/", {"search": text})
    assert page.status_code == 200 and error in page.content.decode()
    assert signed_in(reviewer).get("/cases/export.csv", {"search": text}).status_code == 400


def test_the_longest_search_is_searched(api, reviewer):
    assert listed(api(reviewer).get("/api/v1/cases/", {"search": "x" * 200})) == []


def test_the_schema_documents_the_search(api, reviewer):
    schema = api(reviewer).get("/api/schema/?format=json").json()
    parameter = next(parameter for parameter in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
                     if parameter["name"] == "search")
    assert parameter["schema"] == {"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"}
    assert "best match first" in parameter["description"]


def test_a_searched_list_page_and_api_page_have_bounded_queries(signed_in, api, reviewer,
                                                                django_assert_max_num_queries):
    for index in range(60):
        submit(reviewer, country=["PL", "DE", "FR"][index % 3], title=f"Harpoon lot {index}")
    client = signed_in(reviewer)
    # session, user with profile, count, page, decisions, timer rules
    with django_assert_max_num_queries(10):
        page = client.get("/cases/", {"search": "harpoon"})
    assert page.status_code == 200 and "60 cases match" in page.content.decode()
    with django_assert_max_num_queries(11):  # and the look-up of a case number
        assert client.get("/cases/", {"search": "PL-B-ZZZ"}).status_code == 200
    client = api(reviewer)
    with django_assert_max_num_queries(3):  # token+user, profile, page (no count)
        assert len(listed(client.get("/api/v1/cases/", {"search": "harpoon", "page_size": 50}))) == 50


def stored_vector(case):
    return CaseSearch.objects.filter(pk=case.pk).values_list("vector", flat=True).first()


def test_the_vector_follows_an_lor_amendment(postgres, api, liaison_pl):
    case = submit(liaison_pl, country="PL", justification="")
    client = api(liaison_pl)
    assert listed(client.get("/api/v1/cases/", {"search": "Rzeszow"})) == []
    amend_lor(case, {"justification": "Basing: Rzeszow."}, actor=liaison_pl)
    assert listed(client.get("/api/v1/cases/", {"search": "Rzeszow"})) == [case.case_number]


def test_the_vector_is_the_same_however_it_is_written(postgres, reviewer):
    """Written at submission from the values, rebuilt from the rows, filled by the migration: one vector."""
    case = submit(reviewer, line_items=[dict(lor_fields()["line_items"][0], description=name)
                                        for name in ("Launcher", "Missile", "Radar")])
    written = stored_vector(case)
    assert written and "'launcher':" in written and "'de-b':" in written
    CaseSearch.objects.filter(pk=case.pk).delete()
    refresh_vectors(Case.objects.filter(pk=case.pk))
    assert stored_vector(case) == written
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_casesearch")
        cursor.execute(FILL)
    assert stored_vector(case) == written


def test_a_renamed_country_is_found_by_its_new_name(postgres, client, admin_user, api, reviewer):
    case = submit(reviewer, country="DE")
    germany = Country.objects.get(pk="DE")
    client.force_login(admin_user)
    form = {name: value for name, value in model_to_dict(germany).items() if value is not None}
    response = client.post(f"/admin/bins/country/{germany.pk}/change/", {**form, "name": "Bundesrepublik"})
    assert response.status_code == 302, response.content
    assert listed(api(reviewer).get("/api/v1/cases/", {"search": "Bundesrepublik"})) == [case.case_number]
    assert listed(api(reviewer).get("/api/v1/cases/", {"search": "Germany"})) == []


def test_the_search_reads_the_gin_index(postgres, reviewer):
    """With sequential scans and plain index scans priced out (a GIN index is read by bitmap), the plan of
    a search uses the index: it exists and it fits. Priced in, a small table's statistics can make walking
    the primary key look cheaper, depending on which tests ran before."""
    submit(reviewer, title="Harpoon coastal battery")
    from cases.reads.search import matched

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    matches, _ = matched(Case.objects.all(), "harpoon")
    plan = matches.order_by().explain()
    assert "case_search_idx" in plan
