"""Joint requests' references by id, kept per process, so that a page of the case list need not join the
joint request table: PostgreSQL took longer to plan that join than to read the page.

A kept pair cannot go stale: a reference never changes once filed, and an id is never given twice
(PostgreSQL's sequences, SQLite's AUTOINCREMENT). Only pairs read outside a transaction are kept, as they
are committed: a joint request seen inside a transaction that then rolls back would leave an id that
SQLite can give again.
"""
from django.db import connection

from ..models import JointRequest

# Beyond this many, the kept pairs are dropped and kept afresh: at about 200 bytes a pair, a bound on
# memory far above the joint requests a case list shows.
KEEP_AT_MOST = 50_000

_kept = {}


def references(ids):
    """{id: reference} for the ids given (None ignored): one query for those not kept, none if all are."""
    wanted = {joint_id for joint_id in ids if joint_id is not None}
    found = {joint_id: _kept[joint_id] for joint_id in wanted if joint_id in _kept}
    missing = wanted - found.keys()
    if missing:
        read = dict(JointRequest.objects.filter(pk__in=missing).values_list("pk", "reference"))
        found.update(read)
        if not connection.in_atomic_block:
            if len(_kept) + len(read) > KEEP_AT_MOST:
                _kept.clear()
            _kept.update(read)
    return found


def with_references(rows):
    """Give each row of cases (a dictionary with "joint_request_id") its joint request's reference, or None."""
    known = references(row["joint_request_id"] for row in rows)
    for row in rows:
        row["joint_request__reference"] = known.get(row["joint_request_id"])
    return rows


def forget():
    _kept.clear()
