"""/healthz: whether this process can reach the database and Redis. 200 when both answer, else 503."""
import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure to reach it is the answer, not an error of this view
        return False


def redis_answers():
    if not settings.REDIS_URL:
        return None  # not configured: tasks go to a folder broker or run in-process
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@never_cache
def healthz(request):
    checks = {"database": database_answers(), "redis": redis_answers()}
    healthy = all(value is not False for value in checks.values())
    body = {name: {True: "ok", False: "down", None: "not configured"}[value] for name, value in checks.items()}
    return JsonResponse({"status": "ok" if healthy else "unavailable", **body}, status=200 if healthy else 503)
