import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render

from ..models import REVIEWERS
from ..reads import metrics
from .access import roles
from .charts import bar_chart


@roles(*REVIEWERS)
def metrics_page(request):
    tables = metrics.all_tables()
    for table in tables:
        table.chart = bar_chart(table)
    return render(request, "reviewer/metrics.html", {"tables": tables})


@roles(*REVIEWERS)
def metrics_csv(request, name):
    table = next((table for table in metrics.all_tables() if table.name == name), None)
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(["label", table.unit or "value"])
    writer.writerows(table.rows)
    return response
