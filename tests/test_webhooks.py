"""Webhooks: an organisation's endpoint gets signed events about the cases its staff may open, verified
with the README's example; a failing receiver is retried and, after a day, disabled and its owner told;
production's guard refuses plain http and the server's own networks; the API is the organisation's own."""
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Channel, NoticeKind, OutboxMessage, WebhookAttempt, WebhookSubscription
from cases.models.notices import Audience
from cases.notify import delivery
from cases.process.stages import Action, Stage
from cases.process.workflow import perform

from .builders import Builder, nspa_staff, purchaser_of
from .receivers import Hook

pytestmark = pytest.mark.usefixtures("deliver_in_process")

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_verify():
    """The verification function the README gives receivers, run as a receiver would paste it."""
    block = re.search(r"<!-- webhook-verify -->\s*```python\n(.*?)```", README.read_text(), re.S).group(1)
    scope = {}
    exec(block, scope)  # noqa: S102 - the README's own example, under test
    return scope["verify"]


@pytest.fixture
def hook():
    with Hook() as receiver:
        yield receiver


def subscribe(url, *, nspa=True, country=None, kinds=()):
    owner = nspa_staff() if nspa else purchaser_of(country)
    return WebhookSubscription.objects.create(audience=Audience.NSPA if nspa else Audience.COUNTRY, country_id=country,
                                              url=url, owner=owner, kinds=list(kinds))


def offer_joint_case(reviewer):
    return Builder(reviewer, country="FR", lead_nation="DE").build(Stage.LOA_OFFERED)


def test_nspa_gets_signed_events_for_its_joint_requests_cases_only(reviewer, hook, django_capture_on_commit_callbacks):
    subscription = subscribe(hook.url + "?for=nspa")
    france = subscribe(hook.url + "?for=fr", nspa=False, country="FR", kinds=[NoticeKind.OFFERED])
    with django_capture_on_commit_callbacks(execute=True):
        joint = offer_joint_case(reviewer)
        national = Builder(reviewer, country="PL").build(Stage.LOA_OFFERED)  # no joint request: NSPA hears nothing
    verify = readme_verify()
    deliveries = hook.received
    secrets = {"/fms-events?for=nspa": subscription.secret, "/fms-events?for=fr": france.secret}
    assert deliveries and all(verify(secrets[r["path"]], r["headers"]["FMS-Signature"], r["body"]) for r in deliveries)
    events = [json.loads(r["body"]) for r in deliveries]
    assert {e["case"]["number"] for e in events} <= {joint.case_number, *joint.joint_request.cases.values_list(
        "case_number", flat=True)}
    assert national.case_number not in json.dumps(events)
    offered = [e for e in events if e["type"] == "offered" and e["case"]["number"] == joint.case_number]
    assert len(offered) == 2  # NSPA's subscription and France's
    event = offered[0]
    assert event["id"].startswith("evt_") and event["case"]["joint_request"] == str(joint.joint_request.reference)
    assert event["case"]["url"].endswith(f"/cases/{joint.case_number}/")
    headers = deliveries[0]["headers"]
    assert headers["FMS-Event-Id"] == json.loads(deliveries[0]["body"])["id"] and headers["Content-Type"] == "application/json"
    assert not verify("another-secret", headers["FMS-Signature"], deliveries[0]["body"])
    assert not verify(subscription.secret, headers["FMS-Signature"], deliveries[0]["body"] + b" ")
    assert not verify(subscription.secret, "t=1,v1=" + headers["FMS-Signature"].split("v1=")[1], deliveries[0]["body"])
    log = WebhookAttempt.objects.filter(message__subscription=subscription)
    assert log.count() == len([r for r in deliveries if r["path"].endswith("nspa")])
    assert all(json.loads(r["body"])["case"]["joint_request"] for r in deliveries if r["path"].endswith("nspa"))
    assert all(attempt.status_code == 200 and attempt.succeeded for attempt in log)


def test_a_receiver_answering_500_is_retried_until_it_takes_the_event(reviewer, django_capture_on_commit_callbacks):
    with Hook(answers=[500]) as hook:
        subscribe(hook.url, nspa=False, country="DE", kinds=[NoticeKind.DENIED])
        with django_capture_on_commit_callbacks(execute=True):
            Builder(reviewer).build(Stage.DENIED)
        message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
        assert message.delivered_at is None and "500" in message.last_error
        delivery.deliver_all(at=message.due_at)
        message.refresh_from_db()
        assert message.delivered_at is not None
        assert [r["status"] for r in hook.received] == [500, 200]
        assert len({r["headers"]["FMS-Event-Id"] for r in hook.received}) == 1 and len(hook.events) == 1
    codes = list(WebhookAttempt.objects.order_by("at", "id").values_list("status_code", flat=True))
    assert codes == [500, 200]


