"""Admin: reference and rule rows are editable; cases are read here and changed only through the rule book."""
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .models import (
    Case,
    CaseConcurrence,
    CaseEvent,
    CaseSearch,
    ConcurrenceRequest,
    ConcurrenceRule,
    CongressionalNotification,
    Decision,
    DesignatorSequence,
    IdempotencyRecord,
    ImplementingAgency,
    JointRequest,
    LetterOfOfferAndAcceptance,
    LetterOfRequest,
    LineItem,
    NotificationRule,
    Office,
    Profile,
    RetransferAssurance,
    ReviewBatch,
    ReviewPolicy,
    StandingRelease,
    ReviewerNote,
    SavedView,
    TimerRule,
)
from .process import workflow
from .process.workflow.offers import offers


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineItemInline(ReadOnlyInline):
    model = LineItem
    fields = ["description", "capability", "quantity", "unit_cost_usd", "is_mde", "is_design_construction"]


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ["outcome", "reason", "decided_by", "decided_at"]


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "verb", "from_stage", "to_stage", "actor", "payload"]
    ordering = ["at", "id"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Cases and their parts change only through cases.process.services, which keep stages and audit consistent."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def step_action(rule):
    """An admin action taking one step of the rule book on every selected case; each case the rule
    refuses is reported with the rule's reason, and nothing is written for it."""

    def take(modeladmin, request, queryset):
        done, refused = [], []
        for case in queryset.order_by("pk"):
            try:
                workflow.perform(case, rule.action, actor=request.user)
                done.append(case.case_number)
            except workflow.WorkflowError as refusal:
                refused.append(f"{case.case_number}: {refusal.message}")
        if done:
            modeladmin.message_user(request, f"{rule.label}: {', '.join(done)}.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    take.__name__ = f"take_{rule.action.value}"
    take.short_description = f"{rule.label} (selected cases)"
    return take


# The steps a person takes with nothing to type; the others (a reason, a date) on the case page.
STEP_ACTIONS = {rule.action: step_action(rule) for rule in workflow.STEPS.values()
                if not any(spec.required for spec in rule.inputs)}


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    change_form_template = "admin/cases/case/change_form.html"

    def get_actions(self, request):
        """Only the steps the user's role may take; the rule book judges each case when one is taken."""
        actions = super().get_actions(request)
        for action, take in STEP_ACTIONS.items():
            if workflow.permitted(workflow.RULES[action], request.user):
                actions[take.__name__] = (take, take.__name__, take.short_description)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The case's steps as the rule book judges them for this user now (the change form lists them)."""
        case = self.get_object(request, object_id)
        extra = {"steps_now": offers(case, request.user) if case else []}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    list_display = ["case_number", "title", "country", "implementing_agency", "stage", "primary_capability",
                    "total_value_usd", "created_at"]
    list_filter = ["stage", "implementing_agency", "primary_capability", "country__region", "country"]
    search_fields = ["case_number", "title", "country__name"]
    list_select_related = ["country", "implementing_agency", "primary_capability"]
    date_hierarchy = "created_at"
    inlines = [LineItemInline, DecisionInline, CaseEventInline]


@admin.register(LetterOfRequest)
class LetterOfRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "request_type", "funding_source", "received_at", "validation_due_on", "completed_at"]
    list_filter = ["request_type", "funding_source"]
    search_fields = ["case__case_number", "originator_reference"]
    list_select_related = ["case"]


@admin.register(LetterOfOfferAndAcceptance)
class LoaAdmin(ReadOnlyAdmin):
    list_display = ["case", "development_group", "anticipated_offer_date", "ia_approved_on", "offer_expires_on",
                    "offered_on", "signed_on"]
    list_filter = ["development_group"]
    search_fields = ["case__case_number"]
    list_select_related = ["case"]


@admin.register(CongressionalNotification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["case", "required", "tier", "formal_notified_on", "review_ends_on", "emergency_waiver",
                    "cleared_on"]
    list_filter = ["required", "tier", "emergency_waiver"]
    search_fields = ["case__case_number"]
    list_select_related = ["case"]


@admin.register(JointRequest)
class JointRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "model", "lead_nation", "filed_by", "created_at"]
    list_filter = ["model"]
    search_fields = ["title"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    search_fields = ["case__case_number", "reason"]
    list_select_related = ["case", "decided_by"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "verb", "from_stage", "to_stage", "actor"]
    list_filter = ["verb", "to_stage"]
    search_fields = ["case__case_number"]
    list_select_related = ["case", "actor"]


@admin.register(ImplementingAgency)
class ImplementingAgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["tier", "effective_from", "mde_threshold_usd", "total_threshold_usd",
                    "design_construction_threshold_usd", "formal_review_days", "informal_review_days"]
    list_filter = ["tier"]
    search_fields = ["source"]


@admin.register(TimerRule)
class TimerRuleAdmin(admin.ModelAdmin):
    list_display = ["timer", "effective_from", "days", "source"]
    list_filter = ["timer"]
    search_fields = ["source"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(ConcurrenceRule)
class ConcurrenceRuleAdmin(admin.ModelAdmin):
    """A change is a new row with a later effective date; `required` off ends an earlier row's demand."""

    list_display = ["office", "effective_from", "scope", "required", "source"]
    list_filter = ["office", "required", "tsfd_only"]
    search_fields = ["source", "office__name"]
    list_select_related = ["office"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    """A bin's process; a change is a new row with a later date (a batch keeps the row it opened under)."""

    list_display = ["__str__", "effective_from", "window_days", "window_cases", "decision_days", "concurrence_days"]
    list_filter = ["bin"]
    list_select_related = ["bin"]


@admin.register(StandingRelease)
class StandingReleaseAdmin(admin.ModelAdmin):
    """A technology release covering a bin's members; `covered` off on a later row revokes it."""

    list_display = ["bin", "capability", "effective_from", "covered", "decision"]
    list_filter = ["bin", "covered", "capability"]
    search_fields = ["decision", "source"]
    list_select_related = ["bin", "capability"]


class CarveOutInline(ReadOnlyInline):
    model = CaseConcurrence
    fields = ["case", "answer", "reason", "answered_by", "answered_at"]


@admin.register(ConcurrenceRequest)
class ConcurrenceRequestAdmin(ReadOnlyAdmin):
    """Asked and answered through the rule book (the batch page and the API), never written here."""

    list_display = ["batch", "office", "asked_at", "due_on", "answer", "answered_by", "answered_at"]
    list_filter = ["office", "answer"]
    search_fields = ["batch__group_key"]
    list_select_related = ["office", "answered_by"]
    inlines = [CarveOutInline]


@admin.register(CaseConcurrence)
class CaseConcurrenceAdmin(ReadOnlyAdmin):
    list_display = ["request", "case", "answer", "answered_by", "answered_at"]
    list_filter = ["answer"]
    search_fields = ["case__case_number"]
    list_select_related = ["request__office", "case", "answered_by"]


@admin.register(DesignatorSequence)
class DesignatorSequenceAdmin(ReadOnlyAdmin):
    """Shown for reference; only cases.process.numbering advances a sequence."""

    list_display = ["country", "implementing_agency", "last_issued"]
    list_filter = ["implementing_agency"]
    search_fields = ["country__name", "country__iso2"]
    list_select_related = ["country", "implementing_agency"]


@admin.register(CaseSearch)
class CaseSearchAdmin(ReadOnlyAdmin):
    """Shown for reference; only cases.reads.search writes a vector."""

    list_display = ["case"]
    search_fields = ["case__case_number"]
    list_select_related = ["case"]


@admin.register(LineItem)
class LineItemAdmin(ReadOnlyAdmin):
    list_display = ["case", "description", "capability", "quantity", "unit_cost_usd", "is_mde"]
    list_filter = ["capability", "is_mde", "is_design_construction"]
    search_fields = ["description", "case__case_number"]
    list_select_related = ["case", "capability"]


@admin.register(ReviewBatch)
class ReviewBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "group_key", "capability", "status", "created_at", "review_started_at", "decided_at",
                    "assigned_reviewer"]
    list_filter = ["status", "capability", "bin", "region"]
    search_fields = ["group_key"]
    list_select_related = ["capability", "assigned_reviewer"]


@admin.register(ReviewerNote)
class ReviewerNoteAdmin(ReadOnlyAdmin):
    list_display = ["case", "author", "created_at"]
    search_fields = ["case__case_number", "text"]
    list_filter = ["author"]
    list_select_related = ["case", "author"]


@admin.register(RetransferAssurance)
class RetransferAssuranceAdmin(ReadOnlyAdmin):
    """Recorded through the rule book (NSPA's step on the case), never written here."""

    list_display = ["case", "given_on", "reference", "recorded_by", "recorded_at"]
    search_fields = ["case__case_number", "reference"]
    list_select_related = ["case", "recorded_by"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "shared", "query", "created_at"]
    list_filter = ["shared"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "key", "status_code", "created_at"]
    list_filter = ["status_code"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "country", "office"]
    list_filter = ["role", "country"]
    search_fields = ["user__username", "office__name"]
    list_select_related = ["user", "country"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class FmsUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "profile__role", "profile__country", "is_active", "is_staff"]
    list_filter = ["profile__role", "profile__country", "is_active", "is_staff"]
    list_select_related = ["profile"]


from . import admin_notices  # noqa: E402, F401 - registers the notification models
