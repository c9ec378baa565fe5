"""The one way an action is taken: `perform` for a case, `perform_batch` for a batch, and their
set-based forms for the clock (`perform_due`) and for batching (`move_many`).

Each locks the rows it changes, re-checks the rule book after the lock (so two people acting at once
cannot both succeed: the second is refused with the rule's reason), runs the effect, writes the audit
event and saves, in one transaction; a refusal writes nothing.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import F

from ...models import BatchStatus, Case, CaseEvent, NoticeKind, ReviewBatch, Verb, role_of
from ...notify import outbox
from ...review import queue_pages
from ...shortcuts.inserts import insert
from .. import bulk
from ..deadlines import DEADLINES
from ..stages import Action, BatchAction, Stage
from .context import context
from .errors import GuardFailed, IllegalMove, NotPermitted
from .inputs import missing
from .rulebook import BATCH_RULES, RULES, SYSTEM

STALL_LABELS = {deadline.name: deadline.label for deadline in DEADLINES}

# What an action's conditions and effects read of a case, fetched with it under the lock.
CASE_RELATED = ("lor", "loa", "notification__rule", "review_batch", "country", "joint_request", "assurance")


def permitted(rule, actor):
    """Whether `actor` may ever take `rule`: the system's rules take no person, the others a role."""
    return actor is None if rule.by == SYSTEM else role_of(actor) in rule.by


def refusal_of(rule, case, ctx, *, with_inputs=True):
    """Why `rule` cannot be taken on `case` now (an error to raise), or None. Without inputs: judged
    as a page lists it, before the actor has sent anything."""
    if case.stage not in rule.stages:
        return IllegalMove(wrong_stage(rule, case))
    for condition in rule.conditions:
        if not condition.on_input and (message := condition.refusal(case, ctx)):
            return GuardFailed(message)
    if not with_inputs:
        return None
    if errors := missing(rule.inputs, ctx.inputs):
        return GuardFailed(next(iter(errors.values()))[0], errors=errors)
    for condition in rule.guards:
        if condition.on_input and (message := condition.refusal(case, ctx)):
            return GuardFailed(message, errors={condition.field: [message]})
    return None


def wrong_stage(rule, case):
    stages = [Stage(stage).label for stage in Stage if stage in rule.stages]
    listed = ", ".join(stages[:-1]) + f" or {stages[-1]}" if len(stages) > 1 else stages[0]
    return (f"Case {case.case_number} is {case.get_stage_display()}: "
            f"“{rule.label}” applies only while a case is {listed}.")


def refuse_person(rule, actor):
    if not permitted(rule, actor):
        if rule.by == SYSTEM:
            raise NotPermitted(f"“{rule.label}” is taken by the system, not by a person.")
        raise NotPermitted(f"Your role may not take the step “{rule.label}”.")


def lock(case_or_id, rule, ctx):
    """Re-read the case with its row locked; for a rule that may take the case out of its batch's
    review, lock the batch first, in the order batch decisions lock them (no deadlock between the two)."""
    case_id = getattr(case_or_id, "pk", case_or_id)
    if rule.locks_batch and ctx.batch is None:
        batch_id = Case.objects.filter(pk=case_id).values_list("review_batch_id", flat=True).first()
        if batch_id:
            lock_batch(batch_id)
    return lock_case(case_id)


def lock_case(case_or_id):
    """The case re-read with its row locked, with what the rule book reads of it; inside a transaction.

    Two statements on purpose: a locking read that joins the LOA or notification would, after waiting
    for another transaction's lock, still see those rows as they were when it started waiting
    (PostgreSQL re-reads only the locked row), so two IA approvals at once would both pass. Read after
    the lock is held, they are as the winner left them."""
    case_id = getattr(case_or_id, "pk", case_or_id)
    Case.objects.select_for_update().filter(pk=case_id).values_list("pk").get()
    return Case.objects.select_related(*CASE_RELATED).get(pk=case_id)


def lock_batch(batch_or_id):
    return ReviewBatch.objects.select_for_update().get(pk=getattr(batch_or_id, "pk", batch_or_id))


