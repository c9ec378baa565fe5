"""Idempotency-Key for the create endpoints: a retried request returns the first response.

The key's row is inserted (INSERT ... ON CONFLICT DO NOTHING) and locked in the same transaction
that creates the case, so a concurrent request with the same key waits for the first to commit and
then replays its response. Only a successful response is remembered: a refused request rolls back
with everything else, and the client may fix it and try again with the same key.
"""
import hashlib
import json
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from rest_framework import status
from rest_framework.response import Response

from ..models import IdempotencyRecord

HEADER = "Idempotency-Key"
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
        with transaction.atomic():
            record = IdempotencyRecord.objects.claim(request.user, key, digest)
            if record.fingerprint != digest:
                return Response(
                    {"detail": f"This {HEADER} was already used with a different request."},
                    status=status.HTTP_409_CONFLICT,
                )
            if record.status_code is not None:
                return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})
            response = handler(view, request, *args, **kwargs)
            if status.is_success(response.status_code):
                record.status_code = response.status_code
                record.response = response.data
                record.save(update_fields=["status_code", "response"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper
