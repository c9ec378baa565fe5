"""Domain errors become clear 4xx answers: nothing from the services reaches the client as a 500."""
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..process.workflow import NotPermitted, WorkflowError


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        if exc.errors:
            return Response(nested(exc.errors), status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_403_FORBIDDEN if isinstance(exc, NotPermitted) else status.HTTP_409_CONFLICT
        return Response({"detail": exc.message}, status=code)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(nested(exc.message_dict) if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return drf_exception_handler(exc, context)


def nested(errors):
    """{"participants.0.country": [...]} as DRF reports a nested field: {"participants": {"0": {"country": [...]}}}."""
    tree = {}
    for key, messages in errors.items():
        *parents, name = ("non_field_errors" if key == NON_FIELD_ERRORS else key).split(".")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[name] = messages
    return tree
