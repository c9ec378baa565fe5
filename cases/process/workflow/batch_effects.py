"""What a batch action writes. Runs inside `perform_batch`'s transaction with the batch row locked."""
from django.contrib.auth import get_user_model

from ...models import REVIEWERS, BatchStatus, Case, CaseEvent, Outcome, Role, Verb, role_of
from ...review import concurrence, policy
from .. import bulk
from ..stages import Action, Stage

# Modules, not their names: both import the table that imports this module.
from . import perform as acting
from . import rulebook
from .context import context
from .errors import GuardFailed
from .inputs import BATCH_MEMO, missing

OUTCOME_ACTIONS = {Outcome.APPROVE: Action.APPROVE, Outcome.DENY: Action.DENY, Outcome.RETURN: Action.RETURN}


def take(batch, ctx):
    """The reviewer takes the batch; one still open enters review now, before its window would have
    closed. Each case's trail says who took it."""
    batch.assigned_reviewer = ctx.actor
    record_on_members([batch.pk], ctx, Verb.BATCH_STARTED)
    if batch.status == BatchStatus.OPEN:
        start_reviews([batch.pk], ctx)


def free_to_take(batch, ctx):
    """A batch in review that someone holds is theirs (see `held_by_another`); an open one, or one whose
    window closed with no holder yet, is any reviewer's to take."""
    holder = batch.assigned_reviewer
    if batch.status == BatchStatus.IN_REVIEW and holder and ctx.actor and holder.pk == ctx.actor.pk:
        return "You already hold this batch."
    return held_by_another(batch, ctx)


def window_still_open(batch, ctx):
    if not policy.window_closed(batch.pk, ctx.at):
        return "This batch's review window is still open."
    return None


def close_window(batch, ctx):
    close_windows([batch.pk], ctx)


def close_windows(batch_ids, ctx):
    """The windows of these batches closed (by age or size): their review starts. Each case's trail says
    so in the one entry that names the offices asked (one entry, not two, for tens of thousands of cases)."""
    start_reviews(batch_ids, ctx, window_closed=True)


def start_reviews(batch_ids, ctx, window_closed=False):
    """A batch's membership is frozen from here: its policy takes effect (decision due, standing
    releases) and every office its cases need is asked to concur at once. Set-based."""
    policy.start_reviews(batch_ids, at=ctx.at, actor=ctx.actor)
    concurrence.ask(batch_ids, at=ctx.at, window_closed=window_closed)


def record_on_members(batch_ids, ctx, verb):
    members = Case.objects.filter(review_batch__in=list(batch_ids), stage=Stage.IN_REVIEW).order_by("pk")
    payloads = {batch_id: {"batch": batch_id} for batch_id in batch_ids}
    bulk.insert_events([(pk, payloads[batch_id]) for pk, batch_id in members.values_list("pk", "review_batch_id")],
                       verb=verb, at=ctx.at, stage=Stage.IN_REVIEW, actor=ctx.actor)


def held_by_another(batch, ctx):
    """A batch someone holds is theirs: another reviewer neither takes nor decides it (an administrator,
    who leads the reviewers, may), but may be handed it."""
    holder = batch.assigned_reviewer
    if holder is None or ctx.actor is None or holder.pk == ctx.actor.pk or role_of(ctx.actor) == Role.ADMIN:
        return None
    return f"This batch is {holder.username}'s: they may hand it over to you."


def hand_over_by_holder(batch, ctx):
    """An open batch may be assigned by any reviewer; one under review is handed over by its holder."""
    return held_by_another(batch, ctx) if batch.status == BatchStatus.IN_REVIEW else None