def perform(case_or_id, action, *, actor=None, inputs=None, at=None, locked=False, batch=None):
    """Take `action` on a case and return the case as saved.

    Raises NotPermitted when the actor's role may never take it, IllegalMove when it does not apply
    to the case's stage, GuardFailed when a condition fails (with `errors` when the input lacks a
    field); nothing is written then. `at` dates a backfilled action (seeding); live callers leave it
    out. `locked=True`: the caller passes a case it has locked (or created) in this transaction.
    `batch`: the locked batch the case is decided through.
    """
    rule = RULES[Action(action)]
    ctx = context(actor, at, inputs, batch)
    refuse_person(rule, actor)
    with transaction.atomic():
        case = case_or_id if locked else lock(case_or_id, rule, ctx)
        batch_id = case.review_batch_id
        open_batch = case.review_batch if batch_id and case.review_batch.status == BatchStatus.OPEN else None
        from_stage, since, payload = apply(rule, case, ctx)
        if rule.target:
            case.save(update_fields=["stage", "stage_entered_at", "updated_at", "stalled_since", "stalled_reason",
                                     "review_batch"])
        if from_stage == Stage.IN_REVIEW != case.stage and open_batch:
            # Room for a newcomer (ReviewBatch.open_size). The rules that take a case out of review lock
            # its batch first, so the status read with the case still holds.
            ReviewBatch.objects.filter(pk=open_batch.pk).update(open_size=F("open_size") - 1)
        if batch_id and case.review_batch_id != batch_id:
            ReviewBatch.objects.filter(pk=batch_id).recount_members()
        if batch_id or case.review_batch_id:
            queue_pages.changed()
        (event,) = append_events([event_of(rule, case, ctx, from_stage, since, payload)])
        if rule.notifies:
            outbox.tell([case_notice(rule.notifies, event)])
        if rule.locks_batch and batch_id and batch is None:
            settle_batch(batch_id, at=ctx.at)
    return case


def perform_on_new(case, action, *, received, at):
    """Take the system's first `action` on a case made in this transaction and not yet saved, and save it:
    judged and applied as `perform` does, then inserted as the action leaves it, with the event of its
    receipt (`received`: a CaseEvent without its case) and the action's in one INSERT. Nobody else can hold
    a row not yet written, and writing it once spares an UPDATE of the row just inserted. The caller holds
    the transaction (the case's LOR and line items are saved in it after the case)."""
    rule = RULES[Action(action)]
    ctx = context(at=at)
    refuse_person(rule, None)
    from_stage, since, payload = apply(rule, case, ctx)
    insert([case])
    received.case = case
    events = append_events([received, event_of(rule, case, ctx, from_stage, since, payload)])
    if rule.notifies:
        outbox.tell([case_notice(rule.notifies, events[-1])])
    return case


def apply(rule, case, ctx):
    """Judge `rule` on `case` (raising its refusal) and make its change in memory; returns what its audit
    event records: the stage it leaves, since when, and the payload."""
    if refusal := refusal_of(rule, case, ctx):
        raise refusal
    payload = {"reason": ctx.reason} if ctx.reason else {}
    if rule.effect:
        payload.update(rule.effect(case, ctx) or {})
    from_stage, since = case.stage, case.stage_entered_at
    if rule.target:
        case.stage = rule.target
        case.stage_entered_at = case.updated_at = ctx.at
        case.stalled_since, case.stalled_reason = None, ""  # a move is what a stall was waiting for
    return from_stage, since, payload


def event_of(rule, case, ctx, from_stage, since, payload):
    return CaseEvent(case=case, actor=ctx.actor, verb=Verb(rule.action.value), from_stage=from_stage,
                     to_stage=case.stage, payload=payload, at=ctx.at,
                     stage_since=since if case.stage != from_stage else None)


def perform_batch(batch_or_id, action, *, actor=None, inputs=None, at=None):
    """Take a batch action (start, decide, settle); the same contract as `perform`."""
    rule = BATCH_RULES[BatchAction(action)]
    ctx = context(actor, at, inputs)
    refuse_person(rule, actor)
    with transaction.atomic(), outbox.gathered():
        batch = lock_batch(batch_or_id)
        if refusal := batch_refusal(rule, batch, ctx):
            raise refusal
        if rule.effect:
            rule.effect(batch, ctx)
        queue_pages.changed()
        if rule.notifies:
            outbox.tell([batch_notice(rule.notifies, batch, ctx)])
        if rule.target:
            fields = ["status", "assigned_reviewer"]
            if batch.status != rule.target:
                setattr(batch, rule.stamp, ctx.at)
                fields.append(rule.stamp)
            batch.status = rule.target
            batch.save(update_fields=fields)
    return batch


