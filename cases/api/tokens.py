"""API tokens: issued at sign-in, good for API_TOKEN_HOURS, bound to the password they were issued under.

A token's key is a random half and a keyed hash of that half with the user's session-auth hash (Django's
own HMAC of the password hash), so a password change, by whatever path (the admin, `changepassword`, a
reset), makes every earlier token fail its check: nothing needs to find and delete them. Signing out
deletes the token; an administrator revokes one by deleting it in the admin.
"""
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework.authtoken.models import Token

SALT = "fms_review.api.token"


def binding(user, nonce):
    return salted_hmac(SALT, nonce + user.get_session_auth_hash(), algorithm="sha256").hexdigest()[:20]


def issue(user):
    """The user's token: the one they have while it still signs them in (one a user, as DRF keeps them,
    so every client of theirs shares it), else a fresh one in its place. The user's row is locked first:
    two sign-ins at once take turns instead of both creating one."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
        current = Token.objects.filter(user=user).first()
        if current is not None and refusal(current) is None:
            return current
        Token.objects.filter(user=user).delete()
        nonce = secrets.token_hex(10)
        return Token.objects.create(user=user, key=nonce + binding(user, nonce))


def refusal(token, now=None):
    """Why `token` no longer signs its user in, or None."""
    nonce, bound = token.key[:20], token.key[20:]
    if not constant_time_compare(bound, binding(token.user, nonce)):
        return "The token was issued before the password changed; sign in again."
    if token.created + timedelta(hours=settings.API_TOKEN_HOURS) < (now or timezone.now()):
        return "The token has expired; sign in again."
    return None
