"""Demo cases walked through the real services, people and the clock in time order, so every stage
history and audit trail is one the product itself would have written.

The walk is a calendar of events, oldest first: LORs arrive; each day the clock runs as beat runs it
(batching, congressional reviews cleared, offers expired, cases left waiting past a due date marked
stalled); reviewers take open batches and decide them some days later; approved cases go through
their LOA, notification or P&A steps; purchasers accept, some too late. Nothing happens after now.
`seed_demo` is idempotent: it creates only the cases beyond those already seeded.
"""
import heapq
import itertools
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from ..models import BatchStatus, Case, ReviewBatch, Timer, TimerRule
from ..process.deadlines import BY_NAME, STALLING
from ..process.services.joint_requests import file_joint_request
from ..process.services.submission import submit_lor
from ..process.stages import Action, Stage
from ..process.timers import run_clock
from ..process.workflow import WorkflowError, perform
from ..review import batching
from ..review.services import answer_concurrence, decide_batch, start_batch
from .accounts import staff_of
from .requests import (
    CONDITIONS,
    DEMO_REFERENCE,
    DENY_REASONS,
    RETURN_REASONS,
    WITHDRAW_REASONS,
    Request,
    load_catalog,
    request_from,
)

CLOCK_HOUR = time(6, 0)
EVERY_CASE = {"dsca", "state-rsat", "ia"}  # the offices asked about every case (the modeled rules)  # the demo's clock runs once a day, before the working day
DECISIONS = {Stage.DENIED: "deny", Stage.LOR_RETURNED: "return"}  # any other target past review: approve
AFTER_REVIEW = {Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW, Stage.LOA_OFFERED, Stage.LOA_ACCEPTED, Stage.LOA_EXPIRED,
                Stage.IMPLEMENTED, Stage.CLOSED, Stage.PA_PROVIDED}


# The deadlines a clock job acts on, each with the cases it has not acted on yet.
CLOCK_DEADLINES = {**{deadline.name: Q(stalled_since__isnull=True) for deadline in STALLING},
                   "review_end": Q(notification__cleared_on__isnull=True), "oed": Q()}


def next_clock_day(cases):
    """The first day the clock could act on any of `cases`: the day after the earliest open deadline."""
    firsts = cases.aggregate(**{
        name: Min(BY_NAME[name].column or "stage_entered_at",
                  filter=Q(stage__in=BY_NAME[name].stages) & BY_NAME[name].applies_q & still_open)
        for name, still_open in CLOCK_DEADLINES.items()})
    if firsts["decision"] is not None:  # counted from entering review, by the shortest rule there is
        shortest = TimerRule.objects.filter(timer=Timer.DECISION).aggregate(days=Min("days"))["days"]
        firsts["decision"] = timezone.localdate(firsts["decision"]) + timedelta(days=shortest)
    days = [day for day in firsts.values() if day is not None]
    closing = ReviewBatch.objects.filter(status=BatchStatus.OPEN, cases__in=cases).aggregate(
        first=Min("window_closes_at"))["first"]
    if closing is not None:  # the clock closes a batch's window on the morning after it ends
        days.append(timezone.localdate(closing))
    return min(days) + timedelta(days=1) if days else date.max


def seeded_count():
    return Case.objects.filter(lor__originator_reference__startswith=DEMO_REFERENCE).count()


def seed_cases(total, users, *, progress=None):
    """Bring the number of demo cases up to `total`; returns how many were created."""
    start = seeded_count()
    if start >= total:
        return 0
    catalog, now = load_catalog(users), timezone.now()
    requests, index = [], start
    while index < total:
        request, count = request_from(index, total, catalog, now)
        requests.append(request)
        index += count
    Walk(catalog, now, requests, progress=progress and (lambda done: progress(start + done, total))).run()
    return seeded_count() - start


