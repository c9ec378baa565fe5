"""Statements over many cases at once. On PostgreSQL each takes its whole list as one array parameter,
so the number of statements does not grow with the number of cases; SQLite (development) reads the
list from one JSON parameter.

An array goes to PostgreSQL as one literal ('{1,2,3}'), not as the ARRAY[1, 2, 3] constructor psycopg2
writes for a Python list: parsing and planning a constructor of 100,000 constants took 0.4 s a list, as
long as a batching run's every other statement."""
import json

from django.db import connection
from django.db.models.expressions import RawSQL

JSON_OBJECT = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"


def id_set(ids):
    """A subquery yielding `ids`, for `pk__in=`."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [numbers(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def numbers(values):
    """A PostgreSQL array literal of whole numbers."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def texts_of(values):
    """A PostgreSQL array literal of texts, each quoted (a backslash escapes a quote or a backslash)."""
    return "{" + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values) + "}"


def pairs_table(pairs):
    """SQL for a derived table v(a, b) of integer pairs, and its parameters."""
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[], %s::bigint[]) AS v(a, b)", [numbers(a for a, _ in pairs), numbers(b for _, b in pairs)]
    return (
        "(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(%s)) AS v",
        [json.dumps([[a, b] for a, b in pairs])],
    )


def update_pairs(model, column, pairs, **same):
    """Set `column` to b on each row a of the (a, b) `pairs`, and the `same` columns to one value, in one
    UPDATE whatever the number of rows."""
    if not pairs:
        return
    table, params = pairs_table(pairs)
    names = [model._meta.get_field(name) for name in same]
    values = [field.get_db_prep_save(same[field.name], connection) for field in names]
    assignments = ", ".join([f"{column} = v.b", *(f"{field.column} = %s" for field in names)])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {assignments} FROM {table} WHERE {model._meta.db_table}.id = v.a",
                       [*values, *params])


def insert_events(rows, *, verb, at, stage, actor=None):
    """One audit event per (case id, payload) of `rows` for a milestone (the case stays in `stage`), in
    one INSERT whatever their number: no model instance per event, which for tens of thousands of them
    costs more than the database's work. Rows may share one payload object; it is encoded once."""
    from django.core.serializers.json import DjangoJSONEncoder

    from ..models import CaseEvent

    if not rows:
        return
    events = CaseEvent._meta.db_table
    encoded = {}
    texts = [encoded.get(id(payload)) or encoded.setdefault(id(payload), json.dumps(payload, cls=DjangoJSONEncoder))
             for _, payload in rows]
    if connection.vendor == "postgresql":
        table = "unnest(%s::bigint[], %s::text[]) AS v(a, p)"
        params = [numbers(case_id for case_id, _ in rows), texts_of(texts)]
        payload = "v.p::jsonb"
    else:
        table = "(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS p FROM json_each(%s)) AS v"
        params = [json.dumps([[case_id, text] for (case_id, _), text in zip(rows, texts)])]
        payload = "v.p"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (case_id, actor_id, verb, from_stage, to_stage, payload, at, stage_since) "
            f"SELECT v.a, %s, %s, %s, %s, {payload}, %s, NULL FROM {table}",
            [getattr(actor, "pk", None), verb, stage, stage, connection.ops.adapt_datetimefield_value(at), *params],
        )
