"""Concurrence on the batch page (the office x case grid, the office's answer form with its carve-outs,
withdrawing a non-concurrence; the views are the batch page's, in reviewer.py) and the office's own
queue, "Awaiting my office"."""
from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ..models import REVIEWERS, Answer
from ..process.stages import BatchAction
from ..process.workflow.inputs import CONCURRENCE_REASON, WITHDRAWAL_NOTE
from ..review import concurrence
from .access import roles

SAME = ""  # a carve-out choice: the case takes the office's answer for the batch
AWAITING_PAGE_SIZE = 25


class ConcurrenceForm(forms.Form):
    """The office's answer for the batch, and a choice per case it is asked about (`cases`): the same
    answer, or its own with a reason. Fields are parsed here; what an answer needs is the rule book's."""

    answer = forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect, label="Your office's answer")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=CONCURRENCE_REASON.max_length, label=CONCURRENCE_REASON.label,
                             help_text=CONCURRENCE_REASON.help)

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = list(cases)
        for case in self.cases:
            self.fields[f"carve-{case.case_number}"] = forms.ChoiceField(
                choices=[(SAME, "As for the batch"), *Answer.choices], required=False,
                label=f"{case.case_number} ({case.country_id})")
            self.fields[f"carve-{case.case_number}-reason"] = forms.CharField(
                required=False, max_length=CONCURRENCE_REASON.max_length,
                label=f"{case.case_number}: conditions or reason")

    def carve_outs(self):
        return [{"case": case.case_number, "answer": self.cleaned_data[f"carve-{case.case_number}"],
                 "reason": self.cleaned_data[f"carve-{case.case_number}-reason"]}
                for case in self.cases if self.cleaned_data.get(f"carve-{case.case_number}")]

    def carve_rows(self):
        return [(self[f"carve-{case.case_number}"], self[f"carve-{case.case_number}-reason"]) for case in self.cases]

    def show(self, refusal):
        """The rule book's reasons on their fields ("carve_outs.2.reason" on the third case carved out)."""
        carved = [entry["case"] for entry in self.carve_outs()] if hasattr(self, "cleaned_data") else []
        for key, texts in (refusal.errors or {None: [refusal.message]}).items():
            field = key
            if key and key.startswith("carve_outs."):
                _, index, part = key.split(".")
                number = carved[int(index)] if int(index) < len(carved) else None
                field = (f"carve-{number}" if part != "reason" else f"carve-{number}-reason") if number else None
            self.add_error(field if field in self.fields else None, texts)


class WithdrawalForm(forms.Form):
    case = forms.ChoiceField(required=False, label="Withdraw the non-concurrence on")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=WITHDRAWAL_NOTE.max_length,
                             label=WITHDRAWAL_NOTE.label, error_messages={"required": WITHDRAWAL_NOTE.required})

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "The answer for the whole batch"),
                                       *((case.case_number, case.case_number) for case in cases)]


def concurrence_context(request, batch, cases, allowed, *, form=None, withdrawal=None):
    """What the batch page shows of concurrence, and the forms the user's office may use now."""
    rows = concurrence.grid(batch, cases)
    mine = next((row for row in rows if row.request.office_id == concurrence.office_id_of(request.user)), None)
    asked = [case for case, cell in mine.cells if cell.required] if mine else []
    return {
        "concurrence": rows, "overdue": [row for row in rows if row.overdue], "office_cases": asked,
        "my_office": mine.request.office if mine else None,
        "concur_form": (form or ConcurrenceForm(cases=asked)) if BatchAction.CONCUR in allowed else None,
        "withdrawal_form": (withdrawal or WithdrawalForm(cases=asked))
        if BatchAction.WITHDRAW_NON_CONCURRENCE in allowed else None,
    }


@roles(*REVIEWERS)
def awaiting_my_office(request):
    office = concurrence.office_id_of(request.user)
    requests = concurrence.awaiting(office) if office else concurrence.awaiting(None).none()
    page = Paginator(requests, AWAITING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviewer/awaiting.html", {
        "office": request.user.profile.office if office else None, "page": page, "today": timezone.localdate()})
