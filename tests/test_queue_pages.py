"""The queue's pages kept between requests (cases.review.queue_pages): served again while nothing changed,
and never after a change through the rule book, made in this process or another, nor after the day,
the reader or a reference name changed."""
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings

from bins.models import Bin
from cases.models import ReviewBatch
from cases.process import timers
from cases.review import queue_pages
from cases.review.batching import build_batches
from cases.review.services import answer_concurrence, assign_batch, decide_batch, start_batch

from .builders import T0, office_staff, submit
from .factories import ProfileFactory
from .test_celery_worker import ROOT, database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(signed_in, reviewer):
    """The rows of the reviewer's queue (its table's body), as served."""
    client = signed_in(reviewer)

    def rows(query=""):
        page = client.get(f"/?{query}").content.decode()
        return page[page.index("<tbody>"):page.index("</tbody>")]

    return rows


@pytest.fixture
def taken(reviewer):
    """One batch of three cases of NATO members, taken for review the day after they arrived."""
    for country in ("DE", "PL", "FR"):
        submit(reviewer, country=country, at=T0)
    build_batches(at=T0)
    return start_batch(ReviewBatch.objects.get(), reviewer=reviewer, at=T0 + timedelta(days=1))


def test_a_page_is_served_again_without_building_it(queue, reviewer, taken, django_assert_num_queries):
    first = queue()
    with django_assert_num_queries(3):  # the session, the user, the saved views
        assert queue() == first
    with django_assert_num_queries(7):  # another query: built (the count, the page, its facts and offices)...
        by_value = queue("ordering=value")
    with django_assert_num_queries(3):  # ...then kept
        assert queue("ordering=value") == by_value


def test_batching_shows_the_newcomers_at_once(queue, reviewer, taken):
    assert ">3</td>" in queue()
    submit(reviewer, country="IT")
    build_batches()
    assert ReviewBatch.objects.count() == 2 and queue().count("<tr") == 2


def test_a_batchs_moves_show_at_once(queue, reviewer, taken):
    assert "you" in queue() and "In review" in queue()
    colleague = ProfileFactory(user__username="colleague", user__first_name="Ann", user__last_name="Lee").user
    assign_batch(taken, "colleague", by=reviewer)
    assert "Ann Lee" in queue() and "<td>you</td>" not in queue()
    decide_batch(taken, [{"case": number, "outcome": "deny", "reason": "Not in this budget year."}
                         for number in taken.cases.values_list("case_number", flat=True)], reviewer=colleague)
    assert "Decided" in queue()


def test_the_clock_and_the_offices_show_at_once(queue, reviewer, taken):
    overdue = queue("stalled=on")
    assert "Implementing agency overdue" in overdue  # asked at T0 + 1 day, long past due
    answer_concurrence(taken, by=office_staff("ia"), answer="concur")
    assert "Implementing agency overdue" not in queue("stalled=on")
    assert "stalled</span>" not in queue()
    timers.mark_stalled()  # the decision's due date passed long ago
    assert "stalled</span>" in queue()


def test_a_new_day_a_new_reader_and_a_renamed_bin_each_get_their_own_page(signed_in, queue, reviewer, taken):
    assert "NATO members with an RDP MOU" in queue()
    Bin.objects.filter(slug="nato-rdp-mou").update(name="NATO, RDP MOU")
    assert "NATO, RDP MOU" in queue()
    assert "<td>you</td>" in queue()
    another = Client()
    another.force_login(ProfileFactory(user__username="other").user)
    assert "<td>you</td>" not in another.get("/").content.decode()
    today = queue()
    with time_machine.travel(timedelta(days=2)):
        signed_in(reviewer)  # the session of two days ago has ended
        assert queue() != today  # every case two days older


def test_nothing_is_kept_when_the_version_cannot_be_read(queue, taken, django_assert_num_queries):
    nowhere = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": {"socket_connect_timeout": 0.2}}}
    with override_settings(CACHES=nowhere):
        first = queue()
        with django_assert_num_queries(7):  # built afresh
            assert queue() == first


def test_a_page_is_not_kept_beyond_its_time(queue, taken, monkeypatch, django_assert_num_queries):
    queue()
    monkeypatch.setattr(queue_pages, "KEEP_SECONDS", -1)
    with django_assert_num_queries(7):
        queue()


SHOW = """
import sys, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="rev"))
for _ in range(400):
    print(client.get("/").content.decode().count("badge in_review"), flush=True)
    time.sleep(0.05)
"""


@pytest.mark.django_db(transaction=True)
def test_another_process_shows_a_change_at_its_next_request(postgres, redis_url, reviewer):
    """A second process keeps its page and serves it again; a batch taken here shows there at once: the
    version in Redis changed at the commit (not after KEEP_SECONDS)."""
    for country in ("DE", "PL"):
        submit(reviewer, country=country)
    build_batches()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url,
           "DJANGO_SETTINGS_MODULE": "fms_review.settings", "ALLOWED_HOSTS": "localhost"}
    shower = subprocess.Popen([sys.executable, "-c", SHOW], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert [shower.stdout.readline().strip() for _ in range(3)] == ["0"] * 3  # kept: open, nobody's
        start_batch(ReviewBatch.objects.get(), reviewer=reviewer)
        lines = 0
        while (line := shower.stdout.readline().strip()) == "0":
            lines += 1
            assert lines < 20, "the change did not reach the other process within a second"
        assert int(line) > 0
    finally:
        shower.kill()
        shower.wait()
