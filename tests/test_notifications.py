"""Notifications: written with the change in one transaction, delivered after it commits through a real
SMTP server, once; heard only by people who may open what they are about; preferences, digests, the
bell and unsubscribing."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import (
    Case,
    Channel,
    DigestSettings,
    Mode,
    Notice,
    NoticeKind,
    NoticePreference,
    OutboxMessage,
    ReviewBatch,
    Role,
    role_of,
)
from cases.notify import delivery, digests, reminders, unsubscribe
from cases.process import timers
from cases.process.services.lor import amend_lor
from cases.process.stages import Action, Stage
from cases.process.workflow import perform
from cases.review.batching import build_batches
from cases.review.services import assign_batch, start_batch

from .builders import Builder, in_batch, nspa_staff, office_staff, purchaser_of
from .factories import ProfileFactory

pytestmark = pytest.mark.usefixtures("deliver_in_process")

REASON = "Say where the systems will be based."


@pytest.fixture
def actionable(reviewer):
    return Builder(reviewer).build(Stage.LOR_ACTIONABLE)


def return_case(case, reviewer):
    return perform(case, Action.RETURN, actor=reviewer, inputs={"reason": REASON})


def test_a_returned_lor_reaches_its_liaison_by_mail_and_in_the_app(actionable, reviewer, smtp, client,
                                                                     django_capture_on_commit_callbacks):
    liaison = purchaser_of("DE")
    with django_capture_on_commit_callbacks(execute=True):
        return_case(actionable, reviewer)
    (mail,) = smtp.mailbox.to(liaison.email)
    assert mail["Subject"] == f"[fms-review] Case {actionable.case_number} was returned for information"
    text = mail.get_body(("plain",)).get_content()
    assert REASON in text and f"http://127.0.0.1:8000/cases/{actionable.case_number}/" in text
    assert f'href="http://127.0.0.1:8000/cases/{actionable.case_number}/"' in mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and "/notifications/unsubscribe/" in mail["List-Unsubscribe"]
    assert OutboxMessage.objects.get(channel=Channel.EMAIL).delivered_at is not None
    # Nobody else hears of it: the reviewer acted, and no other country's liaison may open the case.
    assert set(OutboxMessage.objects.values_list("user__username", flat=True)) == {liaison.username}
    client.force_login(liaison)
    assert '<span class="badge warn" aria-label="1 unread">1</span>' in client.get("/notifications/bell/").content.decode()


def test_a_change_rolled_back_tells_nobody(actionable, reviewer, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            return_case(actionable, reviewer)
            assert Notice.objects.count() == 1  # written in the change's own transaction...
            raise RuntimeError("the request failed after the change")
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()  # ...and gone with it
    assert callbacks == [] and smtp.mailbox.received == []


def test_each_message_is_sent_once_however_often_delivery_runs(actionable, reviewer, smtp,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return_case(actionable, reviewer)
    assert delivery.deliver_all() == 0 and delivery.deliver() == 0
    assert len(smtp.mailbox.received) == 1


def test_a_mail_server_refusing_is_retried_with_backoff(actionable, reviewer, smtp, django_capture_on_commit_callbacks):
    smtp.mailbox.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        return_case(actionable, reviewer)
    message = OutboxMessage.objects.get(channel=Channel.EMAIL)
    assert message.delivered_at is None and message.attempts == 1 and "451" in message.last_error
    first_wait = message.due_at - message.created_at
    assert timedelta(seconds=29) < first_wait < timedelta(seconds=32)
    assert delivery.deliver_all() == 0  # not due yet
    delivery.deliver_all(at=message.due_at)
    message.refresh_from_db()
    assert message.attempts == 2 and timedelta(seconds=59) < message.due_at - message.created_at - first_wait
    smtp.mailbox.refusing = False
    assert delivery.deliver_all(at=message.due_at) == 1
    assert len(smtp.mailbox.received) == 1 and OutboxMessage.objects.get(pk=message.pk).delivered_at


def test_a_message_failing_for_a_day_is_given_up(actionable, reviewer, smtp, django_capture_on_commit_callbacks):
    smtp.mailbox.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        return_case(actionable, reviewer)
    message = OutboxMessage.objects.get(channel=Channel.EMAIL)
    delivery.deliver_all(at=message.created_at + timedelta(hours=24, minutes=1))
    message.refresh_from_db()
    assert message.failed_at is not None and message.delivered_at is None
    assert delivery.deliver_all(at=message.created_at + timedelta(days=3)) == 0


def visible(user, notice):
    if notice.case_id:
        return Case.objects.visible_to(user).filter(pk=notice.case_id).exists()
    return ReviewBatch.objects.visible_to(user).filter(pk=notice.batch_id).exists()


@pytest.mark.django_db
def test_every_kind_reaches_only_people_who_may_open_its_subject(reviewer, liaison_pl):
    """A walk through every kind of notice, with each role present: each message's recipient may open the
    case or batch it is about, each kind reaches someone, and each role hears something."""
    ProfileFactory(user__username="bystander", office_id=None)
    holder = ProfileFactory(user__username="holder", office_id=None).user
    build = Builder(holder)
    offered = build.build(Stage.LOA_OFFERED)
    Builder(holder, country="FR", lead_nation="DE").build(Stage.LOA_OFFERED)  # NSPA's joint request
    Builder(holder).build(Stage.LOA_ACCEPTED)
    Builder(holder).build(Stage.LOA_EXPIRED)
    Builder(holder).build(Stage.DENIED)
    returned = Builder(holder).build(Stage.LOR_RETURNED)
    amend_lor(returned, {}, actor=purchaser_of("DE"), reply="Based at Ramstein.")
    reminders.remind_offers(at=build.at + timedelta(days=offered.loa.offer_expires_on.toordinal() - build.at.toordinal() - 10))
    reminders.remind_offers(at=build.at + timedelta(days=offered.loa.offer_expires_on.toordinal() - build.at.toordinal() - 2))
    waiting = Builder(holder, country="PL").build(Stage.LOR_ACTIONABLE)
    office_staff("state-rsat")
    build_batches(case_ids=[waiting.pk], at=build.tick())
    batch = ReviewBatch.objects.get(cases=waiting)
    start_batch(batch, reviewer=holder, at=build.tick())
    assign_batch(batch, "rev", by=holder, at=build.tick())
    reminders.remind_overdue_concurrence(at=build.tick(40))
    timers.mark_stalled(at=build.tick(40))

    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert kinds == set(NoticeKind.values) - {NoticeKind.WEBHOOK_DISABLED}
    heard_by_role = set()
    for message in OutboxMessage.objects.select_related("notice", "user__profile"):
        assert visible(message.user, message.notice), (message.user.username, message.notice.summary)
        heard_by_role.add(role_of(message.user))
    assert heard_by_role == {Role.LIAISON, Role.NSPA, Role.REVIEWER}
    assert not OutboxMessage.objects.filter(user__username="bystander").exists()
    assert OutboxMessage.objects.filter(user=liaison_pl, notice__kind=NoticeKind.STALLED).count() == 0
    assert OutboxMessage.objects.filter(user=nspa_staff(), notice__case__joint_request__isnull=True).count() == 0


def test_off_tells_nothing_and_a_digest_waits_for_its_hour(actionable, reviewer, smtp,
                                                            django_capture_on_commit_callbacks):
    liaison = purchaser_of("DE")
    NoticePreference.objects.create(user=liaison, kind=NoticeKind.RETURNED, mode=Mode.DIGEST)
    NoticePreference.objects.create(user=liaison, kind=NoticeKind.APPROVED, mode=Mode.OFF)
    DigestSettings.objects.create(user=liaison, hour=18, time_zone="Europe/Berlin")
    second = Builder(reviewer).build(Stage.LOR_ACTIONABLE)
    with django_capture_on_commit_callbacks(execute=True):
        return_case(actionable, reviewer)
        return_case(second, reviewer)
    assert smtp.mailbox.received == []
    assert OutboxMessage.objects.filter(user=liaison, channel=Channel.IN_APP).count() == 2  # the bell at once
    held = OutboxMessage.objects.filter(user=liaison, channel=Channel.EMAIL, digest=True)
    due = held.first().due_at
    assert due.astimezone(ZoneInfo("Europe/Berlin")).hour == 18 and held.count() == 2
    assert digests.send_digests(at=due - timedelta(minutes=1)) == 0
    assert digests.send_digests(at=due) == 1 and digests.send_digests(at=due) == 0
    (mail,) = smtp.mailbox.received
    assert mail["Subject"] == "[fms-review] Your daily digest: 2 notices"
    text = mail.get_body(("plain",)).get_content()
    assert actionable.case_number in text and second.case_number in text


def test_unsubscribing_needs_the_signed_token_not_a_sign_in(client, reviewer):
    liaison = purchaser_of("DE")
    link = unsubscribe.unsubscribe_url(liaison.pk, NoticeKind.RETURNED).removeprefix("http://127.0.0.1:8000")
    page = client.get(link)
    assert page.status_code == 200 and "Stop these e-mails?" in page.content.decode()
    assert not NoticePreference.objects.exists()  # a link scanner's GET changes nothing
    assert client.post(link).status_code == 200  # one click, as a mail client sends it (no CSRF token)
    assert NoticePreference.objects.get(user=liaison, kind=NoticeKind.RETURNED).mode == Mode.OFF
    forged = link.replace(link.split("/")[-2], link.split("/")[-2][:-3] + "abc")
    assert client.post(forged).status_code == 404 and client.get("/notifications/unsubscribe/nonsense/").status_code == 404


def test_the_list_opens_and_marks_read_only_ones_own(actionable, reviewer, client, liaison_pl,
                                                     django_capture_on_commit_callbacks):
    return_case(actionable, reviewer)
    liaison = purchaser_of("DE")
    message = OutboxMessage.objects.get(user=liaison, channel=Channel.IN_APP)
    client.force_login(liaison_pl)
    assert client.post(f"/notifications/{message.pk}/open/").status_code == 404  # another country's
    assert "Nothing yet" in client.get("/notifications/").content.decode()
    client.force_login(liaison)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/notifications/")
    assert page.status_code == 200 and f"Case {actionable.case_number} was returned" in page.content.decode()
    assert len(queries) <= 7
    opened = client.post(f"/notifications/{message.pk}/open/")
    assert opened.status_code == 302 and opened["Location"].endswith(f"/cases/{actionable.case_number}/")
    assert OutboxMessage.objects.get(pk=message.pk).read_at is not None
    assert "aria-label" not in client.get("/notifications/bell/").content.decode()
    assert client.get(f"/notifications/{message.pk}/open/").status_code == 405


def test_mark_all_read(actionable, reviewer, client):
    return_case(actionable, reviewer)
    client.force_login(purchaser_of("DE"))
    response = client.post("/notifications/read/", follow=True)
    assert "Marked 1 notice read." in response.content.decode()
    assert not OutboxMessage.objects.filter(read_at__isnull=True, channel=Channel.IN_APP).exists()


def test_preferences_are_saved_per_kind_and_refuse_bad_input(client, db):
    liaison = purchaser_of("DE")
    client.force_login(liaison)
    page = client.get("/notifications/preferences/").content.decode()
    assert "Case returned for information" in page and "Your office is asked to concur" not in page
    form = {"hour": "6", "time_zone": "Europe/Warsaw", **{kind: "now" for kind in NoticeKind.values}}
    bad = client.post("/notifications/preferences/", {**form, "hour": "25", "returned": "loud"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert not NoticePreference.objects.exists() and not DigestSettings.objects.exists()
    assert client.post("/notifications/preferences/", {**form, "denied": "digest"}).status_code == 302
    assert NoticePreference.objects.get(user=liaison, kind=NoticeKind.DENIED).mode == Mode.DIGEST
    assert DigestSettings.objects.get(user=liaison).time_zone == "Europe/Warsaw"


def test_a_batch_assigned_and_offices_asked_are_told(reviewer, django_capture_on_commit_callbacks):
    colleague = ProfileFactory(user__username="amy", office_id=None).user
    dsca = office_staff("dsca")
    case = Builder(reviewer).build(Stage.LOR_ACTIONABLE)
    batch = in_batch(case, reviewer, Builder(reviewer).tick())
    assign_batch(batch, "amy", by=reviewer)
    assert OutboxMessage.objects.filter(user=colleague, notice__kind=NoticeKind.BATCH_ASSIGNED,
                                        channel=Channel.IN_APP).count() == 1
    asked = OutboxMessage.objects.get(user=dsca, notice__kind=NoticeKind.CONCURRENCE_ASKED, channel=Channel.IN_APP)
    assert asked.notice.batch_id == batch.pk and "is asked to concur on batch" in asked.notice.summary


def test_every_kind_has_words_and_every_rule_names_a_kind_that_exists():
    from cases.notify.kinds import KINDS
    from cases.process.workflow.rulebook import BATCH_RULES, RULES

    assert set(KINDS) == set(NoticeKind)
    named = {rule.notifies for rule in [*RULES.values(), *BATCH_RULES.values()] if rule.notifies}
    assert named <= set(KINDS) and len(named) == 9
