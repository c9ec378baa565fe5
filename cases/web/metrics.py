from django.http import Http404
from django.shortcuts import render

from ..models import REVIEWERS
from ..reads import metrics
from .access import roles
from .charts import bar_chart
from .exports import csv_response


@roles(*REVIEWERS)
def metrics_page(request):
    tables = metrics.all_tables(request.user)
    for table in tables:
        table.chart = bar_chart(table)
    return render(request, "reviewer/metrics.html", {"tables": tables})


@roles(*REVIEWERS)
def metrics_csv(request, name):
    table = next((table for table in metrics.all_tables(request.user) if table.name == name), None)
    if table is None:
        raise Http404
    return csv_response(f"{name}.csv", ["label", table.unit or "value"], table.rows)
