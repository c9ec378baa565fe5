"""The review queue's pages as rendered, kept per process between requests until what they show changes.

What the queue shows changes only through the rule book: an action on a batch, or on a case in one
(cases.process.workflow), calls `changed()` in its transaction. That drops this process's pages at once
and, when the transaction commits, sets a new version (a random token) in the shared cache (Redis), which
every process reads with each request for the queue: a page kept under another version is never served.
The rest of what a page is made of is in its key: the reference rows' epoch (names), the day (ages, offices
overdue), the reader (who holds a batch: "you") and the query. A page is kept at most KEEP_SECONDS, so a
change whose new version could not be set (Redis down at its commit) shows within that time; a process
that cannot read the version keeps nothing.
"""
import logging
import time
import uuid
from collections import OrderedDict

from django.core.cache import cache
from django.utils import timezone

from fms_review import reference

from ..shortcuts.on_commit import once_on_commit

log = logging.getLogger(__name__)

# Warning: every process must use the same key.
VERSION_KEY = "queue-version"
KEEP_SECONDS = 60
MOST_PAGES = 256

_pages = OrderedDict()  # key -> (kept at, page)


def key_for(user, params):
    """The key a page of the queue is kept under for `user` and the query `params`, or None when the
    version cannot be read (then nothing is kept or served)."""
    try:
        version = cache.get_or_set(VERSION_KEY, new_version, timeout=None)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure: build every page afresh
        log.warning("Queue version not read (%s); the page is built afresh.", error)
        return None
    query = tuple(sorted((name, tuple(params.getlist(name))) for name in params))
    return version, reference.epoch(), timezone.localdate(), user.pk, query


def kept(key):
    """The page kept under `key`, or None."""
    entry = _pages.get(key) if key is not None else None
    if entry is None or time.monotonic() - entry[0] > KEEP_SECONDS:
        return None
    _pages.move_to_end(key)
    return entry[1]


def keep(key, page):
    if key is None:
        return
    _pages[key] = (time.monotonic(), page)
    while len(_pages) > MOST_PAGES:
        _pages.popitem(last=False)


def changed():
    """What the queue shows is changing in this transaction: this process's pages go now, every process's
    at the commit."""
    _pages.clear()
    once_on_commit(publish)


def publish():
    _pages.clear()
    try:
        cache.set(VERSION_KEY, new_version(), timeout=None)
    except Exception as error:  # noqa: BLE001 - the change is saved; kept pages age out within KEEP_SECONDS
        log.warning("Queue version not changed (%s); other processes' pages age out.", error)


def new_version():
    return uuid.uuid4().hex


def forget():
    """Drop this process's pages (each test's start: a test's rolled-back rows leave no version)."""
    _pages.clear()
