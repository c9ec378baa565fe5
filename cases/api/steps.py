"""The rule book's steps as the API offers them: what a step accepts, and a case's `actions` and `blocked`."""
from rest_framework import serializers

from ..process.stages import Action
from ..process.workflow import RULES, STEPS
from ..process.workflow.offers import offers
from .fields import TextField

# Steps taken at POST /cases/{case_number}/steps/{step}/; withdraw and the LOR's amendments have paths of their own.
CASE_STEPS = {name: rule for name, rule in STEPS.items() if not rule.path}
FIELD_KINDS = {"date": lambda spec: serializers.DateField(required=False, allow_null=True, help_text=spec.help),
               "text": lambda spec: TextField(required=False, allow_blank=True, help_text=spec.help,
                                                          max_length=spec.max_length,
                                                          error_messages={"max_length": spec.too_long})}


def input_class(name, specs, doc):
    """A serializer of the rule book's inputs, parsing them into types only: which step needs which, and
    the message when one is missing, are the rule book's."""
    fields = {spec.name: FIELD_KINDS[spec.kind](spec) for spec in sorted(specs, key=lambda spec: spec.name)}
    return type(name, (serializers.Serializer,), {"__doc__": doc, **fields})


# One field per name: a name two steps share is one input (the reason to return, the date of a step).
StepInput = input_class("StepInput", {spec.name: spec for rule in CASE_STEPS.values() for spec in rule.inputs}
                        .values(), "What a step takes; see each step.")
WithdrawInput = input_class("WithdrawInput", RULES[Action.WITHDRAW].inputs, "Why the purchaser withdraws.")


class InputSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["date", "text"])
    required = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    path = serializers.CharField(help_text="POST here, under /api/v1/cases/{case_number}/.")
    inputs = InputSerializer(many=True)


class BlockedSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField(help_text="The rule book's reason: the same words a refusal answers with.")


def actions_of(case, user):
    """(`actions`, `blocked`) for the detail of `case` as `user` sees it."""
    actions, blocked = [], []
    for offer in offers(case, user):
        rule = offer.rule
        if offer.allowed:
            actions.append({"step": rule.step, "label": rule.label, "path": rule.api_path(),
                            "inputs": [{"name": spec.name, "label": spec.label, "kind": spec.kind,
                                        "required": bool(spec.required)} for spec in rule.inputs]})
        else:
            blocked.append({"step": rule.step, "label": rule.label, "reason": offer.refusal})
    return actions, blocked
