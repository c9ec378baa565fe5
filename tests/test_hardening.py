"""What an adversarial pass found, each answered as a trusted system would: a clear 4xx, JSON under
/api/, nothing written."""
import uuid
from datetime import timedelta

import pytest

from cases.models import Case
from cases.process.stages import Stage

from .builders import T0, Builder, downloaded

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("role,path", [
    (None, "/api/v1/auth/token/"), ("liaison_pl", "/api/v1/lors/"), ("nspa_user", "/api/v1/joint-requests/"),
    ("reviewer", "/api/v1/batches/{batch}/decisions/"), ("reviewer", "/api/v1/cases/{case}/steps/ia-approval/"),
])
def test_a_deeply_nested_body_is_malformed_json(api, request, reviewer, role, path):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    client = api(request.getfixturevalue(role) if role else None)
    count = Case.objects.count()
    response = client.post(path.format(case=case.case_number, batch=case.review_batch_id), NESTED, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "nested too deeply" in response.json()["detail"]
    assert Case.objects.count() == count


@pytest.mark.parametrize("path", [
    "/api/v1/cases/0.5/", "/api/v1/batches/0.5/", "/api/v1/joint-requests/0.5/", "/api/v1/cases/0.5/steps/offer/",
    "/api/v1/cases/0.5/withdraw/", "/api/v1/cases/0.5/lor/", "/api/v1/batches/0.5/decisions/",
    "/api/v1/batches/0.5/start/", "/api/v1/no-such-endpoint/", "/api/v1/cases", "/api/v2/cases/",
])
@pytest.mark.parametrize("debug", [False, True])
def test_every_api_miss_answers_json(api, reviewer, path, debug, settings):
    settings.DEBUG = debug
    for method in ("get", "post"):
        response = getattr(api(reviewer), method)(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", (method, path)
        assert response.json()["detail"].startswith("No such endpoint.")


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/cases/{case}/", "/api/v1/lors/", "/api/v1/batches/",
                                  "/api/v1/countries/", "/api/v1/cases/{case}/steps/offer/", "/api/v1/joint-requests/"])
@pytest.mark.parametrize("user", ["reviewer", "liaison_pl", "nspa_user", None])
def test_a_method_an_endpoint_does_not_take_is_405_for_everyone(api, request, reviewer, path, user):
    case = Builder(reviewer, country="PL").build(Stage.LOA_DEVELOPMENT)
    client = api(request.getfixturevalue(user) if user else None)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(path.format(case=case.case_number))
        assert response.status_code == 405 and response["Content-Type"] == "application/json", (method, path, user)


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/export.csv", "/cases/{case}/", "/nspa/", "/metrics/",
                                  "/metrics/stages.csv", "/batches/{batch}/", "/cases/new/"])
def test_a_page_answers_only_the_methods_it_takes(client, reviewer, path):
    case = Builder(reviewer, country="PL").build(Stage.IN_REVIEW)
    client.force_login(reviewer)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(path.format(case=case.case_number, batch=case.review_batch_id)).status_code == 405


def test_no_filter_tells_an_object_the_user_may_not_see_from_one_that_does_not_exist(api, liaison_pl, nspa_user):
    """NSPA's joint requests are not a liaison's to see: an existing one's reference answers exactly as a
    missing one."""
    from cases.process.services.joint_requests import file_joint_request

    from .builders import lor_fields

    common = {name: value for name, value in lor_fields().items() if name not in {"country", "line_items", "title"}}
    joint = file_joint_request(filed_by=nspa_user, title="Coalition", model="agent_sales",
                               participants=[{"country": c, "line_items": lor_fields()["line_items"]} for c in ("LT", "LV")],
                               **common)
    client = api(liaison_pl)
    for query in ("joint_request={}", "country=Z{}", "bin=no-such-bin-{}", "capability=x{}", "region=R{}"):
        seen, missing = (client.get(f"/api/v1/cases/?{query.format(key)}") for key in (joint.reference, uuid.uuid4()))
        assert (seen.status_code, seen.json()) == (missing.status_code, missing.json()) == (200, seen.json()), query
        assert seen.json()["results"] == []
    assert api(nspa_user).get(f"/api/v1/cases/?joint_request={joint.reference}").json()["results"]  # NSPA sees its own


