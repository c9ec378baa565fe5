"""Sign-in lock-out, session expiry and token revocation."""
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, load_backend
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.api import tokens

pytestmark = pytest.mark.django_db

GOOD = "test-pass-2026"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def token_attempt(client, password):
    return client.post("/api/v1/auth/token/", {"username": "li-pl", "password": password},
                       content_type="application/json")


def test_the_token_endpoint_locks_out_after_repeated_failures(client, liaison_pl):
    statuses = [token_attempt(client, "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [403]  # the failure that reaches the limit locks
    locked = token_attempt(client, GOOD)
    assert locked.status_code == 403 and "token" not in locked.json()
    assert "try again in an hour" in locked.json()["detail"]


def test_the_sign_in_page_locks_out_after_repeated_failures(client, liaison_pl):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "li-pl", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "li-pl", "password": GOOD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, liaison_pl):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_attempt(client, "wrong")
    assert token_attempt(client, GOOD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_attempt(client, "wrong")
    assert token_attempt(client, GOOD).status_code == 200


def test_sessions_expire(client, liaison_pl):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.post("/accounts/login/", {"username": "li-pl", "password": GOOD})
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_a_session_reads_its_user_profile_and_country_in_one_query(client, liaison_pl, django_assert_num_queries):
    client.post("/accounts/login/", {"username": "li-pl", "password": GOOD})
    backend = load_backend(client.session[BACKEND_SESSION_KEY])
    with django_assert_num_queries(1):
        user = backend.get_user(liaison_pl.pk)
        assert user.profile.country.name == "Poland"
    liaison_pl.is_active = False
    liaison_pl.save(update_fields=["is_active"])
    assert backend.get_user(liaison_pl.pk) is None
    assert client.get("/cases/").status_code == 302  # signed out: an inactive user's session no longer counts


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_an_administrator_revokes_a_token(client, liaison_pl, admin_user):
    token = tokens.issue(liaison_pl)
    assert bearer(token).get("/api/v1/cases/").status_code == 200
    client.force_login(admin_user)
    response = client.post(f"/admin/authtoken/tokenproxy/{token.user_id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=liaison_pl).exists()
    assert bearer(token).get("/api/v1/cases/").status_code == 401


def test_a_password_change_ends_every_token(liaison_pl):
    token = tokens.issue(liaison_pl)
    assert bearer(token).get("/api/v1/cases/").status_code == 200
    liaison_pl.set_password("a-new-password-2027")
    liaison_pl.save()
    refused = bearer(token).get("/api/v1/cases/")
    assert refused.status_code == 401 and "password changed" in refused.json()["detail"]


def test_a_token_expires(liaison_pl, settings):
    token = tokens.issue(liaison_pl)
    with time_machine.travel(token.created + timedelta(hours=settings.API_TOKEN_HOURS, minutes=1)):
        refused = bearer(token).get("/api/v1/cases/")
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    with time_machine.travel(token.created + timedelta(hours=settings.API_TOKEN_HOURS - 1)):
        assert bearer(token).get("/api/v1/cases/").status_code == 200


def test_signing_out_ends_the_token(client, liaison_pl):
    signed_in = client.post("/api/v1/auth/token/", {"username": "li-pl", "password": GOOD},
                            content_type="application/json").json()
    assert signed_in["expires"]
    token = Token.objects.get(key=signed_in["token"])
    assert bearer(token).post("/api/v1/auth/sign-out/").status_code == 204
    assert bearer(token).get("/api/v1/cases/").status_code == 401
    assert APIClient().post("/api/v1/auth/sign-out/").status_code == 401


def test_a_token_not_issued_at_sign_in_is_refused(liaison_pl):
    """One made another way (DRF's own random key) is bound to no password: it signs nobody in."""
    assert bearer(Token.objects.create(user=liaison_pl)).get("/api/v1/cases/").status_code == 401


def test_passwords_are_checked_by_djangos_validators():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password", "12345678", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)


@pytest.mark.django_db(transaction=True)
def test_two_sign_ins_at_once_each_get_a_token(postgres, liaison_pl):
    """The second replaces the first; neither is a 500."""
    from django.test import Client

    from .concurrency import run_concurrently

    def sign_in():
        return Client().post("/api/v1/auth/token/", {"username": "li-pl", "password": GOOD},
                             content_type="application/json").status_code

    assert run_concurrently(sign_in, 4) == [200] * 4
    assert Token.objects.filter(user=liaison_pl).count() == 1


def test_signing_in_again_gives_the_token_the_user_has(client, liaison_pl):
    first, second = (client.post("/api/v1/auth/token/", {"username": "li-pl", "password": GOOD},
                                 content_type="application/json").json()["token"] for _ in range(2))
    assert first == second
