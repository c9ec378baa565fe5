"""The Celery application.

With REDIS_URL unset, settings make every task run in-process (`task_always_eager`), so `make run`
needs no broker. Configuration lives in Django settings under the CELERY_ prefix.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fms_review.settings")

app = Celery("fms_review")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
