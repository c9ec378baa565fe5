"""The case list (with its CSV export) and the case page, for every role, scoped by visible_to."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..models import EVERY_ROLE, REVIEWERS, Case, Decision, Role
from ..process import workflow
from ..process.deadlines import due_dates
from ..process.services.lor import AMENDMENTS, amend_lor, amendment_for
from ..process.services.notes import add_note
from ..process.stages import Action
from ..process.workflow.offers import checklist, offers
from ..reads.access import role_of
from ..reads.filters import CaseFilter
from ..reads.queries import case_page_queryset
from ..reads import search
from ..reads.search import visible_case_number
from ..reads.timeline import stage_spans
from ..reads.trail import trail
from ..review.record import latest_resubmission
from .access import roles
from .exports import csv_response
from .portal import LineItemForm, LineItemFormSet, LorDetailsForm, item_values, kept_items, show_errors

LIST_PAGE_SIZE = 50
AMENDING_STEPS = {workflow.RULES[action].step for action in AMENDMENTS}


class CaseListPaginator(Paginator):
    """Cuts the page's keys out of the cases alone, then reads those rows, with their LOR, LOA and
    notification, by key from `rows`. A search orders every match by its rank: joining those to each
    match before the cut cost twice the search itself (116,000 matches, make bench), and reading the
    page as "the filtered cases whose key is in the cut" ran the search a second time (a country's name,
    5,224 matches: 78 ms of a page's 176)."""

    def __init__(self, object_list, per_page, *, rows):
        super().__init__(object_list, per_page)
        self.rows = rows

    def page(self, number):
        page = super().page(number)
        keys = list(page.object_list.values_list("pk", flat=True))
        found = self.rows.in_bulk(keys)
        page.object_list = [found[key] for key in keys]
        return page


def listed_cases(request):
    return CaseFilter(request.GET, queryset=Case.objects.visible_to(request.user), request=request)


def listed_rows(request):
    """The cases of a list page, with what their row shows."""
    return Case.objects.visible_to(request.user).select_related(
        "lor", "loa", "notification", "review_batch").prefetch_related(
        Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-id"))
    )


@roles(*EVERY_ROLE)
def case_list(request):
    """The cases the user may see, filtered and searched; a search that is the number of a case the user
    may see goes straight to that case."""
    cases = listed_cases(request)
    valid = cases.is_valid()
    if valid and (number := visible_case_number(request.user, cases.form.cleaned_data.get("search"))):
        return redirect("case", number)
    page = CaseListPaginator(cases.qs if valid else Case.objects.none(), LIST_PAGE_SIZE,
                             rows=listed_rows(request)).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.next_due = next(iter(due_dates(case)), None)
        case.latest_decision = next(iter(case.decisions.all()), None)
    query = request.GET.copy()
    query.pop("page", None)
    search_text = cases.form.cleaned_data.get("search", "")
    capped = f"{search.CANDIDATES:,}" if search_text and page.paginator.count >= search.CANDIDATES else None
    return render(request, "cases/list.html", {"filter": cases, "page": page, "query": query.urlencode(),
                                               "search_text": search_text, "capped": capped,
                                               "can_submit": role_of(request.user) == Role.LIAISON})


@roles(*EVERY_ROLE)
def case_export(request):
    """The list the user is looking at, as CSV: the same filters, the same visible_to scope, every row
    (not one page), streamed from one query."""
    cases = listed_cases(request)
    if not cases.is_valid():
        return HttpResponse("Invalid filters: " + cases.errors.as_text(), status=400, content_type="text/plain")
    return csv_response("cases.csv", EXPORT_HEADER, export_rows(cases.qs))


EXPORT_HEADER = ["case_number", "country", "title", "stage", "capability", "total_value_usd", "created", "decision",
                 "reason"]


def export_rows(cases):
    """The export's rows, read in chunks (a server-side cursor on PostgreSQL); each case's latest decision
    joined in the same query."""
    latest = Decision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-id")
    rows = (cases.select_related(None).prefetch_related(None)
            .annotate(decision=Subquery(latest.values("outcome")[:1]), reason=Subquery(latest.values("reason")[:1]))
            .values_list("case_number", "country_id", "title", "stage", "primary_capability_id", "total_value_usd",
                         "created_at", "decision", "reason"))
    for *fields, created_at, decision, reason in rows.iterator(chunk_size=2000):
        yield [*fields, created_at.isoformat(), decision or "", reason or ""]


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Internal note")


FIELD_KINDS = {"date": lambda spec: forms.DateField(required=False, label=spec.label,
                                                  widget=forms.DateInput(attrs={"type": "date"})),
               "text": lambda spec: forms.CharField(required=False, label=spec.label, max_length=spec.max_length,
                                                    error_messages={"max_length": spec.too_long},
                                                    widget=forms.Textarea(attrs={"rows": 2}))}


def step_form(rule, data=None):
    """The form of one step: its inputs from the rule book, parsed into types and nothing more."""
    fields = {spec.name: FIELD_KINDS[spec.kind](spec) for spec in rule.inputs}
    form = type(f"{rule.action.value}_form", (forms.Form,), fields)(data, prefix=rule.step)
    form.rule = rule
    return form


def amendment_forms(case, data=None):
    """The amendment the case's stage allows, as forms: the LOR's fields with the rule's own inputs (a
    returned LOR's reply to the reviewer), and its line items, shown as the purchaser sent them."""
    rule = amendment_for(case)
    fields = {spec.name: FIELD_KINDS[spec.kind](spec) for spec in (rule.inputs if rule else ())}
    form_class = type("AmendmentForm", (LorDetailsForm,), fields)
    if data is None:
        form, items = form_class.for_lor(case.lor), LineItemFormSet(prefix="items", initial=LineItemForm.initial_of(case))
    else:
        form, items = form_class(data), LineItemFormSet(data, prefix="items")
    form.rule = rule
    return form, items


def visible_case(request, number):
    return get_object_or_404(case_page_queryset().visible_to(request.user), case_number=number)


@roles(*EVERY_ROLE)
def case_page(request, number, *, failed=None, note_form=None, amending=None, status=200):
    """The case, what the user may do with it now, and what stands between it and its next stage.
    `failed`: a step refused just now, as (step, its form, the refusal), shown at its form."""
    case = visible_case(request, number)
    reviewer = role_of(request.user) in REVIEWERS
    listed, gates, due = offers(case, request.user), checklist(case), due_dates(case)
    allowed = [offer.rule for offer in listed if offer.allowed]
    forms_shown = [failed[1] if failed and failed[0] == rule.step else step_form(rule)
                   for rule in allowed if rule.step not in AMENDING_STEPS]
    context = {
        "case": case,
        "spans": stage_spans(case),
        "due": due,
        "gates": gates,
        "step_forms": forms_shown,
        "blocked": [offer for offer in listed if not offer.allowed],
        "failed": failed,
        "amending": (amending or amendment_forms(case)) if any(rule.step in AMENDING_STEPS for rule in allowed)
        else None,
        "is_reviewer": reviewer,
        "notes": case.notes.select_related("author") if reviewer else None,
        "note_form": note_form or NoteForm(),
        "decisions": list(case.decisions.all()),
        "trail": trail(case, request.user),
        "resubmission": latest_resubmission(case.events.all()),
    }
    return render(request, "cases/case.html", context, status=status)


REFUSAL_STATUS = {workflow.NotPermitted: 403}


@require_POST
@roles(*EVERY_ROLE)
def case_step(request, number, step):
    """Take one step of the rule book; a refusal shows the page again with the rule's reason."""
    rule = workflow.STEPS.get(step)
    if rule is None or step in AMENDING_STEPS:
        raise Http404
    case = visible_case(request, number)
    form = step_form(rule, request.POST)
    if form.is_valid():
        try:
            workflow.perform(case, rule.action, actor=request.user, inputs=form.cleaned_data)
        except workflow.WorkflowError as refusal:
            for field, problems in (refusal.errors or {}).items():
                form.add_error(field if field in form.fields else None, problems)
            status = 400 if refusal.errors else REFUSAL_STATUS.get(type(refusal), 409)
            return case_page(request, number, failed=(step, form, refusal.message), status=status)
        messages.success(request, f"{rule.label}: done.")
        return redirect("case", number)
    return case_page(request, number, failed=(step, form, None), status=400)


@require_POST
@roles(*EVERY_ROLE)
def case_withdraw(request, number):
    return case_step(request, number, workflow.RULES[Action.WITHDRAW].step)


@require_POST
@roles(*EVERY_ROLE)
def case_amend(request, number):
    """Supply what the LOR lacked, or correct a returned LOR and resubmit it."""
    case = visible_case(request, number)
    form, items = amending = amendment_forms(case, request.POST)
    if not (form.is_valid() and items.is_valid()):
        return case_page(request, number, amending=amending, status=400)
    kept = kept_items(items)
    changes = {name: form.cleaned_data[name] for name in LorDetailsForm.base_fields}
    try:
        case = amend_lor(case, changes, actor=request.user, line_items=item_values(kept),
                         reply=form.cleaned_data.get("reply", ""))
    except ValidationError as error:
        show_errors(error.message_dict, form, kept)
        return case_page(request, number, amending=amending, status=400)
    except workflow.WorkflowError as refusal:
        form.add_error(None, refusal.message)
        return case_page(request, number, amending=amending, status=REFUSAL_STATUS.get(type(refusal), 409))
    messages.success(request, f"Letter of Request updated: the case is now {case.get_stage_display()}.")
    return redirect("case", number)


@require_POST
@roles(*REVIEWERS)
def case_note(request, number):
    case = visible_case(request, number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(case, author=request.user, text=form.cleaned_data["text"])
            return redirect("case", number)
        except ValidationError as error:
            form.add_error("text", error.message_dict["text"])
    return case_page(request, number, note_form=form, status=400)
