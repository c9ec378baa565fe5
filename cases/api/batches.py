"""Combined review for US reviewers: the batch queue, one batch side by side, start, decide."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import REVIEWERS, Answer, Case, Outcome, ReviewBatch
from ..models.case import CASE_NUMBER_PATTERN
from ..reads.filters import BatchFilter
from ..reads.queries import batch_queue
from ..review import concurrence, policy
from ..review.batch_facts import NO_CASES, attach_case_facts, case_facts
from ..review.record import attach_record
from ..review.services import (
    answer_concurrence,
    assign_batch,
    decide_batch,
    start_batch,
    withdraw_non_concurrence,
    write_memo,
)
from ..shortcuts.rows import Rows
from ..shortcuts.serializers import ModelSerializer
from . import docs
from .fields import TextField
from .serializers import LineItemSerializer


class BatchSerializer(ModelSerializer):
    key = serializers.CharField(source="group_key")
    bin = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True,
                                       help_text="Null for a region's batch (its countries are in no bin).")
    region = serializers.CharField(source="region_id", allow_null=True)
    capability = serializers.CharField(source="capability_id")
    assigned_reviewer = serializers.CharField(source="assigned_reviewer.username", allow_null=True, default=None)
    case_count = serializers.IntegerField()
    countries = serializers.ListField(child=serializers.CharField())
    total_value_usd = serializers.DecimalField(max_digits=18, decimal_places=2)
    oldest_case_age_days = serializers.IntegerField(allow_null=True)
    notification_count = serializers.IntegerField(help_text="Cases that will need congressional notification.")
    created = serializers.DateTimeField(source="created_at")

    class Meta:
        model = ReviewBatch
        fields = ["id", "key", "bin", "region", "capability", "status", "case_count", "countries", "total_value_usd",
                  "oldest_case_age_days", "notification_count", "created", "review_started_at", "decided_at",
                  "assigned_reviewer"]


# The list's rows: the batch's own columns fetched by Rows, what its cases add up to by `case_facts`.
BATCH_ROWS = Rows(BatchSerializer, computed=NO_CASES)


class PrecedentSerializer(serializers.Serializer):
    case_number = serializers.CharField(source="case.case_number")
    country = serializers.CharField(source="case.country_id")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()
    total_value_usd = serializers.DecimalField(source="case.total_value_usd", max_digits=16, decimal_places=2)


class TallySerializer(serializers.Serializer):
    approvals = serializers.IntegerField()
    denials = serializers.IntegerField()


class PrecedentsSerializer(serializers.Serializer):
    """Approvals and denials of the batch's capability in the look-back window, newest first."""

    own = PrecedentSerializer(many=True, help_text="The purchaser's own earlier decisions.")
    own_tally = TallySerializer()
    group = PrecedentSerializer(many=True, help_text="The other countries of the group's.")
    group_tally = TallySerializer()


class DecidedHereSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()


class BatchCaseSerializer(ModelSerializer):
    country = serializers.CharField(source="country_id")
    line_items = LineItemSerializer(many=True)
    request_type = serializers.CharField(source="lor.request_type")
    funding_source = serializers.CharField(source="lor.funding_source")
    desired_delivery_date = serializers.DateField(source="lor.desired_delivery_date", allow_null=True)
    joint_request = serializers.UUIDField(source="joint_request.reference", allow_null=True, default=None)
    precedents = PrecedentsSerializer()
    decided_here = DecidedHereSerializer(allow_null=True, help_text="The decision taken on the case in this batch.")
    left_batch = serializers.BooleanField(help_text="Returned from this batch: it is listed for the record.")

    class Meta:
        model = Case
        fields = ["case_number", "country", "title", "stage", "total_value_usd", "mde_value_usd", "line_items",
                  "request_type", "funding_source", "desired_delivery_date", "joint_request", "precedents", "decided_here", "left_batch"]


class ConcurrenceCellSerializer(serializers.Serializer):
    case_number = serializers.CharField(source="case.case_number")
    required = serializers.BooleanField(source="cell.required", help_text="False: the office is not asked about this case.")
    answer = serializers.CharField(source="cell.answer", help_text="Empty while the office has not answered.")
    reason = serializers.CharField(source="cell.reason")
    carved_out = serializers.BooleanField(source="cell.carved_out", help_text="Answered apart from the batch answer.")


class OfficeConcurrenceSerializer(serializers.Serializer):
    office = serializers.CharField(source="request.office_id")
    office_name = serializers.CharField(source="request.office.name")
    asked_at = serializers.DateTimeField(source="request.asked_at")
    due_on = serializers.DateField(source="request.due_on")
    overdue = serializers.BooleanField(help_text="Past its due date without an answer: the batch is stalled.")
    answer = serializers.CharField(source="request.answer", help_text="For the batch; empty while unanswered.")
    reason = serializers.CharField(source="request.reason")
    answered_by = serializers.CharField(source="request.answered_by.username", allow_null=True, default=None)
    answered_at = serializers.DateTimeField(source="request.answered_at", allow_null=True)
    cases = ConcurrenceCellSerializer(source="cells", many=True)