class Walk:
    """The calendar: a heap of (when, order, step) where a step is a generator of the next times it
    wants to act, resumed at each."""

    def __init__(self, catalog, now, requests, progress=None):
        self.catalog, self.now, self.requests, self.progress = catalog, now, requests, progress
        self.reviewer = catalog.users["reviewer"]
        self.heap, self.order = [], itertools.count()
        self.plans = {}  # case id -> the Request it was made from
        self.scheduled_batches = set()
        self.first_case = None  # the clock looks only at the cases of this walk
        self.arrived = False  # an LOR arrived since the clock's last batching run
        # The clock runs on days it can act: after arrivals, and from the day after the earliest deadline
        # still open, found again after any day with events (what a day starts falls due days later).
        self.next_due = date.min

    def at(self, when, steps):
        if when < self.now:
            heapq.heappush(self.heap, (when, next(self.order), steps))

    def run(self):
        for request in self.requests:
            self.at(request.at, self.arrive(request))
        day = min(request.at for request in self.requests).date() + timedelta(days=1)
        while True:
            tick = timezone.make_aware(datetime.combine(day, CLOCK_HOUR), timezone.get_default_timezone())
            until = min(tick, self.now)
            with transaction.atomic():  # a day's events and the clock's run at its end, then commit
                changed = bool(self.heap) and self.heap[0][0] < until
                while self.heap and self.heap[0][0] < until:
                    _, _, steps = heapq.heappop(self.heap)
                    self.resume(steps)
                if self.arrived or day >= self.next_due:
                    self.clock(until)
                elif changed and self.first_case:
                    self.next_due = next_clock_day(Case.objects.filter(pk__gte=self.first_case))
            if until == self.now:
                break
            day += timedelta(days=1)

    def resume(self, steps):
        try:
            when = next(steps)
        except StopIteration:
            return
        except WorkflowError:  # the clock or a person got there first (an offer expired): the plan ends
            return
        self.at(when, steps)

    def clock(self, at):
        """What beat does: batch what is actionable, then the timers; reviewers see the new batches."""
        if self.first_case is None:
            return
        among = Case.objects.filter(pk__gte=self.first_case)
        if self.arrived:  # nothing else makes a case actionable in the walk
            self.arrived = False
            waiting = among.filter(stage=Stage.LOR_ACTIONABLE, review_batch__isnull=True)
            result = batching.build_batches(case_ids=list(waiting.values_list("pk", flat=True)), at=at)
            if result.cases_batched:
                for batch in ReviewBatch.objects.filter(cases__in=among, status=BatchStatus.OPEN).distinct():
                    if batch.pk not in self.scheduled_batches:
                        self.scheduled_batches.add(batch.pk)
                        self.at(at, self.review(batch, at))
        batching.close_windows(at=at)
        run_clock(at=at, among=among)
        self.next_due = next_clock_day(among)

    # The purchaser's side.

    def arrive(self, request):
        if "joint" in request.fields:
            joint = file_joint_request(filed_by=self.catalog.users["nspa"], at=request.at, **request.fields["joint"])
            cases = list(joint.cases.all())
        else:
            cases = [submit_lor(submitted_by=self.catalog.purchaser(request.country), country=request.country,
                                at=request.at, **request.fields)]
        self.arrived = True
        for n, case in enumerate(cases):
            self.first_case = self.first_case or case.pk
            self.plans[case.pk] = request if n == 0 else Request(
                request.index, request.target, random.Random(f"{request.index}-{case.country_id}"), request.at,
                case.country, {})
            if request.target == Stage.WITHDRAWN and self.plans[case.pk].rng.random() < 0.4:
                self.at(request.at, self.withdraw_early(case, self.plans[case.pk]))
        if self.progress:
            self.progress(len(self.plans))
        yield from ()

    def withdraw_early(self, case, plan):
        plan.clock = plan.at
        yield self.later(plan, 3, 15)
        self.withdraw(case, plan)

    def withdraw(self, case, plan):
        perform(case, Action.WITHDRAW, actor=self.catalog.purchaser(case.country),
                inputs={"reason": plan.rng.choice(WITHDRAW_REASONS)}, at=plan.clock)

    # The reviewers' side: a batch is taken once its window has closed (its offices asked by then), and
    # decided some days after the offices answer.

    def review(self, batch, opened):
        rng = random.Random(batch.pk)
        started = opened
        while True:  # the reviewer looks each working morning whether the window has closed
            started += timedelta(days=1)
            yield started
            batch.refresh_from_db()
            if batch.status != BatchStatus.OPEN:
                break
        if batch.status == BatchStatus.DECIDED or batch.assigned_reviewer_id:
            return
        started += timedelta(hours=rng.randint(1, 8))
        yield started
        start_batch(batch, reviewer=self.reviewer, at=started)
        slow = rng.random() < 0.12  # some reviews run past their decision due date and stall first
        # The offices asked answer in parallel, each on its own day within its due date (slow ones past it),
        # a few with conditions.
        answers = sorted((started + timedelta(days=rng.randint(1, allowed(due_on, started) + (4 if slow else 0)),
                                              hours=rng.randint(0, 8)), office)
                         for office, due_on in batch.concurrence_requests.values_list("office_id", "due_on"))
        members = list(batch.cases.filter(stage=Stage.IN_REVIEW).values_list("case_number", flat=True))
        for when, office in answers:
            yield when
            conditions = rng.random() < 0.05
            # Now and then an office asked about every case answers one of a larger batch apart, with conditions.
            carved = [{"case": rng.choice(members), "answer": "conditions", "reason": rng.choice(CONDITIONS)}
                      ] if office in EVERY_CASE and len(members) > 2 and rng.random() < 0.08 else []
            answer_concurrence(batch, by=staff_of(self.catalog.users, office), at=when,
                               answer="conditions" if conditions else "concur",
                               reason=rng.choice(CONDITIONS) if conditions else "", carve_outs=carved)
        answered = answers[-1][0] if answers else started
        batch.refresh_from_db()
        left = allowed(batch.decision_due_on, answered) if batch.decision_due_on else 12
        decided = answered + timedelta(days=rng.randint(20, 35) if slow else rng.randint(1, left), hours=rng.randint(0, 6))
        yield decided
        entries = []
        for case in batch.cases.filter(stage=Stage.IN_REVIEW).select_related("country"):
            plan = self.plans.get(case.pk)
            if plan is None or plan.target == Stage.IN_REVIEW:
                continue
            outcome = DECISIONS.get(plan.target, "approve")
            reasons = {"deny": DENY_REASONS, "return": RETURN_REASONS}.get(outcome)
            reason = plan.rng.choice(reasons) if reasons else ""
            entries.append({"case": case.case_number, "outcome": outcome, "reason": reason})
        if entries:
            decide_batch(batch, entries, reviewer=self.reviewer, at=decided)
            for entry in entries:
                if entry["outcome"] == "approve":
                    self.at(decided, self.develop(Case.objects.get(case_number=entry["case"]), decided))

    # After approval: the LOA (with notification when a threshold is met) or the P&A answer.

    def develop(self, case, approved):
        plan = self.plans[case.pk]
        plan.clock = approved
        if plan.target == Stage.WITHDRAWN:
            yield self.later(plan, 5, 60)
            return self.withdraw(case, plan)
        if plan.target == Stage.LOA_DEVELOPMENT:
            return
        case = Case.objects.select_related("loa", "notification__rule", "lor").get(pk=case.pk)
        # Developed in a share of the time allowed: about one in five takes longer than its due date.
        allowed = (case.loa.anticipated_offer_date - approved.date()).days
        answer_at = approved + timedelta(days=allowed * plan.rng.uniform(0.4, 1.15))
        if case.tsfd_required:
            yield self.later(plan, 3, 20)
            self.step(case, Action.APPROVE_TSFD, plan)
        if case.lor.request_type == "PA":
            yield from self.pa_answer(case, plan, answer_at)
            return
        if case.notification.required:
            yield self.later(plan, 5, 20)
            self.step(case, Action.START_INFORMAL_REVIEW, plan)
            yield self.later(plan, case.notification.rule.informal_review_days + 1,
                             case.notification.rule.informal_review_days + 10)
            self.step(case, Action.SUBMIT_NOTIFICATION, plan)
            if plan.target == Stage.CN_REVIEW:
                return
            plan.clock += timedelta(days=case.notification.rule.formal_review_days + 1)
        yield from self.offer(case, plan, answer_at)

    def pa_answer(self, case, plan, answer_at):
        yield self.until(plan, answer_at)
        self.step(case, Action.PROVIDE_PA, plan)
        if plan.target == Stage.CLOSED:
            yield self.later(plan, 90, 200)
            self.step(case, Action.CLOSE, plan)
        elif plan.target in (Stage.LOA_OFFERED, Stage.LOA_ACCEPTED):
            yield self.later(plan, 10, 40)
            perform(case, Action.REQUEST_LOA, actor=self.catalog.purchaser(case.country), at=plan.clock)
            case = Case.objects.select_related("loa").get(pk=case.pk)
            allowed = (case.loa.anticipated_offer_date - plan.clock.date()).days
            yield from self.offer(case, plan, plan.clock + timedelta(days=allowed * plan.rng.uniform(0.4, 1.0)))

    def offer(self, case, plan, answer_at):
        offered_at = max(answer_at, plan.clock + timedelta(days=1))
        yield self.until(plan, offered_at - timedelta(days=plan.rng.randint(0, 7)))
        self.step(case, Action.RECORD_IA_APPROVAL, plan)
        yield self.until(plan, offered_at)
        self.step(case, Action.OFFER, plan)
        if plan.target in (Stage.LOA_OFFERED, Stage.LOA_EXPIRED):
            return  # not accepted: the clock expires the offer the day after its OED
        yield self.later(plan, 10, 70)
        day = plan.clock.date()
        perform(case, Action.ACCEPT, actor=self.catalog.purchaser(case.country),
                inputs={"signed_on": day, "initial_deposit_on": day}, at=plan.clock)
        if plan.target == Stage.LOA_ACCEPTED:
            return
        yield self.later(plan, 5, 40)
        self.step(case, Action.IMPLEMENT, plan)
        if plan.target == Stage.CLOSED:
            yield self.later(plan, 400, 500)
            self.step(case, Action.CLOSE, plan)

    def step(self, case, action, plan):
        perform(case, action, actor=self.reviewer, at=plan.clock)

    def later(self, plan, low, high):
        plan.clock += timedelta(days=plan.rng.randint(low, high), hours=plan.rng.randint(0, 8))
        return plan.clock

    def until(self, plan, when):
        plan.clock = max(plan.clock, when)
        return plan.clock


def allowed(due_on, since):
    """Whole days from `since` to `due_on`, at least one."""
    return max(1, (due_on - timezone.localdate(since)).days)
