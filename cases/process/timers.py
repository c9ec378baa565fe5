"""The clock's part of the process, run by Celery beat. Each job is idempotent: a second run on the
same day changes nothing, and a missed run is caught up by the next."""
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Case, CaseEvent, Timer, Verb
from . import rules, workflow
from .services import offers
from .stages import Stage

log = logging.getLogger(__name__)


def clear_notifications(at=None):
    """Record clearance for every case whose formal congressional review period has ended."""
    at = at or timezone.now()
    due = Case.objects.filter(
        notification__review_ends_on__lt=timezone.localdate(at), notification__cleared_on__isnull=True
    ).values_list("pk", flat=True)
    for case_id in list(due):
        offers.clear_notification(case_id, at=at)
    return len(due)


def expire_offers(at=None):
    """Move every offer past its Offer Expiration Date to `loa_expired`."""
    at = at or timezone.now()
    due = list(
        Case.objects.filter(stage=Stage.LOA_OFFERED, loa__offer_expires_on__lt=timezone.localdate(at))
        .values_list("pk", flat=True)
    )
    expired = 0
    for case_id in due:
        try:
            offers.expire_offer(case_id, at=at)
            expired += 1
        except workflow.WorkflowError as error:  # accepted or withdrawn since the query: nothing to do
            log.info("Offer of case %s not expired: %s", case_id, error)
    return expired


def stalled_cases(today):
    """Cases waiting past a due date, by reason: the LOR not validated, no decision, the AOD missed."""
    decision_due = today - timedelta(days=rules.timer_days(Timer.DECISION, today))
    return {
        "lor_validation": Q(stage=Stage.LOR_RECEIVED, lor__validation_due_on__lt=today),
        "decision": Q(stage=Stage.IN_REVIEW, stage_entered_at__date__lt=decision_due),
        "aod": Q(stage__in=[Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW], loa__anticipated_offer_date__lt=today),
    }


def mark_stalled(at=None):
    """Flag cases that passed a due date without moving, with an audit event; a move clears the flag."""
    at = at or timezone.now()
    marked = 0
    with transaction.atomic():
        for reason, condition in stalled_cases(timezone.localdate(at)).items():
            ids = list(Case.objects.filter(condition, stalled_since__isnull=True).values_list("pk", "stage"))
            if not ids:
                continue
            Case.objects.filter(pk__in=[pk for pk, _ in ids]).update(stalled_since=at, stalled_reason=reason)
            CaseEvent.objects.bulk_create(
                CaseEvent(case_id=pk, verb=Verb.STALLED, from_stage=stage, to_stage=stage,
                          payload={"reason": reason}, at=at)
                for pk, stage in ids
            )
            marked += len(ids)
    return marked
