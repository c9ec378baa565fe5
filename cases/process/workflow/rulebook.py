"""The rule book: every action a person or the clock can take on a case, and beside it a batch's own.

For each action: the stages it applies to, who may take it, what the request must be for it to exist
(`when`), what must hold (`guards`), what the actor sends (`inputs`), the stage it moves to (none for
a milestone) and its effect. `perform` (cases.process.workflow.perform) is the one function that takes
an action; the API's steps, the pages' buttons and the admin ask `offers` what is possible, and every
message a refusal shows comes from here.
"""
from dataclasses import dataclass
from typing import Callable

from ...models import REVIEWERS, BatchStatus, NoticeKind, Outcome, Role
from ...review import policy
from ..deadlines import STALLING
from ..stages import Action, BatchAction, Stage
from . import batch_effects, concurrence_effects, effects
from . import conditions as c
from . import inputs as i

SYSTEM = frozenset({"system"})  # the clock or an automatic check: no person takes these
PURCHASER = frozenset({Role.LIAISON})  # the purchaser's liaison (visible_to keeps them to their country)

BEFORE_PRICING = frozenset({Stage.LOR_RECEIVED, Stage.LOR_RETURNED, Stage.LOR_ACTIONABLE, Stage.IN_REVIEW,
                            Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW})
BEFORE_ACCEPTANCE = BEFORE_PRICING | {Stage.PA_PROVIDED, Stage.LOA_OFFERED}
DEVELOPMENT = frozenset({Stage.LOA_DEVELOPMENT, Stage.CN_REVIEW})


@dataclass(frozen=True)
class Rule:
    action: Action
    stages: frozenset
    by: frozenset
    target: Stage | None = None  # None: a milestone, the stage stays
    when: tuple = ()  # conditions for the action to exist for this case at all
    guards: tuple = ()  # conditions that must hold now
    inputs: tuple = ()
    effect: Callable | None = None
    step: str = ""  # the name a person uses for it (API path, page form); empty: not taken one case at a time
    path: str = ""  # the API path under the case when it is not steps/<step>/
    forward: bool = False  # it moves the case on along the way; the case page lists what stands before it
    locks_batch: bool = False  # the case may leave its batch's review: lock the batch first, settle it after
    bulk: object = None  # for the clock: the effect on many cases at once (perform.perform_due)
    notifies: str = ""  # the kind of notice taking it tells of (cases.notify.kinds)

    @property
    def label(self):
        return self.action.label

    @property
    def conditions(self):
        return self.when + self.guards

    @property
    def automatic(self):
        return self.by == SYSTEM

    def api_path(self):
        return self.path or f"steps/{self.step}/"


def decision(action, target, effect, stages=frozenset({Stage.IN_REVIEW}), guards=(), **options):
    """A reviewer's decision: on a case in a batch, taken through the batch once somebody has taken it."""
    return Rule(action, stages, REVIEWERS, target, guards=(c.decided_with_batch, c.batch_taken, *guards),
                effect=effect, locks_batch=True, **options)


