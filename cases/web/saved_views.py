"""Saved views of the review queue: a reviewer names the filters and sort in front of them, keeps them for
themselves or shares them with every reviewer, and applies one with a click."""
from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from ..models import REVIEWERS, ReviewBatch, SavedView
from .access import roles
from .reviewer import QueueFilter, queue_page


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name", "query", "shared"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_query(self):
        query = QueryDict(self.cleaned_data["query"], mutable=True)
        query.pop("page", None)
        if not QueueFilter(query, queryset=ReviewBatch.objects.none(), request=self.request).is_valid():
            raise forms.ValidationError("These filters are not ones the queue accepts.")
        return query.urlencode()


@require_POST
@roles(*REVIEWERS)
def save_view(request):
    form = SavedViewForm(request.POST, instance=SavedView(owner=request.user), request=request)
    if form.is_valid():
        try:
            with transaction.atomic():
                view = form.save()
        except IntegrityError:
            messages.error(request, f"You already have a view called {form.cleaned_data['name']}.")
            return queue_page(request, QueryDict(form.cleaned_data["query"]), status=409)
        messages.success(request, f"Saved the view {view.name}{' for every reviewer' if view.shared else ''}.")
        return redirect_to_queue(view.query)
    messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return queue_page(request, QueryDict(), status=400)


@require_POST
@roles(*REVIEWERS)
def delete_view(request, pk):
    view = get_object_or_404(SavedView.objects.filter(owner=request.user), pk=pk)
    view.delete()
    messages.success(request, f"Deleted the view {view.name}.")
    return redirect("home")


def redirect_to_queue(query):
    response = redirect("home")
    if query:
        response["Location"] += f"?{query}"
    return response
