import os

import pytest
from django.db import connection

from cases.reads import joint_references
from cases.review import queue_pages
from fms_review import reference

from .factories import LiaisonFactory, NspaFactory, ProfileFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a quarter second per user; the tests are not about its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_copies():
    """Each test's transaction is rolled back behind the product's back, as no real transaction is: the
    reference rows a test wrote must not outlive it in the process's copies (fms_review.reference), nor
    the queue pages it showed (cases.review.queue_pages), nor the joint request references it listed (ids are
    given again after a rollback on SQLite; cases.reads.joint_references)."""
    reference.forget()
    queue_pages.forget()
    joint_references.forget()
    yield
    reference.forget()
    queue_pages.forget()
    joint_references.forget()


def need_service(name, available):
    """A test that needs a real service skips locally without it, but fails in CI (CI=true)."""
    if available:
        return
    message = f"{name} is not configured for this run"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}, and CI must test against it.")
    pytest.skip(message)


@pytest.fixture
def postgres():
    need_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    need_service("Redis (REDIS_URL)", bool(url))
    return url


@pytest.fixture
def reviewer(db):
    return ProfileFactory(user__username="rev").user


@pytest.fixture
def liaison_pl(db):
    return LiaisonFactory(user__username="li-pl", country_id="PL").user


@pytest.fixture
def liaison_de(db):
    return LiaisonFactory(user__username="li-de", country_id="DE").user


@pytest.fixture
def nspa_user(db):
    return NspaFactory(user__username="nspa-staff").user


@pytest.fixture
def admin_user(db):
    from .factories import UserFactory

    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    ProfileFactory(user=user, role="admin", office_id=None)
    return user


@pytest.fixture
def signed_in(client):
    """The test client signed in as a user, for the pages."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api():
    """An API client per user, authenticated with a real token the way a liaison's system would be: one
    token a user for the test (a sign-in replaces the user's earlier token), whichever thread asks first."""
    import threading

    from rest_framework.test import APIClient

    from cases.api import tokens

    issued, lock = {}, threading.Lock()

    def client_for(user=None):
        client = APIClient()
        if user is not None:
            with lock:
                if user.pk not in issued:
                    issued[user.pk] = tokens.issue(user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {issued[user.pk].key}")
        return client

    return client_for


def ensure_reference_data():
    """Reload the data migrations' rows if a transactional test's flush removed them."""
    import importlib

    from django.apps import apps

    from bins.models import Country
    from bins.reference_data import load_reference_data

    if Country.objects.exists():
        return
    load_reference_data(apps)
    for module in ("cases.migrations.0002_rules_and_agencies", "cases.migrations.0005_decision_timer",
                   "cases.migrations.0014_pa_answers_and_every_action_a_verb", "cases.migrations.0023_concurrence",
                   "cases.migrations.0025_review_policy", "cases.migrations.0026_notifications"):
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def reference_data_in_transactional_tests(request):
    """Transactional tests (real concurrency, live server) start after a flush: give them the reference
    data every database has."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture
def deliver_in_process():
    """The after-commit delivery task runs here, as a worker would run it, even where CI's Redis would
    queue it for a worker that these tests do not start (tests/test_notification_faults.py starts one)."""
    from fms_review.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) for this test, and e-mail sent to it (tests.receivers.Mailbox)."""
    from .receivers import SmtpServer

    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server