RULES = {rule.action: rule for rule in (
    # The LOR.
    Rule(Action.CHECK_LOR, frozenset({Stage.LOR_RECEIVED}), SYSTEM, effect=effects.record_missing),
    Rule(Action.MARK_ACTIONABLE, frozenset({Stage.LOR_RECEIVED}), SYSTEM, Stage.LOR_ACTIONABLE,
         guards=(c.lor_complete,), forward=True),
    Rule(Action.SUPPLY_LOR, frozenset({Stage.LOR_RECEIVED}), PURCHASER, effect=effects.amend_lor, step="supply-lor",
         path="lor/"),
    Rule(Action.RESUBMIT, frozenset({Stage.LOR_RETURNED}), PURCHASER, Stage.LOR_RECEIVED, effect=effects.amend_lor,
         inputs=(i.RESUBMIT_REPLY,), step="resubmit", path="lor/", notifies=NoticeKind.RESUBMITTED),
    Rule(Action.APPROVE_TSFD, BEFORE_PRICING, REVIEWERS, when=(c.tsfd_required,), guards=(c.tsfd_not_yet_approved,),
         effect=effects.approve_tsfd, step="tsfd-approval"),
    # Combined review: batching moves actionable cases in (cases.review.batching), reviewers decide them.
    Rule(Action.START_REVIEW, frozenset({Stage.LOR_ACTIONABLE}), SYSTEM, Stage.IN_REVIEW, forward=True),
    # Approval waits on every office asked to concur; denying or returning never does.
    decision(Action.APPROVE, Stage.LOA_DEVELOPMENT, effects.open_development, guards=(c.offices_concurred,),
             forward=True, notifies=NoticeKind.APPROVED),
    decision(Action.DENY, Stage.DENIED, effects.record_decision(Outcome.DENY), inputs=(i.DECISION_REASON,),
             notifies=NoticeKind.DENIED),
    decision(Action.RETURN, Stage.LOR_RETURNED, effects.return_for_information, inputs=(i.DECISION_REASON,),
             stages=frozenset({Stage.LOR_RECEIVED, Stage.LOR_ACTIONABLE, Stage.IN_REVIEW}), step="return",
             notifies=NoticeKind.RETURNED),
    # LOA development and congressional notification.
    Rule(Action.RECORD_IA_APPROVAL, DEVELOPMENT, REVIEWERS, when=(c.loa_request,),
         guards=(c.ia_not_yet_approved, c.ia_day_valid), inputs=(i.IA_APPROVAL_DAY,),
         effect=effects.record_ia_approval, step="ia-approval"),
    Rule(Action.CORRECT_IA_APPROVAL, DEVELOPMENT, REVIEWERS, when=(c.loa_request,),
         guards=(c.ia_approved, c.ia_day_valid), inputs=(i.CORRECTED_DAY, i.CORRECTION_REASON),
         effect=effects.correct_ia_approval, step="ia-approval-correction"),
    Rule(Action.START_INFORMAL_REVIEW, frozenset({Stage.LOA_DEVELOPMENT}), REVIEWERS,
         when=(c.loa_request, c.notification_required), guards=(c.informal_not_started,),
         effect=effects.start_informal_review, step="informal-review"),
    Rule(Action.SUBMIT_NOTIFICATION, frozenset({Stage.LOA_DEVELOPMENT}), REVIEWERS, Stage.CN_REVIEW,
         when=(c.loa_request, c.notification_required), guards=(c.informal_review_over,),
         effect=effects.start_formal_review, step="notification", forward=True),
    Rule(Action.RECORD_WAIVER, DEVELOPMENT, REVIEWERS, when=(c.loa_request, c.notification_required),
         guards=(c.not_waived,), inputs=(i.WAIVER_JUSTIFICATION,), effect=effects.record_waiver,
         step="emergency-waiver"),
    Rule(Action.CLEAR_NOTIFICATION, frozenset({Stage.CN_REVIEW}), SYSTEM,
         guards=(c.review_period_over, c.not_cleared), effect=effects.clear_notification,
         bulk=effects.CLEAR_NOTIFICATIONS),
    Rule(Action.OFFER, DEVELOPMENT, REVIEWERS, Stage.LOA_OFFERED, when=(c.loa_request,),
         guards=(c.tsfd_approved, c.ia_approved, c.notification_allows_offer, c.oed_not_passed),
         effect=effects.stamp_loa("offered_on"), step="offer", forward=True, notifies=NoticeKind.OFFERED),
    # Price and availability: an answer, not an offer; the purchaser may go on to ask for an LOA.
    Rule(Action.PROVIDE_PA, frozenset({Stage.LOA_DEVELOPMENT}), REVIEWERS, Stage.PA_PROVIDED, when=(c.pa_request,),
         guards=(c.tsfd_approved,), effect=effects.stamp_loa("pa_provided_on"), step="pa-answer", forward=True),
    Rule(Action.REQUEST_LOA, frozenset({Stage.PA_PROVIDED}), PURCHASER, Stage.LOA_DEVELOPMENT,
         effect=effects.request_loa, step="loa-request", forward=True),
    # The offer.
    Rule(Action.RECORD_ASSURANCE, BEFORE_ACCEPTANCE, frozenset({Role.NSPA}), when=(c.lead_nation_participant,),
         guards=(c.no_assurance_yet, c.assurance_day_valid), inputs=(i.ASSURANCE_GIVEN_ON, i.ASSURANCE_REFERENCE),
         effect=effects.record_assurance, step="retransfer-assurance"),
    Rule(Action.ACCEPT, frozenset({Stage.LOA_OFFERED}), PURCHASER, Stage.LOA_ACCEPTED,
         guards=(c.assurance_on_file, c.oed_not_passed, c.signed_after_offer, c.paid_after_offer),
         inputs=(i.SIGNED_ON, i.DEPOSIT_ON),
         effect=effects.record_acceptance, step="acceptance", forward=True, notifies=NoticeKind.ACCEPTED),
    Rule(Action.EXPIRE, frozenset({Stage.LOA_OFFERED}), SYSTEM, Stage.LOA_EXPIRED, guards=(c.oed_passed,),
         notifies=NoticeKind.EXPIRED),
    Rule(Action.IMPLEMENT, frozenset({Stage.LOA_ACCEPTED}), REVIEWERS, Stage.IMPLEMENTED,
         effect=effects.stamp_loa("implemented_on"), step="implementation", forward=True),
    Rule(Action.CLOSE, frozenset({Stage.IMPLEMENTED, Stage.DENIED, Stage.LOA_EXPIRED, Stage.PA_PROVIDED}), REVIEWERS,
         Stage.CLOSED, step="closure", forward=True),
    Rule(Action.WITHDRAW, BEFORE_ACCEPTANCE, PURCHASER, Stage.WITHDRAWN, inputs=(i.WITHDRAWAL_REASON,),
         step="withdraw", path="withdraw/", locks_batch=True),
    # The clock: a case waiting past a due date is flagged; any move clears the flag.
    Rule(Action.MARK_STALLED, frozenset().union(*(deadline.stages for deadline in STALLING)), SYSTEM,
         guards=(c.not_stalled, c.deadline_passed), effect=effects.mark_stalled, bulk=effects.MARK_STALLED,
         notifies=NoticeKind.STALLED),
)}

