"""Precedent that counts: the earlier decisions a reviewer weighs on each case of a batch.

For each case, the purchaser's own earlier decisions on the batch's capability, and those of the other
countries of its group (bin or region), as rows, newest first, with counts over a look-back window; for
the batch, the group's counts. Approvals and denials only: a return asks for information and decides
nothing. Two queries, whatever the batch holds: counts by country and outcome, and each country's newest
decisions (a window function keeps PRECEDENTS_SHOWN a country).
"""
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from bins.grouping import groups_by_country

from ..models import Decision, Outcome
from ..reads.access import case_scope

PRECEDENTS_SHOWN = 5
LOOK_BACK_YEARS = 5
WEIGHED = (Outcome.APPROVE, Outcome.DENY)


@dataclass
class Tally:
    approvals: int = 0
    denials: int = 0

    def add(self, outcome, count):
        if outcome == Outcome.APPROVE:
            self.approvals += count
        else:
            self.denials += count

    def __add__(self, other):
        return Tally(self.approvals + other.approvals, self.denials + other.denials)

    def __str__(self):
        return (f"{self.approvals} approval{'s' if self.approvals != 1 else ''}, "
                f"{self.denials} denial{'s' if self.denials != 1 else ''} in the last {LOOK_BACK_YEARS} years")


@dataclass
class Precedents:
    own: list = field(default_factory=list)
    own_tally: Tally = field(default_factory=Tally)
    group: list = field(default_factory=list)
    group_tally: Tally = field(default_factory=Tally)


def attach_precedents(batch, cases, user):
    """Set `precedents` on each of `cases` (the batch's, now and ever) and `group_tally` on the batch, from
    the decisions `user` may see; the batch's own cases are never their own precedent."""
    members = [iso2 for iso2, group in groups_by_country().items() if group.key == batch.group_key]
    since = timezone.now() - timedelta(days=365 * LOOK_BACK_YEARS)
    weighed = (Decision.objects.filter(case_scope(user, "case__"), case__primary_capability=batch.capability_id,
                                       case__country__in=members, outcome__in=WEIGHED, decided_at__gte=since)
               .exclude(case__in=[case.pk for case in cases]).exclude(batch=batch))
    tallies = {}
    for row in weighed.order_by().values("case__country", "outcome").annotate(count=Count("id")):
        tallies.setdefault(row["case__country"], Tally()).add(row["outcome"], row["count"])
    newest = list(
        weighed.select_related("case").annotate(rank=Window(
            RowNumber(), partition_by=F("case__country"), order_by=[F("decided_at").desc(), F("id").desc()]))
        .filter(rank__lte=PRECEDENTS_SHOWN).order_by("-decided_at", "-id")
    )
    batch.group_tally = sum(tallies.values(), Tally())
    for case in cases:
        own_country = case.country_id
        case.precedents = Precedents(
            own=[decision for decision in newest if decision.case.country_id == own_country],
            own_tally=tallies.get(own_country, Tally()),
            group=[decision for decision in newest if decision.case.country_id != own_country][:PRECEDENTS_SHOWN],
            group_tally=sum((tally for country, tally in tallies.items() if country != own_country), Tally()),
        )
    return batch
