"""How API requests are authenticated (kept apart from the views: DRF's settings import it)."""
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from . import tokens


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the user's profile and country (which every permission
    check and every scoped queryset needs) in the same query as the token, and refusing a token that
    has expired or was issued before the password changed (cases.api.tokens)."""

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user__profile__country").get(key=key)
        except Token.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if reason := tokens.refusal(token):
            raise AuthenticationFailed(reason)
        return token.user, token
