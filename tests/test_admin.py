"""The admin: every model listed, cases readable with their audit trail, the trail read-only."""
import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Case, CaseEvent, Profile
from cases.process.stages import Stage

from .builders import Builder
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_sign_in_page_and_login(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    response = client.post(reverse("admin:login"), {"username": "boss", "password": "test-pass-2026",
                                                    "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_changelist_renders(admin_client, reviewer, model):
    Builder(reviewer, large=True).build(Stage.CN_REVIEW)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_case_page_shows_stage_and_audit_trail(admin_client, reviewer):
    case = Builder(reviewer).build(Stage.LOA_OFFERED)
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert case.case_number in page
    assert "LOA offered" in page
    for verb in ("LOR received", "Joined a combined-review batch", "Batch taken for review", "Approved",
                 "IA approval recorded", "LOA offered"):
        assert verb in page


def test_case_list_query_count_does_not_grow_with_cases(admin_client, reviewer, django_assert_max_num_queries):
    for _ in range(30):
        Builder(reviewer).build(Stage.IN_REVIEW)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 200
    assert Case.objects.count() == 30


def test_audit_trail_cannot_be_changed_or_deleted_in_admin(admin_client, reviewer):
    event = Builder(reviewer).build(Stage.LOR_ACTIONABLE).events.first()
    change = reverse("admin:cases_caseevent_change", args=[event.pk])
    delete = reverse("admin:cases_caseevent_delete", args=[event.pk])
    admin_client.post(change, {"verb": "deny"})
    admin_client.post(delete, {"post": "yes"})
    assert admin_client.get(reverse("admin:cases_caseevent_add")).status_code == 403
    assert CaseEvent.objects.get(pk=event.pk).verb == event.verb


def test_rules_are_editable(admin_client):
    assert admin_client.get(reverse("admin:cases_notificationrule_add")).status_code == 200
    assert admin_client.get(reverse("admin:bins_bin_add")).status_code == 200


def test_every_model_is_in_the_admin():
    from django.apps import apps

    for app_label in ("bins", "cases"):
        for model in apps.get_app_config(app_label).get_models():
            assert model in admin.site._registry, model


def test_the_case_admin_takes_steps_through_the_rule_book(admin_client, reviewer):
    """An admin action per step that needs nothing typed: taken where the rule book allows it, refused
    with the rule's reason (and nothing written) where it does not."""
    ready = Builder(reviewer).build(Stage.LOA_DEVELOPMENT)
    pa = Builder(reviewer, pa=True).build(Stage.LOA_DEVELOPMENT)
    url = reverse("admin:cases_case_changelist")
    assert "take_ia_approved" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"action": "take_ia_approved", "_selected_action": [ready.pk, pa.pk]},
                                 follow=True)
    page = response.content.decode()
    assert f"Record IA approval: {ready.case_number}." in page
    assert "answered with P&amp;A data, not an LOA" in page
    assert CaseEvent.objects.filter(verb="ia_approved").count() == 1
    change = admin_client.get(reverse("admin:cases_case_change", args=[ready.pk])).content.decode()
    assert "Steps now" in change and "IA approval was already recorded on" in change


def test_a_role_without_steps_gets_no_step_actions(client, reviewer):
    staff = UserFactory(username="clerk", is_staff=True, is_superuser=True)
    Profile.objects.create(user=staff, role="nspa")
    client.force_login(staff)
    assert "take_ia_approved" not in client.get(reverse("admin:cases_case_changelist")).content.decode()
