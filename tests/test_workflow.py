"""The stage machine: every legal move, every illegal pairing refused, and each guard."""
from datetime import timedelta

import pytest

from cases.models import Case, CaseEvent, Decision, LetterOfRequest
from cases.process import workflow
from cases.process.services import decisions, offers
from cases.process.services import lor as lor_services
from cases.process.services.submission import check_lor
from cases.process.stages import Action, Stage

from .builders import Builder

pytestmark = pytest.mark.django_db


def complete_lor(case):
    lor = case.lor
    lor.funding_source = "national_funds"
    check_lor(lor, at=lor.received_at)
    lor.save()


def sign(case):
    loa = case.loa
    loa.signed_on = loa.initial_deposit_on = loa.offer_expires_on
    loa.save()


def ia_approve(builder):
    def prepare(case):
        offers.record_ia_approval(case, actor=builder.reviewer, at=builder.at)
        builder.tick(20)

    return prepare


# (source, action) -> (builder options, preparation before the move, move keyword arguments)
EDGES = {
    (Stage.LOR_RECEIVED, Action.MARK_ACTIONABLE): ({}, complete_lor, {}),
    (Stage.LOR_RECEIVED, Action.RETURN): ({}, None, {"reason": "Name the funding source."}),
    (Stage.LOR_ACTIONABLE, Action.RETURN): ({}, None, {"reason": "Give basing."}),
    (Stage.IN_REVIEW, Action.RETURN): ({}, None, {"reason": "Give basing."}),
    (Stage.LOR_RETURNED, Action.RESUBMIT): ({}, None, {}),
    (Stage.LOR_ACTIONABLE, Action.START_REVIEW): ({}, None, {}),
    (Stage.IN_REVIEW, Action.APPROVE): ({}, None, {}),
    (Stage.IN_REVIEW, Action.DENY): ({}, None, {"reason": "Not releasable."}),
    (Stage.LOA_DEVELOPMENT, Action.SUBMIT_NOTIFICATION): ({"large": True}, None, {}),
    (Stage.LOA_DEVELOPMENT, Action.OFFER): ({}, "ia", {}),
    (Stage.CN_REVIEW, Action.OFFER): ({"large": True}, "ia", {}),
    (Stage.LOA_OFFERED, Action.ACCEPT): ({}, sign, {}),
    (Stage.LOA_OFFERED, Action.EXPIRE): ({}, "after_oed", {}),
    (Stage.LOA_ACCEPTED, Action.IMPLEMENT): ({}, None, {}),
    (Stage.IMPLEMENTED, Action.CLOSE): ({}, None, {}),
    (Stage.DENIED, Action.CLOSE): ({}, None, {}),
    (Stage.LOA_EXPIRED, Action.CLOSE): ({}, None, {}),
    **{
        (stage, Action.WITHDRAW): ({"large": stage == Stage.CN_REVIEW}, None, {"reason": "Budget moved."})
        for stage in workflow.BEFORE_ACCEPTANCE
    },
}


def test_edge_table_covers_every_legal_move():
    assert set(EDGES) == set(workflow.TRANSITIONS)


@pytest.mark.parametrize("source,action", sorted(EDGES), ids=lambda value: str(value))
def test_every_legal_move(source, action, reviewer):
    options, prepare, kwargs = EDGES[(source, action)]
    builder = Builder(reviewer, **options)
    case = builder.build(source)
    assert case.stage == source
    at = builder.tick()
    if prepare == "ia":
        ia_approve(builder)(case)
        at = builder.tick()
    elif prepare == "after_oed":
        at = builder.tick(120)
    elif prepare:
        prepare(case)
    events_before = case.events.count()

    moved = workflow.move(case, action, actor=reviewer, at=at, **kwargs)

    target = workflow.TRANSITIONS[(source, action)].target
    assert moved.stage == target
    assert Case.objects.get(pk=case.pk).stage == target
    assert moved.stage_entered_at == at
    last = case.events.order_by("-at", "-id").first()
    assert case.events.count() == events_before + 1
    assert (last.verb, last.from_stage, last.to_stage, last.actor) == (action.value, source, target, reviewer)


ILLEGAL = [
    (stage, action)
    for stage in Stage
    for action in Action
    if (stage, action) not in workflow.TRANSITIONS
]


@pytest.mark.parametrize(
    "source,action",
    [pair for pair in ILLEGAL if pair[0] in {Stage.LOR_ACTIONABLE, Stage.LOA_OFFERED, Stage.DENIED, Stage.CLOSED}],
    ids=lambda value: str(value),
)
def test_illegal_moves_are_refused_and_write_nothing(source, action, reviewer):
    case = Builder(reviewer).build(source)
    events = case.events.count()
    with pytest.raises(workflow.IllegalMove):
        workflow.move(case, action, actor=reviewer, reason="some reason")
    case.refresh_from_db()
    assert case.stage == source
    assert case.events.count() == events


