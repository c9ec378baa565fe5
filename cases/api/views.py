"""API views. Each names the roles it serves; every case or joint request comes through visible_to."""
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Case, JointRequest, Role
from ..process.services.joint_requests import file_joint_request
from ..process.services.lor import amend_lor, withdraw_case
from ..process.services.submission import submit_lor
from ..process.steps import STEPS, StepInput, needs
from ..process.workflow import events_written
from ..reads.access import role_of
from ..reads.filters import CaseFilter
from ..reads.queries import as_written, case_detail_queryset
from ..shortcuts.rows import Rows
from . import docs
from .idempotency import idempotent
from .inputs import JointRequestInput, LorAmendInput, LorInput, WithdrawInput
from .permissions import READERS
from .serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    JointRequestSerializer,
    case_representation,
)

CASE_ROWS = Rows(CaseListSerializer)


def case_detail(case_id, user):
    return case_detail_queryset().visible_to(user).get(pk=case_id)


class LorView(APIView):
    """Allied liaisons submit a Letter of Request for their own country."""

    roles = {"post": {Role.LIAISON}}

    @extend_schema(
        operation_id="lors_create",
        request=LorInput,
        responses={201: CaseDetailSerializer, **docs.WRITE_ERRORS},
        parameters=[docs.IDEMPOTENCY_KEY],
        examples=[docs.LOR_EXAMPLE],
        tags=["lors"],
    )
    @idempotent
    def post(self, request):
        data = LorInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        with events_written() as events:
            case = submit_lor(submitted_by=request.user, **fields)
        return Response(case_representation(as_written(case, events)), status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: CaseListSerializer(many=True), **docs.LIST_ERRORS}, examples=[docs.CASE_LIST_EXAMPLE],
        tags=["cases"],
    ),
    retrieve=extend_schema(responses={200: CaseDetailSerializer, **docs.READ_ERRORS}, tags=["cases"]),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """The cases the caller may see: a liaison their country's, NSPA its joint requests', a reviewer all."""

    roles = {"list": READERS, "retrieve": READERS, "withdraw": {Role.LIAISON}, "amend": {Role.LIAISON},
             "step": {Role.REVIEWER, Role.ADMIN, Role.LIAISON}}
    filterset_class = CaseFilter

    def get_queryset(self):
        queryset = Case.objects.all() if self.action == "list" else case_detail_queryset()
        return queryset.visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(CASE_ROWS.of(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(CASE_ROWS.render(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(case_representation(self.get_object()))

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer

    @extend_schema(
        request=WithdrawInput,
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.WITHDRAW_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The purchaser's liaison withdraws the request; possible at any stage before acceptance."""
        case = self.get_object()
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdraw_case(case, actor=request.user, reason=data.validated_data["reason"])
        return Response(case_representation(case_detail(case.pk, request.user)))

    @extend_schema(
        request=LorAmendInput,
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.AMEND_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"], url_path="lor")
    def amend(self, request, pk=None):
        """The purchaser's liaison supplies what the LOR lacked, or corrects a returned LOR and resubmits it;
        the checks run again and a complete LOR becomes actionable at once."""
        case = self.get_object()
        data = LorAmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        amend_lor(case, dict(data.validated_data), actor=request.user)
        return Response(case_representation(case_detail(case.pk, request.user)))

    @extend_schema(
        request=StepInput,
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(STEPS))],
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.STEP_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step>[a-z-]+)")
    def step(self, request, pk=None, step=None):
        """One step after approval: ia-approval, informal-review, notification, emergency-waiver,
        tsfd-approval, offer, implementation, closure (reviewers); acceptance (the purchaser's liaison)."""
        spec = STEPS.get(step)
        if spec is None:
            raise NotFound(f"No step {step!r}; the steps are {', '.join(sorted(STEPS))}.")
        if role_of(request.user) not in spec.roles:
            raise PermissionDenied("Your role may not take this step.")
        case = self.get_object()
        data = StepInput(data=request.data)
        data.is_valid(raise_exception=True)
        needs(data.validated_data, *spec.needs)
        spec.run(case, request.user, data.validated_data)
        return Response(case_representation(case_detail(case.pk, request.user)))


@extend_schema_view(
    list=extend_schema(responses={200: JointRequestSerializer(many=True), **docs.LIST_ERRORS}, tags=["joint requests"]),
    retrieve=extend_schema(responses={200: JointRequestSerializer, **docs.READ_ERRORS}, tags=["joint requests"]),
)
class JointRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """NSPA files joint requests for several nations; NSPA and reviewers read them."""

    roles = {"list": {Role.NSPA, Role.REVIEWER, Role.ADMIN}, "retrieve": {Role.NSPA, Role.REVIEWER, Role.ADMIN},
             "create": {Role.NSPA}}
    serializer_class = JointRequestSerializer

    def get_queryset(self):
        return (
            JointRequest.objects.visible_to(self.request.user)
            .select_related("filed_by")
            .prefetch_related(Prefetch("cases", queryset=Case.objects.order_by("country_id")))
        )

    @extend_schema(
        request=JointRequestInput,
        responses={201: JointRequestSerializer, **docs.WRITE_ERRORS},
        parameters=[docs.IDEMPOTENCY_KEY],
        examples=[docs.JOINT_REQUEST_EXAMPLE],
        tags=["joint requests"],
    )
    @idempotent
    def create(self, request):
        data = JointRequestInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for participant in fields["participants"]:
            participant["line_items"] = [dict(item) for item in participant["line_items"]]
        joint = file_joint_request(filed_by=request.user, **fields)
        return Response(JointRequestSerializer(self.get_queryset().get(pk=joint.pk)).data, status=status.HTTP_201_CREATED)
