"""The clock with no server at all, as `make run` has it: a Celery worker with embedded beat on the
filesystem broker, against a SQLite file; and `manage.py run_timers`, the same jobs at once in process."""
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from cases.management.commands.run_timers import described
from cases.models import Case
from cases.process.stages import Stage

from .builders import Builder, submit

ROOT = Path(__file__).resolve().parent.parent

# Run by `manage.py shell` against the test's SQLite file: two LORs that are actionable at once.
SUBMIT_TWO_LORS = """
from tests.builders import submit
from tests.factories import LiaisonFactory
for country in ("PL", "DE"):
    submit(LiaisonFactory(country_id=country).user, country=country)
"""


def manage(env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def waiting_and_batched(database):
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT count(*) FILTER (WHERE stage = 'lor_actionable'), count(review_batch_id) FROM cases_case"
        ).fetchone()


def test_beat_embedded_in_a_worker_batches_on_the_filesystem_broker(tmp_path):
    database = tmp_path / "db.sqlite3"
    # Neither PostgreSQL nor Redis, even where CI sets them for the rest of the suite.
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=f"sqlite:///{database}", CELERY_BROKER_URL="filesystem://localhost/",
               CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "broker"), CLOCK_INTERVAL_SECONDS="1")
    manage(env, "migrate", "--noinput")
    # The run each submission queues goes to a folder no worker reads: only beat's run can batch them.
    manage({**env, "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "unread")}, "shell", "-c", SUBMIT_TWO_LORS)
    assert waiting_and_batched(database) == (2, 0)

    log = tmp_path / "celery.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "fms_review", "worker", "--beat", "--pool", "solo",
             "--schedule", str(tmp_path / "celerybeat-schedule"), "--without-mingle", "--without-gossip",
             "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and waiting_and_batched(database) != (0, 2):
            assert worker.poll() is None, log.read_text()
            time.sleep(0.25)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert waiting_and_batched(database) == (0, 2), log.read_text()
    assert "Sending due task build-batches (cases.tasks.build_batches_task)" in log.read_text()
    assert "'cases_batched': 2" in log.read_text()  # the worker's record of the run that did it


def the_day_after(day):
    return datetime.combine(day + timedelta(days=1), day_time(12, 0), tzinfo=UTC)


@pytest.mark.django_db
def test_run_timers_says_what_each_job_changed(reviewer):
    offered = Builder(reviewer).build(Stage.LOA_OFFERED)
    waiting = submit(reviewer, country="PL")
    out = StringIO()
    with time_machine.travel(the_day_after(offered.loa.offer_expires_on), tick=False):
        call_command("run_timers", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "batching: 1 case batched (1 new batch, 0 open batches joined)"
    assert f"expire offers: 1 case ({offered.case_number})" in lines
    assert Case.objects.get(pk=offered.pk).stage == Stage.LOA_EXPIRED
    assert Case.objects.get(pk=waiting.pk).review_batch_id is not None
    assert lines[-2] == "reminders: 0 offers near expiry, 0 offices overdue"
    sent = int(lines[-1].split(": ")[1].split(",")[0])  # e-mails this test's commits never queued
    assert sent > 0 and lines[-1] == f"notifications sent: {sent}, digests: 0"


@pytest.mark.django_db
def test_a_long_list_names_ten_cases_in_one_query(reviewer, django_assert_num_queries):
    cases = [submit(reviewer, country=country) for country in ("PL", "DE", "FR") for _ in range(4)]
    with django_assert_num_queries(1):
        line = described([case.pk for case in cases])
    names = ", ".join(case.case_number for case in cases[:10])
    assert line == f"12 cases ({names} and 2 more)"
