"""The Celery application.

The broker is Redis when REDIS_URL is set (production, CI), a folder under var/ when CELERY_BROKER_URL
says filesystem:// (what `make run` sets, with a worker running beat beside the server), and otherwise
none: tasks then run in-process (`task_always_eager`), as in the tests. Configuration lives in Django
settings under the CELERY_ prefix.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fms_review.settings")

app = Celery("fms_review")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
