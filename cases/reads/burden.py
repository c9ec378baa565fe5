"""What combined review with parallel concurrence saves, for a period: the review units case-by-case
review would have taken (one answer per office per case) against the units spent (one answer per
office per batch, plus each carve-out), and what it costs in time: the days from an LOR becoming
actionable to its decision, and the days a case waited for its batch's window, by review policy.

Scoped like every read (cases.reads.access); computed in the database.
"""
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from ..models import Case, CaseConcurrence, CaseEvent, ConcurrenceRequest, Decision, ReviewPolicy
from ..process.stages import Action, Stage
from .access import batch_scope, case_scope
from .figures import MedianDays, Table

NO_POLICY = "Before review policies"


@dataclass(frozen=True)
class Burden:
    lors_received: int
    case_by_case: int  # answers: one per office per case it must concur on
    spent: int  # answers: one per office per batch, plus the carve-outs
    answered: int  # of the batch answers, those given so far
    carve_outs: int

    @property
    def fewer(self):
        """How many times fewer units combined review spent (None when nothing was asked)."""
        return round(self.case_by_case / self.spent, 1) if self.spent else None


def burden(user, period):
    """The units of the batches whose offices were asked in the period, and the LORs received in it."""
    requests = ConcurrenceRequest.objects.filter(batch_scope(user, "batch__"), **period.moments("asked_at"))
    totals = requests.aggregate(requests=Count("id"), case_by_case=Sum("cases_asked"),
                                answered=Count("id", filter=~Q(answer="")))
    carve_outs = CaseConcurrence.objects.filter(request__in=requests.values("pk")).count()
    received = Case.objects.visible_to(user).filter(**period.moments("created_at")).count()
    return Burden(received, totals["case_by_case"] or 0, totals["requests"] + carve_outs, totals["answered"],
                  carve_outs)


UNITS_NOTE = (" Case by case: each office asked, on each case it must concur on. Combined: each office once per"
              " batch, plus each case it carved out (counted among them). Answered so far: the batch answers given.")


def units_table(user, period):
    figures = burden(user, period)
    note = (f"{figures.lors_received} LORs received in the period. Combined review asked for "
            f"{figures.fewer}x fewer answers than case-by-case review would have." if figures.fewer else
            f"{figures.lors_received} LORs received in the period; no office was asked to concur in it.")
    return Table("review-burden", "Office answers: case by case against combined, for batches asked in the period",
                 "answers", [
                     ("Case by case", figures.case_by_case),
                     ("Combined", figures.spent),
                     ("Carve-outs", figures.carve_outs),
                     ("Answered so far", figures.answered),
                 ], note=note + UNITS_NOTE)


def by_policy(rows):
    """[(policy label, days)] from (policy id, median) rows, the policies named (by their bin) in one query."""
    rows = list(rows)
    names = {policy.pk: policy.bin.name if policy.bin_id else "Standard policy" for policy in
             ReviewPolicy.objects.filter(pk__in=[pk for pk, _ in rows if pk]).select_related("bin")}
    return sorted(((names.get(pk, NO_POLICY), round(days, 1)) for pk, days in rows if days is not None),
                  key=lambda row: row[0])


def actionable_since(case_ref, before_ref):
    """The last moment the case became actionable, before `before_ref` (a subquery)."""
    return Subquery(CaseEvent.objects.filter(case=OuterRef(case_ref), to_stage=Stage.LOR_ACTIONABLE,
                                             at__lte=OuterRef(before_ref)).order_by("-at").values("at")[:1])


def days_to_decision(user, period):
    decisions = (Decision.objects.filter(batch_scope(user, "batch__"), case_scope(user, "case__"), batch__isnull=False,
                                         **period.moments("decided_at"))
                 .annotate(actionable_at=actionable_since("case", "decided_at")))
    rows = decisions.order_by().values_list("batch__policy").annotate(days=MedianDays("actionable_at", "decided_at"))
    return Table("days-to-decision", "Median days from LOR actionable to decision, decisions in the period, by policy",
                 "days", by_policy(rows))


def window_wait(user, period):
    """From joining the batch to its review starting (its window closing, or a reviewer taking it)."""
    joined = Subquery(CaseEvent.objects.filter(case=OuterRef("pk"), verb=Action.START_REVIEW.value)
                      .order_by("-at").values("at")[:1])
    cases = (Case.objects.visible_to(user)
             .filter(review_batch__isnull=False, **period.moments("review_batch__review_started_at"))
             .annotate(joined_at=joined))
    rows = cases.order_by().values_list("review_batch__policy").annotate(
        days=MedianDays("joined_at", "review_batch__review_started_at"))
    return Table("window-wait", "Median days a case waited for its batch's review to start, started in the period, by policy",
                 "days", by_policy(rows))


def report(user, period):
    """The figures as the API gives them."""
    figures = burden(user, period)
    return {
        "start": period.start, "end": period.end, "lors_received": figures.lors_received,
        "units": {"case_by_case": figures.case_by_case, "combined": figures.spent, "carve_outs": figures.carve_outs,
                  "answered": figures.answered, "times_fewer": figures.fewer},
        "median_days_to_decision": [{"policy": label, "days": days} for label, days in days_to_decision(user, period).rows],
        "median_days_waiting_for_window": [{"policy": label, "days": days} for label, days in window_wait(user, period).rows],
    }
