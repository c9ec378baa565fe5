"""The case list (with its CSV export) and the case page, for every role, scoped by visible_to."""
import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as InputError

from ..models import Case, Decision, Role
from ..process import workflow
from ..process.services.lor import amend_lor, withdraw_case
from ..process.services.notes import add_note
from ..process.stages import Stage
from ..process.steps import STEPS, StepInput, needs, offered_steps
from ..process.workflow import BEFORE_ACCEPTANCE
from ..reads.access import role_of
from ..reads.filters import CaseFilter
from ..reads.queries import case_page_queryset
from ..reads.timeline import due_dates, stage_spans
from .access import REVIEWERS, roles
from .portal import LorDetailsForm

ALL_ROLES = (Role.REVIEWER, Role.ADMIN, Role.LIAISON, Role.NSPA)
LIST_PAGE_SIZE = 50


def listed_cases(request):
    queryset = Case.objects.visible_to(request.user).select_related("lor", "loa", "notification").prefetch_related(
        Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-id"))
    )
    return CaseFilter(request.GET, queryset=queryset)


@roles(*ALL_ROLES)
def case_list(request):
    cases = listed_cases(request)
    page = Paginator(cases.qs if cases.is_valid() else Case.objects.none(), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for case in page.object_list:
        case.next_due = next(iter(due_dates(case)), None)
        case.latest_decision = next(iter(case.decisions.all()), None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/list.html", {"filter": cases, "page": page, "query": query.urlencode(),
                                               "can_submit": role_of(request.user) == Role.LIAISON})


@roles(*ALL_ROLES)
def case_export(request):
    """The list the user is looking at, as CSV: the same filters, the same visible_to scope."""
    cases = listed_cases(request)
    if not cases.is_valid():
        return HttpResponse("Invalid filters: " + cases.errors.as_text(), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    writer = csv.writer(response)
    writer.writerow(["case_number", "country", "title", "stage", "capability", "total_value_usd", "created",
                     "decision", "reason"])
    for case in cases.qs.iterator(chunk_size=2000):
        decision = next(iter(case.decisions.all()), None)
        writer.writerow([case.case_number, case.country_id, case.title, case.stage, case.primary_capability_id,
                         case.total_value_usd, case.created_at.isoformat(), decision.outcome if decision else "",
                         decision.reason if decision else ""])
    return response


AMENDABLE_STAGES = (Stage.LOR_RECEIVED, Stage.LOR_RETURNED)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Internal note")


def visible_case(request, pk):
    return get_object_or_404(case_page_queryset().visible_to(request.user), pk=pk)


@roles(*ALL_ROLES)
def case_page(request, pk, note_form=None, step_errors=None, amend_form=None):
    case = visible_case(request, pk)
    role = role_of(request.user)
    reviewer = role in REVIEWERS
    can_amend = role == Role.LIAISON and case.stage in AMENDABLE_STAGES
    context = {
        "amend_form": (amend_form or LorDetailsForm.for_lor(case.lor)) if can_amend else None,
        "case": case,
        "spans": stage_spans(case),
        "due": due_dates(case),
        "steps": offered_steps(case, role),
        "step_errors": step_errors or {},
        "is_reviewer": reviewer,
        "can_withdraw": role == Role.LIAISON and case.stage in BEFORE_ACCEPTANCE,
        "notes": case.notes.select_related("author") if reviewer else None,
        "note_form": note_form or NoteForm(),
        "decisions": list(case.decisions.all()),
    }
    return render(request, "cases/case.html", context, status=400 if (note_form or step_errors or amend_form) else 200)


@require_POST
@roles(*ALL_ROLES)
def case_step(request, pk, step):
    spec = STEPS.get(step)
    if spec is None:
        raise Http404
    case = visible_case(request, pk)
    if role_of(request.user) not in spec.roles:
        messages.error(request, "Your role may not take this step.")
        return redirect("case", pk=pk)
    data = StepInput(data={key: value for key, value in request.POST.items() if value and key != "csrfmiddlewaretoken"})
    try:
        data.is_valid(raise_exception=True)
        needs(data.validated_data, *spec.needs)
        spec.run(case, request.user, data.validated_data)
    except InputError as error:
        return case_page(request, pk, step_errors={step: error.detail})
    except ValidationError as error:
        return case_page(request, pk, step_errors={step: error.message_dict})
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("case", pk=pk)
    messages.success(request, f"{spec.label}: done.")
    return redirect("case", pk=pk)


@require_POST
@roles(Role.LIAISON)
def case_withdraw(request, pk):
    case = visible_case(request, pk)
    try:
        withdraw_case(case, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "The request is withdrawn.")
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    return redirect("case", pk=pk)


@require_POST
@roles(Role.LIAISON)
def case_amend(request, pk):
    """Supply what the LOR lacked, or correct a returned LOR and resubmit it."""
    case = visible_case(request, pk)
    form = LorDetailsForm(request.POST)
    if not form.is_valid():
        return case_page(request, pk, amend_form=form)
    try:
        case = amend_lor(case, form.cleaned_data, actor=request.user)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return case_page(request, pk, amend_form=form)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("case", pk=pk)
    messages.success(request, f"Letter of Request updated: the case is now {case.get_stage_display()}.")
    return redirect("case", pk=pk)


@require_POST
@roles(*REVIEWERS)
def case_note(request, pk):
    case = visible_case(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(case, author=request.user, text=form.cleaned_data["text"])
            return redirect("case", pk=pk)
        except ValidationError as error:
            form.add_error("text", error.message_dict["text"])
    return case_page(request, pk, note_form=form)

