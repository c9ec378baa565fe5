"""Which offices must concur on a case (the dated ConcurrenceRule rows), asking every one of them at once
when a batch enters review, and where a batch's concurrence stands: the office x case grid, and the
offices a case's approval still waits on.

An office answers once for the batch; a carve-out (CaseConcurrence) answers one case differently. What
an office must concur on is judged by the rows in force on the day it was asked, so a later change of
rule never reopens an answer.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from fms_review import reference

from ..models import (
    CONCURRING,
    Answer,
    BatchStatus,
    Case,
    CaseConcurrence,
    ConcurrenceRequest,
    ConcurrenceRule,
    NoticeKind,
    Office,
    ReviewBatch,
    Timer,
    Verb,
)
from ..notify import outbox
from ..process import bulk
from ..process.rules import due_date
from ..process.stages import Stage


class CaseFacts(NamedTuple):
    """What a concurrence rule looks at: the batch's bin and capability, the purchaser's area and tier,
    the case's value and whether it needs a technology-release review."""

    case_id: int
    batch_id: int
    bin_id: int | None
    region_id: str
    capability_id: str
    cn_tier: str
    value: object
    tsfd_required: bool


FACT_COLUMNS = ("pk", "review_batch_id", "review_batch__bin_id", "country__region_id", "review_batch__capability_id",
                "country__cn_tier", "total_value_usd", "tsfd_required", "tsfd_release_id")


def facts_of(cases):
    """CaseFacts of the cases of a queryset, from one query."""
    return [case_facts(row) for row in cases.order_by("pk").values_list(*FACT_COLUMNS)]


def case_facts(row):
    """CaseFacts of a row of FACT_COLUMNS. A case a standing release covers needs no TSFD review
    (cases.review.policy)."""
    return CaseFacts(*row[:-2], tsfd_required=row[-2] and row[-1] is None)


def rules_in_force(on):
    """The rows that decide on `on`: for each office and scope the latest row, kept when it requires."""
    latest = {}
    for row in ConcurrenceRule.objects.filter(effective_from__lte=on).order_by("effective_from", "id"):
        latest[(row.office_id, *(getattr(row, name) for name in ConcurrenceRule.SCOPE))] = row
    return [row for row in latest.values() if row.required]


def matches(rule, facts):
    return ((rule.bin_id is None or rule.bin_id == facts.bin_id)
            and (rule.region_id is None or rule.region_id == facts.region_id)
            and (rule.capability_id is None or rule.capability_id == facts.capability_id)
            and (not rule.cn_tier or rule.cn_tier == facts.cn_tier)
            and (rule.min_value_usd is None or facts.value >= rule.min_value_usd)
            and (not rule.tsfd_only or facts.tsfd_required))


def required_offices(facts, rules):
    """The codes of the offices that must concur on the case, in code order."""
    return sorted({rule.office_id for rule in rules if matches(rule, facts)})


def ask(batch_ids, *, at=None, window_closed=False):
    """Ask every office the rules require for the cases in review of `batch_ids`, all at once, each due
    after the batch's policy's concurrence days (or the concurrence timer); each case's trail names the
    offices asked about it, and with `window_closed` that the batch's window closing started its review.
    Set-based: a fixed number of statements for any number of batches. Returns the requests made."""
    at = at or timezone.now()
    on = timezone.localdate(at)
    rules, timer_due = rules_in_force(on), due_date(Timer.CONCURRENCE, on)
    due = {pk: on + timedelta(days=days) if days else timer_due for pk, days in
           ReviewBatch.objects.filter(pk__in=list(batch_ids)).values_list("pk", "policy__concurrence_days")}
    # Cases alike in what the rules look at need the same offices, and a batch's cases are mostly alike:
    # the rules are judged once per kind of case, and each case's trail entry shares its kind's payload.
    by_value = any(rule.min_value_usd is not None for rule in rules)
    offices_of, payloads, kinds, events = {}, {}, Counter(), []
    cases = Case.objects.filter(review_batch_id__in=list(batch_ids), stage=Stage.IN_REVIEW).order_by("pk")
    for row in cases.values_list(*FACT_COLUMNS):
        facts = case_facts(row)
        alike = facts[2:6] + (facts.value if by_value else None, facts.tsfd_required)
        offices = offices_of.get(alike)
        if offices is None:
            offices = offices_of[alike] = tuple(required_offices(facts, rules))
        key = (facts.batch_id, offices)
        payload = payloads.get(key)
        if payload is None:
            payload = payloads[key] = {"batch": facts.batch_id, "offices": list(offices), "due_on": due[facts.batch_id],
                                       **({"window_closed": True} if window_closed else {})}
        kinds[key] += 1
        events.append((facts.case_id, payload))
    asked = Counter()  # (batch, office): how many of the batch's cases the office must concur on
    for (batch_id, offices), count in kinds.items():
        for office in offices:
            asked[(batch_id, office)] += count
    ConcurrenceRequest.objects.bulk_create(
        ConcurrenceRequest(batch_id=batch_id, office_id=office, asked_at=at, due_on=due[batch_id], cases_asked=count)
        for (batch_id, office), count in sorted(asked.items())
    )
    bulk.insert_events(events, verb=Verb.CONCURRENCE_ASKED, at=at, stage=Stage.IN_REVIEW)
    tell_offices(asked, due, at)