class PolicySerializer(serializers.Serializer):
    name = serializers.CharField(source="why.policy.__str__")
    reason = serializers.CharField(source="why.reason", help_text="Why this policy applies to the batch.")
    window_days = serializers.IntegerField(source="why.policy.window_days")
    window_cases = serializers.IntegerField(source="why.policy.window_cases")
    window = serializers.CharField(help_text="When the batch stops taking newcomers, or did.")
    decision = serializers.CharField()
    concurrence = serializers.CharField()
    standing_releases = serializers.ListField(source="releases", child=serializers.CharField(),
                                              help_text="Capabilities the bin's standing TSFD releases cover.")
    covered = serializers.BooleanField(help_text="Whether a standing release covers this batch's capability.")


class BatchDetailSerializer(BatchSerializer):
    cases = BatchCaseSerializer(source="record", many=True, help_text="Every case ever in the batch.")
    memo_by = serializers.CharField(source="memo_by.username", allow_null=True, default=None)
    group_tally = TallySerializer(help_text="The group's approvals and denials of the capability, look-back window.")
    concurrence = OfficeConcurrenceSerializer(many=True, help_text="Each office asked, its answer and its cells.")
    policy = PolicySerializer(source="policy_summary", allow_null=True,
                              help_text="The review policy the batch follows and why; null before policies existed.")

    class Meta(BatchSerializer.Meta):
        fields = BatchSerializer.Meta.fields + ["memo", "memo_by", "memo_at", "group_tally", "policy", "concurrence",
                                                "cases"]


class DecisionEntry(serializers.Serializer):
    case = serializers.RegexField(CASE_NUMBER_PATTERN, max_length=8, help_text="The case number of a case of the batch.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = TextField(max_length=5000, required=False, default="", allow_blank=True,
                       help_text="Required to deny or return.")


class AssignInput(serializers.Serializer):
    reviewer = TextField(max_length=150, allow_blank=True,
                         help_text="The username of the reviewer to give the batch to.")


class MemoInput(serializers.Serializer):
    memo = TextField(max_length=5000, allow_blank=True, help_text="The reasoning that holds for the whole batch.")


class CarveOutEntry(serializers.Serializer):
    case = serializers.RegexField(CASE_NUMBER_PATTERN, max_length=8, help_text="A case of the batch the office is asked about.")
    answer = serializers.ChoiceField(choices=Answer.choices)
    reason = TextField(max_length=5000, required=False, default="", allow_blank=True,
                       help_text="Required unless the answer is concur.")


class ConcurrenceInput(serializers.Serializer):
    """Your office's answer for the whole batch, and the cases it answers differently."""

    answer = serializers.ChoiceField(choices=Answer.choices)
    reason = TextField(max_length=5000, required=False, default="", allow_blank=True,
                       help_text="The conditions, or why the office does not concur; required unless concur.")
    carve_outs = CarveOutEntry(many=True, required=False, default=list, max_length=500)


class WithdrawalInput(serializers.Serializer):
    case = serializers.RegexField(CASE_NUMBER_PATTERN, max_length=8, required=False, default="", allow_blank=True,
                                  help_text="The case the non-concurrence is on; empty: the answer for the batch.")
    reason = TextField(max_length=2000, allow_blank=True, help_text="Why the office withdraws it.")


class DecisionsInput(serializers.Serializer):
    """Parsed only: which cases may be decided, and what each outcome needs, is the rule book's."""

    decisions = DecisionEntry(many=True, min_length=1, max_length=500)


class AwaitingSerializer(serializers.Serializer):
    batch = serializers.IntegerField(source="batch_id")
    key = serializers.CharField(source="batch.group_key")
    capability = serializers.CharField(source="batch.capability_id")
    office = serializers.CharField(source="office_id")
    asked_at = serializers.DateTimeField()
    due_on = serializers.DateField()


@extend_schema(responses={200: AwaitingSerializer(many=True), **docs.LIST_ERRORS}, tags=["concurrence"])
class AwaitingConcurrence(generics.ListAPIView):
    """The batches in review your office is asked about and has not answered, the soonest due first.
    Empty for a reviewer whose profile names no office."""

    roles = {"get": REVIEWERS}
    serializer_class = AwaitingSerializer

    def get_queryset(self):
        return concurrence.awaiting(concurrence.office_id_of(self.request.user))


