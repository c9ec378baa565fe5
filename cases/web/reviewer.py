"""The reviewer's rooms: the batch queue (dashboard) and one batch side by side with its decision form."""
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import EMPTY_VALUES
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..models import REVIEWERS, Answer, Case, Outcome, ReviewBatch, SavedView, Verb
from ..process import workflow
from ..process.stages import BatchAction
from ..process.workflow.inputs import BATCH_MEMO, DECISION_REASON
from ..process.workflow.offers import batch_offers, decidable_cases
from ..reads.filters import BatchFilter
from ..reads.queries import batch_queue
from ..review import policy, queue_pages
from ..review.batch_facts import attach_case_facts, waiting_late_q
from ..review.record import attach_record
from ..review.services import (
    answer_concurrence,
    assign_batch,
    decide_batch,
    start_batch,
    withdraw_non_concurrence,
    write_memo,
)
from .access import roles
from .concurrence import ConcurrenceForm, WithdrawalForm, concurrence_context

QUEUE_PAGE_SIZE = 25


class QueueOrdering(django_filters.OrderingFilter):
    """The chosen order, ties broken by the batch's key in the same direction: pages do not shift, and
    one index (batch_member_*_idx, batch_newest_idx) serves an order and its reverse."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value in EMPTY_VALUES:
            return qs
        *_, last = qs.query.order_by
        return qs.order_by(*qs.query.order_by, "-id" if last.startswith("-") else "id")


class QueueFilter(BatchFilter):
    mine = django_filters.BooleanFilter(method="only_mine", label="My batches", widget=forms.CheckboxInput)
    stalled = django_filters.BooleanFilter(method="only_stalled", label="Stalled only",
                                           widget=forms.CheckboxInput)
    ordering = QueueOrdering(
        fields=(("created_at", "created"), ("member_since", "oldest"), ("member_value_usd", "value"),
                ("member_count", "cases")),
        # Said as a reviewer would: "oldest" ascending is the batch whose case has waited longest.
        choices=[("-created", "Newest batch first"), ("created", "Oldest batch first"),
                 ("oldest", "Longest-waiting case first"), ("-value", "Highest value first"),
                 ("value", "Lowest value first"), ("-cases", "Most cases first")],
        label="Sort by", empty_label="Newest batch first",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A group key ("bin:<slug>") is the API's; people choose a bin or a region by name.
        del self.filters["key"]
        for name, anything in (("bin", "Any bin"), ("region", "Any region"), ("capability", "Any capability")):
            self.filters[name].extra["empty_label"] = anything

    def only_mine(self, queryset, name, value):
        return queryset.filter(assigned_reviewer=self.request.user) if value else queryset

    def only_stalled(self, queryset, name, value):
        return queryset.filter(waiting_late_q(timezone.localdate())) if value else queryset


@roles(*REVIEWERS)
def dashboard(request):
    return queue_page(request, request.GET)


def queue_page(request, params, status=None):
    """The queue filtered by `params`; `status` for a page shown after a refused form. The filters and rows
    of a valid query are kept between requests until what they show changes (cases.review.queue_pages)."""
    queue = QueueFilter(params, queryset=batch_queue(request.user).order_by("-created_at", "-id"), request=request)
    valid = queue.is_valid()
    key = queue_pages.key_for(request.user, params) if valid else None
    shown = queue_pages.kept(key)
    if shown is None:
        shown = queue_shown(request, queue, params, valid)
        queue_pages.keep(key, shown)
    if request.headers.get("HX-Request") == "true":
        return render(request, "reviewer/_queue_partial.html", {"queue": shown}, status=status or (200 if valid else 400))
    query = params.copy()
    query.pop("page", None)
    context = {"queue": shown, "query": query.urlencode(),
               "saved_views": SavedView.objects.usable_by(request.user).select_related("owner")}
    return render(request, "reviewer/dashboard.html", context, status=status or (200 if valid else 400))


@dataclass(frozen=True)
class QueueShown:
    """The queue's filter bar, rows (with the pager) and count, as rendered for one query and reader."""

    filters: str
    rows: str
    count: str


def queue_shown(request, queue, params, valid):
    page = Paginator(queue.qs if valid else ReviewBatch.objects.none(), QUEUE_PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    # The parts read nothing of the context processors' (the reader is in the key): a plain context each.
    context = {"filter": queue, "page": page, "batches": attach_case_facts(page.object_list), "query": query.urlencode(),
               "request": request}
    return QueueShown(*(render_to_string(f"reviewer/{part}.html", context)
                        for part in ("_queue_filters", "_queue", "_queue_count")))


class DecisionForm(forms.Form):
    cases = forms.MultipleChoiceField(label="Cases", error_messages={
        "required": "Select at least one case."})
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label="Decision")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000,
                             label=DECISION_REASON.label, help_text=DECISION_REASON.help)

    def __init__(self, *args, open_cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(case.case_number, case.case_number) for case in open_cases]


