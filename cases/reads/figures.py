"""The parts every metrics table is made of: the period asked for (and its form), a table in one unit,
and the median of days computed by the database."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django import forms
from django.db.models import Aggregate, FloatField
from django.utils import timezone

DEFAULT_DAYS = 365  # a year back from today, when no period is asked for


@dataclass(frozen=True)
class Period:
    """The days from `start` to `end`, both included."""

    start: date
    end: date

    @classmethod
    def default(cls, today=None):
        today = today or timezone.localdate()
        return cls(today - timedelta(days=DEFAULT_DAYS - 1), today)

    def bounds(self):
        """[first moment, moment after the last day), as datetimes in UTC."""
        first = datetime.combine(self.start, time.min, tzinfo=dt_timezone.utc)
        return first, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=dt_timezone.utc)

    def moments(self, name):
        """A filter keeping the rows whose datetime field `name` falls in the period."""
        first, after = self.bounds()
        return {f"{name}__gte": first, f"{name}__lt": after}

    def days(self, name):
        return {f"{name}__gte": self.start, f"{name}__lte": self.end}


@dataclass
class Table:
    name: str
    title: str
    unit: str  # what every value of the table counts or measures: one unit per axis
    rows: list  # (label, value)
    note: str = field(default="")


# The median of a column of days, and the days between two moments, as each database says them.
MEDIAN = {"postgresql": "percentile_cont(0.5) WITHIN GROUP (ORDER BY {})", "sqlite": "fms_median({})"}
DAYS_BETWEEN = {"postgresql": "extract(epoch from {} - {}) / 86400", "sqlite": "julianday({}) - julianday({})"}


class MedianDays(Aggregate):
    """The median of the days from one datetime column to another, computed by the database."""

    output_field = FloatField()

    def __init__(self, since, until):
        super().__init__(since, until)

    def as_sql(self, compiler, connection, **extra_context):
        sides = self.get_source_expressions()[:2]  # what follows is the aggregate's filter, unused here
        (since, since_params), (until, until_params) = (compiler.compile(side) for side in sides)
        return MEDIAN[connection.vendor].format(DAYS_BETWEEN[connection.vendor].format(until, since)), [
            *until_params, *since_params]


# The period as a page, a CSV or the API is asked for it (From/To), a year to today when not given.
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    end = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        default = Period.default()
        data["end"] = data.get("end") or default.end
        data["start"] = data.get("start") or data["end"] - (default.end - default.start)
        if "start" not in self.errors and "end" not in self.errors and data["start"] > data["end"]:
            self.add_error("start", "The period must start on or before the day it ends.")
        return data

    def period(self):
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
