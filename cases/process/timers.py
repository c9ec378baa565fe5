"""The clock's part of the process, run by Celery beat (and at once by `manage.py run_timers`).

Each job takes one of the rule book's clock actions on every case it is due for, set-based, with the
action's own conditions and audit verb. Each is idempotent: a second run on the same day changes
nothing, and a missed run is caught up by the next.
"""
from .stages import Action
from .workflow import perform_due


def clear_notifications(at=None, among=None):
    """Record the end of every formal congressional review period that has run out."""
    return perform_due(Action.CLEAR_NOTIFICATION, at=at, among=among)


def expire_offers(at=None, among=None):
    """Move every offer past its Offer Expiration Date to `loa_expired`."""
    return perform_due(Action.EXPIRE, at=at, among=among)


def mark_stalled(at=None, among=None):
    """Flag every case left waiting past a due date (cases.process.deadlines); a move clears the flag."""
    return perform_due(Action.MARK_STALLED, at=at, among=among)


# In the order a run takes them: a review that ends today clears before stalls are judged. Each takes
# `at` (default now) and `among` (cases to look at, default all) and returns the ids it acted on.
CLOCK = (
    ("clear congressional reviews", clear_notifications),
    ("expire offers", expire_offers),
    ("mark stalled", mark_stalled),
)


def run_clock(at=None, among=None):
    """Every clock job once: {label: ids acted on}."""
    return {label: job(at=at, among=among) for label, job in CLOCK}
