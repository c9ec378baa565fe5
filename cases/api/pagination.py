"""Page-number pagination without a total count.

Counting every matching row costs more than fetching the page itself once a table holds 100,000 cases
(a reviewer's unfiltered list counts them all on every page), so a page fetches one row more than it
shows and `next` is given when that row exists.
"""
from collections import OrderedDict

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Beyond any table here, and within what a database accepts as an OFFSET.
MAX_OFFSET = 2**31


class CasePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

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
        size = self.get_page_size(request)
        number = request.query_params.get(self.page_query_param, "1")
        try:
            self.number = int(number)
        except ValueError:
            self.number = 0
        if self.number < 1:
            raise NotFound(f"Invalid page: {number!r} is not a positive whole number.")
        offset = (self.number - 1) * size
        rows = list(queryset[offset:offset + size + 1]) if offset <= MAX_OFFSET else []
        if not rows and self.number > 1:
            raise NotFound(f"Invalid page: page {self.number} is past the last page.")
        self.has_next = len(rows) > size
        return rows[:size]

    def get_paginated_response(self, data):
        return Response(OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()),
                                     ("results", data)]))

    def get_next_link(self):
        if not self.has_next:
            return None
        return self._link(self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        return self._link(self.number - 1)

    def _link(self, number):
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"].pop("count")
        schema["required"] = ["results"]
        return schema
