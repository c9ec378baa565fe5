"""An organisation's webhook subscriptions, for its own staff: NSPA's, or a purchaser's liaisons'.
Events are signed (cases.notify.webhooks); each try is in the delivery log, and an event can be sent
again on demand."""
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ..models import OutboxMessage, Role, WebhookAttempt, WebhookSubscription
from ..models.notices import Audience
from ..notify import delivery
from ..notify.kinds import KINDS
from ..notify.webhooks import url_problem
from ..reads.access import own_subscriptions
from . import docs
from .fields import JsonBooleanField
from .pagination import CasePagination

ORGANISATIONS = frozenset({Role.NSPA, Role.LIAISON})
PUSHED = [(entry.kind.value, entry.label) for entry in KINDS.values() if entry.webhook]


class SubscriptionSerializer(serializers.ModelSerializer):
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=PUSHED), required=False,
                                  help_text="Kinds of event sent; empty or left out: every kind.")
    secret = serializers.SerializerMethodField(
        help_text="Signs each delivery (README, Webhooks): returned whole when the subscription is created only.")
    active = JsonBooleanField(required=False, help_text="false: nothing is sent; true again: sending resumes.")
    created = serializers.DateTimeField(source="created_at", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "kinds", "active", "secret", "owner", "created", "disabled_at"]
        read_only_fields = ["disabled_at"]

    def get_secret(self, subscription) -> str:
        if self.context.get("created"):
            return subscription.secret
        return f"…{subscription.secret[-4:]}"

    def validate_url(self, url):
        if problem := url_problem(url):
            raise ValidationError(problem)
        return url

    def validate_kinds(self, kinds):
        return sorted(set(kinds))


class AttemptSerializer(serializers.ModelSerializer):
    event = serializers.SerializerMethodField()
    type = serializers.CharField(source="message.notice.kind")
    delivered = serializers.BooleanField(source="succeeded")

    class Meta:
        model = WebhookAttempt
        fields = ["id", "event", "type", "at", "status_code", "latency_ms", "error", "delivered"]

    def get_event(self, attempt) -> str:
        return f"evt_{attempt.message_id}"


class RedeliverySerializer(serializers.Serializer):
    event = serializers.RegexField(r"^evt_\d{1,12}$", help_text='The event id, e.g. "evt_123", as in the log.')


TAGS = ["webhooks"]


class RedeliveredSerializer(serializers.Serializer):
    event = serializers.CharField()
    queued = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(summary="Your organisation's webhook subscriptions", tags=TAGS,
                       responses={200: SubscriptionSerializer(many=True), **docs.LIST_ERRORS}),
    create=extend_schema(summary="Subscribe an https endpoint to your organisation's events", tags=TAGS,
                         responses={201: SubscriptionSerializer, **docs.WRITE_ERRORS}),
    retrieve=extend_schema(summary="One subscription", tags=TAGS,
                           responses={200: SubscriptionSerializer, **docs.READ_ERRORS}),
    partial_update=extend_schema(
        summary="Change its URL or kinds; turn it off, or on again after it was disabled", tags=TAGS,
        responses={200: SubscriptionSerializer, 404: docs.NOT_FOUND, **docs.WRITE_ERRORS}),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """No DELETE: a subscription is turned off (`active: false`), and its delivery log is kept."""

    serializer_class = SubscriptionSerializer
    pagination_class = CasePagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles = {name: ORGANISATIONS for name in
             ("list", "create", "retrieve", "partial_update", "deliveries", "redeliver")}

    def get_queryset(self):
        return own_subscriptions(WebhookSubscription.objects.select_related("owner"), self.request.user).order_by(
            "-created_at", "-id")

    def perform_create(self, serializer):
        profile = self.request.user.profile
        audience = Audience.NSPA if profile.role == Role.NSPA else Audience.COUNTRY
        serializer.save(owner=self.request.user, audience=audience, country_id=profile.country_id)
        serializer.context["created"] = True

    def perform_update(self, serializer):
        enabled = serializer.validated_data.get("active")
        serializer.save(**({"disabled_at": None} if enabled else {}))

    @extend_schema(summary="The delivery log: each try, newest first", tags=TAGS,
                   responses={200: AttemptSerializer(many=True), **docs.LIST_ERRORS})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        attempts = (WebhookAttempt.objects.filter(message__subscription=subscription)
                    .select_related("message__notice").order_by("-at", "-id"))
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(AttemptSerializer(page, many=True).data)

    @extend_schema(summary="Send an event again now (its id unchanged)", tags=TAGS, request=RedeliverySerializer,
                   responses={202: RedeliveredSerializer, 404: docs.NOT_FOUND, **docs.WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        subscription = self.get_object()
        body = RedeliverySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = OutboxMessage.objects.filter(subscription=subscription,
                                               pk=int(body.validated_data["event"][4:])).first()
        if message is None:
            raise ValidationError({"event": ["This subscription was sent no such event."]})
        with transaction.atomic():
            delivery.redeliver(message)
        return Response({"event": f"evt_{message.pk}", "queued": True}, status=202)


