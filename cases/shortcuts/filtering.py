"""django-filter, with a filter form of only the filters a request names.

Building and validating a FilterSet's form (a copy of every filter and form field) took a fifth of an
unfiltered case list's time, and of a list asking only for an order most of what the order added: the
form is built of the filters the request names, and not at all when it names none.
"""
import copy
from functools import cache

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        asked = frozenset(name for name, parameters in parameters_of(filterset_class).items()
                          if parameters & request.query_params.keys())
        if not asked:
            return queryset
        filterset = narrowed(filterset_class, asked)(**self.get_filterset_kwargs(request, queryset, view))
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


@cache
def narrowed(filterset_class, names):
    """`filterset_class` with only the filters `names`; one class per set of names a request asks for.

    Relies on: FilterSet.base_filters, read (and copied) by FilterSet.__init__."""
    subclass = type(filterset_class.__name__, (filterset_class,), {})
    subclass.base_filters = {name: filter_ for name, filter_ in filterset_class.base_filters.items() if name in names}
    return subclass


@cache
def parameters_of(filterset_class):
    """{filter name: the query parameters it reads}: its name, or the suffixed names of a multi-value
    widget (ranges, lookup choices). Read once per class: filters are declared, not built per request.

    Relies on: FilterSet.base_filters, each filter's built form field's widget, SuffixedMultiWidget.suffixes."""
    parameters = {}
    for name, filter_ in filterset_class.base_filters.items():
        # On a copy: a filter caches the field it builds, and a FilterSet copies its base filters, so a
        # field built here (a choice queryset with no request to scope it) would be every request's.
        suffixes = getattr(copy.deepcopy(filter_).field.widget, "suffixes", None) or [""]
        parameters[name] = frozenset(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return parameters
