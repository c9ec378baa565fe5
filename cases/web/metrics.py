"""The metrics page and its CSVs, for a period the reviewer chooses (a year to today unless asked)."""
from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render

from ..models import REVIEWERS
from ..reads import metrics
from .access import roles
from .charts import bar_chart
from .exports import csv_response

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    end = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        default = metrics.Period.default()
        data["end"] = data.get("end") or default.end
        data["start"] = data.get("start") or data["end"] - (default.end - default.start)
        if "start" not in self.errors and "end" not in self.errors and data["start"] > data["end"]:
            self.add_error("start", "The period must start on or before the day it ends.")
        return data

    def period(self):
        return metrics.Period(self.cleaned_data["start"], self.cleaned_data["end"])


@roles(*REVIEWERS)
def metrics_page(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "reviewer/metrics.html", {"form": form, "tables": []}, status=400)
    tables = metrics.all_tables(request.user, form.period())
    for table in tables:
        table.chart = bar_chart(table)
    return render(request, "reviewer/metrics.html", {"form": form, "tables": tables, "period": form.period(),
                                                     "query": request.GET.urlencode()})


@roles(*REVIEWERS)
def metrics_csv(request, name):
    if name not in metrics.TABLES:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Invalid period: " + form.errors.as_text(), status=400, content_type="text/plain")
    period = form.period()
    table = metrics.TABLES[name](request.user, period)
    return csv_response(f"{name}-{period.start}-{period.end}.csv", ["label", table.unit], table.rows)