def perform_batches_due(action, *, at=None, among=None):
    """Take a clock action on every batch it is due for, set-based; returns the ids acted on.

    The rule's `due` (batches, at -> those it is due for) finds them;
    they are then locked (SKIP LOCKED: a batch someone is acting on is left for the next run) and their
    status re-checked under the lock before the rule's bulk effect runs.
    """
    rule = BATCH_RULES[BatchAction(action)]
    if rule.by != SYSTEM or rule.due is None or rule.bulk is None:
        raise ValueError(f"{rule.label} needs the one-batch path (perform_batch).")
    ctx = context(at=at)
    with transaction.atomic():
        due = rule.due(ReviewBatch.objects.filter(status__in=rule.statuses), ctx.at)
        if among is not None:
            due = due.filter(pk__in=among)
        found = list(due.order_by("pk").values_list("pk", flat=True))
        if not found:
            return []
        locked = ReviewBatch.objects.select_for_update(skip_locked=True).filter(
            pk__in=found, status__in=rule.statuses).order_by("pk")
        ids = list(locked.values_list("pk", flat=True))
        if ids:
            ReviewBatch.objects.filter(pk__in=ids).update(status=rule.target, **{rule.stamp: ctx.at})
            rule.bulk(ids, ctx)
            queue_pages.changed()
    return ids


def batch_refusal(rule, batch, ctx):
    if batch.status not in rule.statuses:
        return IllegalMove(rule.wrong_status(batch))
    if message := rule.refusal(batch, ctx):
        return GuardFailed(message)
    return None


def settle_batch(batch_id, *, at):
    """Mark a batch decided once no case of it is left in review; otherwise leave it as it is."""
    rule = BATCH_RULES[BatchAction.SETTLE]
    batch = lock_batch(batch_id)
    if batch_refusal(rule, batch, context(at=at)) is None:
        perform_batch(batch, BatchAction.SETTLE, at=at)


def perform_due(action, *, at=None, among=None):
    """Take a clock action on every case it is due for, in a fixed number of statements; returns the
    ids of the cases acted on. `among` narrows the cases looked at (a queryset or ids).

    Uses the rule's conditions as filters (each has its SQL form) and its bulk effect. Rows another
    transaction holds are skipped (SKIP LOCKED on PostgreSQL): the next run takes them.
    """
    rule = RULES[Action(action)]
    if rule.by != SYSTEM or any(c.q is None for c in rule.conditions) or (rule.effect and not rule.bulk):
        raise ValueError(f"{rule.label} needs the one-case path (perform).")
    ctx = context(at=at)
    due = Case.objects.filter(stage__in=rule.stages)
    for condition in rule.conditions:
        due = due.filter(condition.q(ctx.today))
    if among is not None:
        due = due.filter(pk__in=among)
    columns = rule.bulk.columns(ctx.today) if rule.bulk else {}
    with transaction.atomic():
        rows = list(due.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
                    .values("pk", "stage", "stage_entered_at", **columns))
        if not rows:
            return []
        ids = [row["pk"] for row in rows]
        queue_pages.changed()  # some may be in a batch: the queue counts their stalls and values
        payloads = rule.bulk.apply(ids, rows, ctx) if rule.bulk else [{} for _ in rows]
        if rule.target:
            Case.objects.filter(pk__in=bulk.id_set(ids)).update(
                stage=rule.target, stage_entered_at=ctx.at, updated_at=ctx.at, stalled_since=None, stalled_reason="")
        events = CaseEvent.objects.bulk_create(
            CaseEvent(case_id=row["pk"], verb=Verb(rule.action.value), from_stage=row["stage"],
                      to_stage=rule.target or row["stage"], payload=payload, at=ctx.at,
                      stage_since=row["stage_entered_at"] if rule.target and rule.target != row["stage"] else None)
            for row, payload in zip(rows, payloads)
        )
        if rule.notifies:
            outbox.tell(case_notice(rule.notifies, event) for event in events)
    return ids


