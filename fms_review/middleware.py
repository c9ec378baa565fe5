import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class RequestSizeLimitMiddleware:
    """Refuse an oversized body with 413 and a JSON reason before any view or parser reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return JsonResponse(
                {"detail": f"The request body is {length} bytes; the limit is {limit} bytes."}, status=413
            )
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """A page or answer for a signed-in user (a session, or an API token) is kept by no cache, shared or
    the browser's: a case seen by one person is not served from a proxy to the next."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = "HTTP_AUTHORIZATION" in request.META or getattr(request, "user", None) and request.user.is_authenticated
        if signed_in and "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of settings with every response (a page may have its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY_EXCEPTIONS.get(request.path, settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class DatabaseUnavailableMiddleware:
    """A request that cannot reach the database answers 503 with Retry-After, not a 500 or a hang.

    Its transaction, if any, was rolled back with the failure, so nothing is half-written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        response = JsonResponse({"detail": "The service is briefly unavailable; try again shortly."}, status=503)
        response["Retry-After"] = "5"
        return response