def test_a_day_of_failures_disables_the_subscription_and_tells_its_owner(reviewer, django_capture_on_commit_callbacks):
    with Hook(answers=[503] * 50) as hook:
        subscription = subscribe(hook.url, nspa=False, country="DE", kinds=[NoticeKind.DENIED])
        with django_capture_on_commit_callbacks(execute=True):
            Builder(reviewer).build(Stage.DENIED)
        message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
        at = message.created_at
        while at < message.created_at + timedelta(hours=25):
            delivery.deliver_all(at=at)
            at += timedelta(hours=1)
    subscription.refresh_from_db()
    message.refresh_from_db()
    assert not subscription.active and subscription.disabled_at and message.failed_at
    assert 10 < message.attempts < 40  # backing off: doubling, capped at an hour
    told = OutboxMessage.objects.filter(user=subscription.owner, notice__kind=NoticeKind.WEBHOOK_DISABLED)
    assert set(told.values_list("channel", flat=True)) == {Channel.IN_APP, Channel.EMAIL}
    assert subscription.url in told.first().notice.summary


PRODUCTION = {"WEBHOOK_HTTPS_ONLY": True, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": False}


@pytest.mark.parametrize("url, problem", [
    ("http://hooks.example.org/fms", "must start with https://"),
    ("https://127.0.0.1/fms", "private or loopback"),
    ("https://10.1.2.3/fms", "private or loopback"),
    ("https://169.254.169.254/latest/meta-data/", "private or loopback"),
    ("https://[::1]/fms", "private or loopback"),
])
def test_production_refuses_plain_http_and_its_own_networks(api, settings, url, problem, db):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    response = api(nspa_staff()).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400 and problem in response.json()["url"][0]
    assert not WebhookSubscription.objects.exists()


def test_production_refuses_a_name_that_resolves_to_loopback_at_delivery(settings, reviewer,
                                                                          django_capture_on_commit_callbacks):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    subscription = subscribe("https://localhost:9/fms", nspa=False, country="DE", kinds=[NoticeKind.DENIED])
    with django_capture_on_commit_callbacks(execute=True):
        Builder(reviewer).build(Stage.DENIED)
    (attempt,) = WebhookAttempt.objects.filter(message__subscription=subscription)
    assert attempt.status_code is None and "may not call" in attempt.error


def test_the_api_is_the_organisations_own(api, reviewer, liaison_pl, hook, django_capture_on_commit_callbacks):
    nspa = api(nspa_staff())
    created = nspa.post("/api/v1/webhooks/", {"url": hook.url, "kinds": ["denied", "offered"]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert len(body["secret"]) == 64 and body["kinds"] == ["denied", "offered"] and body["active"]
    pk = body["id"]
    assert nspa.get(f"/api/v1/webhooks/{pk}/").json()["secret"].startswith("…")
    with CaptureQueriesContext(connection) as queries:
        listed = nspa.get("/api/v1/webhooks/")
    assert [row["id"] for row in listed.json()["results"]] == [pk] and len(queries) <= 5
    poland = api(liaison_pl)
    assert poland.get(f"/api/v1/webhooks/{pk}/").status_code == 404  # another organisation's
    assert poland.get("/api/v1/webhooks/").json()["results"] == []
    assert api(reviewer).get("/api/v1/webhooks/").status_code == 403
    bad = nspa.post("/api/v1/webhooks/", {"url": "ftp://x", "kinds": ["stalled"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"url", "kinds"} and "stalled" in bad.json()["kinds"]["0"][0]
    assert nspa.patch(f"/api/v1/webhooks/{pk}/", {"active": False}, format="json").json()["active"] is False
    assert nspa.patch(f"/api/v1/webhooks/{pk}/", {"active": True}, format="json").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        Builder(reviewer, country="FR", lead_nation="DE").build(Stage.DENIED)
    with CaptureQueriesContext(connection) as queries:
        log = nspa.get(f"/api/v1/webhooks/{pk}/deliveries/")
    assert log.status_code == 200 and len(queries) <= 8
    entries = log.json()["results"]
    assert entries and entries[0]["status_code"] == 200 and entries[0]["delivered"] and entries[0]["type"] == "denied"
    event = entries[0]["event"]
    with django_capture_on_commit_callbacks(execute=True):
        again = nspa.post(f"/api/v1/webhooks/{pk}/redeliver/", {"event": event}, format="json")
    assert again.status_code == 202
    assert [r["headers"]["FMS-Event-Id"] for r in hook.received].count(event) == 2
    assert len(nspa.get(f"/api/v1/webhooks/{pk}/deliveries/").json()["results"]) == len(entries) + 1
    missing = nspa.post(f"/api/v1/webhooks/{pk}/redeliver/", {"event": "evt_999999"}, format="json")
    assert missing.status_code == 400 and missing.json() == {"event": ["This subscription was sent no such event."]}
    assert poland.post(f"/api/v1/webhooks/{pk}/redeliver/", {"event": event}, format="json").status_code == 404
    assert nspa.delete(f"/api/v1/webhooks/{pk}/").status_code == 405  # turned off, its log kept


def test_an_event_is_not_sent_to_a_disabled_subscription(reviewer, hook, django_capture_on_commit_callbacks):
    subscription = subscribe(hook.url, nspa=False, country="DE")
    subscription.active = False
    subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = Builder(reviewer).build(Stage.LOR_ACTIONABLE)
        perform(case, Action.RETURN, actor=reviewer, inputs={"reason": "More."})
    assert hook.received == [] and not OutboxMessage.objects.filter(channel=Channel.WEBHOOK).exists()
