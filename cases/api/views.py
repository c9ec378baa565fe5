"""API views. Each names the roles it serves; every case or joint request comes through visible_to."""
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import EVERY_ROLE, REVIEWERS, Case, JointRequest, Role
from ..models.case import CASE_NUMBER
from ..process.services.joint_requests import file_joint_request
from ..process.services.lor import AMENDMENTS, amend_lor
from ..process.services.submission import submit_lor
from ..process.stages import Action
from ..process.workflow import RULES, events_written, perform
from ..reads.filters import CaseFilter
from ..reads.joint_references import with_references
from ..reads.queries import as_written, case_detail_queryset
from ..shortcuts.rows import Rows
from . import docs
from .idempotency import idempotent
from .inputs import JointRequestInput, LorAmendInput, LorInput
from .serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    JointRequestSerializer,
    case_representation,
)
from .steps import CASE_STEPS, StepInput, WithdrawInput

# Each row's joint request reference comes from the process's kept pairs, not a join (cases.reads.joint_references).
CASE_ROWS = Rows(CaseListSerializer, computed={"joint_request__reference"})


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
        data = LorInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        with events_written() as events:
            case = submit_lor(submitted_by=request.user, **fields)
        return Response(case_representation(as_written(case, events), request.user), status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: CaseListSerializer(many=True), **docs.LIST_ERRORS}, examples=[docs.CASE_LIST_EXAMPLE],
        tags=["cases"],
    ),
    retrieve=extend_schema(responses={200: CaseDetailSerializer, **docs.READ_ERRORS}, tags=["cases"]),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """The cases the caller may see: a liaison their country's, NSPA its joint requests', a reviewer all."""

    # The roles that take some step at each endpoint, from the rule book (which judges each step again):
    # a role that takes none there is refused before any case is looked up.
    roles = {"list": EVERY_ROLE, "retrieve": EVERY_ROLE, "withdraw": RULES[Action.WITHDRAW].by,
             "amend": frozenset().union(*(RULES[action].by for action in AMENDMENTS)),
             "step": frozenset().union(*(rule.by for rule in CASE_STEPS.values()))}
    filterset_class = CaseFilter
    lookup_field, lookup_value_regex = "case_number", CASE_NUMBER

    def get_queryset(self):
        queryset = Case.objects.all() if self.action == "list" else case_detail_queryset()
        return queryset.visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(CASE_ROWS.of(self.filter_queryset(self.get_queryset()), "joint_request_id"))
        return self.get_paginated_response(CASE_ROWS.render(with_references(page)))

    def retrieve(self, request, *args, **kwargs):
        return Response(case_representation(self.get_object(), request.user))

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer

    @extend_schema(
        request=WithdrawInput,
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.WITHDRAW_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, case_number=None):
        """The purchaser's liaison withdraws the request; possible at any stage before acceptance."""
        case = self.get_object()
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        perform(case, Action.WITHDRAW, actor=request.user, inputs=data.validated_data)
        return Response(case_representation(case_detail(case.pk, request.user), request.user))

    @extend_schema(
        request=LorAmendInput,
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.AMEND_EXAMPLE, docs.RESUBMIT_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"], url_path="lor")
    def amend(self, request, case_number=None):
        """The purchaser's liaison supplies what the LOR lacked, or corrects a returned LOR and resubmits it;
        the checks run again and a complete LOR becomes actionable at once."""
        case = self.get_object()
        data = LorAmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        items = changes.pop("line_items", None)
        reply = changes.pop("reply", "")
        amend_lor(case, changes, actor=request.user, reply=reply,
                  line_items=None if items is None else [dict(item) for item in items])
        return Response(case_representation(case_detail(case.pk, request.user), request.user))

    @extend_schema(
        request=StepInput,
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(CASE_STEPS))],
        responses={200: CaseDetailSerializer, **docs.READ_ERRORS, 400: docs.VALIDATION_ERROR, 409: docs.CONFLICT},
        examples=[docs.STEP_EXAMPLE],
        tags=["cases"],
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step>[a-z-]+)")
    def step(self, request, case_number=None, step=None):
        """Take one step of the rule book on the case: the case's `actions` list the ones you may take
        now, and `blocked` why each other one is not possible yet."""
        rule = CASE_STEPS.get(step)
        if rule is None:
            raise NotFound(f"No step {step!r}; the steps are {', '.join(sorted(CASE_STEPS))}.")
        case = self.get_object()
        data = StepInput(data=request.data)
        data.is_valid(raise_exception=True)
        perform(case, rule.action, actor=request.user, inputs=data.validated_data)
        return Response(case_representation(case_detail(case.pk, request.user), request.user))


@extend_schema_view(
    list=extend_schema(responses={200: JointRequestSerializer(many=True), **docs.LIST_ERRORS}, tags=["joint requests"]),
    retrieve=extend_schema(responses={200: JointRequestSerializer, **docs.READ_ERRORS}, tags=["joint requests"]),
)
class JointRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """NSPA files joint requests for several nations; NSPA and reviewers read them."""

    roles = {"list": REVIEWERS | {Role.NSPA}, "retrieve": REVIEWERS | {Role.NSPA}, "create": {Role.NSPA}}
    serializer_class = JointRequestSerializer
    lookup_field, lookup_value_regex = "reference", "[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}"

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
        data = JointRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for participant in fields["participants"]:
            participant["line_items"] = [dict(item) for item in participant["line_items"]]
        joint = file_joint_request(filed_by=request.user, **fields)
        return Response(JointRequestSerializer(self.get_queryset().get(pk=joint.pk)).data, status=status.HTTP_201_CREATED)
