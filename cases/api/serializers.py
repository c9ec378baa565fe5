"""What the API shows of a case. Related rows come prefetched by the views: no query per row here."""
from rest_framework import serializers

from ..models import (
    REVIEWERS,
    Case,
    CaseEvent,
    CongressionalNotification,
    Decision,
    JointRequest,
    LetterOfOfferAndAcceptance,
    LetterOfRequest,
    LineItem,
    role_of,
)
from ..shortcuts.serializers import ModelSerializer
from .steps import ActionSerializer, BlockedSerializer, actions_of


class LineItemSerializer(ModelSerializer):
    capability = serializers.CharField(source="capability_id")
    total_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = LineItem
        fields = ["description", "capability", "quantity", "unit_cost_usd", "is_mde",
                  "is_design_construction", "total_usd"]


class LorSerializer(ModelSerializer):
    line_items = LineItemSerializer(source="case.line_items", many=True, read_only=True)
    checks = serializers.DictField(child=serializers.BooleanField())
    missing = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = LetterOfRequest
        fields = ["request_type", "funding_source", "justification", "desired_delivery_date", "originator_reference",
                  "third_party_involvement", "dcs_negotiation", "received_at", "validation_due_on", "checks",
                  "missing", "completed_at", "line_items"]


class LoaSerializer(ModelSerializer):
    class Meta:
        model = LetterOfOfferAndAcceptance
        fields = ["development_group", "anticipated_offer_date", "ia_approved_on", "offer_expires_on", "offered_on",
                  "pa_provided_on", "signed_on", "initial_deposit_on", "implemented_on"]


class NotificationSerializer(ModelSerializer):
    tripped = serializers.ListField(child=serializers.CharField())
    formal_review_days = serializers.IntegerField(source="rule.formal_review_days")
    rule_effective_from = serializers.DateField(source="rule.effective_from")

    class Meta:
        model = CongressionalNotification
        fields = ["required", "tripped", "tier", "rule_effective_from", "formal_review_days",
                  "informal_review_started_on", "informal_review_ends_on", "formal_notified_on", "review_ends_on",
                  "emergency_waiver", "waiver_justification", "cleared_on"]


class DecisionSerializer(ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = Decision
        fields = ["outcome", "reason", "decided_by", "decided_at"]


class EventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    payload = serializers.DictField()

    class Meta:
        model = CaseEvent
        fields = ["verb", "from_stage", "to_stage", "actor", "at", "payload"]


class CaseListSerializer(ModelSerializer):
    country = serializers.CharField(source="country_id")
    implementing_agency = serializers.CharField(source="implementing_agency_id")
    primary_capability = serializers.CharField(source="primary_capability_id")
    created = serializers.DateTimeField(source="created_at")
    joint_request = serializers.UUIDField(source="joint_request.reference", allow_null=True, default=None,
                                          help_text="The reference of the joint request the case came from.")

    class Meta:
        model = Case
        fields = ["case_number", "country", "implementing_agency", "title", "stage", "stage_entered_at",
                  "primary_capability", "total_value_usd", "mde_value_usd", "design_construction_value_usd",
                  "joint_request", "created"]


class CaseDetailSerializer(CaseListSerializer):
    line_items = LineItemSerializer(many=True)
    lor = LorSerializer()
    loa = LoaSerializer(allow_null=True, default=None)
    notification = NotificationSerializer(allow_null=True, default=None)
    decisions = DecisionSerializer(many=True)
    timeline = EventSerializer(source="events", many=True)
    actions = ActionSerializer(many=True, read_only=True, help_text="The steps you may take on this case now.")
    blocked = BlockedSerializer(many=True, read_only=True,
                                help_text="The other steps your role takes, each with why it is not possible now.")

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "tsfd_required", "tsfd_approved_at", "line_items", "lor", "loa", "notification", "decisions", "timeline",
            "actions", "blocked",
        ]


# Built once per process: instantiating the detail serializer (copying its nested serializers' fields)
# cost as much as rendering a case with it, and rendering only reads its fields, storing nothing.
CASE_DETAIL = CaseDetailSerializer()


# Database ids in the audit trail, for reviewers (who see every batch and decision): to anyone else each
# is only a counter of everyone's batches and decisions.
REVIEWERS_ONLY_PAYLOAD = ("batch", "left_batch", "decision")


def case_representation(case, user):
    """`case` as the API's detail shows it to `user`; the case comes from `queries.case_detail_queryset`."""
    case.actions, case.blocked = actions_of(case, user)
    shown = CASE_DETAIL.to_representation(case)
    if role_of(user) not in REVIEWERS:
        for event in shown["timeline"]:
            for key in REVIEWERS_ONLY_PAYLOAD:
                event["payload"].pop(key, None)
    return shown


class JointRequestCaseSerializer(ModelSerializer):
    country = serializers.CharField(source="country_id")

    class Meta:
        model = Case
        fields = ["case_number", "country", "stage"]


class JointRequestSerializer(ModelSerializer):
    lead_nation = serializers.CharField(source="lead_nation_id", allow_null=True)
    filed_by = serializers.CharField(source="filed_by.username")
    created = serializers.DateTimeField(source="created_at")
    cases = JointRequestCaseSerializer(many=True)

    class Meta:
        model = JointRequest
        fields = ["reference", "title", "model", "lead_nation", "justification", "filed_by", "created", "cases"]
