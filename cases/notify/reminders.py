"""The clock's notices: an offer's expiration coming (twice: the dated first and last reminder days),
and an office past its concurrence due date. Each is keyed by what it is about, so the hourly run tells
each once however often it runs."""
from datetime import timedelta

from django.utils import timezone

from ..models import ConcurrenceRequest, LetterOfOfferAndAcceptance, Timer
from ..process.rules import timer_days
from ..process.stages import Stage
from .kinds import OED_REMINDERS
from .outbox import Tell, tell


def remind_offers(at=None):
    """Tell each offer's purchaser its OED is near: once within the first reminder's days, once within
    the last's. Returns how many notices were written."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    (first_kind, first), (last_kind, last) = ((kind, timer_days(Timer(name), today)) for kind, name in OED_REMINDERS)
    offers = LetterOfOfferAndAcceptance.objects.filter(
        case__stage=Stage.LOA_OFFERED, offer_expires_on__gte=today, offer_expires_on__lte=today + timedelta(days=first))
    tells = []
    for case_id, oed in offers.values_list("case_id", "offer_expires_on"):
        days = (oed - today).days
        kind = last_kind if days <= last else first_kind
        tells.append(Tell(kind, f"{kind}:{case_id}:{oed}", case_id=case_id, at=at,
                          facts={"oed": f"{oed:%-d %B %Y}", "days": days}))
    return len(tell(tells, once=True) or [])


def remind_overdue_concurrence(at=None):
    """Tell an office, and the batch's holder, that its answer is overdue; once per request."""
    at = at or timezone.now()
    late = ConcurrenceRequest.objects.filter(answer="", due_on__lt=timezone.localdate(at),
                                             batch__status="in_review").values_list(
        "pk", "batch_id", "office_id", "office__name", "due_on")
    tells = [Tell("concurrence_overdue", f"concurrence_overdue:{pk}", batch_id=batch, at=at,
                  facts={"office": name, "office_id": office, "due": f"{due:%-d %B %Y}"})
             for pk, batch, office, name, due in late]
    return len(tell(tells, once=True) or [])


def remind(at=None):
    return {"offers": remind_offers(at), "concurrence": remind_overdue_concurrence(at)}