# How far along the queue the batch page looks for its previous and next batch.
NEIGHBOURS_WITHIN = 1000


def queue_neighbours(request, batch):
    """The batches before and after `batch` in the queue as the reviewer left it (its filters and sort
    come along in the query string), or None at either end or beyond NEIGHBOURS_WITHIN."""
    queue = QueueFilter(request.GET, queryset=batch_queue(request.user).order_by("-created_at", "-id"),
                        request=request)
    if not queue.is_valid():
        return None, None
    order = list(queue.qs.values_list("pk", flat=True)[:NEIGHBOURS_WITHIN])
    if batch.pk not in order:
        return None, None
    at = order.index(batch.pk)
    return (order[at - 1] if at else None), (order[at + 1] if at + 1 < len(order) else None)


def reviewers_but(holder):
    """The reviewers a batch may be given to: every active one but its holder."""
    return (get_user_model().objects.filter(is_active=True, profile__role__in=REVIEWERS)
            .exclude(pk=getattr(holder, "pk", None)).order_by("username"))


def batch_context(request, pk, form=None, memo_form=None, concur_form=None, withdrawal_form=None):
    batch = get_object_or_404(batch_queue(request.user).select_related("policy__bin", "memo_by").order_by(), pk=pk)
    cases = attach_record(attach_case_facts([batch])[0], request.user).record
    allowed = batch_offers(batch, request.user)
    open_cases = decidable_cases(batch, cases, request.user) if BatchAction.DECIDE in allowed else []
    form = form or DecisionForm(open_cases=open_cases)
    previous, following = queue_neighbours(request, batch)
    return {**concurrence_context(request, batch, cases, allowed, form=concur_form, withdrawal=withdrawal_form),
            "batch": batch, "cases": cases, "open_cases": open_cases, "form": form,
            "policy": policy.summary(batch, batch.case_count),
            "can_start": BatchAction.START in allowed, "decidable": bool(open_cases),
            "reviewers": reviewers_but(batch.assigned_reviewer) if BatchAction.ASSIGN in allowed else None,
            "memo_form": (memo_form or MemoForm()) if BatchAction.WRITE_MEMO in allowed else None,
            "decided_here": sum(1 for case in cases if case.decided_here), "left": sum(c.left_batch for c in cases),
            "queue_query": request.GET.urlencode(), "previous": previous, "next": following}


def back_to_batch(request, pk):
    """The batch page again, with the queue's filters it came with (for its way back and on)."""
    query = request.GET.urlencode()
    return redirect(reverse("batch", args=[pk]) + (f"?{query}" if query else ""))


# Batch pages are scoped rather than role-gated: outside a reviewer's scope a batch simply does not exist (404).
@login_required
def batch_page(request, pk):
    return render(request, "reviewer/batch.html", batch_context(request, pk))


@require_POST
@login_required
def batch_start(request, pk):
    batch = get_object_or_404(ReviewBatch.objects.visible_to(request.user), pk=pk)
    try:
        start_batch(batch, reviewer=request.user)
    except workflow.WorkflowError as refusal:
        return refused(request, pk, refusal, refusal.message)
    messages.success(request, "You have taken this batch; its membership is frozen and its offices are asked.")
    return back_to_batch(request, pk)


def refused(request, pk, refusal, text):
    """The batch page again, with the rule book's reason and the status that says why."""
    messages.error(request, text)
    return render(request, "reviewer/batch.html", batch_context(request, pk), status=refusal_status(refusal))


def refusal_status(refusal):
    return 400 if refusal.errors else 403 if isinstance(refusal, workflow.NotPermitted) else 409


@require_POST
@login_required
def batch_assign(request, pk):
    batch = get_object_or_404(ReviewBatch.objects.visible_to(request.user), pk=pk)
    try:
        batch = assign_batch(batch, request.POST.get("reviewer", ""), by=request.user)
    except workflow.WorkflowError as refusal:
        return refused(request, pk, refusal, " ".join([refusal.message, *(refusal.errors or {}).get("reviewer", [])]))
    messages.success(request, f"The batch is now {batch.assigned_reviewer.username}'s.")
    return back_to_batch(request, pk)


class MemoForm(forms.Form):
    memo = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=BATCH_MEMO.max_length,
                           label=BATCH_MEMO.label, help_text=BATCH_MEMO.help)


