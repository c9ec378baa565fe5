"""Shared pieces of the OpenAPI description: error bodies, the Idempotency-Key header, examples."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid input: an object keyed by field name (nested for line items and participants), "
    "each with a list of messages.",
    examples=[
        OpenApiExample(
            "Zero quantity",
            value={"line_items": {"0": {"quantity": ["Ensure this value is greater than or equal to 1."]}}},
            response_only=True,
        )
    ],
)
UNAUTHENTICATED = OpenApiResponse(response=DETAIL, description="No or invalid credentials.")
FORBIDDEN = OpenApiResponse(response=DETAIL, description="Your role may not use this endpoint.")
NOT_FOUND = OpenApiResponse(response=DETAIL, description="No such object, or not one you may see.")
CONFLICT = OpenApiResponse(
    response=DETAIL, description="The case's stage does not allow this, or the Idempotency-Key was used with another body."
)
TOO_LARGE = OpenApiResponse(response=DETAIL, description="The request body is over 1 MB.")
UNSUPPORTED = OpenApiResponse(response=DETAIL, description="Send application/json.")

READ_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
LIST_ERRORS = {400: VALIDATION_ERROR, **READ_ERRORS}  # 400: a filter value that is not valid
WRITE_ERRORS = {
    400: VALIDATION_ERROR, 401: UNAUTHENTICATED, 403: FORBIDDEN, 409: CONFLICT, 413: TOO_LARGE, 415: UNSUPPORTED
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). Retrying with the same key and body returns the first response and "
    "creates nothing; the same key with a different body answers 409. Kept at least 24 hours.",
)

LOR_EXAMPLE = OpenApiExample(
    "Patriot replenishment",
    request_only=True,
    value={
        "country": "PL", "implementing_agency": "B", "request_type": "LOA",
        "title": "Patriot PAC-3 MSE replenishment", "justification": "Replace interceptors used in air defence.",
        "funding_source": "national_funds", "desired_delivery_date": "2028-03-31",
        "line_items": [{"description": "PAC-3 MSE missile", "capability": "air-missile-defense", "quantity": 48,
                        "unit_cost_usd": "4200000.00", "is_mde": True}],
    },
)

JOINT_REQUEST_EXAMPLE = OpenApiExample(
    "Stinger for a Baltic coalition",
    request_only=True,
    value={
        "title": "Stinger replenishment, Baltic coalition", "justification": "Coalition short-range air defence.",
        "model": "agent_sales", "lead_nation": None, "implementing_agency": "B", "request_type": "LOA",
        "funding_source": "national_funds", "desired_delivery_date": "2028-06-30",
        "participants": [
            {"country": "LT", "line_items": [{"description": "FIM-92K Stinger", "capability": "short-range-air-defense",
                                              "quantity": 60, "unit_cost_usd": "480000.00", "is_mde": True}]},
            {"country": "LV", "line_items": [{"description": "FIM-92K Stinger", "capability": "short-range-air-defense",
                                              "quantity": 40, "unit_cost_usd": "480000.00", "is_mde": True}]},
        ],
    },
)

WITHDRAW_EXAMPLE = OpenApiExample("Budget moved", request_only=True, value={"reason": "National budget reallocated."})

TOKEN_EXAMPLE = OpenApiExample(
    "Liaison sign-in", request_only=True, value={"username": "liaison-pl", "password": "fms-demo-2026"}
)

CASE_LIST_EXAMPLE = OpenApiExample(
    "One page",
    response_only=True,
    value={
        "next": None, "previous": None,
        "results": [{
            "case_number": "PL-B-AAC", "country": "PL", "implementing_agency": "B",
            "title": "Patriot PAC-3 MSE replenishment", "stage": "lor_actionable",
            "stage_entered_at": "2026-11-27T10:00:00Z", "primary_capability": "air-missile-defense",
            "total_value_usd": "201600000.00", "mde_value_usd": "201600000.00",
            "design_construction_value_usd": "0.00", "joint_request": None, "created": "2026-11-27T10:00:00Z",
        }],
    },
)

DECISIONS_EXAMPLE = OpenApiExample(
    "Approve two, deny one",
    request_only=True,
    value={"decisions": [
        {"case": "PL-D-AAB", "outcome": "approve"},
        {"case": "LT-D-AAA", "outcome": "deny", "reason": "Release of this technology is not supported."},
        {"case": "LV-D-AAC", "outcome": "return", "reason": "State the intended basing."},
    ]},
)

CONCURRENCE_EXAMPLE = OpenApiExample(
    "Concur, but not on one case",
    request_only=True,
    value={"answer": "concur", "carve_outs": [
        {"case": "LT-D-AAA", "answer": "non_concur", "reason": "End-use monitoring in place is not sufficient."},
    ]},
)

STEP_EXAMPLE = OpenApiExample(
    "Record acceptance", request_only=True, value={"signed_on": "2027-01-15", "initial_deposit_on": "2027-01-20"}
)

AMEND_EXAMPLE = OpenApiExample(
    "Supply the funding source", request_only=True,
    value={"funding_source": "fmf", "justification": "Basing: Rzeszow; replaces stocks transferred in 2025."},
)


RESUBMIT_EXAMPLE = OpenApiExample(
    "Correct a returned LOR's line items and answer the reviewer", request_only=True,
    value={"line_items": [{"description": "PAC-3 MSE interceptor", "capability": "air-missile-defense", "quantity": 40,
                           "unit_cost_usd": "1200000.00", "is_mde": True}],
           "reply": "Quantity reduced to 40 as asked; the launchers are now a separate LOR."},
)


PAGING = {"page", "page_size"}


def empty_filters_are_absent(result, generator, request, public):
    """Say in the schema what the lists do: a filter sent empty (`?country=`, as an HTML form sends an
    unchosen one) is as if it were not sent. Paging parameters are not filters: an empty one is refused."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and parameter["name"] not in PAGING:
                    parameter["allowEmptyValue"] = True
    return result