def tell_offices(asked, due, at):
    """Each office's staff hear that it is asked, once per batch."""
    names = dict(Office.objects.filter(pk__in={office for _, office in asked}).values_list("pk", "name"))
    outbox.tell(outbox.Tell(NoticeKind.CONCURRENCE_ASKED, f"concurrence_asked:{batch_id}:{office}", batch_id=batch_id,
                            facts={"office": names.get(office, office), "office_id": office,
                                   "due": f"{due[batch_id]:%-d %B %Y}"}, at=at)
                for batch_id, office in sorted(asked))


@dataclass(frozen=True)
class Cell:
    """One office on one case: whether it must concur, and its answer there (its batch answer unless
    carved out)."""

    required: bool
    answer: str = ""
    reason: str = ""
    carved_out: bool = False

    @property
    def label(self):
        if not self.required:
            return "Not asked"
        return Answer(self.answer).label if self.answer else "Waiting"

    @property
    def concurs(self):
        return not self.required or self.answer in CONCURRING


class Standing:
    """Where a batch's concurrence stands, read in three queries: its requests (with their carve-outs)
    and the facts of its cases, judged by the rules in force on the day the offices were asked."""

    def __init__(self, batch):
        carve_outs = Prefetch("carve_outs", queryset=CaseConcurrence.objects.select_related("answered_by"))
        self.requests = list(batch.concurrence_requests.select_related("office", "answered_by")
                             .prefetch_related(carve_outs).order_by("office__name"))
        self.required = {}
        if self.requests:
            asked_on = timezone.localdate(self.requests[0].asked_at)
            rules = rules_in_force(asked_on)
            for facts in facts_of(Case.objects.filter(review_batch=batch)):
                self.required[facts.case_id] = set(required_offices(facts, rules))
        self.carved = {(request.pk, carve.case_id): carve for request in self.requests for carve in request.carve_outs.all()}

    def cell(self, request, case_id):
        if request.office_id not in self.required.get(case_id, ()):
            return Cell(required=False)
        carve = self.carved.get((request.pk, case_id))
        if carve is not None:
            return Cell(True, carve.answer, carve.reason, carved_out=True)
        return Cell(True, request.answer, request.reason)

    def concerning(self, request):
        """The ids of the cases of the batch `request`'s office must concur on."""
        return {case_id for case_id, offices in self.required.items() if request.office_id in offices}

    def row(self, case_id):
        """(request, cell) for each office asked, in the grid's order."""
        return [(request, self.cell(request, case_id)) for request in self.requests]

    def holding(self, case_id):
        """What a case's approval still waits on: each office that must concur and has not, said as a
        person reads it ("DTSA (does not concur: ...)")."""
        waiting = []
        for request, cell in self.row(case_id):
            if not cell.concurs:
                said = f"does not concur: {cell.reason}" if cell.answer == Answer.NON_CONCUR else "not answered yet"
                waiting.append(f"{request.office.name} ({said})")
        return waiting

    def overdue(self, today=None):
        """The offices past their due date without an answer: they stall the batch."""
        today = today or timezone.localdate()
        return [request for request in self.requests if not request.answer and request.due_on < today]


def standing(batch):
    """The batch's Standing, read once per batch object (a decision of many cases asks for each)."""
    if getattr(batch, "_concurrence", None) is None:
        batch._concurrence = Standing(batch)
    return batch._concurrence


def overdue_since(today: date):
    """A filter on batches: an office asked on them is past its due date without an answer."""
    return Exists(ConcurrenceRequest.objects.filter(batch=OuterRef("pk"), answer="", due_on__lt=today))


def late_offices(batch_ids, today):
    """{batch id: the names of its offices past their due date unanswered, in order}, from one query."""
    names = {code: office.name for code, office in reference.by_key(Office).items()}
    late = {}
    for batch_id, code in (ConcurrenceRequest.objects.filter(batch__in=batch_ids, answer="", due_on__lt=today)
                           .order_by().values_list("batch_id", "office_id")):
        late.setdefault(batch_id, []).append(names[code])
    return {batch_id: sorted(offices) for batch_id, offices in late.items()}


class CaseCell(NamedTuple):
    case: object
    cell: Cell


@dataclass(frozen=True)
class OfficeRow:
    """One office of the batch's concurrence grid: its request and its cell on each case listed."""

    request: ConcurrenceRequest
    overdue: bool
    cells: list  # CaseCell per case listed


def grid(batch, cases, today=None):
    """The office x case grid of `batch` for `cases` (its record): a row per office asked."""
    today = today or timezone.localdate()
    now = standing(batch)
    return [OfficeRow(request, not request.answer and request.due_on < today,
                      [CaseCell(case, now.cell(request, case.pk)) for case in cases]) for request in now.requests]


def office_id_of(user):
    """The office `user` answers for, or None."""
    return getattr(getattr(user, "profile", None), "office_id", None)


def awaiting(office_id):
    """The requests `office_id` has not answered on batches still in review, the soonest due first."""
    return (ConcurrenceRequest.objects.filter(office_id=office_id, answer="", batch__status=BatchStatus.IN_REVIEW)
            .select_related("batch__bin", "batch__region", "batch__capability", "office").order_by("due_on", "id"))
