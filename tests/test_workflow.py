"""The rule book as a table: every move from every stage it names, every stage it does not, every role
it does not name, and the one function's promises (nothing written on a refusal, an audit event per
action, a move clears a stall)."""
import pytest

from cases.models import Case, CaseEvent, Decision, Role, Verb
from cases.process import workflow
from cases.process.stages import Action, BatchAction, Stage
from cases.process.workflow import perform
from cases.process.workflow.rulebook import PURCHASER, SYSTEM

from .builders import Builder, in_batch, nspa_staff, purchaser_of
from .factories import LiaisonFactory, NspaFactory

pytestmark = pytest.mark.django_db

RULES = workflow.RULES


def test_every_action_is_declared_once_with_its_verb():
    assert set(RULES) == set(Action)
    for action, rule in RULES.items():
        assert Verb(action.value)  # the action's audit verb exists, with the same value
        assert rule.stages, action
        if rule.by == SYSTEM:
            assert not rule.step, f"{action}: the system's actions are no person's step"
        else:
            assert rule.step or action in (Action.APPROVE, Action.DENY), f"{action}: taken through its batch only"
    steps = [rule.step for rule in RULES.values() if rule.step]
    assert len(steps) == len(set(steps))
    assert set(workflow.BATCH_RULES) == set(BatchAction)


# (stage, action) -> (builder options, extra steps first: (action, actor, days, inputs), inputs, days to wait)
EDGES = {
    (Stage.LOR_RECEIVED, Action.MARK_ACTIONABLE): ({}, [(Action.SUPPLY_LOR, "purchaser", 1,
                                                        {"changes": {"funding_source": "fmf"}})], {}, 0),
    (Stage.LOR_RECEIVED, Action.RETURN): ({}, [], {"reason": "Name the funding source."}, 1),
    (Stage.LOR_ACTIONABLE, Action.RETURN): ({}, [], {"reason": "Give basing."}, 1),
    (Stage.LOR_RETURNED, Action.RESUBMIT): ({}, [], {"changes": {"justification": "Basing: Rzeszow."}}, 1),
    (Stage.LOR_ACTIONABLE, Action.START_REVIEW): ({}, [], {}, 1),
    (Stage.IN_REVIEW, Action.APPROVE): ({}, [], {}, 1),
    (Stage.IN_REVIEW, Action.DENY): ({}, [], {"reason": "Not releasable."}, 1),
    (Stage.IN_REVIEW, Action.RETURN): ({}, [], {"reason": "Give basing."}, 1),
    (Stage.LOA_DEVELOPMENT, Action.SUBMIT_NOTIFICATION): (
        {"large": True}, [(Action.START_INFORMAL_REVIEW, "reviewer", 1, {})], {}, 21),
    (Stage.LOA_DEVELOPMENT, Action.OFFER): ({}, [(Action.RECORD_IA_APPROVAL, "reviewer", 1, {})], {}, 1),
    (Stage.CN_REVIEW, Action.OFFER): ({"large": True}, [(Action.RECORD_IA_APPROVAL, "reviewer", 1, {})], {}, 16),
    (Stage.LOA_DEVELOPMENT, Action.PROVIDE_PA): ({"pa": True}, [], {}, 1),
    (Stage.PA_PROVIDED, Action.REQUEST_LOA): ({"pa": True}, [], {}, 1),
    (Stage.PA_PROVIDED, Action.CLOSE): ({"pa": True}, [], {}, 1),
    (Stage.LOA_OFFERED, Action.ACCEPT): ({}, [], "signed today", 1),
    (Stage.LOA_OFFERED, Action.EXPIRE): ({}, [], {}, 90),
    (Stage.LOA_ACCEPTED, Action.IMPLEMENT): ({}, [], {}, 1),
    (Stage.IMPLEMENTED, Action.CLOSE): ({}, [], {}, 1),
    (Stage.DENIED, Action.CLOSE): ({}, [], {}, 1),
    (Stage.LOA_EXPIRED, Action.CLOSE): ({}, [], {}, 1),
    **{(stage, Action.WITHDRAW): ({"large": stage == Stage.CN_REVIEW, "pa": stage == Stage.PA_PROVIDED}, [],
                                  {"reason": "Budget moved."}, 1)
       for stage in workflow.BEFORE_ACCEPTANCE},
}
MOVES = {(stage, action) for action, rule in RULES.items() if rule.target for stage in rule.stages}


def actor_for(rule, builder):
    if rule.by == SYSTEM:
        return None
    if Role.NSPA in rule.by:
        return nspa_staff()
    return purchaser_of(builder.country) if rule.by == PURCHASER else builder.reviewer