def test_withdrawal_is_refused_after_acceptance(reviewer):
    case = Builder(reviewer).build(Stage.LOA_ACCEPTED)
    with pytest.raises(workflow.IllegalMove):
        lor_services.withdraw_case(case, actor=reviewer)


class TestGuards:
    def test_incomplete_lor_cannot_become_actionable(self, reviewer):
        case = Builder(reviewer).build(Stage.LOR_RECEIVED)
        with pytest.raises(workflow.GuardFailed, match="funding source"):
            workflow.move(case, Action.MARK_ACTIONABLE)

    @pytest.mark.parametrize("outcome", ["deny", "return"])
    @pytest.mark.parametrize("reason", ["", "   "])
    def test_deny_and_return_need_a_reason(self, reviewer, outcome, reason):
        case = Builder(reviewer).build(Stage.IN_REVIEW)
        with pytest.raises(workflow.GuardFailed) as raised:
            decisions.decide_case(case, outcome, actor=reviewer, reason=reason)
        assert raised.value.field == "reason"
        case.refresh_from_db()
        assert case.stage == Stage.IN_REVIEW
        assert not Decision.objects.filter(case=case).exists()

    def test_decision_records_reason_and_reviewer(self, reviewer):
        case = Builder(reviewer).build(Stage.IN_REVIEW)
        decisions.decide_case(case, "deny", actor=reviewer, reason="  Not releasable.  ")
        decision = Decision.objects.get(case=case)
        assert (decision.outcome, decision.reason, decision.decided_by) == ("deny", "Not releasable.", reviewer)

    def test_decision_needs_a_named_reviewer(self, reviewer):
        case = Builder(reviewer).build(Stage.IN_REVIEW)
        with pytest.raises(workflow.GuardFailed, match="named reviewer"):
            decisions.decide_case(case, "approve", actor=None)

    def test_offer_waits_for_tsfd_approval(self, reviewer):
        builder = Builder(reviewer, tsfd=True)
        case = builder.build(Stage.LOA_DEVELOPMENT)
        offers.record_ia_approval(case, actor=reviewer, at=builder.tick())
        with pytest.raises(workflow.GuardFailed, match="TSFD"):
            offers.offer_loa(case, actor=reviewer, at=builder.tick())
        offers.approve_tsfd(case, actor=reviewer, at=builder.at)
        assert offers.offer_loa(case, actor=reviewer, at=builder.tick()).stage == Stage.LOA_OFFERED

    def test_notifiable_case_cannot_be_offered_without_formal_notification(self, reviewer):
        builder = Builder(reviewer, large=True)
        case = builder.build(Stage.LOA_DEVELOPMENT)
        assert case.notification.required
        offers.record_ia_approval(case, actor=reviewer, at=builder.tick())
        with pytest.raises(workflow.GuardFailed, match="Formal congressional notification"):
            offers.offer_loa(case, actor=reviewer, at=builder.tick())

    @pytest.mark.parametrize("days_after_notice,allowed", [(14, False), (15, False), (16, True)])
    def test_offer_only_after_the_formal_review_period(self, reviewer, days_after_notice, allowed):
        builder = Builder(reviewer, large=True)
        case = builder.build(Stage.CN_REVIEW)
        notified = case.notification.formal_notified_on
        assert case.notification.review_ends_on == notified + timedelta(days=15)  # NATO_PLUS: 15 days
        offers.record_ia_approval(case, actor=reviewer, at=builder.at)
        at = builder.at + timedelta(days=days_after_notice)
        if allowed:
            assert offers.offer_loa(case, actor=reviewer, at=at).stage == Stage.LOA_OFFERED
        else:
            with pytest.raises(workflow.GuardFailed, match="review period"):
                offers.offer_loa(case, actor=reviewer, at=at)

    def test_emergency_waiver_lifts_the_review_period(self, reviewer):
        builder = Builder(reviewer, large=True)
        case = builder.build(Stage.CN_REVIEW)
        offers.record_ia_approval(case, actor=reviewer, at=builder.at)
        offers.record_emergency_waiver(case, actor=reviewer, justification="Presidential emergency certification.")
        assert offers.offer_loa(case, actor=reviewer, at=builder.tick()).stage == Stage.LOA_OFFERED

    def test_emergency_waiver_needs_a_justification(self, reviewer):
        case = Builder(reviewer, large=True).build(Stage.CN_REVIEW)
        with pytest.raises(Exception) as raised:
            offers.record_emergency_waiver(case, actor=reviewer, justification=" ")
        assert "justification" in raised.value.message_dict
        case.notification.refresh_from_db()
        assert not case.notification.emergency_waiver

    def test_below_thresholds_needs_no_notification(self, reviewer):
        case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
        assert not case.notification.required
        with pytest.raises(workflow.GuardFailed, match="below every"):
            offers.submit_notification(case, actor=reviewer)

    @pytest.mark.parametrize("shift,accepted", [(-1, True), (0, True), (1, False)])
    def test_acceptance_needs_signature_and_deposit_by_the_oed(self, reviewer, shift, accepted):
        case = Builder(reviewer).build(Stage.LOA_OFFERED)
        oed = case.loa.offer_expires_on
        day = oed + timedelta(days=shift)
        if accepted:
            case = offers.record_acceptance(case, actor=reviewer, signed_on=oed, initial_deposit_on=day)
            assert case.stage == Stage.LOA_ACCEPTED
        else:
            with pytest.raises(workflow.GuardFailed, match="after the Offer Expiration Date"):
                offers.record_acceptance(case, actor=reviewer, signed_on=oed, initial_deposit_on=day)
            case.loa.refresh_from_db()
            assert case.loa.initial_deposit_on is None  # nothing half-written

    def test_acceptance_needs_both_signature_and_deposit(self, reviewer):
        case = Builder(reviewer).build(Stage.LOA_OFFERED)
        with pytest.raises(workflow.GuardFailed, match="both"):
            offers.record_acceptance(case, actor=reviewer, signed_on=case.loa.offer_expires_on, initial_deposit_on=None)

    @pytest.mark.parametrize("shift,expires", [(-1, False), (0, False), (1, True)])
    def test_offer_expires_only_after_the_oed(self, reviewer, shift, expires):
        builder = Builder(reviewer)
        case = builder.build(Stage.LOA_OFFERED)
        oed = case.loa.offer_expires_on
        at = builder.at.replace(year=oed.year, month=oed.month, day=oed.day) + timedelta(days=shift)
        if expires:
            assert offers.expire_offer(case, at=at).stage == Stage.LOA_EXPIRED
        else:
            with pytest.raises(workflow.GuardFailed, match="open until"):
                offers.expire_offer(case, at=at)

    def test_oed_is_85_days_after_ia_approval(self, reviewer):
        builder = Builder(reviewer)
        case = builder.build(Stage.LOA_DEVELOPMENT)
        offers.record_ia_approval(case, actor=reviewer, at=builder.tick())
        case.loa.refresh_from_db()
        assert case.loa.offer_expires_on - case.loa.ia_approved_on == timedelta(days=85)

    def test_approval_sets_development_group_aod_and_notification(self, reviewer):
        builder = Builder(reviewer, large=True)
        case = builder.build(Stage.LOA_DEVELOPMENT)
        approved_on = case.stage_entered_at.date()
        assert case.loa.development_group == "C"
        assert case.loa.anticipated_offer_date == approved_on + timedelta(days=150)
        assert case.notification.required and case.notification.tripped == ["mde"]
        assert case.notification.tier == "NATO_PLUS"


