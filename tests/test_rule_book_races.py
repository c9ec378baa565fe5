"""Two people (or two clocks) taking an action at once, in real transactions on PostgreSQL: one wins,
the other is refused with the rule's reason, and nothing is lost or written twice."""
import pytest
from django.utils import timezone

from cases.models import BatchStatus, Case, CaseEvent, ReviewBatch
from cases.process import timers
from cases.process.stages import Stage

from .builders import Builder, purchaser_of
from .concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_recording_ia_approval_at_once(postgres, api, reviewer, admin_user):
    case = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    users = [reviewer, admin_user]

    def attempt():
        response = api(users.pop()).post(f"/api/v1/cases/{case.case_number}/steps/ia-approval/", {}, format="json")
        return response.status_code, response.json().get("detail", "")

    answers = sorted(run_concurrently(attempt, 2))
    assert [status for status, _ in answers] == [200, 409]
    assert answers[1][1].startswith("IA approval was already recorded on")
    assert CaseEvent.objects.filter(case=case, verb="ia_approved").count() == 1


def test_two_reviewers_taking_one_batch_at_once(postgres, api, reviewer, admin_user):
    case = Builder(reviewer).build(Stage.IN_REVIEW)
    batch = ReviewBatch.objects.get(cases=case)
    users = [reviewer, admin_user]

    def attempt():
        return api(users.pop()).post(f"/api/v1/batches/{batch.pk}/start/").status_code

    assert sorted(run_concurrently(attempt, 2)) == [200, 409]
    assert CaseEvent.objects.filter(case=case, verb="batch_started").count() == 1


def test_a_withdrawal_while_the_batch_is_decided(postgres, api, reviewer):
    """The withdrawal locks the batch before the case, as the decision does: no deadlock, both answer,
    and the case ends where the two, in the order they ran, take it."""
    for _ in range(3):
        builder = Builder(reviewer)
        case = builder.build(Stage.IN_REVIEW)
        batch = ReviewBatch.objects.get(cases=case)
        api(reviewer).post(f"/api/v1/batches/{batch.pk}/start/")
        liaison = purchaser_of(case.country_id)
        calls = [
            lambda: api(liaison).post(f"/api/v1/cases/{case.case_number}/withdraw/", {"reason": "Budget moved."},
                                      format="json").status_code,
            lambda: api(reviewer).post(f"/api/v1/batches/{batch.pk}/decisions/",
                                       {"decisions": [{"case": case.case_number, "outcome": "deny", "reason": "No."}]},
                                       format="json").status_code,
        ]
        answers = run_concurrently(lambda: calls.pop()(), 2)
        case.refresh_from_db()
        batch.refresh_from_db()
        assert sorted(answers) in ([200, 200], [200, 409]), answers
        assert case.stage in (Stage.WITHDRAWN, Stage.DENIED)
        assert batch.status == BatchStatus.DECIDED  # no case left in review, whichever came last


def test_two_clocks_at_once_expire_each_offer_once(postgres, reviewer):
    cases = [Builder(reviewer).build(Stage.LOA_OFFERED) for _ in range(6)]
    at = timezone.now()  # every built offer's OED is long past
    results = run_concurrently(lambda: timers.expire_offers(at=at), 2)
    assert sorted(pk for ids in results for pk in ids) == sorted(case.pk for case in cases)
    assert set(Case.objects.filter(pk__in=[case.pk for case in cases]).values_list("stage", flat=True)) == {
        Stage.LOA_EXPIRED}
    assert CaseEvent.objects.filter(verb="expire").count() == len(cases)
