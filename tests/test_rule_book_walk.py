"""The walk: a case in every stage (and every variant the rules tell apart), seen by every role. What the
API's `actions` offer succeeds; what `blocked` lists is refused with the very reason given there, which
the case page shows too; a role the rule does not name gets 403; and the page offers a form for exactly
the allowed steps. Each step is tried in a savepoint rolled back afterwards, so all start from one state."""
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from cases.process import workflow
from cases.process.services.lor import AMENDMENTS
from cases.process.stages import Action, Stage

from .builders import Builder, in_batch, purchaser_of
from .factories import NspaFactory

pytestmark = pytest.mark.django_db

AMENDING = {workflow.RULES[action].step for action in AMENDMENTS}
# (label, builder options, stage, steps first, days before now the case starts)
STATES = [
    ("received", {}, Stage.LOR_RECEIVED, [], 3),
    ("returned", {}, Stage.LOR_RETURNED, [], 10),
    ("actionable", {"tsfd": True}, Stage.LOR_ACTIONABLE, [], 3),
    ("in an open batch", {}, Stage.IN_REVIEW, [], 5),
    ("in a taken batch", {}, Stage.IN_REVIEW, ["take the batch"], 5),
    ("denied", {}, Stage.DENIED, [], 10),
    ("development", {}, Stage.LOA_DEVELOPMENT, [], 10),
    ("development, TSFD pending", {"tsfd": True}, Stage.LOA_DEVELOPMENT, [], 10),
    ("development, notifiable", {"large": True}, Stage.LOA_DEVELOPMENT, [], 10),
    ("development, informal review running", {"large": True}, Stage.LOA_DEVELOPMENT,
     [Action.START_INFORMAL_REVIEW], 10),
    ("development, informal review over", {"large": True}, Stage.LOA_DEVELOPMENT,
     [Action.START_INFORMAL_REVIEW], 40),
    ("development, IA approved", {}, Stage.LOA_DEVELOPMENT, [Action.RECORD_IA_APPROVAL], 10),
    ("congressional review", {"large": True}, Stage.CN_REVIEW, [], 30),
    ("congressional review over", {"large": True}, Stage.CN_REVIEW, [Action.RECORD_IA_APPROVAL], 60),
    ("development, P&A", {"pa": True}, Stage.LOA_DEVELOPMENT, [], 10),
    ("P&A provided", {"pa": True}, Stage.PA_PROVIDED, [], 10),
    ("offered", {}, Stage.LOA_OFFERED, [], 20),
    ("offered, OED passed", {}, Stage.LOA_OFFERED, [], 120),
    ("offered, lead-nation participant", {"lead_nation": "LT", "country": "LV"}, Stage.LOA_OFFERED, [], 20),
    ("accepted", {}, Stage.LOA_ACCEPTED, [], 20),
    ("expired", {}, Stage.LOA_EXPIRED, [], 120),
    ("implemented", {}, Stage.IMPLEMENTED, [], 20),
    ("closed", {}, Stage.CLOSED, [], 500),
    ("withdrawn", {}, Stage.WITHDRAWN, [], 5),
]


def build(reviewer, options, stage, before, days):
    builder = Builder(reviewer, **options)
    builder.at = timezone.now() - timedelta(days=days)
    case = builder.build(stage)
    for step in before:
        if step == "take the batch":
            in_batch(case, reviewer, builder.tick())
        else:
            builder.step(case, step)
    assert builder.at < timezone.now()
    return case.__class__.objects.get(pk=case.pk)


def inputs_for(step):
    today = str(timezone.localdate())
    return {"return": {"reason": "Give the basing."}, "withdraw": {"reason": "Budget moved."},
            "emergency-waiver": {"justification": "Presidential emergency certification."},
            "acceptance": {"signed_on": today, "initial_deposit_on": today},
            "ia-approval-correction": {"on": today, "reason": "The IA's letter is dated today."},
            "supply-lor": {"justification": "Basing: Rzeszow."}, "resubmit": {"justification": "Basing: Rzeszow."},
            "retransfer-assurance": {"given_on": today, "reference": "LV-RA-2026-001"},
            }.get(step, {})


