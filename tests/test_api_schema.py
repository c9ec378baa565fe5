"""Schemathesis drives every documented operation, signed in as each role, through the real WSGI app,
with valid and invalid data: no 5xx, and every answer matches the OpenAPI description (status code,
content type, body)."""
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.process.stages import Stage

from .builders import Builder, submit

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Valid requests and invalid ones (wrong types, missing fields, out-of-range values): both must get a
# documented answer, never a 5xx.
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture
def test_connection_kept_open():
    """Schemathesis calls the WSGI app directly, not through Django's test client, so switch off what that
    client switches off: closing the connection at the end of each request would close the test's own
    transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def headers_for(request, reviewer, test_connection_kept_open):
    """Each role's token header, with some cases in the database to find (and to be refused)."""
    Builder(reviewer, country="PL").build(Stage.LOA_OFFERED)
    submit(reviewer, country="DE")

    def headers(role):
        cache.clear()  # the token endpoint's throttle
        if role == "anonymous":
            return {}
        user = request.getfixturevalue(role)
        return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    return headers


@pytest.mark.parametrize("role", ["reviewer", "liaison_pl", "nspa_user", "admin_user", "anonymous"])
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case, role, headers_for):
    case.call_and_validate(headers=headers_for(role), checks=CHECKS)
