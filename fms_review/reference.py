"""Reference tables held in memory, per process: the small tables nearly every request reads and an
administrator seldom changes (countries, regions, bins, capabilities, agencies, offices, the dated rule
rows). A submission read three of them and the review queue six, a query each (or a join to plan) every time.

`held(name, build)` answers what `build()` made from them, building it once per process until any of
them changes. A change is a write through a reference model: a single row's save or delete and a bin's
members (signals), a queryset's update or bulk write (ReferenceQuerySet). It drops this process's copies
at once and, when its transaction commits, sets a new generation (a random token) in the shared cache
(Redis in production, a folder under var/ with `make run`), which every other process compares with the
one it last saw at most once per CHECK_SECONDS: a change made in the admin reaches every worker within
that time.

A transaction that wrote reference rows may still roll back: until it ends, the copies built within it
are dropped again when it does (at the next request, task or read outside a transaction).
"""
import logging
import time
import uuid

from django.core.cache import cache
from django.core.signals import request_started
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)

# Warning: every process must use the same key.
GENERATION_KEY = "reference-generation"
CHECK_SECONDS = 1.0

_copies = {}
_state = {"generation": None, "checked_at": float("-inf"), "written": False, "epoch": 0}


def held(name, build, *, version=None):
    """The value `build()` makes from reference rows, built once per process until they change, or until
    `version` does (the day, for a value that depends on the rules in force that day). The value is
    shared by every request of the process: read it, never change it."""
    settle()
    entry = _copies.get(name)
    if entry is None or entry[0] != version:
        entry = _copies[name] = (version, build())
    return entry[1]


def rows(model):
    """Every row of a reference model, in its default order, with its many-to-many rows (a bin's
    listed members)."""
    many = [field.name for field in model._meta.many_to_many]
    return held(model, lambda: list(model._default_manager.prefetch_related(*many)))


def by_key(model):
    """{primary key: row} of a reference model."""
    return held((model, "pk"), lambda: {row.pk: row for row in rows(model)})


def attach(objects, *names):
    """Give each of `objects` the reference rows its foreign keys `names` point at, from the process's
    copy: what select_related would fetch, without the join (whose planning cost more than the query).

    Relies on: a foreign key's cache (Field.set_cached_value), where select_related puts the row."""
    for name in names:
        for obj in objects:
            field = obj._meta.get_field(name)
            field.set_cached_value(obj, by_key(field.related_model).get(getattr(obj, field.attname)))


def settle():
    if _state["written"] and not connection.in_atomic_block:
        # The transaction that wrote reference rows has ended, committed or rolled back.
        forget()
    now = time.monotonic()
    if now - _state["checked_at"] < CHECK_SECONDS:
        return
    _state["checked_at"] = now
    try:
        generation = cache.get(GENERATION_KEY)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure: keep the copies
        log.warning("Reference generation not read (%s); keeping this process's copies.", error)
        return
    if generation != _state["generation"]:
        drop()
        _state["generation"] = generation


def changed(**signal_kwargs):
    """A reference table was written: drop this process's copies now, and every other process's once
    the transaction commits."""
    forget()
    _state["written"] = connection.in_atomic_block
    transaction.on_commit(publish)


def publish():
    forget()
    try:
        # A token, not a counter: a key the cache evicted and set afresh cannot repeat a value seen before.
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as error:  # noqa: BLE001 - the change is saved; other processes see it when the cache is back
        log.warning("Reference change not published to other processes (%s).", error)


def forget(**signal_kwargs):
    """Drop this process's copies (also each request's start after a reference write, and each test's)."""
    drop()
    _state["written"] = False


def drop():
    _copies.clear()
    _state["epoch"] += 1


def epoch():
    """A number that changes whenever this process drops its copies: part of the key of anything kept
    that was made from them (cases.review.queue_pages)."""
    settle()
    return _state["epoch"]


def request_begins(**signal_kwargs):
    if _state["written"]:
        forget()


class ReferenceQuerySet(models.QuerySet):
    """A reference model's queryset: its writes that send no per-row signal drop the copies too."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        changed()
        return count

    def bulk_create(self, *args, **kwargs):
        made = super().bulk_create(*args, **kwargs)
        changed()
        return made

    def bulk_update(self, *args, **kwargs):
        count = super().bulk_update(*args, **kwargs)
        changed()
        return count


def watch(*models_):
    """Drop the copies whenever a row of one of `models_` (or of their many-to-many tables) changes."""
    for model in models_:
        if not isinstance(model._default_manager.get_queryset(), ReferenceQuerySet):
            raise TypeError(f"{model.__name__} needs objects = ReferenceQuerySet.as_manager().")
        uid = f"reference:{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}")
    request_started.connect(request_begins, dispatch_uid="reference:request")
