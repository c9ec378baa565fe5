"""What a purchaser does to an LOR after submitting it: supply what was missing, or correct and resubmit it."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...models import Case
from ...reads.search import refresh_vectors
from .. import workflow
from ..stages import Action
from .submission import after_check, lor_field_errors

AMENDABLE_FIELDS = {
    "request_type",
    "funding_source",
    "justification",
    "desired_delivery_date",
    "originator_reference",
    "third_party_involvement",
    "dcs_negotiation",
}
# A received LOR is corrected in place; a returned one is resubmitted with the corrections.
AMENDMENTS = (Action.SUPPLY_LOR, Action.RESUBMIT)


def amend_lor(case, changes, *, actor, at=None):
    """Apply the purchaser's changes to the LOR, re-run the checks, and make it actionable if complete.

    Whichever amendment the case's stage allows is taken; in any other stage the rule book refuses.
    """
    at = at or timezone.now()
    workflow.refuse_person(workflow.RULES[AMENDMENTS[0]], actor)
    if not changes:
        raise ValidationError({"non_field_errors": ["Give at least one field to change."]})
    errors = {name: ["This field cannot be changed here."] for name in set(changes) - AMENDABLE_FIELDS}
    errors.update(lor_field_errors(changes, today=timezone.localdate(at)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = workflow.lock_case(case)
        action = next((action for action in AMENDMENTS if locked.stage in workflow.RULES[action].stages),
                      AMENDMENTS[0])
        locked = workflow.perform(locked, action, actor=actor, inputs={"changes": changes}, at=at, locked=True)
        if "justification" in changes:  # the one searched field a purchaser may change
            refresh_vectors(Case.objects.filter(pk=locked.pk))
        return after_check(locked, locked.lor, locked.lor.is_complete, at=at)
