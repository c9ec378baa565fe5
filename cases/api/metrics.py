"""Metrics for reviewers through the API: the review burden of a period."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import REVIEWERS
from ..reads import burden
from ..reads.figures import PeriodForm
from . import docs

BY_POLICY = inline_serializer("DaysByPolicy", {"policy": serializers.CharField(), "days": serializers.FloatField()},
                              many=True)
REPORT = inline_serializer("ReviewBurden", {
    "start": serializers.DateField(), "end": serializers.DateField(), "lors_received": serializers.IntegerField(),
    "units": inline_serializer("ReviewUnits", {
        "case_by_case": serializers.IntegerField(help_text="Answers case-by-case review takes: each office on each case."),
        "combined": serializers.IntegerField(help_text="Answers spent: each office once per batch, plus carve-outs."),
        "carve_outs": serializers.IntegerField(), "answered": serializers.IntegerField(),
        "times_fewer": serializers.FloatField(allow_null=True)}),
    "median_days_to_decision": BY_POLICY,
    "median_days_waiting_for_window": BY_POLICY,
})


class ReviewBurden(APIView):
    """What combined review with parallel concurrence saved in a period (a year to today unless asked),
    and the waiting it added: the figures of the metrics page, for the batches and cases you may see."""

    roles = {"get": REVIEWERS}

    @extend_schema(parameters=[OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE)],
                   responses={200: REPORT, **docs.LIST_ERRORS}, tags=["metrics"])
    def get(self, request):
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
        return Response(burden.report(request.user, form.period()))
