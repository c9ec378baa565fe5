from statistics import median

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class Median:
    """SQLite's stand-in for PostgreSQL's percentile_cont(0.5): the median of the non-null values."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return median(self.values) if self.values else None


def add_median(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("fms_median", 1, Median)


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "FMS cases"

    def ready(self):
        connection_created.connect(add_median, dispatch_uid="cases.fms_median")
        from fms_review import reference

        from . import models

        reference.watch(models.ImplementingAgency, models.Office, models.TimerRule, models.NotificationRule,
                        models.ReviewPolicy, models.ConcurrenceRule, models.StandingRelease)
