"""Serializers that build their fields once per class."""
import copy

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer builds its fields by inspecting the model each time one is instantiated,
    which was a tenth of a case's 201 response. They depend on the class alone, so they are built once
    per class and copied, as a plain Serializer copies its declared fields.

    Relies on: ModelSerializer.get_fields() depending on the class only (not on the instance's context).
    """

    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)
