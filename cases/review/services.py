"""A reviewer takes a batch and decides its cases together."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import BatchStatus, Case, Outcome, ReviewBatch
from ..process import workflow
from ..process.services.decisions import decide_case
from ..process.stages import Stage


def lock_batch(batch):
    return ReviewBatch.objects.select_for_update().get(pk=getattr(batch, "pk", batch))


def start_batch(batch, *, reviewer, at=None):
    """open -> in_review: the reviewer takes the batch and its membership is frozen."""
    at = at or timezone.now()
    with transaction.atomic():
        batch = lock_batch(batch)
        if batch.status != BatchStatus.OPEN:
            raise workflow.IllegalMove(f"This batch is already {batch.get_status_display().lower()}.")
        batch.status = BatchStatus.IN_REVIEW
        batch.review_started_at = at
        batch.assigned_reviewer = reviewer
        batch.save(update_fields=["status", "review_started_at", "assigned_reviewer"])
    return batch


def decide_batch(batch, decisions, *, reviewer, at=None):
    """Apply every decision of `decisions` ([{"case": id, "outcome": ..., "reason": ...}]) or none.

    The batch row is locked first, so two reviewers deciding at once are serialised; a case already
    decided (no longer in review) makes the whole request fail with IllegalMove. Input errors raise
    ValidationError keyed "decisions.<n>.<field>". When no case of the batch is left in review, the
    batch is decided.
    """
    at = at or timezone.now()
    with transaction.atomic():
        batch = lock_batch(batch)
        if batch.status != BatchStatus.IN_REVIEW:
            raise workflow.IllegalMove("Start the review of this batch before deciding its cases."
                                       if batch.status == BatchStatus.OPEN else "This batch is already decided.")
        members = set(batch.cases.values_list("pk", flat=True))
        validate_decisions(decisions, members)
        for entry in decisions:
            case = Case.objects.select_for_update().get(pk=entry["case"])
            if case.stage != Stage.IN_REVIEW:
                raise workflow.IllegalMove(f"Case {case.case_number} is already decided ({case.get_stage_display()}).")
            decide_case(case, entry["outcome"], actor=reviewer, reason=entry.get("reason", ""), at=at, locked=True)
        if not batch.cases.filter(stage=Stage.IN_REVIEW).exists():
            batch.status = BatchStatus.DECIDED
            batch.decided_at = at
            batch.save(update_fields=["status", "decided_at"])
    return batch


def validate_decisions(decisions, members):
    errors, seen = {}, set()
    if not decisions:
        raise ValidationError({"decisions": ["Give at least one decision."]})
    for index, entry in enumerate(decisions):
        prefix = f"decisions.{index}."
        if entry["case"] not in members:
            errors[prefix + "case"] = [f"Case {entry['case']} is not in this batch."]
        elif entry["case"] in seen:
            errors[prefix + "case"] = [f"Case {entry['case']} is decided twice in this request."]
        seen.add(entry["case"])
        if entry["outcome"] not in Outcome.values:
            errors[prefix + "outcome"] = [f"Choose one of {', '.join(Outcome.values)}."]
        elif entry["outcome"] != Outcome.APPROVE and not (entry.get("reason") or "").strip():
            errors[prefix + "reason"] = ["A reason is required to deny or return a case."]
    if errors:
        raise ValidationError(errors)