class TestLorAmendment:
    def test_supplying_what_is_missing_makes_the_lor_actionable(self, reviewer):
        case = Builder(reviewer).build(Stage.LOR_RECEIVED)
        assert case.lor.missing == ["Name the funding source."]
        case = lor_services.amend_lor(case, {"funding_source": "fmf"}, actor=reviewer)
        assert case.stage == Stage.LOR_ACTIONABLE
        lor = LetterOfRequest.objects.get(case=case)
        assert lor.missing == [] and lor.completed_at is not None
        assert list(case.events.values_list("verb", flat=True)) == [
            "lor_received", "lor_checked", "lor_amended", "mark_actionable"
        ]

    def test_resubmitting_a_returned_lor_runs_the_checks_again(self, reviewer):
        case = Builder(reviewer).build(Stage.LOR_RETURNED)
        case = lor_services.amend_lor(case, {"justification": "Basing: Rzeszow."}, actor=reviewer)
        assert case.stage == Stage.LOR_ACTIONABLE
        verbs = list(case.events.values_list("verb", flat=True))
        assert verbs[-2:] == ["resubmit", "mark_actionable"]

    def test_an_lor_in_review_cannot_be_changed(self, reviewer):
        case = Builder(reviewer).build(Stage.IN_REVIEW)
        with pytest.raises(workflow.IllegalMove):
            lor_services.amend_lor(case, {"justification": "x"}, actor=reviewer)
        assert CaseEvent.objects.filter(case=case, verb="lor_amended").count() == 0
