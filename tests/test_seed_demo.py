"""seed_demo: accounts, realistic cases with genuine audit trails, idempotency, and its refusal."""
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory

from cases.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from cases.models import Case, CaseEvent, Channel, JointRequest, OutboxMessage, ReviewBatch
from cases.process.stages import Stage
from cases.reads.metrics import Period, offered_by_aod
from cases.review.batch_facts import attach_case_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", cases=80, stdout=open("/dev/null", "w"))


def test_accounts_sign_in_with_their_roles(seeded):
    for username, (role, country, _, superuser) in DEMO_ACCOUNTS.items():
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert (user.profile.role, user.profile.country_id, user.is_superuser) == (role, country, superuser)


def test_the_history_is_told_in_the_app_not_mailed_and_what_follows_is(seeded):
    liaison = get_user_model().objects.get(username="liaison-pl")
    assert liaison.email == "liaison-pl@demo.fms-review.example"
    assert OutboxMessage.objects.filter(user=liaison, channel=Channel.IN_APP).exists()
    assert not OutboxMessage.objects.filter(channel=Channel.EMAIL).exists()


def test_cases_are_spread_over_stages_countries_and_capabilities(seeded):
    assert Case.objects.count() == 80
    assert Case.objects.values("stage").distinct().count() >= 10
    assert Case.objects.values("country").distinct().count() >= 25
    assert Case.objects.values("primary_capability").distinct().count() >= 10
    assert JointRequest.objects.exists()
    assert Case.objects.filter(country="PL").exists() and Case.objects.filter(country="DE").exists()


def test_every_case_has_a_consistent_audit_trail(seeded):
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].verb == "lor_received"
        stage = Stage.LOR_RECEIVED
        for event in events:
            assert event.from_stage == stage, (case.case_number, event.verb)
            assert event.at >= events[0].at
            stage = event.to_stage
        assert stage == case.stage
        assert case.stage_entered_at == max(e.at for e in events if e.from_stage != e.to_stage or e is events[0])


def test_running_again_creates_nothing(seeded):
    counts = (Case.objects.count(), CaseEvent.objects.count(), JointRequest.objects.count())
    call_command("seed_demo", cases=80, stdout=open("/dev/null", "w"))
    assert (Case.objects.count(), CaseEvent.objects.count(), JointRequest.objects.count()) == counts


def test_asking_for_more_adds_only_the_difference(seeded):
    first = set(Case.objects.values_list("case_number", flat=True))
    call_command("seed_demo", cases=100, stdout=open("/dev/null", "w"))
    assert Case.objects.count() == 100
    assert first <= set(Case.objects.values_list("case_number", flat=True))
    assert not Case.objects.values("case_number").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_refuses_to_create_demo_accounts_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", cases=5)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__in=list(DEMO_ACCOUNTS)).exists()


@pytest.fixture
def seeded_more(settings):
    """Enough cases that some batches still under review have waited past a due date (the demo's waves
    put a few dozen cases in a batch: 80 cases make too few batches to hold that)."""
    settings.DEBUG = True
    call_command("seed_demo", cases=200, stdout=open("/dev/null", "w"))


def test_the_demo_is_walked_through_the_clock(seeded_more):
    """Offers expired, reviews cleared and cases stalled, each by the system with its audit event; a few
    batches under review are late, most are not; not every offer was made by its AOD."""
    for verb in ("expire", "notification_cleared", "stalled"):
        events = CaseEvent.objects.filter(verb=verb)
        assert events.exists() and not events.filter(actor__isnull=False).exists(), verb
    assert set(Case.objects.filter(stage=Stage.LOA_EXPIRED).values_list("events__verb", flat=True)) >= {"expire"}
    assert Case.objects.filter(stalled_since__isnull=False).exists()
    under_review = attach_case_facts(ReviewBatch.objects.exclude(status="decided"))
    late = [batch for batch in under_review if batch.late]
    assert 0 < len(late) < len(under_review) / 2
    reviewer = get_user_model().objects.get(username="reviewer")
    on_time = dict(offered_by_aod(reviewer, Period.default()).rows)["Offered on time"]
    assert 50 < on_time < 100
