"""The reference tables each process holds in memory (fms_review.reference): read without a query, and
never older than the last change, whether it came through a row's save, a queryset's update, a bin's
members, a rolled-back transaction or another process."""
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from bins.grouping import groups_by_country
from bins.models import Bin, Capability, Country
from cases.models import ImplementingAgency, Timer, TimerRule
from cases.process import rules
from fms_review import reference

from .test_celery_worker import database_url

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def name_of(slug):
    return reference.by_key(Capability)[slug].name


def test_a_copy_is_read_without_a_query(django_assert_num_queries, django_assert_max_num_queries):
    def read():
        assert name_of("anti-armor") == "Anti-armor"
        assert len(reference.rows(Country)) > 30
        assert groups_by_country()["PL"].key == "bin:nato-rdp-mou"
        assert rules.timer_days(Timer.LOR_VALIDATION, date(2026, 12, 1)) > 0

    with django_assert_max_num_queries(5):  # the first read of each table
        read()
    with django_assert_num_queries(0):
        read()


def test_a_saved_row_is_seen_at_once():
    assert name_of("anti-armor") == "Anti-armor"
    capability = Capability.objects.get(pk="anti-armor")
    capability.name = "Anti-tank"
    capability.save()
    assert name_of("anti-armor") == "Anti-tank"


def test_a_queryset_update_and_a_deletion_are_seen_at_once():
    assert reference.by_key(ImplementingAgency)["B"].name != "Army Security Assistance Command"
    ImplementingAgency.objects.filter(pk="B").update(name="Army Security Assistance Command")
    assert reference.by_key(ImplementingAgency)["B"].name == "Army Security Assistance Command"
    ImplementingAgency.objects.create(code="Q", name="A new agency")
    assert "Q" in reference.by_key(ImplementingAgency)
    ImplementingAgency.objects.filter(pk="Q").delete()
    assert "Q" not in reference.by_key(ImplementingAgency)


def test_a_bins_members_regroup_their_countries():
    nordic = Bin.objects.get(slug="nordic-baltic")
    assert groups_by_country()["AT"].key == "region:EUCOM"
    nordic.listed_countries.add("AT")
    assert groups_by_country()["AT"].key == "bin:nordic-baltic"
    nordic.listed_countries.remove("AT")
    assert groups_by_country()["AT"].key == "region:EUCOM"


def test_a_new_rule_row_applies_at_once():
    on = date(2030, 1, 1)
    before = rules.timer_days(Timer.LOR_VALIDATION, on)
    TimerRule.objects.create(timer=Timer.LOR_VALIDATION, effective_from=date(2029, 1, 1), days=before + 5)
    assert rules.timer_days(Timer.LOR_VALIDATION, on) == before + 5


@pytest.mark.django_db(transaction=True)
def test_what_a_rolled_back_transaction_wrote_is_forgotten():
    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        Capability.objects.filter(pk="anti-armor").update(name="Never saved")
        assert name_of("anti-armor") == "Never saved"  # the transaction sees its own write
        raise Undone
    assert name_of("anti-armor") == "Anti-armor"


POLL = """
import time, django
django.setup()
from bins.models import Capability
from fms_review import reference
for _ in range(400):
    print(reference.by_key(Capability)["anti-armor"].name, flush=True)
    time.sleep(0.05)
"""


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_a_change_within_the_check_interval(postgres, redis_url):
    """A second process, sharing the database and Redis as a gunicorn or Celery worker does: it keeps
    its copy, and drops it within CHECK_SECONDS of a commit here."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url,
           "DJANGO_SETTINGS_MODULE": "fms_review.settings"}
    poller = subprocess.Popen([sys.executable, "-c", POLL], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert poller.stdout.readline().strip() == "Anti-armor"
        Capability.objects.filter(pk="anti-armor").update(name="Anti-tank")  # committed (autocommit)
        changed_at = time.monotonic()
        while (line := poller.stdout.readline().strip()) == "Anti-armor":
            assert time.monotonic() - changed_at < reference.CHECK_SECONDS + 2, "the change never reached it"
        assert line == "Anti-tank"
    finally:
        poller.kill()
        poller.wait()
