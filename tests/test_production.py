"""Production settings come from the environment alone, and the deploy checks pass with them."""
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from fms_review.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "fms.example.org",
              "CSRF_TRUSTED_ORIGINS": "https://fms.example.org"}


def manage(*args, env):
    # Only what production would have: none of the test-only switches (the browser tests set one).
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**environment, **env},
                          capture_output=True, text=True, timeout=120)


def test_deploy_checks_pass_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_the_database_and_redis(client, settings):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == ("ok" if settings.REDIS_URL else "not configured")


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["redis"] == "down"


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client, reviewer):
    client.force_login(reviewer)
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-inline'" in client.get("/api/docs/").headers["Content-Security-Policy"]


def test_logs_are_one_json_object_per_line():
    record = logging.LogRecord("cases", logging.WARNING, __file__, 1, "Batching not queued (%s)", ("down",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING" and entry["message"] == "Batching not queued (down)"
    assert entry["time"].endswith("+00:00")


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit(postgres):
    """JIT compilation cost tens of milliseconds on queries that run in a few."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
