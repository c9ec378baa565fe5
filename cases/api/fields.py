"""Input fields as strict as the schema they publish."""
from rest_framework import serializers


class TextField(serializers.CharField):
    """Text, and only text: DRF's CharField turns `0` or `true` into "0" or "True", while the schema
    says string, so a client's wrong type would be taken for a reason or a title."""

    default_error_messages = {"invalid": "Give text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonBooleanField(serializers.BooleanField):
    """true or false, as the schema says; DRF's own also takes 0, 1, "yes" and "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
