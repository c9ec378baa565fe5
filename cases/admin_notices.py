"""Admin for notifications: webhook subscriptions are managed here (and by their organisation through
the API); the outbox and the delivery log are read here, and an event can be sent again."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import DigestSettings, Notice, NoticePreference, OutboxMessage, WebhookAttempt, WebhookSubscription
from .notify import delivery
from .notify.webhooks import url_problem


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["audience", "country", "url", "kinds", "owner", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if problem := url_problem(url):
            raise ValidationError(problem)
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["url", "audience", "country", "owner", "active", "disabled_at", "created_at"]
    list_filter = ["active", "audience", "country"]
    search_fields = ["url", "owner__username"]
    list_select_related = ["country", "owner"]


class AttemptInline(ReadOnly, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ["at", "status_code", "latency_ms", "error"]
    readonly_fields = fields


@admin.action(description="Send again now (webhook events keep their id)")
def redeliver(modeladmin, request, queryset):
    webhooks = list(queryset.filter(channel="webhook"))
    with transaction.atomic():
        for message in webhooks:
            delivery.redeliver(message)
    modeladmin.message_user(request, f"Queued {len(webhooks)} event(s) to send again.", messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["notice", "channel", "user", "subscription", "digest", "created_at", "attempts", "delivered_at",
                    "failed_at", "read_at"]
    list_filter = ["channel", "digest", ("delivered_at", admin.EmptyFieldListFilter),
                   ("failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["notice__summary", "user__username", "subscription__url"]
    list_select_related = ["notice", "user", "subscription"]
    inlines = [AttemptInline]
    actions = [redeliver]


@admin.register(Notice)
class NoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["summary", "kind", "case", "batch", "at"]
    list_filter = ["kind"]
    search_fields = ["summary", "case__case_number", "key"]
    list_select_related = ["case", "batch"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "message", "status_code", "latency_ms", "error"]
    list_filter = ["status_code"]
    list_select_related = ["message__notice"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "mode"]
    list_filter = ["kind", "mode"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(DigestSettings)
class DigestSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "hour", "time_zone"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
