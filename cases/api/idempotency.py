"""Idempotency-Key for the create endpoints: a retried request returns the first response.

The first successful response is kept under its key in the same transaction that made it, by the last
statement before the commit (IdempotencyRecord.objects.remember). A request whose key turns out to hold
an answer already (a retry, or the twin of a request still running, which it waits for) rolls back what it
made and replays that answer; a request refused for its input is not remembered, and the client may fix
it and try again with the same key.
"""
import hashlib
import json
from functools import wraps

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from ..models import IdempotencyRecord
from ..process.workflow import WorkflowError

HEADER = "Idempotency-Key"
# What a handler raises to refuse a request (cases.api.errors answers each with a 4xx).
REFUSALS = (APIException, DjangoValidationError, WorkflowError)
MAX_KEY_LENGTH = 255


def fingerprint(request):
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    """Decorate a view's `post`/`create`; without the header the request is handled as usual."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            return Response({HEADER: [f"Give 1 to {MAX_KEY_LENGTH} characters."]}, status=status.HTTP_400_BAD_REQUEST)
        digest = fingerprint(request)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if status.is_success(response.status_code) and IdempotencyRecord.objects.remember(
                        request.user, key, digest, response.status_code, response.data):
                    return response
                transaction.set_rollback(True)
        except REFUSALS:
            # A retry the request's own checks would now refuse still gets the first answer.
            if kept := replay(IdempotencyRecord.objects.answered(request.user, key), digest):
                return kept
            raise
        return replay(IdempotencyRecord.objects.answered(request.user, key), digest) or response

    return wrapper


def replay(record, digest):
    """The answer kept for the key, as a response; a 409 when it was sent with another request; None
    when the key holds no answer."""
    if record is None:
        return None
    if record.fingerprint != digest:
        return Response({"detail": f"This {HEADER} was already used with a different request."},
                        status=status.HTTP_409_CONFLICT)
    return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})
