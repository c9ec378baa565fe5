"""`make bench`: 100,000 actionable cases batched from nothing on PostgreSQL, a rerun with nothing new,
1,000 newcomers, 1,000 batches entering review at once with every office asked, a one-case-at-a-time ORM
loop on 5,000 cases for comparison, then the server time of
the dashboard, of a 50-case batch page, of the case list, of case search, of the metrics and of the
case export over that data.

Figures are ratios and counts measured in the same run on the same machine; nothing here is a test.
"""
import os
import resource
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlencode

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fms_review_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fms_review.settings")
os.environ.pop("REDIS_URL", None)  # batching is timed in this process, not queued

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case, CaseEvent, ConcurrenceRequest, ReviewBatch  # noqa: E402
from cases.process import workflow  # noqa: E402
from cases.process.stages import Action, BatchAction, Stage  # noqa: E402
from cases.review.batching import build_batches  # noqa: E402
from tests.bench import machine  # noqa: E402
from tests.bench.database import recreate_database  # noqa: E402
from tests.bench.fixture import Fixture  # noqa: E402


@contextmanager
def statements():
    """Count the SQL statements run inside the block (without recording their text)."""
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


def timed(function):
    """(result, seconds, statements) of one call."""
    with statements() as counter:
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    return result, seconds, counter["n"]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_at_a_time(case_ids):
    """The plain ORM way: per case, find or make its batch, set it, and move it through the workflow."""
    from bins.grouping import groups_by_country

    groups = groups_by_country()
    for case in Case.objects.filter(pk__in=case_ids).order_by("id"):
        key = groups[case.country_id]
        batch = ReviewBatch.objects.filter(status="open", group_key=key.key, capability_id=case.primary_capability_id).first()
        if batch is None:
            batch = ReviewBatch.objects.create(
                group_key=key.key, capability_id=case.primary_capability_id,
                bin_id=key.bin.pk if key.bin else None, region_id=None if key.bin else key.region_code,
            )
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(review_batch=batch)
            workflow.perform(case.pk, Action.START_REVIEW)


def reviews_start(count):
    """`count` open batches whose windows the clock closes at once: every office each needs is asked.
    One case in ten needs a TSFD review (as in the demo), so DTSA is asked too wherever no standing release
    covers them."""
    ids = list(ReviewBatch.objects.filter(status="open").order_by("pk").values_list("pk", flat=True)[:count])
    Case.objects.filter(review_batch__in=ids, id__endswith=0).update(tsfd_required=True)
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    later = timezone.now() + timedelta(days=60)
    _, seconds, statement_count = timed(
        lambda: workflow.perform_batches_due(BatchAction.CLOSE_WINDOW, at=later, among=ids))
    return len(ids), ConcurrenceRequest.objects.filter(batch__in=ids).count(), seconds, statement_count


def main():
    recreate_database(BENCH_URL)
    fixture = Fixture()
    rows = []

    def run(label, count, function=build_batches):
        fixture.add(count)
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the inserts' dirty pages written now, not during the timed run
        result, seconds, statement_count = timed(function)
        rows.append((label, count, seconds, statement_count, peak_rss_mb()))
        return result, seconds, statement_count

    _, _, small_statements = run("10,000 cases from nothing", 10_000)
    ReviewBatch.objects.filter(status="open").update(status="in_review", review_started_at=timezone.now())
    big, big_seconds, big_statements = run("100,000 cases from nothing", 100_000)
    _, rerun_seconds, _ = run("rerun, nothing new", 0)
    run("1,000 newcomers", 1_000)
    batches, asked, asking_seconds, asking_statements = reviews_start(1_000)
    rows.append((f"{batches:,} batches enter review, {asked:,} asked", batches, asking_seconds, asking_statements,
                 peak_rss_mb()))
    fixture.add(5_000)
    sample = list(Case.objects.filter(stage=Stage.LOR_ACTIONABLE).values_list("pk", flat=True))
    _, loop_seconds, loop_statements = timed(lambda: one_at_a_time(sample))
    rows.append(("5,000 cases one at a time (ORM loop)", len(sample), loop_seconds, loop_statements, peak_rss_mb()))

    print("\nBatching on PostgreSQL: set-based build_batches against a one-case-at-a-time loop\n")
    print(machine.line() + "\n")
    print(f"{'run':40} {'cases':>8} {'seconds':>9} {'statements':>11} {'peak RSS MB':>12}")
    for label, cases, seconds, statement_count, rss in rows:
        print(f"{label:40} {cases:>8,} {seconds:9.2f} {statement_count:>11,} {rss:12.0f}")
    set_rate = big.cases_batched / big_seconds
    loop_rate = len(sample) / loop_seconds
    print(f"\nset-based {set_rate:,.0f} cases/s, ORM loop {loop_rate:,.0f} cases/s: {set_rate / loop_rate:,.0f}x faster")
    targets = [
        ("100,000 cases in at most 10 s", big_seconds <= 10),
        ("a rerun with nothing new under 0.5 s", rerun_seconds < 0.5),
        ("peak memory under 400 MB", rows[2][4] < 400),
        ("statements independent of the number of cases", small_statements == big_statements),
        (f"{batches:,} batches x {asked / max(batches, 1):.1f} offices asked at once in under 2 s",
         batches == 1_000 and asking_seconds < 2),
    ]
    targets += page_times(fixture)
    print("\n".join(f"[{'ok' if met else 'MISSED'}] {label}" for label, met in targets))
    return 0 if all(met for _, met in targets) else 1


