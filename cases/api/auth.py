from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from . import docs


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: docs.VALIDATION_ERROR,
            415: docs.UNSUPPORTED,
            429: OpenApiResponse(response=docs.DETAIL, description="Too many attempts; try again later."),
        },
        examples=[docs.TOKEN_EXAMPLE],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
