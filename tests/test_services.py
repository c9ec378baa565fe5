"""The settings reach the real services when they are configured (in CI they always are)."""
import pytest
from django.conf import settings
from django.core.cache import cache

from fms_review.celery import app


def test_without_redis_celery_runs_tasks_in_process(monkeypatch):
    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        assert app.conf.broker_url == settings.REDIS_URL
    else:
        assert app.conf.task_always_eager
    assert app.conf.task_acks_late and app.conf.worker_prefetch_multiplier == 1


def test_redis_cache_round_trip(redis_url):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("fms-review-probe", {"ok": 1}, timeout=5)
    assert cache.get("fms-review-probe") == {"ok": 1}


def test_celery_broker_answers(redis_url):
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connected


@pytest.mark.django_db
def test_database_is_the_configured_one(postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 120000


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_lors_queues_one_batching_run(redis_url, reviewer):
    """While a run is queued and not started, newly actionable cases wait for it; once it starts, the
    next case queues another."""
    import redis

    from cases.tasks import BATCHING_QUEUED, build_batches_task

    from .builders import submit

    broker = redis.Redis.from_url(redis_url)
    app.control.purge()
    cache.delete(BATCHING_QUEUED)
    for _ in range(5):
        submit(reviewer)
    assert broker.llen("celery") == 1 and cache.get(BATCHING_QUEUED)
    app.control.purge()
    build_batches_task.apply()  # the worker takes the run
    assert cache.get(BATCHING_QUEUED) is None
    submit(reviewer)
    assert broker.llen("celery") == 1
    app.control.purge()
    cache.delete(BATCHING_QUEUED)
