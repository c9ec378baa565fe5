"""A reviewer's decision on one case. Batch decisions call this once per case inside one transaction."""
from ...models import Outcome
from .. import workflow
from ..stages import Action

OUTCOME_ACTIONS = {Outcome.APPROVE: Action.APPROVE, Outcome.DENY: Action.DENY, Outcome.RETURN: Action.RETURN}


def decide_case(case, outcome, *, actor, reason="", at=None, locked=False):
    """Approve (-> LOA development), deny (-> denied, reason required) or return (-> LOR returned, reason
    required). The Decision row and audit event are written by the workflow move. `locked`: the caller
    already holds the case's row lock (see workflow.move)."""
    return workflow.move(case, OUTCOME_ACTIONS[Outcome(outcome)], actor=actor, reason=reason, at=at, locked=locked)
