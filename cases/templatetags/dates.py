"""One date format on every page: days as 2026-12-02, moments as 2026-12-02 14:05 UTC (the zone named,
since reviewers, liaisons and NSPA read the same record from different time zones)."""
from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def day(value):
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


@register.filter
def when(value):
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.filter
def age(days):
    """How long something has waited, in whole days: "today", "1 day", "12 days"."""
    if days is None:
        return ""
    return "today" if days < 1 else f"{days} day{'' if days == 1 else 's'}"