@pytest.mark.parametrize("query", ["joint_request=00000000-0000-0000-0000-000000000000", "bin=%1AAU", "country=ZZ", "capability=none", "region=MARS"])
def test_a_value_the_schema_accepts_is_accepted(api, reviewer, query):
    assert api(reviewer).get(f"/api/v1/cases/?{query}").status_code == 200
    if "joint" not in query and "country" not in query:
        assert api(reviewer).get(f"/api/v1/batches/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["joint_request=abc", "joint_request=1.5", "created_after=yesterday", "stage=nope"])
def test_a_value_of_the_wrong_type_is_still_400(api, reviewer, query):
    response = api(reviewer).get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400 and query.split("=")[0] in response.json()


@pytest.mark.django_db(transaction=True)
def test_work_after_the_commit_never_fails_the_request_that_committed(api, liaison_pl, monkeypatch):
    """The batching run queued after an LOR's commit meets a locked database: the LOR is saved, so 201."""
    from django.db import OperationalError

    from .api_data import lor

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("cases.tasks.build_batches_task.apply_async", locked)
    response = api(liaison_pl).post("/api/v1/lors/", lor(), format="json")
    assert response.status_code == 201
    assert Case.objects.filter(case_number=response.json()["case_number"], stage=Stage.LOR_ACTIONABLE).exists()


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_an_export_keeps_a_formula_as_text(client, reviewer, title):
    import csv
    import io

    from .builders import submit

    case = submit(reviewer, title=title)
    client.force_login(reviewer)
    rows = list(csv.DictReader(io.StringIO(downloaded(client.get("/cases/export.csv")))))
    assert [row["title"] for row in rows] == ["'" + title]
    assert rows[0]["case_number"] == case.case_number and rows[0]["total_value_usd"] == "1000000.00"


def test_a_metrics_export_keeps_a_formula_as_text(client, reviewer):
    from cases.web.exports import cell

    assert [cell(text) for text in ("\t=1", "\r=1", "-1", "plain")] == ["'\t=1", "'\r=1", "'-1", "plain"]
    assert cell(-1) == -1  # a number is a number
    client.force_login(reviewer)
    assert downloaded(client.get("/metrics/stages.csv")).splitlines()[1] == "LOR received,0"


def test_metrics_and_precedents_read_through_the_users_scope(reviewer, liaison_pl):
    """All reviewers see everything today; the figures would follow a narrower scope the day one does not."""
    from cases.models import ReviewBatch
    from cases.reads import metrics
    from cases.review.record import attach_record

    Builder(reviewer, country="PL").build(Stage.DENIED)
    Builder(reviewer, country="DE").build(Stage.LOA_DEVELOPMENT)
    period = metrics.Period(T0.date(), T0.date() + timedelta(days=365))
    stages = {user: dict(metrics.cases_per_stage(user, period).rows)["Denied"] for user in (reviewer, liaison_pl, None)}
    assert stages == {reviewer: 1, liaison_pl: 1, None: 0}
    assert all(value == 0 for table in metrics.all_tables(None, period) for _, value in table.rows if value)
    later = Builder(reviewer, country="PL").build(Stage.IN_REVIEW)
    batch = ReviewBatch.objects.get(cases=later)
    seen = {}
    for user in (reviewer, liaison_pl):
        precedents = attach_record(batch, user).record[0].precedents
        seen[user] = [decision.case.country_id for decision in precedents.own + precedents.group]
    assert sorted(seen[reviewer]) == ["DE", "PL"]  # Germany's approval in the group, Poland's own denial
    assert seen[liaison_pl] == ["PL"]  # a liaison's scope has no German case in it


@pytest.mark.parametrize("reason,error", [("x" * 100_000, "At most 2,000 characters."),
                                          ("Budget\x00moved", "Null characters are not allowed.")])
def test_one_input_rule_at_both_doors(client, api, reviewer, reason, error):
    """The withdraw form and the API refuse the same reasons, with nothing written."""
    from .builders import purchaser_of

    case = Builder(reviewer, country="PL").build(Stage.LOR_ACTIONABLE)
    liaison = purchaser_of("PL")
    client.force_login(liaison)
    page = client.post(f"/cases/{case.case_number}/steps/withdraw/", {"withdraw-reason": reason})
    assert page.status_code == 400 and error in page.content.decode()
    answer = api(liaison).post(f"/api/v1/cases/{case.case_number}/withdraw/", {"reason": reason}, format="json")
    assert answer.status_code == 400 and answer.json()["reason"] == [error]
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_ACTIONABLE


@pytest.mark.parametrize("day,error", [("9999-12-31", "is in the future"), ("2099-01-01", "is in the future"),
                                       ("1900-01-01", "is before the case was approved"),
                                       ("2003-01-01", "is before the case was approved")])
def test_an_ia_approval_day_is_one_the_process_allows(api, reviewer, day, error):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    response = api(reviewer).post(f"/api/v1/cases/{case.case_number}/steps/ia-approval/", {"on": day}, format="json")
    assert response.status_code == 400 and error in response.json()["on"][0]
    assert not case.events.filter(verb="ia_approved").exists()


@pytest.mark.parametrize("field", ["signed_on", "initial_deposit_on"])
@pytest.mark.parametrize("day,error", [("1900-01-01", "is before the offer"), ("2999-01-01", "is in the future")])
def test_acceptance_dates_are_ones_the_process_allows(api, reviewer, field, day, error):
    from django.utils import timezone

    from .builders import purchaser_of

    builder = Builder(reviewer, country="PL")
    builder.at = timezone.now() - timezone.timedelta(days=10)
    case = builder.build(Stage.LOA_OFFERED)
    body = {"signed_on": str(timezone.localdate()), "initial_deposit_on": str(timezone.localdate()), field: day}
    response = api(purchaser_of("PL")).post(f"/api/v1/cases/{case.case_number}/steps/acceptance/", body, format="json")
    assert response.status_code == 400 and error in response.json()[field][0]
    assert Case.objects.get(pk=case.pk).stage == Stage.LOA_OFFERED


def test_a_wrong_ia_approval_day_is_corrected_by_a_reviewer_with_its_reason(api, reviewer):
    from datetime import timedelta

    from django.utils import timezone

    builder = Builder(reviewer)
    builder.at = timezone.now() - timedelta(days=10)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    client = api(reviewer)
    client.post(f"/api/v1/cases/{case.case_number}/steps/ia-approval/", {}, format="json")  # today, by mistake
    right = timezone.localdate() - timedelta(days=5)
    missing = client.post(f"/api/v1/cases/{case.case_number}/steps/ia-approval-correction/", {"on": str(right)}, format="json")
    assert missing.status_code == 400 and missing.json() == {
        "reason": ["A correction needs its reason: the audit trail keeps it."]}
    body = client.post(f"/api/v1/cases/{case.case_number}/steps/ia-approval-correction/",
                       {"on": str(right), "reason": "The IA letter is dated five days ago."}, format="json").json()
    assert body["loa"]["ia_approved_on"] == str(right)
    assert body["loa"]["offer_expires_on"] == str(right + timedelta(days=85))
    event = case.events.get(verb="ia_approval_corrected")
    assert event.actor == reviewer and event.payload["reason"] == "The IA letter is dated five days ago."
    assert event.payload["was"]["ia_approved_on"] == str(timezone.localdate())


def test_a_batch_whose_last_case_is_withdrawn_is_settled(api, reviewer):
    from cases.models import ReviewBatch

    from .builders import in_batch, purchaser_of

    builder = Builder(reviewer, country="PL")
    case = builder.build(Stage.IN_REVIEW)
    batch = in_batch(case, reviewer, builder.tick())
    assert api(purchaser_of("PL")).post(f"/api/v1/cases/{case.case_number}/withdraw/", {}, format="json").status_code == 200
    batch.refresh_from_db()
    assert batch.status == "decided" and batch.decided_at is not None
    assert not ReviewBatch.objects.filter(status="in_review").exists()


def test_what_a_signed_in_user_is_shown_is_never_cached(client, api, reviewer):
    client.force_login(reviewer)
    for response in (client.get("/cases/"), client.get("/"), api(reviewer).get("/api/v1/cases/")):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    anonymous = api(None).get("/api/schema/")
    assert "no-store" not in anonymous.get("Cache-Control", "")


@pytest.mark.parametrize("title,error", [
    ("\u200b\u200b\u200b", "only invisible or combining marks"), ("\u0301\u0302", "only invisible or combining marks"),
    ("Javelin \u202egnp.exe", "override characters"), ("\u2067Javelin", "override characters"),
])
def test_a_title_reads_as_what_it_says(api, liaison_pl, title, error):
    from .api_data import lor

    response = api(liaison_pl).post("/api/v1/lors/", lor(title=title), format="json")
    assert response.status_code == 400 and error in response.json()["title"][0]
    assert not Case.objects.exists()


def test_a_title_in_any_script_is_welcome(api, liaison_pl):
    from .api_data import lor

    for title in ("Javelin", "ジャベリン", "جافلين", "Café crème"):
        assert api(liaison_pl).post("/api/v1/lors/", lor(title=title), format="json").status_code == 201


def attempt(client, password, address, forged="", path="/api/v1/auth/token/"):
    """A sign-in through one trusted proxy: X-Forwarded-For is what the client wrote, then what the proxy saw."""
    chain = f"{forged}, {address}" if forged else address
    return client.post(path, {"username": "li-pl", "password": password}, content_type="application/json",
                       HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.0.0.2")


@pytest.fixture
def behind_one_proxy(settings):
    from django.core.cache import cache

    settings.TRUSTED_PROXIES = 1
    cache.clear()
    yield
    cache.clear()


def test_a_forged_forwarded_for_does_not_dodge_the_token_throttle(client, liaison_pl, behind_one_proxy):
    statuses = [attempt(client, "wrong", "203.0.113.5", forged=f"192.0.2.{n}").status_code for n in range(12)]
    assert statuses[-1] == 429 and statuses.count(429) >= 2


def test_one_clients_failures_lock_out_that_client_not_everyone_behind_the_proxy(client, liaison_pl, behind_one_proxy):
    from django.conf import settings as django_settings

    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", "203.0.113.5")
    assert attempt(client, "test-pass-2026", "203.0.113.5").status_code == 403  # the guesser, locked
    assert attempt(client, "test-pass-2026", "198.51.100.7").status_code == 200  # the owner, elsewhere
    forged = attempt(client, "wrong", "203.0.113.5", forged="198.51.100.7")
    assert forged.status_code == 403  # writing someone else's address first changes nothing


def test_one_rendered_lor_form_files_one_case(client, liaison_pl):
    client.force_login(liaison_pl)
    page = client.get("/cases/new/").content.decode()
    submission = page.split('name="submission" value="', 1)[1].split('"', 1)[0]
    body = {"submission": submission, "title": "Javelin", "implementing_agency": "B", "request_type": "LOA",
            "funding_source": "national_funds", "desired_delivery_date": "2029-01-31", "justification": "Stocks.",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "200", "items-0-description": "FGM-148 Javelin", "items-0-capability": "anti-armor",
            "items-0-quantity": "10", "items-0-unit_cost_usd": "200000"}
    first, again = client.post("/cases/new/", body), client.post("/cases/new/", body, follow=True)
    case = Case.objects.get()
    assert first.status_code == 302 and first.url == f"/cases/{case.case_number}/"
    assert f"This Letter of Request was already received: case {case.case_number}." in again.content.decode()
    refused = client.post("/cases/new/", {**body, "submission": "not-a-uuid"})
    assert refused.status_code == 400 and Case.objects.count() == 1


@pytest.mark.parametrize("path,body,field", [
    ("/api/v1/cases/{case}/withdraw/", {"reason": 0}, "reason"),
    ("/api/v1/cases/{case}/steps/return/", {"reason": True}, "reason"),
    ("/api/v1/lors/", "lor with a numeric title", "title"),
])
def test_text_is_text(api, reviewer, liaison_pl, path, body, field):
    """The schema says string: a number or a boolean is the wrong type, not a reason of "0"."""
    from .api_data import lor
    from .builders import purchaser_of

    case = Builder(reviewer, country="PL").build(Stage.LOR_RECEIVED)
    user = liaison_pl if "lors" in path else (reviewer if "return" in path else purchaser_of("PL"))
    if body == "lor with a numeric title":
        body = lor(title=12345)
    response = api(user).post(path.format(case=case.case_number), body, format="json")
    assert response.status_code == 400 and response.json()[field] == ["Give text (a JSON string)."]
    assert Case.objects.get(pk=case.pk).stage == Stage.LOR_RECEIVED
