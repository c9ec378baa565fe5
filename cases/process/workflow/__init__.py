"""The rule book (`rulebook`), the one function that takes an action (`perform`), and what the pages and
the API ask of it (`offers`). See rulebook.py for the table."""
from .errors import GuardFailed, IllegalMove, NotPermitted, WorkflowError
from .perform import (
    append_events,
    events_written,
    lock_case,
    move_many,
    perform,
    perform_batch,
    perform_batches_due,
    perform_due,
    perform_on_new,
    permitted,
    refuse_person,
)
from .rulebook import BATCH_RULES, BEFORE_ACCEPTANCE, RULES, STEPS, SYSTEM

__all__ = [
    "BATCH_RULES", "BEFORE_ACCEPTANCE", "RULES", "STEPS", "SYSTEM",
    "GuardFailed", "IllegalMove", "NotPermitted", "WorkflowError",
    "append_events", "events_written", "lock_case", "move_many", "perform", "perform_batch",
    "perform_batches_due", "perform_due", "perform_on_new", "permitted", "refuse_person",
]