STEPS = {rule.step: rule for rule in RULES.values() if rule.step}


@dataclass(frozen=True)
class BatchRule:
    action: BatchAction
    statuses: frozenset
    by: frozenset
    target: BatchStatus | None
    wrong_status: Callable  # batch -> why the action does not apply to a batch in its status
    refusal: Callable = lambda batch, ctx: None
    effect: Callable | None = None
    stamp: str = ""  # the batch's field that records when it reached `target`
    due: Callable | None = None  # for the clock's rules: (batches, at) -> those it is due for
    bulk: Callable | None = None  # for the clock's rules: the effect on many batches, (ids, ctx)
    notifies: str = ""  # the kind of notice taking it tells of (cases.notify.kinds)

    @property
    def label(self):
        return self.action.label


def already_decided(batch):
    return "This batch is already decided."


def concurrence_closed(batch):
    if batch.status == BatchStatus.OPEN:
        return "Offices are asked to concur once the batch enters review (its window closes, or a reviewer takes it)."
    return "This batch is decided: its concurrence is closed."


BATCH_RULES = {rule.action: rule for rule in (
    # A batch is opened by batching (cases.review.batching), which fills it until its policy's window
    # closes (by the clock) or a reviewer takes it early; either way its review starts then.
    BatchRule(BatchAction.CLOSE_WINDOW, frozenset({BatchStatus.OPEN}), SYSTEM, BatchStatus.IN_REVIEW,
              wrong_status=lambda batch: f"This batch is already {batch.get_status_display().lower()}.",
              refusal=batch_effects.window_still_open, effect=batch_effects.close_window,
              stamp="review_started_at", due=policy.windows_closed, bulk=batch_effects.close_windows),
    BatchRule(BatchAction.START, frozenset({BatchStatus.OPEN, BatchStatus.IN_REVIEW}), REVIEWERS,
              BatchStatus.IN_REVIEW, wrong_status=already_decided,
              refusal=batch_effects.free_to_take, effect=batch_effects.take, stamp="review_started_at"),
    BatchRule(BatchAction.ASSIGN, frozenset({BatchStatus.OPEN, BatchStatus.IN_REVIEW}), REVIEWERS, None,
              wrong_status=lambda batch: "A decided batch is no one's to hand over.",
              refusal=batch_effects.hand_over_by_holder, effect=batch_effects.assign,
              notifies=NoticeKind.BATCH_ASSIGNED),
    BatchRule(BatchAction.WRITE_MEMO, frozenset({BatchStatus.IN_REVIEW, BatchStatus.DECIDED}), REVIEWERS, None,
              wrong_status=lambda batch: "Take the batch for review before writing its memo.",
              refusal=batch_effects.no_memo_yet, effect=batch_effects.write_memo),
    # Concurrence: the offices asked when the batch was taken answer in parallel, each once for the batch.
    BatchRule(BatchAction.CONCUR, frozenset({BatchStatus.IN_REVIEW}), REVIEWERS, None,
              wrong_status=concurrence_closed, refusal=concurrence_effects.awaits_my_office,
              effect=concurrence_effects.answer),
    BatchRule(BatchAction.WITHDRAW_NON_CONCURRENCE, frozenset({BatchStatus.IN_REVIEW}), REVIEWERS, None,
              wrong_status=concurrence_closed, refusal=concurrence_effects.objection_to_withdraw,
              effect=concurrence_effects.withdraw),
    BatchRule(BatchAction.DECIDE, frozenset({BatchStatus.IN_REVIEW}), REVIEWERS, None,
              wrong_status=lambda batch: "Start the review of this batch before deciding its cases."
              if batch.status == BatchStatus.OPEN else already_decided(batch),
              refusal=batch_effects.held_by_another, effect=batch_effects.decide),
    BatchRule(BatchAction.SETTLE, frozenset({BatchStatus.IN_REVIEW}), SYSTEM, BatchStatus.DECIDED,
              wrong_status=lambda batch: "Only a batch in review is decided.",
              refusal=batch_effects.none_left_in_review, stamp="decided_at"),
)}
