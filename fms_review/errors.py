"""Error pages: API clients get JSON for every error, people get HTML."""
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    if is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # answers every method the same 404: there is nothing here a forged form could change
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that no endpoint serves (a misspelt path, an id that is not a number), in
    JSON whatever DEBUG says: the API's clients parse every answer."""
    detail = "No such endpoint."
    if not request.path.endswith("/"):
        detail += " Every API path ends with a slash."
    return JsonResponse({"detail": detail}, status=404)


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception):
    if is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)
