"""Callbacks queued once per transaction, however many writes ask for them."""
from django.db import transaction


def once_on_commit(callback):
    """Register `callback` to run when the transaction commits, unless it already is. Robust: what it
    meets after the commit is logged, never raised into the request whose work is already saved.

    Relies on: connection.run_on_commit, a list of (savepoint ids, callback, robust) per registration.
    """
    if not any(registered is callback for _, registered, _ in transaction.get_connection().run_on_commit):
        transaction.on_commit(callback, robust=True)
