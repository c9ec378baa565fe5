"""Schemathesis drives every documented operation, signed in as each role, through the real WSGI app,
with valid and invalid data: no 5xx, and every answer matches the OpenAPI description (status code,
content type, body)."""
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as CHECKS_REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from cases.api import tokens
from cases.models import Case, JointRequest, ReviewBatch
from cases.process.services.joint_requests import file_joint_request
from cases.process.stages import Stage

from .builders import Builder, lor_fields, submit
from .test_rule_book_walk import STATES, build

# Every check schemathesis has (`--checks all`): conformance of status, content type, headers and body;
# valid data accepted and invalid data refused; methods the schema does not list answered 405; auth not
# ignored; resources and object-level authorisation; what a missing required header gets.
load_all_checks()
CHECKS = CHECKS_REGISTRY.get_all()


# The project's schemathesis settings, the same for this test and for the command line (see the file).
CONFIG = SchemathesisConfig.from_path(str(Path(__file__).with_name("schemathesis.toml")))
# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
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
        return {"Authorization": f"Token {tokens.issue(user).key}"}

    return headers


@pytest.mark.parametrize("role", ["reviewer", "liaison_pl", "nspa_user", "admin_user", "anonymous"])
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case, role, headers_for):
    case.call_and_validate(headers=headers_for(role), checks=CHECKS)


@pytest.fixture
def every_state(reviewer, nspa_user, test_connection_kept_open):
    """Data in every state the responses can take: a case in each stage the walk builds, batches of a
    bin and of a region (no bin), open, in review and decided, and joint requests of both models."""

    for _, options, stage, before, days in STATES:
        build(reviewer, options, stage, before, days)
    Builder(reviewer, country="BR").build(Stage.DENIED)  # a region's batch (SOUTHCOM), decided
    Builder(reviewer, country="IN").build(Stage.IN_REVIEW)  # a region's batch, open
    common = {name: value for name, value in lor_fields().items() if name not in {"country", "line_items", "title"}}
    for model, lead in (("agent_sales", None), ("lead_nation", "LT")):
        file_joint_request(filed_by=nspa_user, title=f"Coalition {model}", model=model, lead_nation=lead,
                           participants=[{"country": code, "line_items": lor_fields()["line_items"]}
                                         for code in ("LT", "LV")], **common)
    assert ReviewBatch.objects.filter(bin__isnull=True).exists() and ReviewBatch.objects.filter(status="decided")
    return {"/api/v1/cases/{case_number}/": ("case_number", Case.objects.values_list("case_number", flat=True)),
            "/api/v1/batches/{id}/": ("id", ReviewBatch.objects.values_list("pk", flat=True)),
            "/api/v1/joint-requests/{reference}/": ("reference", JointRequest.objects.values_list("reference", flat=True))}


@pytest.mark.parametrize("role", ["reviewer", "liaison_pl", "nspa_user"])
def test_real_responses_in_every_state_conform_to_the_schema(role, every_state, request):
    """Not generated data: every object there is, through every read endpoint, as each role, each answer
    validated against the schema (a field that can be null must say so)."""
    user = request.getfixturevalue(role)
    headers = {"Authorization": f"Token {tokens.issue(user).key}"}
    checked = 0
    for path, operations in schema.items():
        if "get" not in list(operations) or "{" in path and path not in every_state:
            continue
        operation = operations["GET"]
        name, keys = every_state.get(path, (None, [None]))
        for key in keys:
            case = operation.Case(path_parameters={name: str(key)} if key is not None else {}, headers=headers)
            response = case.call()
            if response.status_code == 200:
                operation.validate_response(response)
                checked += 1
    assert checked > (10 if role == "reviewer" else 3)


@pytest.mark.parametrize("role", ["reviewer", "liaison_pl", "nspa_user"])
def test_stateful_sequences_conform(role, headers_for):
    """Schemathesis's stateful phase: sequences of calls along the links it infers from the schema (an id a
    response gives to the next request), every check on every answer, as each role."""
    machine = schema.as_state_machine()
    auth = headers_for(role)

    class AsRole(machine):
        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=auth)

    AsRole.run(settings=settings(max_examples=15, stateful_step_count=4, deadline=None,
                                 suppress_health_check=list(HealthCheck), derandomize=True))
