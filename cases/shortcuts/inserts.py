"""INSERTs from statements built once per process, for the writes of a submission.

Django compiles an INSERT afresh for every save() and bulk_create(): for the five rows a new LOR writes
(case, events, line items, LOR) that cost more Python than the database spent on them. `insert` keeps the
statement per model and row count, and adapts each value with the field's own get_db_prep_save, as the
ORM does; like bulk_create it sends no signals.

Relies on: Field.pre_save(instance, add) giving the value to store, Model._state (adding, db),
Model._prepare_related_fields_for_save (as bulk_create calls it), and an
INSERT ... RETURNING returning the new rows' keys in the order of their VALUES (Django's bulk_create relies
on the same, on PostgreSQL and SQLite).
"""
from django.db import connection

_statements = {}


def insert(objs):
    """Insert model instances of one model, none saved yet, in one statement; set their primary keys."""
    if not objs:
        return objs
    model = type(objs[0])
    fields, sql = statement(model, len(objs))
    for obj in objs:  # a related row saved after this one was made: take its key, as save() would
        obj._prepare_related_fields_for_save(operation_name="insert")
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def statement(model, rows):
    """(the fields written, the INSERT's SQL) for `rows` rows of `model`, built once."""
    key = (model, rows, connection.vendor)
    if key not in _statements:
        meta = model._meta
        fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
        quote = connection.ops.quote_name
        values = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * rows)
        _statements[key] = fields, (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES {values} RETURNING {quote(meta.pk.column)}")
    return _statements[key]
