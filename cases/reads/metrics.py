"""The figures the metrics page shows: each a titled table of (label, value) rows in one unit, over a
period, of the cases (and batches) the user may see, through the same `visible_to` as every other read.

Every figure is computed in the database (counts, and medians with percentile_cont, or on SQLite the
`fms_median` aggregate registered in cases.apps): none reads rows into Python to count them.
"""
from django.db.models import Count, F, Q, Sum

from bins.models import Bin, Region

from ..models import Case, CaseEvent, Decision, LetterOfOfferAndAcceptance, ReviewBatch
from ..process.stages import Stage
from . import burden
from .access import batch_scope, case_scope
from .figures import MedianDays, Period, Table

__all__ = ["MedianDays", "Period", "TABLES", "Table", "all_tables"]


def cases_per_stage(user, period):
    received = Case.objects.visible_to(user).filter(**period.moments("created_at"))
    counts = dict(received.order_by().values_list("stage").annotate(n=Count("id")))
    return Table("stages", "LORs received in the period, by stage now", "cases",
                 [(Stage(s).label, counts.get(s, 0)) for s in Stage])


def median_days_in_stage(user, period):
    """Median days cases spent in each stage they left during the period: from the move into the stage
    (stored on the move out, `CaseEvent.stage_since`) to the move out."""
    spans = (CaseEvent.objects.filter(case_scope(user, "case__"), stage_since__isnull=False, **period.moments("at"))
             .order_by().values_list("from_stage").annotate(days=MedianDays("stage_since", "at")))
    medians = dict(spans)
    return Table("median-days", "Median days in each stage, for cases that left it in the period", "days",
                 [(Stage(s).label, round(medians[s], 1)) for s in Stage if medians.get(s) is not None])


def offered_by_aod(user, period):
    offered = LetterOfOfferAndAcceptance.objects.filter(case_scope(user, "case__"), offered_on__isnull=False,
                                                        **period.days("offered_on"))
    counts = offered.aggregate(total=Count("id"), on_time=Count("id", filter=Q(offered_on__lte=F("anticipated_offer_date"))))
    share = round(100 * counts["on_time"] / counts["total"], 1) if counts["total"] else 0
    return Table("offered-by-aod", "LOAs offered in the period by their Anticipated Offer Date", "% of LOAs",
                 [("Offered on time", share), ("Offered late", round(100 - share, 1) if counts["total"] else 0)])


def stalled_by_stage(user, period):
    stalled = Case.objects.visible_to(user).filter(stalled_since__isnull=False, **period.moments("created_at"))
    counts = stalled.order_by().values_list("stage").annotate(n=Count("id"))
    return Table("stalled", "Stalled now, of the LORs received in the period, by stage", "cases",
                 [(Stage(s).label, n) for s, n in sorted(counts, key=lambda row: list(Stage).index(row[0]))])


def combined_review(user, period):
    """What reviewing together saves: the batch reviews that took the period's decisions, against one
    review per case decided."""
    decided = Decision.objects.filter(batch_scope(user, "batch__"), case_scope(user, "case__"), batch__isnull=False,
                                      **period.moments("decided_at"))
    counts = decided.aggregate(cases=Count("case", distinct=True), batches=Count("batch", distinct=True))
    saved = counts["cases"] - counts["batches"]
    return Table("combined-review", "Reviews: combined against case by case", "reviews", [
        ("Case by case (one per case decided)", counts["cases"]),
        ("Combined (one per batch)", counts["batches"]),
    ], note=f"{saved} separate review{'s' if saved != 1 else ''} saved in the period." if counts["cases"] else "")


def by_group(user, kind, period):
    """Cases in the batches formed in the period, by the bin's or region's name: from the count each batch
    keeps of its cases (ReviewBatch.member_count), not a join of every batch to its cases."""
    column = "bin" if kind == "bin" else "region"
    rows = (ReviewBatch.objects.visible_to(user).filter(**{f"{column}__isnull": False}, **period.moments("created_at"))
            .order_by().values_list(column).annotate(n=Sum("member_count")).order_by("-n", column))
    names = dict((Bin if kind == "bin" else Region).objects.filter(pk__in=[key for key, _ in rows])
                 .values_list("pk", "name"))
    title = f"Cases in combined review by {kind}, batches formed in the period"
    return Table(f"by-{kind}", title, "cases", [(names[key], n) for key, n in rows])


# Each table by the name its CSV is downloaded as, in the page's order.
TABLES = {
    "stages": cases_per_stage,
    "median-days": median_days_in_stage,
    "offered-by-aod": offered_by_aod,
    "stalled": stalled_by_stage,
    "combined-review": combined_review,
    "by-bin": lambda user, period: by_group(user, "bin", period),
    "by-region": lambda user, period: by_group(user, "region", period),
    "review-burden": burden.units_table,
    "days-to-decision": burden.days_to_decision,
    "window-wait": burden.window_wait,
}


def all_tables(user, period):
    return [table(user, period) for table in TABLES.values()]
