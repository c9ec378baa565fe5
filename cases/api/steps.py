"""The rule book's steps as the API offers them: what a step accepts, and a case's `actions` and `blocked`."""
from rest_framework import serializers

from ..process.workflow import STEPS
from ..process.workflow.offers import offers

# Steps taken at POST /cases/{id}/steps/{step}/; withdraw and the LOR's amendments have paths of their own.
CASE_STEPS = {name: rule for name, rule in STEPS.items() if not rule.path}
FIELD_KINDS = {"date": lambda spec: serializers.DateField(required=False, allow_null=True, help_text=spec.help),
               "text": lambda spec: serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                                          help_text=spec.help)}


def step_input_class():
    """A serializer of every input a step takes, parsed into types only: which step needs which, and
    the message when it is missing, are the rule book's."""
    specs = {spec.name: spec for rule in CASE_STEPS.values() for spec in rule.inputs}
    fields = {name: FIELD_KINDS[spec.kind](spec) for name, spec in sorted(specs.items())}
    return type("StepInput", (serializers.Serializer,), {"__doc__": "What a step takes; see each step.", **fields})


StepInput = step_input_class()


class InputSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["date", "text"])
    required = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    path = serializers.CharField(help_text="POST here, under /api/v1/cases/{id}/.")
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