def page_times(fixture, repeats=7):
    """Server time of the reviewer's two busiest pages with every case above in the database, then of the
    case list and of case search."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from cases.models import Profile

    with connection.cursor() as cursor:
        # As autovacuum leaves tables a minute after a bulk change: without statistics the planner
        # reads the whole case table for a page's batch facts rather than their covering index.
        cursor.execute("ANALYZE")
    user = get_user_model().objects.create(username="bench-reviewer")
    Profile.objects.create(user=user, role="reviewer", office_id="dsca")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    batch = ReviewBatch.objects.annotate(n=Count("cases")).filter(n=50).first()
    print(f"\nServer time with {Case.objects.count():,} cases (median of {repeats})\n")
    results = [server_time(client, label, path, 200, repeats)
               for label, path in (("dashboard (/)", "/"), (f"batch page, {batch.n} cases", f"/batches/{batch.pk}/"))]
    return results + search_times(client, fixture, repeats) + metrics_times(client, fixture, repeats)


# What the fixture's cases hold: the title "Bench case <n>", their country's name, their capability's
# example systems as line items, and an LOR whose justification repeats a sentence in every case.
SEARCHES = [("bench", "a word of every title"), ("NATO capability targets", "a phrase of every LOR"),
            ("Patriot", "a system"), ("Poland", "a country's name"), ("bench case 4711", "one title")]


def search_times(client, fixture, repeats):
    """Server time of case search, on the page and in the API, against the unsearched case list."""
    from cases.reads.search import matched, refresh_vectors

    # The fixture's rows were inserted past the services, which write a case's vector with it: they
    # are filled here by the UPDATE that rebuilds vectors (a renamed country's cases). Then VACUUM, as
    # autovacuum would after as many updated rows, so that the searches do not read the rows replaced.
    fixture.add_requests()
    filled, fill_seconds, _ = timed(lambda: refresh_vectors(Case.objects.all()))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
    print(f"\nsearch vectors of {filled:,} cases rebuilt in {fill_seconds:.2f} s (one UPDATE), then VACUUM\n")
    results = [server_time(client, "case list (/cases/)", "/cases/", 200, repeats)]
    for text, label in SEARCHES:
        matches = matched(Case.objects.all(), text)[0].count()
        for where, path in (("search", "/cases/"), ("API search", "/api/v1/cases/")):
            results.append(server_time(client, f"{where}, {label} ({matches:,})",
                                       f"{path}?{urlencode({'search': text})}", 100, repeats))
    return results


def metrics_times(client, fixture, repeats):
    """Server time of the metrics page and a CSV of it over a year's trail, and the export of every case:
    its first byte (what the user waits for) against the target, the whole download reported."""
    from statistics import median

    events = CaseEvent.objects.count()
    print(f"\nmetrics over {events:,} audit events\n")
    results = [server_time(client, "metrics page (/metrics/)", "/metrics/", 500, repeats),
               server_time(client, "metrics CSV, median days", "/metrics/median-days.csv", 500, repeats)]
    first_bytes, wholes = [], []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get("/cases/export.csv")
        chunks = iter(response.streaming_content)
        next(chunks)
        first_bytes.append((time.perf_counter() - started) * 1000)
        rows = sum(chunk.count(b"\n") for chunk in chunks)
        wholes.append(time.perf_counter() - started)
    label = f"case export, first byte (of {rows + 1:,} rows)"
    print(f"{label:44} {median(first_bytes):8.1f} ms   (whole file {median(wholes):.1f} s)")
    return results + [(f"{label} under 500 ms", median(first_bytes) < 500)]


def server_time(client, label, path, target_ms, repeats):
    """Print the median server time of GET `path`; (the target's label, whether it is met)."""
    from statistics import median

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            next(iter(response.streaming_content))  # its first byte; the CSVs here are a few rows
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:44} {median(times):8.1f} ms")
    return f"{label} under {target_ms} ms", median(times) < target_ms


if __name__ == "__main__":
    sys.exit(main())
