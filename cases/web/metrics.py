"""The metrics page and its CSVs, for a period the reviewer chooses (a year to today unless asked)."""
from django.http import Http404, HttpResponse
from django.shortcuts import render

from ..models import REVIEWERS
from ..reads import metrics
from ..reads.figures import PeriodForm
from .access import roles
from .charts import bar_chart
from .exports import csv_response

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