def post(client, case, rule):
    """POST the step (in a savepoint rolled back afterwards) and return the answer."""
    with transaction.atomic():
        response = client.post(f"/api/v1/cases/{case.case_number}/{rule.api_path()}", inputs_for(rule.step), format="json")
        transaction.set_rollback(True)
    return response


@pytest.fixture
def people(reviewer, admin_user):
    return {"reviewer": reviewer, "admin": admin_user, "nspa": NspaFactory(user__username="nspa-walk").user}


@pytest.mark.parametrize("label,options,stage,before,days", STATES, ids=[state[0] for state in STATES])
def test_what_is_offered_succeeds_and_what_is_not_is_refused_with_its_reason(
        label, options, stage, before, days, people, api, client, reviewer):
    case = build(reviewer, options, stage, before, days)
    assert case.__class__.objects.get(pk=case.pk).stage == stage
    users = {**people, "liaison": purchaser_of(case.country_id)}
    for role, user in users.items():
        detail = api(user).get(f"/api/v1/cases/{case.case_number}/")
        if role == "nspa" and case.joint_request_id is None:  # not a joint request's case: not NSPA's to see
            assert detail.status_code == 404
            continue
        body = detail.json()
        allowed = {entry["step"] for entry in body["actions"]}
        blocked = {entry["step"]: entry["reason"] for entry in body["blocked"]}
        page = client_for(client, user).get(f"/cases/{case.case_number}/").content.decode()
        for name, rule in workflow.STEPS.items():
            response = post(api(user), case, rule)
            if not workflow.permitted(rule, user):
                assert name not in allowed and name not in blocked
                assert response.status_code == 403, (label, role, name, response.content)
                continue
            assert (name in allowed) != (name in blocked), (label, role, name)
            if name in AMENDING:
                continue  # one path for both: judged together below
            if name in allowed:
                assert response.status_code == 200, (label, role, name, response.content)
                assert f'action="/cases/{case.case_number}/steps/{name}/"' in page, (label, role, name)
            else:
                assert response.status_code == 409, (label, role, name, response.content)
                assert response.json()["detail"] == blocked[name], (label, role, name)
                assert escape(blocked[name]) in page, (label, role, name)
                assert f'action="/cases/{case.case_number}/steps/{name}/"' not in page, (label, role, name)
        amending = [workflow.RULES[action] for action in AMENDMENTS]
        if any(workflow.permitted(rule, user) for rule in amending):
            response = post(api(user), case, amending[0])
            if allowed & AMENDING:
                assert response.status_code == 200 and f'action="/cases/{case.case_number}/lor/"' in page, (label, role)
            else:
                assert response.status_code == 409 and response.json()["detail"] == blocked[amending[0].step]


def client_for(client, user):
    client.force_login(user)
    return client


def test_the_walk_takes_every_step_somewhere(people, api, client, reviewer):
    """Every step of the rule book is offered, and succeeds, in at least one state of the walk."""
    taken = set()
    for label, options, stage, before, days in STATES:
        case = build(reviewer, options, stage, before, days)
        for user in (reviewer, purchaser_of(case.country_id), people["nspa"]):
            for entry in api(user).get(f"/api/v1/cases/{case.case_number}/").json().get("actions", []):  # NSPA: its own
                taken.add(entry["step"])
    assert taken == set(workflow.STEPS)


def test_a_page_refusal_shows_the_rules_reason(client, reviewer):
    case = build(reviewer, {"large": True}, Stage.LOA_DEVELOPMENT, [], 10)
    client.force_login(reviewer)
    response = client.post(f"/cases/{case.case_number}/steps/notification/")
    assert response.status_code == 409
    assert "Start the informal (tiered) review first" in response.content.decode()
    assert case.events.filter(verb="submit_notification").count() == 0
