"""Writing notices into the outbox, in the transaction of the change they tell of.

`tell` takes what happened (Tell: a kind, an idempotency key, the case or batch, the facts its words
need) and writes the Notice and one OutboxMessage per recipient and channel, in a fixed number of
statements however many it is given. Delivery is queued for after the commit: a transaction that rolls
back leaves no notice and sends nothing. Within `gathered()` (a batch decision deciding many cases),
notices wait and are written together at the end of the block.
"""
import logging
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import (
    Case,
    CaseEvent,
    Channel,
    DigestSettings,
    Mode,
    Notice,
    NoticePreference,
    OutboxMessage,
    Profile,
    ReviewBatch,
    Role,
    Verb,
    WebhookSubscription,
)
from ..models.notices import Audience
from .kinds import KINDS, Hears

log = logging.getLogger(__name__)


@dataclass
class Tell:
    kind: str
    key: str
    case_id: int | None = None
    batch_id: int | None = None
    facts: dict = field(default_factory=dict)  # the words' fields; "detail" is the body's text
    users: tuple = ()  # recipients named by the teller (an assignee, an office's staff, an owner)
    at: datetime | None = None


_gathering = ContextVar("notices_gathering", default=None)


@contextmanager
def gathered():
    """Hold the notices told within the block and write them together at its end (inside the caller's
    transaction). Nested blocks join the outermost."""
    if _gathering.get() is not None:
        yield
        return
    token = _gathering.set([])
    try:
        yield
        held = _gathering.get()
    finally:
        _gathering.reset(token)
    write(held)


def tell(notices, *, once=False):
    """Write `notices` now, or at the end of the enclosing `gathered()` block. `once`: some keys may
    already be written (a sweep); those are skipped."""
    notices = list(notices)
    if not once and (held := _gathering.get()) is not None:
        held.extend(notices)
        return
    write(notices, once=once)


def write(notices, *, once=False):
    if not notices:
        return []
    if once:
        known = set(Notice.objects.filter(key__in=[n.key for n in notices]).values_list("key", flat=True))
        notices = [n for n in notices if n.key not in known]
        if not notices:
            return []
    cases = {row["pk"]: row for row in Case.objects.filter(pk__in={n.case_id for n in notices if n.case_id}).values(
        "pk", "case_number", "country_id", "joint_request_id", "review_batch__assigned_reviewer_id")}
    heard = recipients(notices, cases)
    now = timezone.now()
    rows = [Notice(key=n.key, kind=n.kind, case_id=n.case_id, batch_id=n.batch_id, at=n.at or now,
                   summary=words(n, cases)[:300], detail=n.facts.get("detail", "")) for n in notices]
    messages = list(messages_for(rows, notices, heard, cases, now))
    # A notice nobody hears is not kept (an office without staff yet, a purchaser without a liaison).
    told = {id(message.notice) for message in messages}
    rows = Notice.objects.bulk_create([row for row in rows if id(row) in told])
    OutboxMessage.objects.bulk_create(messages)
    due = [m.pk for m in messages if m.channel != Channel.IN_APP and not m.digest]
    if due:
        transaction.on_commit(lambda: queue_delivery(due), robust=True)
    return rows


def words(notice, cases):
    case = cases.get(notice.case_id) or {}
    facts = {"number": case.get("case_number", ""), "batch": notice.batch_id, **notice.facts}
    return KINDS[notice.kind].summary.format_map(facts)


def recipients(notices, cases):
    """{notice key: user ids} by each kind's Hears, and the users the teller named."""
    wants = {hears for n in notices for hears in KINDS[n.kind].hears}
    heard = defaultdict(set)
    purchasers = purchaser_staff(notices, cases) if Hears.PURCHASER in wants else {}
    returners = last_returners([n.case_id for n in notices]) if Hears.RETURNER in wants else {}
    holders = batch_holders([n.batch_id for n in notices if not n.case_id]) if Hears.HOLDER in wants else {}
    staff = office_staff({n.facts.get("office_id") for n in notices}) if Hears.OFFICE in wants else {}
    for n in notices:
        case = cases.get(n.case_id) or {}
        for hears in KINDS[n.kind].hears:
            if hears is Hears.PURCHASER:
                heard[n.key] |= purchasers.get(case.get("country_id"), set())
                if case.get("joint_request_id"):
                    heard[n.key] |= purchasers.get(Role.NSPA, set())
            elif hears is Hears.HOLDER:
                holder = case.get("review_batch__assigned_reviewer_id") if n.case_id else holders.get(n.batch_id)
                heard[n.key] |= {holder} - {None}
            elif hears is Hears.RETURNER and n.case_id in returners:
                heard[n.key].add(returners[n.case_id])
            elif hears is Hears.OFFICE:
                heard[n.key] |= staff.get(n.facts.get("office_id"), set())
        heard[n.key] |= set(n.users)
    return heard