@require_POST
@login_required
def batch_memo(request, pk):
    batch = get_object_or_404(ReviewBatch.objects.visible_to(request.user), pk=pk)
    form = MemoForm(request.POST)
    if not form.is_valid():
        return render(request, "reviewer/batch.html", batch_context(request, pk, memo_form=form), status=400)
    try:
        write_memo(batch, form.cleaned_data["memo"], by=request.user)
    except workflow.WorkflowError as refusal:
        return refused(request, pk, refusal, " ".join([refusal.message, *(refusal.errors or {}).get("memo", [])]))
    messages.success(request, "The batch memo is written; reviewers see it on each case.")
    return back_to_batch(request, pk)


@require_POST
@login_required
def batch_decide(request, pk):
    context = batch_context(request, pk)
    form = DecisionForm(request.POST, open_cases=context["open_cases"])
    if not form.is_valid():
        return render(request, "reviewer/batch.html", batch_context(request, pk, form=form), status=400)
    outcome, reason = form.cleaned_data["outcome"], form.cleaned_data["reason"]
    try:
        decide_batch(context["batch"], [{"case": case, "outcome": outcome, "reason": reason}
                                        for case in form.cleaned_data["cases"]], reviewer=request.user)
    except workflow.WorkflowError as refusal:
        show_refusal(form, refusal)
        return render(request, "reviewer/batch.html", batch_context(request, pk, form=form),
                      status=refusal_status(refusal))
    count = len(form.cleaned_data["cases"])
    messages.success(request, f"{count} case{'s' if count != 1 else ''} {Verb(outcome).label.lower()}.")
    return back_to_batch(request, pk)


def show_refusal(form, refusal):
    """The rule book's reasons on the form, each once: per-case input errors ("decisions.3.reason") on
    their field, the rest above the form."""
    problems = {}
    for key, texts in (refusal.errors or {"": [refusal.message]}).items():
        name = key.rsplit(".", 1)[-1]
        field = name if name in form.fields else None
        for text in texts:
            if text not in problems.setdefault(field, []):
                problems[field].append(text)
    for field, texts in problems.items():
        form.add_error(field, texts)


@login_required
def concurrence_grid(request, pk):
    """The grid alone, for the batch page to refresh while offices answer (htmx): the batch's cases now
    and those decided in it, without the rest of the page's reads."""
    batch = get_object_or_404(batch_queue(request.user).order_by(), pk=pk)
    cases = sorted(Case.objects.filter(Q(review_batch=batch) | Q(decisions__batch=batch)).distinct(),
                   key=lambda case: (case.joint_request_id is None, case.joint_request_id or 0, case.country_id, case.pk))
    return render(request, "reviewer/_concurrence_grid.html",
                  {"batch": batch, "cases": cases, **concurrence_context(request, batch, cases, {})})


@require_POST
@login_required
def batch_concur(request, pk):
    context = batch_context(request, pk)
    form = ConcurrenceForm(request.POST, cases=context["office_cases"])
    if not form.is_valid():
        return render(request, "reviewer/batch.html", batch_context(request, pk, concur_form=form), status=400)
    try:
        answer_concurrence(context["batch"], by=request.user, answer=form.cleaned_data["answer"],
                           reason=form.cleaned_data["reason"], carve_outs=form.carve_outs())
    except workflow.WorkflowError as refusal:
        form.show(refusal)
        return render(request, "reviewer/batch.html", batch_context(request, pk, concur_form=form),
                      status=refusal_status(refusal))
    messages.success(request, f"Your office's answer is recorded: {Answer(form.cleaned_data['answer']).label.lower()}.")
    return back_to_batch(request, pk)


@require_POST
@login_required
def batch_withdraw(request, pk):
    context = batch_context(request, pk)
    form = WithdrawalForm(request.POST, cases=context["office_cases"])
    if not form.is_valid():
        return render(request, "reviewer/batch.html", batch_context(request, pk, withdrawal_form=form), status=400)
    try:
        withdraw_non_concurrence(context["batch"], by=request.user, case=form.cleaned_data["case"],
                                 reason=form.cleaned_data["reason"])
    except workflow.WorkflowError as refusal:
        for key, texts in (refusal.errors or {None: [refusal.message]}).items():
            form.add_error(key if key in form.fields else None, texts)
        return render(request, "reviewer/batch.html", batch_context(request, pk, withdrawal_form=form),
                      status=refusal_status(refusal))
    messages.success(request, "The non-concurrence is withdrawn.")
    return back_to_batch(request, pk)
