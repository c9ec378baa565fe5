"""NSPA files a joint request from the browser: the LOR fields the nations share, and line items each
for one nation. The joint-request service judges it all or nothing; its errors land on the rows."""
import uuid

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render

from bins.models import Country

from ..models import JointRequest, Role
from ..process.services.joint_requests import file_joint_request
from ..process.services.submission import MAX_LINE_ITEMS
from ..shortcuts.choices import ReferenceChoiceField, SharedChoicesFormSet
from .access import roles
from .filing import file_once
from .portal import LineItemForm, LorForm, item_values, kept_items


def eligible_nations():
    return Country.objects.filter(Q(nato_member=True) | Q(nato_partner=True))


class JointRequestForm(LorForm):
    model = forms.ChoiceField(choices=JointRequest.Model.choices, widget=forms.RadioSelect, label="Procurement model")
    lead_nation = ReferenceChoiceField(eligible_nations(), required=False, empty_label="None (agent sales)",
                                       help_text="A lead-nation request needs one of the participants.")


class JointLineItemForm(LineItemForm):
    nation = ReferenceChoiceField(eligible_nations(), empty_label="Choose a nation")

    field_order = ["nation"]


JointItemFormSet = forms.formset_factory(JointLineItemForm, formset=SharedChoicesFormSet, extra=0, min_num=2, validate_min=True,
                                         max_num=MAX_LINE_ITEMS, validate_max=True, can_delete=True)


def participants_of(rows):
    """The rows grouped by nation, in the order the nations first appear: the service's participants,
    and for each participant its rows (to put the service's errors back on them)."""
    by_nation = {}
    for row in rows:
        by_nation.setdefault(row.cleaned_data["nation"], []).append(row)
    participants = [{"country": nation, "line_items": [{name: value for name, value in item.items() if name != "nation"}
                                                       for item in item_values(its_rows)]}
                    for nation, its_rows in by_nation.items()]
    return participants, list(by_nation.values())


def show_errors(errors, form, rows_of):
    """"participants.1.line_items.0.quantity" on that row's field; a participant's own error on its
    first row's nation; a shared LOR field's error once on the form's field."""
    for key, problems in errors.items():
        name, _, rest = key.partition(".")
        if name == "participants" and rest:
            index, _, field = rest.partition(".")
            rows = rows_of[int(index)]
            if field == "country":
                rows[0].add_error("nation", problems)
            elif field.startswith("line_items."):
                item, _, item_field = field.removeprefix("line_items.").partition(".")
                row = rows[int(item)]
                row.add_error(item_field if item_field in row.fields else None, problems)
            elif field not in form.errors:
                form.add_error(field if field in form.fields else None, problems)
        elif name == "participants":
            form.add_error(None, problems)
        else:
            form.add_error(name if name in form.fields else None, problems)


def to_joint(request, joint, level, message):
    messages.add_message(request, level, message)
    return redirect("joint-request", joint.reference)


@roles(Role.NSPA)
def file_joint_request_page(request):
    if request.method != "POST":
        form = JointRequestForm(initial={"submission": uuid.uuid4(), "model": JointRequest.Model.LEAD_NATION})
        return render(request, "nspa/joint_request_form.html",
                      {"form": form, "items": JointItemFormSet(prefix="items", initial=[{}, {}])})
    form, items = JointRequestForm(request.POST), JointItemFormSet(request.POST, prefix="items")
    if form.is_valid() and items.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "submission"}
        lead = fields.pop("lead_nation")
        participants, rows_of = participants_of(kept_items(items))
        response = file_once(
            request, form, "joint-form",
            file=lambda: file_joint_request(filed_by=request.user, lead_nation=lead.pk if lead else None,
                                            participants=participants, **fields),
            done=lambda joint: to_joint(request, joint, messages.SUCCESS,
                                        f"Joint request filed: {len(participants)} nations, one case each."),
            already=lambda pk: to_joint(request, JointRequest.objects.visible_to(request.user).get(pk=pk),
                                        messages.INFO, "This joint request was already filed."),
            refused=lambda errors: show_errors(errors, form, rows_of))
        if response:
            return response
    return render(request, "nspa/joint_request_form.html", {"form": form, "items": items}, status=400)
