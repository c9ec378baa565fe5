"""The FMS process facts the rule book holds, one row each: a case built to a stage, the steps taken
first, then one step a number of days later, and what the rule book answers (None: it is taken)."""
from datetime import timedelta

import pytest

from cases.models import Case, RequestType
from cases.process import workflow
from cases.process.stages import Action, Stage
from cases.process.workflow import perform
from cases.process.workflow.offers import checklist
from cases.process.workflow.rulebook import PURCHASER

from .builders import Builder, purchaser_of

pytestmark = pytest.mark.django_db

WAIVER = {"justification": "Presidential emergency certification."}
# TSFD cases are Austria's: in no bin, so no standing release covers them (tests/test_policy.py).
LARGE, PA, TSFD = {"large": True}, {"pa": True}, {"tsfd": True, "country": "AT"}

# (id, builder options, stage, steps first [(action, days, inputs)], step, days after, inputs, refusal)
FACTS = [
    # Congressional notification: informal (tiered) review first, then formal notice (AECA 36(b)).
    ("notification before informal review", LARGE, Stage.LOA_DEVELOPMENT, [], Action.SUBMIT_NOTIFICATION, 1, {},
     "Start the informal (tiered) review first"),
    ("notification on informal review's last day", LARGE, Stage.LOA_DEVELOPMENT,
     [(Action.START_INFORMAL_REVIEW, 1, {})], Action.SUBMIT_NOTIFICATION, 20, {}, "informal review runs until"),
    ("notification the day after informal review", LARGE, Stage.LOA_DEVELOPMENT,
     [(Action.START_INFORMAL_REVIEW, 1, {})], Action.SUBMIT_NOTIFICATION, 21, {}, None),
    ("STANDARD tier: informal review runs 40 days", {"large": True, "country": "BR"}, Stage.LOA_DEVELOPMENT,
     [(Action.START_INFORMAL_REVIEW, 1, {})], Action.SUBMIT_NOTIFICATION, 40, {}, "informal review runs until"),
    ("STANDARD tier: notification on day 41", {"large": True, "country": "BR"}, Stage.LOA_DEVELOPMENT,
     [(Action.START_INFORMAL_REVIEW, 1, {})], Action.SUBMIT_NOTIFICATION, 41, {}, None),
    ("an emergency waiver lets notification go first", LARGE, Stage.LOA_DEVELOPMENT,
     [(Action.RECORD_WAIVER, 1, WAIVER)], Action.SUBMIT_NOTIFICATION, 1, {}, None),
    ("no informal review under every threshold", {}, Stage.LOA_DEVELOPMENT, [], Action.START_INFORMAL_REVIEW, 1, {},
     "below every congressional-notification threshold"),
    ("informal review once", LARGE, Stage.LOA_DEVELOPMENT, [(Action.START_INFORMAL_REVIEW, 1, {})],
     Action.START_INFORMAL_REVIEW, 1, {}, "Informal review already started on"),
    ("a waiver once", LARGE, Stage.LOA_DEVELOPMENT, [(Action.RECORD_WAIVER, 1, WAIVER)], Action.RECORD_WAIVER, 1,
     WAIVER, "already on record"),
    ("a waiver needs its justification", LARGE, Stage.LOA_DEVELOPMENT, [], Action.RECORD_WAIVER, 1,
     {"justification": "  "}, "needs a written justification"),
    ("no offer during the formal review period", LARGE, Stage.CN_REVIEW, [(Action.RECORD_IA_APPROVAL, 0, {})],
     Action.OFFER, 15, {}, "congressional review period runs until"),
    ("the offer the day after the review period", LARGE, Stage.CN_REVIEW, [(Action.RECORD_IA_APPROVAL, 0, {})],
     Action.OFFER, 16, {}, None),
    ("no offer before formal notification", LARGE, Stage.LOA_DEVELOPMENT, [(Action.RECORD_IA_APPROVAL, 1, {})],
     Action.OFFER, 1, {}, "Formal congressional notification must come first"),
    ("a waiver lifts the review period", LARGE, Stage.CN_REVIEW,
     [(Action.RECORD_IA_APPROVAL, 0, {}), (Action.RECORD_WAIVER, 0, WAIVER)], Action.OFFER, 1, {}, None),
    # The LOA: IA approval sets the OED; the offer and its acceptance by the OED.
    ("no offer before IA approval", {}, Stage.LOA_DEVELOPMENT, [], Action.OFFER, 1, {},
     "Record the implementing agency's approval first"),
    ("IA approval once", {}, Stage.LOA_DEVELOPMENT, [(Action.RECORD_IA_APPROVAL, 1, {})],
     Action.RECORD_IA_APPROVAL, 1, {}, "IA approval was already recorded on"),
    ("no IA approval dated in the future", {}, Stage.LOA_DEVELOPMENT, [], Action.RECORD_IA_APPROVAL, 1,
     {"on": "tomorrow"}, "is in the future"),
    ("no IA approval before the approval", {}, Stage.LOA_DEVELOPMENT, [], Action.RECORD_IA_APPROVAL, 1,
     {"on": "before the approval"}, "is before the case was approved"),
    ("a wrong IA approval day is corrected, with its reason", {}, Stage.LOA_DEVELOPMENT,
     [(Action.RECORD_IA_APPROVAL, 3, {})], Action.CORRECT_IA_APPROVAL, 1,
     {"on": "the approval day", "reason": "The IA signed on the day of approval."}, None),
    ("a correction needs its reason", {}, Stage.LOA_DEVELOPMENT, [(Action.RECORD_IA_APPROVAL, 3, {})],
     Action.CORRECT_IA_APPROVAL, 1, {"on": "today"}, "A correction needs its reason"),
    ("nothing to correct before IA approval", {}, Stage.LOA_DEVELOPMENT, [], Action.CORRECT_IA_APPROVAL, 1,
     {"on": "today", "reason": "r"}, "Record the implementing agency's approval first"),
    ("no offer past the OED", {}, Stage.LOA_DEVELOPMENT, [(Action.RECORD_IA_APPROVAL, 1, {})], Action.OFFER, 86, {},
     "has passed"),
    ("acceptance on the OED", {}, Stage.LOA_OFFERED, [], Action.ACCEPT, 84, "signed today", None),
    ("no acceptance once the OED has passed", {}, Stage.LOA_OFFERED, [], Action.ACCEPT, 85, "signed today",
     "has passed: the offer can no longer be made or accepted"),
    ("no signature dated in the future", {}, Stage.LOA_OFFERED, [], Action.ACCEPT, 1, "signed tomorrow",
     "is in the future"),
    ("no signature before the offer", {}, Stage.LOA_OFFERED, [], Action.ACCEPT, 1, "signed before the offer",
     "is before the offer"),
    ("acceptance needs both dates", {}, Stage.LOA_OFFERED, [], Action.ACCEPT, 1, {"signed_on": "today"},
     "Give the date the initial deposit was received."),
    ("an offer does not expire before its OED", {}, Stage.LOA_OFFERED, [], Action.EXPIRE, 84, {}, "open until"),
    ("an offer expires the day after its OED", {}, Stage.LOA_OFFERED, [], Action.EXPIRE, 85, {}, None),
    # TSFD: its approval comes before any pricing or offer, and only where a review is required.
    ("no offer while TSFD is pending", TSFD, Stage.LOA_DEVELOPMENT, [(Action.RECORD_IA_APPROVAL, 1, {})],
     Action.OFFER, 1, {}, "A TSFD review is pending"),
    ("no P&A answer while TSFD is pending", {**TSFD, "pa": True}, Stage.LOA_DEVELOPMENT, [], Action.PROVIDE_PA,
     1, {}, "A TSFD review is pending"),
    ("TSFD approval once", TSFD, Stage.LOA_DEVELOPMENT, [(Action.APPROVE_TSFD, 1, {})], Action.APPROVE_TSFD, 1, {},
     "TSFD approval was already recorded on"),
    ("no TSFD approval where none is required", {}, Stage.LOA_DEVELOPMENT, [], Action.APPROVE_TSFD, 1, {},
     "No TSFD review is required"),
    ("no TSFD approval on a withdrawn case", TSFD, Stage.WITHDRAWN, [], Action.APPROVE_TSFD, 1, {},
     "applies only while a case is"),
    ("TSFD approval before review", TSFD, Stage.LOR_ACTIONABLE, [], Action.APPROVE_TSFD, 1, {}, None),
    # Price and availability: an answer, never an offer or an OED; the purchaser may ask for an LOA.
    ("a P&A request is not offered", PA, Stage.LOA_DEVELOPMENT, [], Action.OFFER, 1, {},
     "answered with P&A data, not an LOA"),
    ("a P&A request gets no IA approval (no OED)", PA, Stage.LOA_DEVELOPMENT, [], Action.RECORD_IA_APPROVAL, 1, {},
     "answered with P&A data, not an LOA"),
    ("an LOA request gets no P&A answer", {}, Stage.LOA_DEVELOPMENT, [], Action.PROVIDE_PA, 1, {},
     "Only a price-and-availability request"),
    ("the P&A answer", PA, Stage.LOA_DEVELOPMENT, [], Action.PROVIDE_PA, 1, {}, None),
    ("the purchaser asks for an LOA after P&A", PA, Stage.PA_PROVIDED, [], Action.REQUEST_LOA, 1, {}, None),
    ("no acceptance of a P&A answer", PA, Stage.PA_PROVIDED, [], Action.ACCEPT, 1, "signed today",
     "applies only while a case is LOA offered"),
    # Combined review: a case in a batch is decided with it, once somebody has taken the batch.
    ("a case in review is returned through its batch", {}, Stage.IN_REVIEW, [], Action.RETURN, 1,
     {"reason": "Give basing."}, "Decide this case with the other cases of its batch"),
    ("an LOR not yet in a batch is returned on its own", {}, Stage.LOR_RECEIVED, [], Action.RETURN, 1,
     {"reason": "Name the funding source."}, None),
    ("a return needs its reason", {}, Stage.LOR_ACTIONABLE, [], Action.RETURN, 1, {"reason": " "},
     "A reason is required to deny or return a case."),
]


