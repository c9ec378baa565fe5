"""Pagination without a total count, by keyset where the order allows it.

Counting every matching row costs more than fetching the page itself once a table holds 100,000 cases
(a reviewer's unfiltered list counts them all on every page), so a page fetches one row more than it
shows and `next` is given when that row exists.

A page number is an OFFSET, which the database pays for by reading every row before the page: page
2,000 of the case list read 100,000 rows. So where the list is ordered by its own columns (every list
but a search, whose order is a computed rank), `next` and `previous` carry a `cursor`: the sort values
of the row at the page's edge, from which the next page is one index range scan whatever its depth.
`page` still works for the first pages a person clicks through.
"""
import base64
import binascii
import json
from collections import OrderedDict

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Beyond any table here, and within what a database accepts as an OFFSET.
MAX_OFFSET = 2**31
# As for a page number that does not exist (and as DRF's own CursorPagination answers): 404.
BAD_CURSOR = "Invalid cursor: not one this list gave; follow the `next` or `previous` link as given."


class Keyset:
    """A queryset's order when every term is one of its model's columns, all in one direction: the
    columns, with the primary key last so that no two rows tie."""

    def __init__(self, model, fields, descending):
        self.model, self.fields, self.descending = model, fields, descending

    @classmethod
    def of(cls, queryset):
        """The queryset's keyset, or None when its order is not one (an expression, a related column,
        mixed directions)."""
        model = queryset.model
        terms = queryset.query.order_by or (model._meta.ordering if queryset.query.default_ordering else ())
        if not terms or not all(isinstance(term, str) for term in terms):
            return None
        descending = {term.startswith("-") for term in terms}
        if len(descending) != 1:
            return None
        names = [term.lstrip("-") for term in terms]
        try:
            fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in names]
        except FieldDoesNotExist:
            return None
        if not all(field.concrete and not field.is_relation and not field.null for field in fields):
            return None
        if fields[-1] != model._meta.pk:
            fields.append(model._meta.pk)
        return cls(model, fields, descending.pop())

    def ordered(self, queryset, backwards=False):
        """The queryset in this order (reversed to walk back from a cursor)."""
        sign = "-" if self.descending != backwards else ""
        return queryset.order_by(*(sign + field.attname for field in self.fields))

    def beyond(self, queryset, values, backwards=False):
        """The rows after `values` in this order (before them, backwards), as one row comparison that
        the order's index answers."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(f"{table}.{connection.ops.quote_name(field.column)}" for field in self.fields)
        operator = "<" if self.descending != backwards else ">"
        marks = ", ".join(["%s"] * len(self.fields))
        condition = RawSQL(f"({columns}) {operator} ({marks})", values, output_field=BooleanField())
        return queryset.filter(condition)

    def encode(self, row, backwards):
        """The cursor of the row at a page's edge: its sort values as text, and the direction to walk."""
        values = [str(value_of(row, field)) for field in self.fields]
        return base64.urlsafe_b64encode(json.dumps([values, backwards]).encode()).decode()

    def decode(self, cursor):
        """(values for the database, backwards) of a cursor; a 404 for anything this list did not give."""
        try:
            values, backwards = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if not isinstance(backwards, bool) or len(values) != len(self.fields):
                raise ValueError
            prepared = [field.get_db_prep_value(field.to_python(value), connection)
                        for field, value in zip(self.fields, values)]
        except (ValueError, TypeError, binascii.Error, DjangoValidationError, UnicodeError):
            raise NotFound(BAD_CURSOR) from None
        return prepared, backwards


def value_of(row, field):
    """A field's value in a page's row: a dictionary of values() (the primary key as "pk") or an instance."""
    if isinstance(row, dict):
        return row["pk"] if field.primary_key and "pk" in row else row[field.attname]
    return getattr(row, field.attname)


class CasePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def get_page_size(self, request):
        """`page_size` as the schema states it, 1 to `max_page_size`: any other value is the client's
        error (400), where DRF would quietly serve the default or the cap."""
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        if not given.isdigit() or not 1 <= int(given) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"Give a whole number from 1 to {self.max_page_size}."]})
        return int(given)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset = Keyset.of(queryset)
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:  # sent empty, as a form sends an unused field: none
            if self.keyset is None:
                raise NotFound("Invalid cursor: this list's order (a search's rank) pages by `page` only.")
            return self.page_after(queryset, cursor, size)
        return self.numbered_page(queryset, request, size)

    def numbered_page(self, queryset, request, size):
        number = request.query_params.get(self.page_query_param, "1")
        try:
            self.number = int(number)
        except ValueError:
            self.number = 0
        if self.number < 1:
            raise NotFound(f"Invalid page: {number!r} is not a positive whole number.")
        offset = (self.number - 1) * size
        if self.keyset:
            queryset = self.keyset.ordered(queryset)
        rows = list(queryset[offset:offset + size + 1]) if offset <= MAX_OFFSET else []
        if not rows and self.number > 1:
            raise NotFound(f"Invalid page: page {self.number} is past the last page.")
        self.has_next, self.has_previous = len(rows) > size, self.number > 1
        self.rows = rows[:size]
        return self.rows

    def page_after(self, queryset, cursor, size):
        """The page after a cursor's row (before it, walking back): one more row tells whether the walk
        goes on. A page reached by a cursor always has the page it came from on the other side."""
        values, backwards = self.keyset.decode(cursor)
        walked = self.keyset.ordered(self.keyset.beyond(queryset, values, backwards), backwards)
        rows = list(walked[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        self.number = None
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, True
        self.rows = rows
        return rows

    def get_paginated_response(self, data):
        return Response(OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()),
                                     ("results", data)]))

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.keyset:
            return self._cursor_link(self.rows[-1], backwards=False)
        return self._link(self.number + 1)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.number == 2 or (self.keyset and not self.rows):
            return self._link(1)
        if self.keyset:
            return self._cursor_link(self.rows[0], backwards=True)
        return self._link(self.number - 1)

    def _link(self, number):
        url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def _cursor_link(self, row, backwards):
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.keyset.encode(row, backwards))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        cursor = {"name": self.cursor_query_param, "required": False, "in": "query", "schema": {"type": "string"},
                  "description": "Where a page starts: the value in a `next` or `previous` link, as given (any "
                                 "other value answers 404). Every list but a search gives one."}
        return [*parameters, cursor]

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"].pop("count")
        schema["required"] = ["results"]
        return schema