@extend_schema_view(
    list=extend_schema(responses={200: BatchSerializer(many=True), **docs.LIST_ERRORS}, tags=["combined review"]),
    retrieve=extend_schema(responses={200: BatchDetailSerializer, **docs.READ_ERRORS}, tags=["combined review"]),
)
class BatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Review batches: reviewers only; liaisons and NSPA are refused (403)."""

    roles = {"list": REVIEWERS, "retrieve": REVIEWERS, "start": REVIEWERS, "assign": REVIEWERS,
             "memo": REVIEWERS, "decisions": REVIEWERS, "concurrence": REVIEWERS,
             "concurrence_withdrawal": REVIEWERS}
    filterset_class = BatchFilter

    def get_queryset(self):
        return batch_queue(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return BatchSerializer if self.action == "list" else BatchDetailSerializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(BATCH_ROWS.of(self.filter_queryset(self.get_queryset())))
        facts = case_facts([row["id"] for row in page])
        for row in page:
            row.update(facts.get(row["id"], NO_CASES))
        return self.get_paginated_response(BATCH_ROWS.render(page))

    def detail_response(self, pk):
        batch = attach_record(attach_case_facts([self.get_queryset().select_related("policy__bin", "memo_by").get(pk=pk)])[0],
                              self.request.user)
        batch.concurrence = concurrence.grid(batch, batch.record)
        batch.policy_summary = policy.summary(batch, batch.case_count)
        return Response(BatchDetailSerializer(batch).data)

    def retrieve(self, request, pk=None):
        self.get_object()
        return self.detail_response(pk)

    @extend_schema(request=None, responses={200: BatchDetailSerializer, **docs.READ_ERRORS, 409: docs.CONFLICT},
                   tags=["combined review"])
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """A reviewer takes the batch: open -> in_review, its membership frozen."""
        start_batch(self.get_object(), reviewer=request.user)
        return self.detail_response(pk)

    @extend_schema(request=AssignInput, responses={200: BatchDetailSerializer, 400: docs.VALIDATION_ERROR,
                   **docs.READ_ERRORS, 409: docs.CONFLICT}, tags=["combined review"])
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the batch to a reviewer: an open batch by any reviewer, one under review by its holder
        (hand-over). The new holder takes, decides or hands it on."""
        batch = self.get_object()
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        assign_batch(batch, data.validated_data["reviewer"], by=request.user)
        return self.detail_response(pk)

    @extend_schema(request=MemoInput, responses={200: BatchDetailSerializer, 400: docs.VALIDATION_ERROR,
                   **docs.READ_ERRORS, 409: docs.CONFLICT}, tags=["combined review"])
    @action(detail=True, methods=["post"])
    def memo(self, request, pk=None):
        """The holder writes the batch memo, once: the reasoning that holds for every case of it."""
        batch = self.get_object()
        data = MemoInput(data=request.data)
        data.is_valid(raise_exception=True)
        write_memo(batch, data.validated_data["memo"], by=request.user)
        return self.detail_response(pk)

    @extend_schema(request=DecisionsInput, responses={200: BatchDetailSerializer, 400: docs.VALIDATION_ERROR,
                   **docs.READ_ERRORS, 409: docs.CONFLICT}, examples=[docs.DECISIONS_EXAMPLE], tags=["combined review"])
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        """Decide many cases at once, all or nothing: approve, deny (reason) or return (reason)."""
        batch = self.get_object()
        data = DecisionsInput(data=request.data)
        data.is_valid(raise_exception=True)
        decide_batch(batch, data.validated_data["decisions"], reviewer=request.user)
        return self.detail_response(pk)

    @extend_schema(request=ConcurrenceInput, responses={200: BatchDetailSerializer, 400: docs.VALIDATION_ERROR,
                   **docs.READ_ERRORS, 409: docs.CONFLICT}, examples=[docs.CONCURRENCE_EXAMPLE], tags=["concurrence"])
    @action(detail=True, methods=["post"])
    def concurrence(self, request, pk=None):
        """Your office answers for the whole batch (concur, conditions, non_concur), once, with single
        cases carved out. 409 when your office is not asked, has answered, or the batch is not in review."""
        batch = self.get_object()
        data = ConcurrenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer_concurrence(batch, by=request.user, **data.validated_data)
        return self.detail_response(pk)

    @extend_schema(request=WithdrawalInput, responses={200: BatchDetailSerializer, 400: docs.VALIDATION_ERROR,
                   **docs.READ_ERRORS, 409: docs.CONFLICT}, tags=["concurrence"])
    @action(detail=True, methods=["post"], url_path="concurrence/withdrawal")
    def concurrence_withdrawal(self, request, pk=None):
        """Your office withdraws its non-concurrence on one case, or its answer for the batch."""
        batch = self.get_object()
        data = WithdrawalInput(data=request.data)
        data.is_valid(raise_exception=True)
        withdraw_non_concurrence(batch, by=request.user, **data.validated_data)
        return self.detail_response(pk)