def dated(inputs, builder, case):
    """Turn the table's words for dates into dates: today (the step's day), tomorrow, the approval day."""
    today = builder.at.date()
    approved = case.decisions.get(outcome="approve").decided_at.date() if case.decisions.exists() else today
    words = {"today": today, "tomorrow": today + timedelta(days=1), "the approval day": approved,
             "before the approval": approved - timedelta(days=1)}
    if inputs == "signed today":
        return {"signed_on": today, "initial_deposit_on": today}
    if inputs == "signed tomorrow":
        return {"signed_on": words["tomorrow"], "initial_deposit_on": today}
    if inputs == "signed before the offer":
        return {"signed_on": case.loa.offered_on - timedelta(days=1), "initial_deposit_on": today}
    return {name: words.get(value, value) for name, value in inputs.items()}


def actor(builder, action):
    rule = workflow.RULES[action]
    if rule.by == workflow.SYSTEM:
        return None
    return purchaser_of(builder.country) if rule.by == PURCHASER else builder.reviewer


@pytest.mark.parametrize("name,options,stage,before,action,days,inputs,refusal", FACTS, ids=[row[0] for row in FACTS])
def test_process_fact(name, options, stage, before, action, days, inputs, refusal, reviewer):
    builder = Builder(reviewer, **options)
    case = builder.build(stage)
    for step, wait, step_inputs in before:
        case = perform(case, step, actor=actor(builder, step), inputs=step_inputs, at=builder.tick(wait))
    case = Case.objects.select_related("loa").get(pk=case.pk)
    at = builder.tick(days)
    kwargs = {"actor": actor(builder, action), "inputs": dated(inputs, builder, case), "at": at}
    events = case.events.count()
    if refusal is None:
        assert perform(case, action, **kwargs).pk == case.pk
        assert case.events.count() > events
    else:
        with pytest.raises(workflow.WorkflowError) as refused:
            perform(case, action, **kwargs)
        assert refusal in refused.value.message
        assert case.events.count() == events  # a refusal writes nothing


