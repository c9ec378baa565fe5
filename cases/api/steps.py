"""The LOA and congressional-notification steps after approval, as one table: step -> service and roles."""
from dataclasses import dataclass
from typing import Callable

from rest_framework import serializers

from ..models import Role
from ..services import offers

REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})


class StepInput(serializers.Serializer):
    """Fields some steps need: `on` (ia-approval), `justification` (emergency-waiver),
    `signed_on` and `initial_deposit_on` (acceptance)."""

    on = serializers.DateField(required=False, help_text="ia-approval: the day the IA approved (default today).")
    justification = serializers.CharField(max_length=5000, required=False, help_text="emergency-waiver.")
    signed_on = serializers.DateField(required=False, help_text="acceptance: the purchaser's signature.")
    initial_deposit_on = serializers.DateField(required=False, help_text="acceptance: the initial deposit.")


@dataclass(frozen=True)
class Step:
    run: Callable
    roles: frozenset
    needs: tuple = ()


def needs(data, *names):
    missing = {name: ["This field is required for this step."] for name in names if name not in data}
    if missing:
        raise serializers.ValidationError(missing)


STEPS = {
    "ia-approval": Step(lambda case, user, data: offers.record_ia_approval(case, actor=user, on=data.get("on")), REVIEWERS),
    "informal-review": Step(lambda case, user, data: offers.start_informal_review(case, actor=user), REVIEWERS),
    "notification": Step(lambda case, user, data: offers.submit_notification(case, actor=user), REVIEWERS),
    "emergency-waiver": Step(
        lambda case, user, data: offers.record_emergency_waiver(case, actor=user, justification=data["justification"]),
        REVIEWERS, ("justification",),
    ),
    "tsfd-approval": Step(lambda case, user, data: offers.approve_tsfd(case, actor=user), REVIEWERS),
    "offer": Step(lambda case, user, data: offers.offer_loa(case, actor=user), REVIEWERS),
    "acceptance": Step(
        lambda case, user, data: offers.record_acceptance(
            case, actor=user, signed_on=data["signed_on"], initial_deposit_on=data["initial_deposit_on"]
        ),
        frozenset({Role.LIAISON}), ("signed_on", "initial_deposit_on"),
    ),
    "implementation": Step(lambda case, user, data: offers.implement_case(case, actor=user), REVIEWERS),
    "closure": Step(lambda case, user, data: offers.close_case(case, actor=user), REVIEWERS),
}
