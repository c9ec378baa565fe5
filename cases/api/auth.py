from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from fms_review.clients import client_address

from ..models import EVERY_ROLE
from . import docs, tokens
from .parsers import JSONParser

LOCKED_OUT = "Too many failed sign-ins for this account from this address; try again in an hour."
WRONG_CREDENTIALS = "No account signs in with that username and password."


class ClientRateThrottle(ScopedRateThrottle):
    """Counted per client address as the trusted proxies report it, as the sign-in lock-out counts."""

    def get_ident(self, request):
        return client_address(request)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "auth"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField(),
                                                     "expires": serializers.DateTimeField()}),
            400: docs.VALIDATION_ERROR,
            401: OpenApiResponse(response=docs.DETAIL, description="No such username and password."),
            403: OpenApiResponse(response=docs.DETAIL, description="Locked out after repeated failures."),
            415: docs.UNSUPPORTED,
            429: OpenApiResponse(response=docs.DETAIL, description="Too many attempts; try again later."),
        },
        examples=[docs.TOKEN_EXAMPLE],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as error:
            # django-axes marks the request when the account is locked for this address.
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": LOCKED_OUT}, status=status.HTTP_403_FORBIDDEN)
            if "non_field_errors" in error.detail:  # both fields given, and they sign nobody in
                return Response({"detail": WRONG_CREDENTIALS}, status=status.HTTP_401_UNAUTHORIZED,
                                headers={"WWW-Authenticate": "Token"})
            raise
        user = serializer.validated_data["user"]
        # Issuing a token is a sign-in: it resets the failure count and records the last login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token = tokens.issue(user)
        return Response({"token": token.key, "expires": token.created + timedelta(hours=settings.API_TOKEN_HOURS)})


class SignOutView(APIView):
    """End the token this request signs in with: it answers nothing from now on."""

    roles = {"post": EVERY_ROLE}

    @extend_schema(operation_id="auth_sign_out", request=None,
                   responses={204: None, 401: docs.UNAUTHENTICATED, 403: docs.FORBIDDEN}, tags=["auth"])
    def post(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