def test_a_pa_request_ends_in_a_pa_answer_and_may_go_on_to_an_loa(reviewer):
    builder = Builder(reviewer, pa=True)
    case = builder.build(Stage.PA_PROVIDED)
    assert case.loa.pa_provided_on and case.loa.offer_expires_on is None
    case = perform(case, Action.REQUEST_LOA, actor=purchaser_of("DE"), at=builder.tick(10))
    case = Case.objects.select_related("lor", "loa").get(pk=case.pk)
    assert (case.stage, case.lor.request_type) == (Stage.LOA_DEVELOPMENT, RequestType.LOA)
    assert case.loa.anticipated_offer_date == builder.at.date() + timedelta(days=100)  # group B, from today
    case = builder.step(case, Action.RECORD_IA_APPROVAL)
    assert builder.step(case, Action.OFFER).stage == Stage.LOA_OFFERED


def test_the_checklist_names_what_stands_before_the_offer(reviewer):
    builder = Builder(reviewer, large=True, tsfd=True)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    gates = {gate.rule.action: gate for gate in checklist(case, at=builder.tick())}
    assert set(gates) == {Action.SUBMIT_NOTIFICATION, Action.OFFER}
    offer = dict(gates[Action.OFFER].items)
    assert "A TSFD review is pending" in offer["TSFD review approved, if one is required"]
    assert "Record the implementing agency's approval first" in offer[
        "IA approval recorded (it sets the Offer Expiration Date)"]
    assert "Formal congressional notification must come first" in offer["Congressional review over, or waived"]
    assert offer["Offer Expiration Date not passed"] is None
    assert "Start the informal" in dict(gates[Action.SUBMIT_NOTIFICATION].items)[
        "Informal (tiered) review over, or an emergency waiver on record"]


def test_no_checklist_gate_for_what_a_case_does_not_need(reviewer):
    case = Builder(reviewer, pa=True).build(Stage.LOA_DEVELOPMENT)
    assert [gate.rule.action for gate in checklist(case)] == [Action.PROVIDE_PA]