def move_many(pairs, action, *, at, payload_key, assign=None, actor=None):
    """Take a condition-free, effect-free move on many cases in a fixed number of statements.

    For batching, where thousands of cases start review at once. `pairs` are (case id, value): each
    case's audit payload is {payload_key: value}, and with `assign` (the name of a nullable foreign
    key) the value is also stored there, only where it is still empty, in the same UPDATE. Cases no
    longer in the move's stage, or already assigned, are skipped (the UPDATE re-checks each row under
    its lock); returns the ids moved.
    """
    rule = RULES[Action(action)]
    if rule.conditions or rule.effect or len(rule.stages) != 1 or not rule.target:
        raise ValueError(f"{rule.label} needs the one-case path: it has conditions, an effect or several stages.")
    refuse_person(rule, actor)
    (source,) = rule.stages
    cases, events = Case._meta.db_table, CaseEvent._meta.db_table
    column = Case._meta.get_field(assign).column if assign else None
    table, table_params = bulk.pairs_table(pairs)
    at = connection.ops.adapt_datetimefield_value(at)  # stored as the ORM stores it (SQLite compares text)
    setting = (f"UPDATE {cases} SET stage = %s, stage_entered_at = %s, updated_at = %s, stalled_since = NULL, "
               f"stalled_reason = ''{f', {column} = v.b' if column else ''}")
    moving = f"WHERE {cases}.id = v.a AND {cases}.stage = %s{f' AND {cases}.{column} IS NULL' if column else ''}"
    event = f"%s, %s, %s, %s, {bulk.JSON_OBJECT}(%s, v.b), %s"
    event_params = [None, rule.action.value, source, rule.target, payload_key, at]
    insert = f"INSERT INTO {events} (case_id, actor_id, verb, from_stage, to_stage, payload, at, stage_since)"
    with transaction.atomic(), connection.cursor() as cursor:
        queue_pages.changed()
        if connection.vendor == "postgresql":
            # One statement: the moved rows feed their events, and the span each move ends begins at the
            # case's stage_entered_at as the statement found it (the joined `before`), so the trail is not
            # searched for it. (A case moved out and back by others within the statement would keep its
            # first entry's time: a race no person can make in milliseconds.)
            cursor.execute(
                f"WITH v AS (SELECT v.a, v.b, before.stage_entered_at AS since FROM {table} "
                f"JOIN {cases} before ON before.id = v.a), "
                f"moved AS ({setting} FROM v {moving} RETURNING v.a, v.b, v.since) "
                f"{insert} SELECT v.a, {event}, v.since FROM moved v RETURNING case_id",
                [*table_params, rule.target, at, at, source, *event_params],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"{setting} FROM {table} {moving} RETURNING id", [rule.target, at, at, *table_params, source])
        moved = [row[0] for row in cursor.fetchall()]
        moved_ids = bulk.id_set(moved)
        # The span each move ends began at the case's last move into the source stage: its stage_entered_at
        # is already overwritten, and the trail holds the same moment.
        cursor.execute(
            f"{insert} SELECT v.a, {event}, (SELECT max(entry.at) FROM {events} entry "
            f"WHERE entry.case_id = v.a AND entry.to_stage = %s AND entry.from_stage <> entry.to_stage) "
            f"FROM {table} WHERE v.a IN ({moved_ids.sql})",
            [*event_params, source, *table_params, *moved_ids.params],
        )
    return moved


def case_notice(kind, event):
    """The notice of a case's audit event, keyed by the event (told once), with the words' facts."""
    facts = {"detail": event.payload.get("reason", ""), "reason": event.payload.get("reason", "")}
    if kind == NoticeKind.STALLED:
        facts = {"reason": STALL_LABELS.get(event.payload.get("reason"), "a due date")}
    elif kind == NoticeKind.OFFERED:
        oed = Case.objects.filter(pk=event.case_id).values_list("loa__offer_expires_on", flat=True).first()
        facts["oed"] = f"{oed:%-d %B %Y}" if oed else "its Offer Expiration Date"
    return outbox.Tell(kind, f"{kind}:event:{event.pk}", case_id=event.case_id, facts=facts, at=event.at)


def batch_notice(kind, batch, ctx):
    return outbox.Tell(kind, f"{kind}:batch:{batch.pk}:{batch.assigned_reviewer_id}:{ctx.at.isoformat()}",
                       batch_id=batch.pk, facts={"cases": batch.cases.count()}, at=ctx.at)


def append_events(events):
    """Insert audit events in one statement. An INSERT is all an event ever gets, so the ORM's save()
    machinery (update-or-insert, signals) is skipped: the workflow writes thousands of these when seeding."""
    insert(events)
    collecting = _written.get()
    if collecting is not None:
        collecting.extend(events)
    return events


_written = ContextVar("events_written", default=None)


@contextmanager
def events_written():
    """Collect the audit events appended one by one within the block, in order: a service that has
    just created a case can show its timeline without reading it back."""
    token = _written.set([])
    try:
        yield _written.get()
    finally:
        _written.reset(token)
