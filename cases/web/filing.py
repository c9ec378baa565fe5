"""A browser form that files something (an LOR, a joint request) files it once: posted again (a double
click, a resent request), it answers with what the first post made."""
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import IdempotencyRecord
from ..process.workflow import WorkflowError


def file_once(request, form, kind, *, file, done, already, refused):
    """`file()` makes the thing; `done(made)` and `already(pk)` answer for the first post and a repeat;
    `refused(errors)` puts the service's field errors on the forms. Returns the response, or None when the
    service refused (nothing is kept then, not even the claim: fixed, the same form files)."""
    with transaction.atomic():
        record = IdempotencyRecord.objects.claim(request.user, f"{kind}:{form.cleaned_data['submission']}", kind)
        if record.status_code is not None:
            return already(record.response["pk"])
        try:
            made = file()
        except ValidationError as error:
            transaction.set_rollback(True)
            refused(error.message_dict)
            return None
        except WorkflowError as error:
            transaction.set_rollback(True)
            form.add_error(None, error.message)
            return None
        record.status_code, record.response = 201, {"pk": made.pk}
        record.save(update_fields=["status_code", "response"])
        return done(made)