def assign(batch, ctx):
    """The batch is given to the named reviewer (taken for review it stays in review, now theirs); each
    case's trail says who gave it to whom."""
    name = (ctx.inputs.get("reviewer") or "").strip()
    reviewer = get_user_model().objects.filter(username=name, is_active=True,
                                               profile__role__in=REVIEWERS).first() if name else None
    if not name:
        problem = "Name the reviewer to give the batch to."
    elif reviewer is None:
        problem = f"No reviewer is called {name}."
    elif reviewer == batch.assigned_reviewer:
        problem = f"{name} already holds this batch."
    else:
        problem = None
    if problem:
        raise GuardFailed("The batch cannot be assigned as asked.", errors={"reviewer": [problem]})
    payload = {"batch": batch.pk, "to": reviewer.username,
               "from": batch.assigned_reviewer.username if batch.assigned_reviewer else None}
    batch.assigned_reviewer = reviewer
    batch.save(update_fields=["assigned_reviewer"])
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=pk, actor=ctx.actor, verb=Verb.BATCH_ASSIGNED, from_stage=stage, to_stage=stage,
                  payload=payload, at=ctx.at)
        for pk, stage in batch.cases.values_list("pk", "stage")
    )


def no_memo_yet(batch, ctx):
    refusal = held_by_another(batch, ctx)
    if refusal is None and batch.memo:
        return f"The batch memo was written by {batch.memo_by.username}; it is written once."
    return refusal


def write_memo(batch, ctx):
    """The holder's one reasoned note for the batch; each case's trail says it was written (not what)."""
    memo = (ctx.inputs.get("memo") or "").strip()
    problem = BATCH_MEMO.required if not memo else BATCH_MEMO.too_long if len(memo) > BATCH_MEMO.max_length else None
    if problem:
        raise GuardFailed("The memo cannot be saved as sent.", errors={"memo": [problem]})
    batch.memo, batch.memo_by, batch.memo_at = memo, ctx.actor, ctx.at
    batch.save(update_fields=["memo", "memo_by", "memo_at"])
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=pk, actor=ctx.actor, verb=Verb.BATCH_MEMO, from_stage=stage, to_stage=stage,
                  payload={"batch": batch.pk}, at=ctx.at)
        for pk, stage in batch.cases.values_list("pk", "stage")
    )


def decide(batch, ctx):
    """Decide every case of `ctx.inputs["decisions"]` ([{"case": number, "outcome", "reason"}]) or none.

    Input errors, all of them, are raised before any case is touched, keyed "decisions.<n>.<field>";
    a case no longer in review refuses the whole request with its rule's reason. The batch is decided
    once no case of it is left in review.
    """
    entries = ctx.inputs["decisions"]
    members = dict(batch.cases.values_list("case_number", "pk"))
    errors = input_errors(entries, members=members)
    if errors:
        raise GuardFailed("Some decisions cannot be taken as sent.", errors=errors)
    for entry in entries:
        acting.perform(members[entry["case"]], OUTCOME_ACTIONS[entry["outcome"]], actor=ctx.actor,
                       inputs={"reason": entry.get("reason", "")}, at=ctx.at, batch=batch)
    acting.settle_batch(batch.pk, at=ctx.at)


def input_errors(entries, *, members):
    errors, seen = {}, set()
    if not entries:
        return {"decisions": ["Give at least one decision."]}
    for index, entry in enumerate(entries):
        prefix = f"decisions.{index}."
        if entry["case"] not in members:
            errors[prefix + "case"] = [f"Case {entry['case']} is not in this batch."]
        elif entry["case"] in seen:
            errors[prefix + "case"] = [f"Case {entry['case']} is decided twice in this request."]
        seen.add(entry["case"])
        action = OUTCOME_ACTIONS.get(entry["outcome"])
        if action is None:
            errors[prefix + "outcome"] = [f"Choose one of {', '.join(Outcome.values)}."]
            continue
        for field, messages in missing(rulebook.RULES[action].inputs, context(inputs=entry).inputs).items():
            errors[prefix + field] = messages
    return errors


def none_left_in_review(batch, ctx):
    if batch.cases.filter(stage=Stage.IN_REVIEW).exists():
        return "Cases of this batch are still in review."