def test_the_edge_table_covers_every_move():
    assert set(EDGES) == MOVES


@pytest.mark.parametrize("source,action", sorted(EDGES), ids=lambda value: str(value))
def test_every_move(source, action, reviewer):
    options, before, inputs, days = EDGES[(source, action)]
    builder = Builder(reviewer, **options)
    case = builder.build(source)
    for step, actor, wait, step_inputs in before:
        case = builder.step(case, step, actor, days=wait, **step_inputs)
    rule = RULES[action]
    at = builder.tick(days)
    if inputs == "signed today":
        inputs = {"signed_on": at.date(), "initial_deposit_on": at.date()}
    if action in (Action.APPROVE, Action.DENY) or (action == Action.RETURN and source == Stage.IN_REVIEW):
        batch = in_batch(case, reviewer, at)
        moved = perform(case, action, actor=reviewer, inputs=inputs, at=at, batch=batch)
    else:
        moved = perform(case, action, actor=actor_for(rule, builder), inputs=inputs, at=at)
    assert moved.stage == rule.target
    assert Case.objects.get(pk=case.pk).stage == rule.target
    last = CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()
    assert (last.verb, last.from_stage, last.to_stage, last.at) == (action.value, source, rule.target, at)


ILLEGAL = [(stage, action) for action, rule in RULES.items() for stage in Stage if stage not in rule.stages]


@pytest.mark.parametrize(
    "source,action",
    [pair for pair in ILLEGAL if pair[0] in {Stage.LOR_ACTIONABLE, Stage.LOA_OFFERED, Stage.WITHDRAWN, Stage.CLOSED}],
    ids=lambda value: str(value),
)
def test_an_action_outside_its_stages_is_refused_and_writes_nothing(source, action, reviewer):
    builder = Builder(reviewer)
    case = builder.build(source)
    rule = RULES[action]
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(workflow.IllegalMove) as refused:
        perform(case, action, actor=actor_for(rule, builder), inputs={"reason": "r", "justification": "j"})
    assert "applies only while a case is" in refused.value.message
    assert Case.objects.get(pk=case.pk).stage == source
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.parametrize("action", [action for action, rule in RULES.items() if rule.step], ids=str)
def test_each_step_refuses_every_role_it_does_not_name(action, reviewer, admin_user):
    """Refused before the stage is even looked at: a role the rule does not name never takes it."""
    rule = RULES[action]
    case = Builder(reviewer).build(Stage.LOR_ACTIONABLE)
    people = {Role.REVIEWER: reviewer, Role.ADMIN: admin_user, Role.NSPA: NspaFactory().user,
              Role.LIAISON: LiaisonFactory(country_id=case.country_id).user}
    for role, user in people.items():
        if role not in rule.by:
            with pytest.raises(workflow.NotPermitted):
                perform(case, action, actor=user, inputs={"reason": "r"})
    with pytest.raises(workflow.NotPermitted):
        perform(case, action, actor=None)  # nobody: only the system's actions take no person


@pytest.mark.parametrize("action", [action for action, rule in RULES.items() if rule.by == SYSTEM], ids=str)
def test_the_systems_actions_refuse_a_person(action, reviewer):
    case = Builder(reviewer).build(Stage.LOR_ACTIONABLE)
    with pytest.raises(workflow.NotPermitted, match="taken by the system"):
        perform(case, action, actor=reviewer)


def test_a_move_clears_a_stall_and_a_milestone_does_not(reviewer):
    builder = Builder(reviewer)
    case = builder.build(Stage.LOA_DEVELOPMENT)
    Case.objects.filter(pk=case.pk).update(stalled_since=builder.at, stalled_reason="aod")
    case = builder.step(case, Action.RECORD_IA_APPROVAL)
    assert Case.objects.get(pk=case.pk).stalled_since is not None
    builder.step(case, Action.OFFER)
    assert Case.objects.get(pk=case.pk).stalled_since is None


def test_a_refused_input_writes_nothing(reviewer):
    case = Builder(reviewer).build(Stage.IN_REVIEW)
    batch = in_batch(case, reviewer, Builder(reviewer).tick(3))
    with pytest.raises(workflow.GuardFailed) as refused:
        workflow.perform_batch(batch, BatchAction.DECIDE, actor=reviewer,
                               inputs={"decisions": [{"case": case.case_number, "outcome": "deny", "reason": "   "}]})
    assert refused.value.errors == {"decisions.0.reason": ["A reason is required to deny or return a case."]}
    assert Case.objects.get(pk=case.pk).stage == Stage.IN_REVIEW and not Decision.objects.exists()
