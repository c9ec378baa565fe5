"""What a batch action writes. Runs inside `perform_batch`'s transaction with the batch row locked."""
from ...models import CaseEvent, Outcome, Verb
from ..stages import Action, Stage

# Modules, not their names: both import the table that imports this module.
from . import perform as acting
from . import rulebook
from .context import context
from .errors import GuardFailed
from .inputs import missing

OUTCOME_ACTIONS = {Outcome.APPROVE: Action.APPROVE, Outcome.DENY: Action.DENY, Outcome.RETURN: Action.RETURN}


def take(batch, ctx):
    """The reviewer takes the batch (its membership is frozen from now): each case's trail says so."""
    batch.assigned_reviewer = ctx.actor
    members = list(batch.cases.filter(stage=Stage.IN_REVIEW).values_list("pk", flat=True))
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=pk, actor=ctx.actor, verb=Verb.BATCH_STARTED, from_stage=Stage.IN_REVIEW,
                  to_stage=Stage.IN_REVIEW, payload={"batch": batch.pk}, at=ctx.at)
        for pk in members
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
