"""Setting what `prefetch_related` and `select_related` would have fetched, from rows already in hand."""


def hold(instance, name, rows):
    """Set `instance`'s many-related `name` to `rows`, the way prefetch_related sets it.

    Relies on: QuerySet._result_cache and ._prefetch_done, Model._prefetched_objects_cache keyed by the
    manager's cache name, which is `name` for a reverse foreign key (not for a reverse many-to-many).
    """
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def hold_none(instance, descriptor):
    """Say that `instance` has no row behind the reverse one-to-one `descriptor` (Case.loa), as a
    select_related that found none would. Relies on: ReverseOneToOneDescriptor.related.set_cached_value."""
    descriptor.related.set_cached_value(instance, None)
