"""The LOA and congressional-notification steps after approval, as one table: step -> service, the
roles that may take it, the input it needs, and the stages where a page offers it. The API and the
case page both dispatch through it; the services decide what is legal."""
from dataclasses import dataclass
from typing import Callable

from rest_framework import serializers

from ..models import Role
from .services import offers
from .stages import Stage

REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})
DEVELOPMENT = frozenset({Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW})


class StepInput(serializers.Serializer):
    """Fields some steps need: `on` (ia-approval), `justification` (emergency-waiver),
    `signed_on` and `initial_deposit_on` (acceptance)."""

    on = serializers.DateField(required=False, help_text="ia-approval: the day the IA approved (default today).")
    justification = serializers.CharField(max_length=5000, required=False, help_text="emergency-waiver.")
    signed_on = serializers.DateField(required=False, help_text="acceptance: the purchaser's signature.")
    initial_deposit_on = serializers.DateField(required=False, help_text="acceptance: the initial deposit.")


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable
    roles: frozenset
    stages: frozenset
    needs: tuple = ()


def needs(data, *names):
    missing = {name: ["This field is required for this step."] for name in names if not data.get(name)}
    if missing:
        raise serializers.ValidationError(missing)


STEPS = {
    "ia-approval": Step(
        "Record IA approval", lambda case, user, data: offers.record_ia_approval(case, actor=user, on=data.get("on")),
        REVIEWERS, DEVELOPMENT,
    ),
    "informal-review": Step(
        "Start informal review", lambda case, user, data: offers.start_informal_review(case, actor=user),
        REVIEWERS, frozenset({Stage.LOA_DEVELOPMENT}),
    ),
    "notification": Step(
        "Submit formal notification", lambda case, user, data: offers.submit_notification(case, actor=user),
        REVIEWERS, frozenset({Stage.LOA_DEVELOPMENT}),
    ),
    "emergency-waiver": Step(
        "Record emergency waiver",
        lambda case, user, data: offers.record_emergency_waiver(case, actor=user, justification=data["justification"]),
        REVIEWERS, DEVELOPMENT, ("justification",),
    ),
    "tsfd-approval": Step(
        "Record TSFD approval", lambda case, user, data: offers.approve_tsfd(case, actor=user),
        REVIEWERS, frozenset({Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE, Stage.IN_REVIEW, *DEVELOPMENT}),
    ),
    "offer": Step("Offer the LOA", lambda case, user, data: offers.offer_loa(case, actor=user), REVIEWERS, DEVELOPMENT),
    "acceptance": Step(
        "Record acceptance",
        lambda case, user, data: offers.record_acceptance(
            case, actor=user, signed_on=data["signed_on"], initial_deposit_on=data["initial_deposit_on"]
        ),
        frozenset({Role.LIAISON}), frozenset({Stage.LOA_OFFERED}), ("signed_on", "initial_deposit_on"),
    ),
    "implementation": Step(
        "Implement", lambda case, user, data: offers.implement_case(case, actor=user),
        REVIEWERS, frozenset({Stage.LOA_ACCEPTED}),
    ),
    "closure": Step(
        "Close", lambda case, user, data: offers.close_case(case, actor=user),
        REVIEWERS, frozenset({Stage.IMPLEMENTED, Stage.DENIED, Stage.LOA_EXPIRED}),
    ),
}


def offered_steps(case, role):
    """The steps a page shows `role` for `case` in its stage."""
    return {name: step for name, step in STEPS.items() if role in step.roles and case.stage in step.stages}
