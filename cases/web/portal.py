"""The liaison's LOR form: the LOR fields and its line items, added and removed in place."""
import uuid

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from bins.models import Capability

from ..models import (
    Case,
    FundingSource,
    ImplementingAgency,
    RequestType,
    Role,
)
from ..process.services.submission import MAX_LINE_ITEMS, MAX_QUANTITY, submit_lor
from ..shortcuts.choices import ReferenceChoiceField, SharedChoicesFormSet
from .access import roles
from .filing import file_once


class LorDetailsForm(forms.Form):
    """The LOR fields a purchaser writes, and may later supply or correct (see case_pages.case_amend)."""

    request_type = forms.ChoiceField(choices=RequestType.choices)
    funding_source = forms.ChoiceField(choices=FundingSource.choices)
    desired_delivery_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    originator_reference = forms.CharField(max_length=60, required=False, label="Your reference number")
    third_party_involvement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                              required=False)

    @classmethod
    def for_lor(cls, lor):
        return cls(initial={name: getattr(lor, name) for name in LorDetailsForm.base_fields})


class LorForm(LorDetailsForm):
    title = forms.CharField(max_length=200)
    implementing_agency = ReferenceChoiceField(ImplementingAgency.objects.all(), empty_label=None)
    # One per rendered form: posting the same form twice (a double click, a resent request) files once.
    submission = forms.UUIDField(widget=forms.HiddenInput)

    field_order = ["title", "implementing_agency"]


class LineItemForm(forms.Form):
    description = forms.CharField(max_length=200)
    capability = ReferenceChoiceField(Capability.objects.all(), empty_label="Choose a capability")
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_cost_usd = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, label="Unit cost (USD)")
    is_mde = forms.BooleanField(required=False, label="Major defense equipment")
    is_design_construction = forms.BooleanField(required=False, label="Design and construction")

    @classmethod
    def initial_of(cls, case):
        """The case's line items as the formset's initial rows, so a purchaser corrects what was sent."""
        return [{name: getattr(item, "capability_id" if name == "capability" else name) for name in cls.base_fields}
                for item in case.line_items.all()]


LineItemFormSet = forms.formset_factory(LineItemForm, formset=SharedChoicesFormSet, extra=0, min_num=1, validate_min=True, max_num=MAX_LINE_ITEMS,
                                        validate_max=True, can_delete=True)


@roles(Role.LIAISON)
def submit_lor_page(request):
    """The form parses; the submission service judges, and its errors land on the fields they name.
    A form is filed once: posted again, it answers with the case it made."""
    country = request.user.profile.country
    if request.method != "POST":
        form, items = LorForm(initial={"submission": uuid.uuid4()}), LineItemFormSet(prefix="items", initial=[{}])
        return render(request, "portal/lor_form.html", {"form": form, "items": items, "country": country})
    form, items = LorForm(request.POST), LineItemFormSet(request.POST, prefix="items")
    if form.is_valid() and items.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "submission"}
        kept = kept_items(items)
        response = file_once(
            request, form, "lor-form",
            file=lambda: submit_lor(submitted_by=request.user, country=country, **fields, line_items=item_values(kept)),
            done=lambda case: to_case(request, case, messages.SUCCESS, "Letter of Request received: case {}."),
            already=lambda pk: to_case(request, Case.objects.visible_to(request.user).get(pk=pk), messages.INFO,
                                       "This Letter of Request was already received: case {}."),
            refused=lambda errors: show_errors(errors, form, kept))
        if response:
            return response
    return render(request, "portal/lor_form.html", {"form": form, "items": items, "country": country}, status=400)


def to_case(request, case, level, message):
    messages.add_message(request, level, message.format(case.case_number))
    return redirect("case", case.case_number)


def kept_items(items):
    """The line items' forms the user filled in and did not remove."""
    return [item_form for item_form in items.forms if item_form.cleaned_data and not item_form.cleaned_data.get("DELETE")]


def item_values(item_forms):
    return [{name: value for name, value in item_form.cleaned_data.items() if name != "DELETE"}
            for item_form in item_forms]


def show_errors(errors, form, item_forms):
    """The service's errors ({"desired_delivery_date": [...], "line_items.0.quantity": [...]}) on the
    form's fields and the line items' forms; what names no field above the form."""
    for key, problems in errors.items():
        name, _, rest = key.partition(".")
        if name == "line_items" and rest:
            index, _, field = rest.partition(".")
            item_form = item_forms[int(index)]
            item_form.add_error(field if field in item_form.fields else None, problems)
        else:
            form.add_error(name if name in form.fields else None, problems)
