"""What the rule book allows a user now, and what stands between a case and its next stage: the API's
`actions` and `blocked`, the case page's buttons and checklist, the batch page's controls and the
admin's actions all come from here, so none of them restates a rule."""
from dataclasses import dataclass

from .batch_effects import OUTCOME_ACTIONS
from .context import context
from .perform import batch_refusal, permitted, refusal_of
from .rulebook import BATCH_RULES, RULES, STEPS


@dataclass(frozen=True)
class Offer:
    rule: object
    refusal: str | None  # None: the user may take it now

    @property
    def allowed(self):
        return self.refusal is None


def offers(case, user, at=None):
    """Every step `user`'s role may take on a case, each allowed now or with the reason it is not."""
    ctx = context(user, at)
    return [Offer(rule, message_of(refusal_of(rule, case, ctx, with_inputs=False)))
            for rule in STEPS.values() if permitted(rule, user)]


def message_of(refusal):
    return refusal.message if refusal else None


@dataclass(frozen=True)
class Gate:
    """A move that takes the case on from its stage, and each of its conditions: (label, refusal)."""

    rule: object
    items: list


def checklist(case, at=None):
    """What stands between the case and its next stage, move by move (only the moves that exist for
    this case: no notification gate for a case under every threshold, no offer for a P&A request)."""
    ctx = context(at=at)
    gates = []
    for rule in RULES.values():
        if not rule.forward or case.stage not in rule.stages:
            continue
        if any(condition.refusal(case, ctx) for condition in rule.when):
            continue
        items = [(condition.label, condition.refusal(case, ctx)) for condition in rule.guards
                 if not condition.on_input and condition.in_checklist]
        gates.append(Gate(rule, items))
    return gates


def decidable_cases(batch, cases, user, at=None):
    """The cases of `batch` that `user` may decide through it now (any outcome)."""
    ctx = context(user, at, batch=batch)
    decisions = [RULES[action] for action in OUTCOME_ACTIONS.values()]
    return [case for case in cases if any(
        permitted(rule, user) and refusal_of(rule, case, ctx, with_inputs=False) is None for rule in decisions)]


def batch_offers(batch, user, at=None):
    """The batch actions `user` may take now: {action: BatchRule}."""
    ctx = context(user, at)
    return {action: rule for action, rule in BATCH_RULES.items()
            if permitted(rule, user) and batch_refusal(rule, batch, ctx) is None}
