"""Unsubscribe links that work without signing in: the user and the kind, signed (no expiry: a link in
an old e-mail still works), so nobody can turn off another user's notices by guessing."""
from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "fms-review.unsubscribe"


def token(user_id, kind):
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def read(value):
    """(user id, kind) of a token, or None when it was not signed here."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    return data.get("u"), data.get("k")


def unsubscribe_url(user_id, kind):
    return settings.SITE_URL + reverse("unsubscribe", args=[token(user_id, kind)])
