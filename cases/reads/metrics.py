"""The figures the metrics page shows: each a titled table of (label, value) rows, over the cases (and
batches) the user may see, through the same `visible_to` as every other read."""
from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, F

from ..models import Case, CaseEvent, Decision, LetterOfOfferAndAcceptance, ReviewBatch
from ..process.stages import Stage
from .access import batch_scope, case_scope


@dataclass
class Table:
    name: str
    title: str
    unit: str
    rows: list  # (label, value)


def cases_per_stage(user):
    counts = dict(Case.objects.visible_to(user).values_list("stage").annotate(n=Count("id")))
    return Table("stages", "Cases per stage", "cases", [(Stage(s).label, counts.get(s, 0)) for s in Stage])


def median_days_in_stage(user):
    """Median days a case spent in each stage it has left, from the audit trail's moves."""
    spans, entered = defaultdict(list), {}
    moves = (CaseEvent.objects.filter(case_scope(user, "case__")).exclude(from_stage=F("to_stage"))
             .order_by("case_id", "at", "id"))
    for case_id, from_stage, to_stage, at in moves.values_list("case_id", "from_stage", "to_stage", "at").iterator():
        if case_id in entered and entered[case_id][0] == from_stage:
            spans[from_stage].append((at - entered[case_id][1]).total_seconds() / 86400)
        entered[case_id] = (to_stage, at)
    return Table("median-days", "Median days in each stage", "days",
                 [(Stage(s).label, round(median(spans[s]), 1)) for s in Stage if spans[s]] or [])


def offered_by_aod(user):
    offered = LetterOfOfferAndAcceptance.objects.filter(case_scope(user, "case__"), offered_on__isnull=False)
    total = offered.count()
    on_time = offered.filter(offered_on__lte=F("anticipated_offer_date")).count()
    share = round(100 * on_time / total, 1) if total else 0
    return Table("offered-by-aod", "LOAs offered by their Anticipated Offer Date", "%",
                 [("Offered on time", share), ("Offered late", round(100 - share, 1) if total else 0)])


def stalled_by_stage(user):
    counts = Case.objects.visible_to(user).filter(stalled_since__isnull=False).values_list("stage").annotate(n=Count("id"))
    return Table("stalled", "Stalled cases by stage", "cases", [(Stage(s).label, n) for s, n in counts])


def combined_review(user):
    """What reviewing together saves: decisions taken in batch reviews against one review per case."""
    batches = ReviewBatch.objects.visible_to(user).annotate(n=Count("cases"))
    batch_count = batches.count()
    in_batches = sum(batch.n for batch in batches.only("id"))
    decided = Decision.objects.filter(batch_scope(user, "batch__"), case_scope(user, "case__"), batch__isnull=False)
    decisions = decided.count()
    reviews = decided.values("batch").distinct().count()
    return Table("combined-review", "Combined review against case-by-case review", "", [
        ("Batches", batch_count),
        ("Cases per batch (mean)", round(in_batches / batch_count, 1) if batch_count else 0),
        ("Decisions taken in batch reviews", decisions),
        ("Batch reviews that took them", reviews),
        ("Separate reviews saved", decisions - reviews),
    ])


def by_group(user, kind):
    prefix = f"{kind}:"
    rows = (ReviewBatch.objects.visible_to(user).filter(group_key__startswith=prefix).values_list("group_key")
            .annotate(n=Count("cases")).order_by("-n"))
    title = "Cases in combined review by bin" if kind == "bin" else "Cases in combined review by region"
    return Table(f"by-{kind}", title, "cases", [(key.removeprefix(prefix), n) for key, n in rows])


def all_tables(user):
    return [cases_per_stage(user), median_days_in_stage(user), offered_by_aod(user), stalled_by_stage(user),
            combined_review(user), by_group(user, "bin"), by_group(user, "region")]
