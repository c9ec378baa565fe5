"""Statements over many cases at once. On PostgreSQL each takes its whole list as one array parameter,
so the number of statements does not grow with the number of cases; SQLite (development) reads the
list from one JSON parameter."""
import json

from django.db import connection
from django.db.models.expressions import RawSQL

JSON_OBJECT = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"


def id_set(ids):
    """A subquery yielding `ids`, for `pk__in=`."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def pairs_table(pairs):
    """SQL for a derived table v(a, b) of integer pairs, and its parameters."""
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[], %s::bigint[]) AS v(a, b)", [[a for a, _ in pairs], [b for _, b in pairs]]
    return (
        "(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(%s)) AS v",
        [json.dumps([[a, b] for a, b in pairs])],
    )
