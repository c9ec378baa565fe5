"""A browser form that files something (an LOR, a joint request) files it once: posted again (a double
click, a resent request), it answers with what the first post made."""
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import IdempotencyRecord
from ..process.workflow import WorkflowError


def file_once(request, form, kind, *, file, done, already, refused):
    """`file()` makes the thing; `done(made)` and `already(pk)` answer for the first post and a repeat;
    `refused(errors)` puts the service's field errors on the forms. Returns the response, or None when the
    service refused (nothing is kept then: fixed, the same form files). The first post's answer is kept
    by the transaction that made it (IdempotencyRecord.objects.remember); a repeat, even one sent while
    the first is still running, rolls back what it made and answers with the first."""
    key, refusal = f"{kind}:{form.cleaned_data['submission']}", None
    with transaction.atomic():
        try:
            made = file()
        except (ValidationError, WorkflowError) as error:
            refusal = error
        else:
            if IdempotencyRecord.objects.remember(request.user, key, kind, 201, {"pk": made.pk}):
                return done(made)
        transaction.set_rollback(True)  # refused, or filed by an earlier post: nothing of this one stays
    if kept := IdempotencyRecord.objects.answered(request.user, key):
        return already(kept.response["pk"])
    if isinstance(refusal, ValidationError):
        refused(refusal.message_dict)
    elif refusal is not None:
        form.add_error(None, refusal.message)
    return None