def batch_holders(batch_ids):
    return dict(ReviewBatch.objects.filter(pk__in=[pk for pk in batch_ids if pk]).values_list(
        "pk", "assigned_reviewer_id"))


def office_staff(offices):
    staff = defaultdict(set)
    for office, user in Profile.objects.filter(office_id__in=offices - {None}, user__is_active=True).values_list(
            "office_id", "user_id"):
        staff[office].add(user)
    return staff


def purchaser_staff(notices, cases):
    """{country id: its liaisons' user ids, Role.NSPA: NSPA staff's}, from one query."""
    told = [cases[n.case_id] for n in notices if n.case_id in cases and Hears.PURCHASER in KINDS[n.kind].hears]
    scope = Q(role=Role.LIAISON, country_id__in={case["country_id"] for case in told})
    if any(case["joint_request_id"] for case in told):
        scope |= Q(role=Role.NSPA)
    staff = defaultdict(set)
    for role, country, user in Profile.objects.filter(scope, user__is_active=True).values_list(
            "role", "country_id", "user_id"):
        staff[country if role == Role.LIAISON else Role.NSPA].add(user)
    return staff


def last_returners(case_ids):
    returned = (CaseEvent.objects.filter(case_id__in=[pk for pk in case_ids if pk], verb=Verb.RETURN,
                                         actor__isnull=False).order_by("case_id", "at", "id")
                .values_list("case_id", "actor_id"))
    return dict(returned)  # ordered by time: the last return of each case wins


def messages_for(rows, notices, heard, cases, now):
    users = set().union(*heard.values()) if heard else set()
    people = dict(get_user_model().objects.filter(pk__in=users, is_active=True).values_list("pk", "email"))
    modes = {(user, kind): mode for user, kind, mode in NoticePreference.objects.filter(
        user_id__in=people, kind__in={n.kind for n in notices}).values_list("user_id", "kind", "mode")}
    digesting = {user for (user, _), mode in modes.items() if mode == Mode.DIGEST}
    digest_at = next_digests(digesting, now) if digesting else {}
    for row, n in zip(rows, notices):
        for user in sorted(heard[n.key] & people.keys()):
            mode = modes.get((user, n.kind), Mode.NOW)
            if mode == Mode.OFF:
                continue
            yield OutboxMessage(notice=row, channel=Channel.IN_APP, user_id=user, created_at=now, due_at=now,
                                delivered_at=now)
            if people[user]:
                digest = mode == Mode.DIGEST
                yield OutboxMessage(notice=row, channel=Channel.EMAIL, user_id=user, created_at=now,
                                    digest=digest, due_at=digest_at[user] if digest else now)
    hooked = [(row, n) for row, n in zip(rows, notices) if KINDS[n.kind].webhook and n.case_id in cases]
    if hooked:
        for subscription in WebhookSubscription.objects.filter(active=True):
            for row, n in hooked:
                if hears_case(subscription, cases[n.case_id]) and (not subscription.kinds or n.kind in subscription.kinds):
                    yield OutboxMessage(notice=row, channel=Channel.WEBHOOK, subscription=subscription,
                                        created_at=now, due_at=now)


def hears_case(subscription, case):
    """A subscription hears what its organisation's staff may open (cases.reads.access.case_scope)."""
    if subscription.audience == Audience.NSPA:
        return case["joint_request_id"] is not None
    return case["country_id"] == subscription.country_id


def next_digests(users, now):
    """{user id: when their next daily digest goes}: the next `hour` o'clock in their time zone."""
    chosen = {row.user_id: row for row in DigestSettings.objects.filter(user_id__in=users)}
    return {user: next_digest(chosen.get(user) or DigestSettings(), now) for user in users}


def next_digest(digest, now):
    local = now.astimezone(ZoneInfo(digest.time_zone))
    at = local.replace(hour=digest.hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def queue_delivery(ids, chunk=100):
    """Queue delivery of the messages just committed. If the broker is down they wait in the outbox
    for beat's sweep (cases.tasks.deliver_notifications_task)."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import RedisError

    from ..tasks import deliver_messages_task

    try:
        for start in range(0, len(ids), chunk):
            deliver_messages_task.delay(ids[start:start + chunk])
    except (BrokerError, RedisError) as error:
        log.warning("Notification delivery not queued (%s); the sweep will send them.", error)
