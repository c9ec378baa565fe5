"""The metrics page and its CSVs: a period chosen (400 with the field's reason when it is not one),
medians computed in the database, names rather than keys, one unit per table, a bounded number of
queries however many cases there are."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.db.models import F

from cases.process.stages import Action, Stage
from cases.process.workflow import perform
from cases.reads import metrics
from cases.review.batching import build_batches

from .builders import T0, Builder, downloaded, purchaser_of, submit

pytestmark = pytest.mark.django_db

A_YEAR = {"start": T0.date(), "end": T0.date() + timedelta(days=364)}


def returned_after(reviewer, days):
    """A case actionable at T0 (a complete LOR) and returned `days` later."""
    case = submit(purchaser_of("PL"), country="PL", at=T0)
    return perform(case, Action.RETURN, actor=reviewer, inputs={"reason": "Say where."}, at=T0 + timedelta(days=days))


@pytest.mark.parametrize("end_day,median", [(364, 8.0), (19, 5.0), (4, 2.0), (1, None)],
                         ids=["all four", "three", "one", "none yet"])
def test_the_median_days_in_a_stage_are_the_trails(reviewer, end_day, median):
    """Returned after 2, 5, 11 and 20 days: the median of the moves out of "LOR actionable" in the period."""
    for days in (2, 5, 11, 20):
        returned_after(reviewer, days)
    period = metrics.Period(T0.date(), T0.date() + timedelta(days=end_day))
    rows = dict(metrics.median_days_in_stage(reviewer, period).rows)
    assert rows.get(Stage.LOR_ACTIONABLE.label) == median


def test_the_period_counts_what_arrived_in_it(signed_in, reviewer):
    submit(purchaser_of("PL"), country="PL", at=T0)
    submit(purchaser_of("DE"), country="DE", at=T0 + timedelta(days=40))
    client = signed_in(reviewer)
    for end, count in ((T0.date() + timedelta(days=39), "1"), (T0.date() + timedelta(days=40), "2")):
        rows = list(csv.reader(io.StringIO(downloaded(client.get("/metrics/stages.csv",
                                                                  {"start": T0.date(), "end": end})))))
        assert rows[0] == ["label", "cases"] and ["LOR actionable", count] in rows
    page = client.get("/metrics/", {"start": T0.date(), "end": T0.date() + timedelta(days=39)}).content.decode()
    assert f"From {T0.date()} to {T0.date() + timedelta(days=39)}, both included." in page


def test_no_period_is_the_year_to_today(signed_in, reviewer):
    page = signed_in(reviewer).get("/metrics/").content.decode()
    today = date.today()
    assert f"From {today - timedelta(days=364)} to {today}, both included." in page


@pytest.mark.parametrize("query,field,message", [
    ({"start": "2026-05-01", "end": "2026-04-01"}, "start", "The period must start on or before the day it ends."),
    ({"start": "2026-13-01"}, "start", "Enter a valid date."),
    ({"end": "tomorrow"}, "end", "Enter a valid date."),
])
def test_a_period_that_is_not_one_is_400_with_its_reason(signed_in, reviewer, query, field, message):
    client = signed_in(reviewer)
    page = client.get("/metrics/", query)
    assert page.status_code == 400
    assert f'id="id_{field}-error">{message}' in page.content.decode()
    download = client.get("/metrics/stages.csv", query)
    assert download.status_code == 400 and message in download.content.decode()


def test_groups_are_named_not_keyed(signed_in, reviewer):
    for code in ("PL", "DE", "BR"):  # Brazil is in no bin: batched by its region
        submit(purchaser_of(code), country=code, at=T0)
    build_batches(at=T0)
    rows = {table.name: dict(table.rows) for table in metrics.all_tables(reviewer, metrics.Period(**A_YEAR))}
    assert rows["by-bin"] == {"NATO members with an RDP MOU": 2}
    assert rows["by-region"] == {"US Southern Command": 1}
    page = signed_in(reviewer).get("/metrics/", A_YEAR).content.decode()
    assert "bin:" not in page and "region:" not in page


def test_each_table_has_one_unit(reviewer):
    Builder(reviewer, country="PL").build(Stage.LOA_DEVELOPMENT)
    tables = metrics.all_tables(reviewer, metrics.Period(**A_YEAR))
    units = {table.name: table.unit for table in tables}
    assert units == {"stages": "cases", "median-days": "days", "offered-by-aod": "% of LOAs", "stalled": "cases",
                     "combined-review": "reviews", "by-bin": "cases", "by-region": "cases",
                     "review-burden": "answers", "days-to-decision": "days", "window-wait": "days"}
    combined = next(table for table in tables if table.name == "combined-review")
    assert combined.rows == [("Case by case (one per case decided)", 1), ("Combined (one per batch)", 1)]


@pytest.mark.parametrize("cases", [2, 12])
def test_the_metrics_page_and_a_csv_read_a_bounded_number_of_queries(signed_in, reviewer, cases,
                                                                      django_assert_max_num_queries):
    for index in range(cases):
        Builder(reviewer, country=["PL", "DE", "JP"][index % 3]).build(Stage.LOA_DEVELOPMENT)
    client = signed_in(reviewer)
    # session, user and profile; one per table but two for the group and policy tables (their names) and
    # three for the review burden (answers, carve-outs, LORs received)
    with django_assert_max_num_queries(17):
        assert client.get("/metrics/", A_YEAR).status_code == 200
    with django_assert_max_num_queries(4):  # session, user and profile, the table
        assert downloaded(client.get("/metrics/median-days.csv", A_YEAR)).startswith("label,days")


def test_the_case_export_streams_every_visible_case_in_one_query(signed_in, reviewer, liaison_pl,
                                                                 django_assert_max_num_queries):
    denied = Builder(reviewer, country="PL").build(Stage.DENIED)
    for index in range(60):  # past the case list's page of 50: the export is the whole list
        submit(purchaser_of("PL" if index % 2 else "DE"), country="PL" if index % 2 else "DE", at=T0)
    response = signed_in(liaison_pl).get("/cases/export.csv")
    assert response.streaming
    with django_assert_max_num_queries(4):  # session, user and profile, the rows
        rows = list(csv.DictReader(io.StringIO(downloaded(response))))
    assert len(rows) == 31 and {row["country"] for row in rows} == {"PL"}
    assert next(row for row in rows if row["case_number"] == denied.case_number)["reason"] == "Not releasable."


def test_every_move_stores_when_its_span_began_as_the_migration_fills_it(reviewer):
    """What the writers store (perform, batching's move_many) is what migration 0022 derives from the
    trail for the moves made before it: the moment of the case's previous stage change, or its receipt."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection, transaction

    from cases.models import CaseEvent

    Builder(reviewer, country="PL").build(Stage.DENIED)
    Builder(reviewer, country="DE", large=True).build(Stage.LOA_OFFERED)
    returned_after(reviewer, 3)
    written = dict(CaseEvent.objects.values_list("id", "stage_since"))
    moves = CaseEvent.objects.exclude(from_stage=F("to_stage"))
    assert moves.count() > 8 and None not in {written[pk] for pk in moves.values_list("id", flat=True)}
    assert {written[pk] for pk in CaseEvent.objects.filter(from_stage=F("to_stage")).values_list("id", flat=True)} == {None}
    migration = importlib.import_module("cases.migrations.0022_event_stage_since")
    editor = SimpleNamespace(connection=connection)  # all the migration's functions use of a schema editor
    migration.append_only.remove(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET stage_since = NULL")
    migration.fill(None, editor)
    assert dict(CaseEvent.objects.values_list("id", "stage_since")) == written
    with pytest.raises(Exception, match="append-only"):  # the trigger is back
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute("UPDATE cases_caseevent SET stage_since = NULL")
