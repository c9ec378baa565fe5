"""The speed shortcuts of cases/shortcuts lean on private or undocumented parts of Django, DRF and
django-filter. For each shortcut: a canary naming the exact attribute or behaviour it relies on, which
fails if an upgrade removes or reshapes it, and a behaviour test, which fails if the shortcut stops
doing its job (or stops giving what the framework would have given)."""
import copy
import json
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import import_module
from types import SimpleNamespace

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import backends as auth_backends
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_filters import fields as filter_fields
from django_filters import widgets as filter_widgets
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import ISO_8601, serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from bins.models import Capability, Country, Region
from cases.api.batches import BatchSerializer
from cases.api.serializers import (
    CASE_DETAIL,
    CaseDetailSerializer,
    CaseListSerializer,
    LineItemSerializer,
    LorSerializer,
    case_representation,
)
from cases.api.steps import actions_of
from cases.models import Case, ImplementingAgency, LineItem, ReviewBatch
from cases.reads.filters import BatchFilter, CaseFilter
from cases.reads.queries import case_detail_queryset
from cases.review.batching import build_batches
from cases.shortcuts import choices, filtering, inserts, on_commit, prefetch, rows, sessions
from cases.shortcuts import serializers as shortcut_serializers
from cases.shortcuts.choices import (
    FilterReferenceChoiceField,
    FilterReferenceChoices,
    ReferenceChoiceField,
    ReferenceChoiceFilter,
    ReferenceChoices,
)
from cases.shortcuts.filtering import FilterBackend, parameters_of
from cases.shortcuts.on_commit import once_on_commit
from cases.shortcuts.prefetch import hold, hold_none
from cases.shortcuts.rows import Rows, column, renderer

from .builders import submit

db = pytest.mark.django_db


# --- prefetch.hold, prefetch.hold_none ---------------------------------------------------------------

def test_canary_queryset_has_result_cache_and_prefetch_done():
    """hold sets QuerySet._result_cache (a list, or None until evaluated) and ._prefetch_done."""
    queryset = QuerySet(model=LineItem)
    assert queryset._result_cache is None
    assert queryset._prefetch_done is False


@db
def test_canary_prefetch_related_fills_prefetched_objects_cache_the_way_hold_does(reviewer):
    """What hold imitates: prefetch_related leaves `_prefetched_objects_cache[<accessor>]`, a QuerySet of
    the manager's whose _result_cache is the list of rows and whose _prefetch_done is True; the related
    manager looks it up under `rel.cache_name`, which must be the accessor name hold is given."""
    case = submit(reviewer, country="PL")
    fetched = Case.objects.prefetch_related("line_items", "decisions", "events").get(pk=case.pk)
    cache = fetched.__dict__["_prefetched_objects_cache"]
    assert set(cache) == {"line_items", "decisions", "events"}
    held = cache["line_items"]
    assert isinstance(held, QuerySet) and held.model is LineItem
    assert held._prefetch_done is True
    assert isinstance(held._result_cache, list)
    assert held._result_cache == list(LineItem.objects.filter(case=case)) and held._result_cache
    assert cache["decisions"]._result_cache == []
    # the names the project holds (cases.process.services.submission, cases.reads.queries.as_written)
    for name in ("line_items", "decisions", "events"):
        assert getattr(Case, name).rel.cache_name == name
        assert getattr(fetched, name).get_queryset() is cache[name]  # the manager reads the cache


@db
def test_canary_reverse_one_to_one_related_caches_none_the_way_hold_none_does(reviewer):
    """hold_none calls ReverseOneToOneDescriptor.related.set_cached_value(instance, None): what a
    select_related that found no row leaves behind (get_cached_value -> None)."""
    case = submit(reviewer, country="PL")
    assert callable(Case.loa.related.set_cached_value)
    fetched = Case.objects.select_related("loa", "notification").get(pk=case.pk)
    for descriptor in (Case.loa, Case.notification):
        assert descriptor.related.is_cached(fetched)
        assert descriptor.related.get_cached_value(fetched) is None


@db
def test_hold_makes_the_related_manager_read_no_query(reviewer, django_assert_num_queries):
    case = submit(reviewer, country="PL", line_items=[
        {"description": f"Lot {n}", "capability": "anti-armor", "quantity": 1, "unit_cost_usd": "10.00",
         "is_mde": False} for n in range(3)
    ])
    fresh = Case.objects.get(pk=case.pk)
    items = list(LineItem.objects.filter(case=case).order_by("-id"))
    hold(fresh, "line_items", items)
    hold(fresh, "decisions", [])
    with django_assert_num_queries(0):
        assert list(fresh.line_items.all()) == items
        assert fresh.line_items.count() == 3
        assert fresh.decisions.exists() is False
        prefetch_related_objects([fresh], "line_items", "decisions")  # Django sees them as prefetched
        assert list(fresh.line_items.all()) == items
    # what hold leaves is what prefetch_related leaves
    prefetched = Case.objects.prefetch_related("line_items").get(pk=case.pk)

    def shape(instance):
        held = instance._prefetched_objects_cache["line_items"]
        return type(held), held.model, sorted(held._result_cache, key=lambda item: item.pk), held._prefetch_done

    assert shape(fresh) == shape(prefetched)


@db
def test_a_submitted_case_holds_its_line_items(reviewer, django_assert_num_queries):
    """The service's use of hold (submit_lor): the returned case reads its line items without a query."""
    case = submit(reviewer, country="PL")
    with django_assert_num_queries(0):
        items = list(case.line_items.all())
    assert [item.description for item in items] == ["FGM-148 Javelin"]
    assert items == list(LineItem.objects.filter(case=case))


@db
def test_hold_none_says_there_is_no_row_without_a_query(reviewer, django_assert_num_queries):
    """After hold_none, `case.loa` raises RelatedObjectDoesNotExist (as after a select_related that found
    none; it is not None), and the detail serializer renders it as null, all without a query."""
    case = Case.objects.get(pk=submit(reviewer, country="PL").pk)
    hold_none(case, Case.loa)
    with django_assert_num_queries(0):
        assert not hasattr(case, "loa")
        with pytest.raises(Case.loa.RelatedObjectDoesNotExist):
            case.loa  # noqa: B018
        assert CASE_DETAIL.fields["loa"].get_attribute(case) is None


# --- serializers.ModelSerializer -------------------------------------------------------------------

class CountingModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, counting the calls of its get_fields (the shortcut's parent, by the MRO)."""

    built = []

    def get_fields(self):
        CountingModelSerializer.built.append(type(self).__name__)
        return super().get_fields()


def counted_serializers():
    """Fresh classes on the shortcut, whose parent get_fields counts: a line item's, and a narrower subclass."""

    class CountedLineItemSerializer(shortcut_serializers.ModelSerializer, CountingModelSerializer):
        capability = serializers.CharField(source="capability_id")

        class Meta:
            model = LineItem
            fields = ["id", "description", "capability", "quantity", "unit_cost_usd"]

    class CountedNarrowerSerializer(CountedLineItemSerializer):
        class Meta(CountedLineItemSerializer.Meta):
            fields = ["id", "quantity"]

    CountingModelSerializer.built = []
    return CountedLineItemSerializer, CountedNarrowerSerializer


def plain(serializer_class):
    """The same declared fields and Meta on DRF's own ModelSerializer."""
    attrs = {"Meta": serializer_class.Meta, **copy.deepcopy(serializer_class._declared_fields)}
    return type(f"Plain{serializer_class.__name__}", (serializers.ModelSerializer,), attrs)


def test_canary_drf_builds_a_serializers_fields_by_calling_get_fields():
    """The shortcut overrides ModelSerializer.get_fields: it must still be what `Serializer.fields` calls,
    once per instance, and DRF's must still be defined on ModelSerializer (the shortcut's super())."""
    assert "get_fields" in serializers.ModelSerializer.__dict__
    counted, _ = counted_serializers()
    assert counted.__mro__.index(CountingModelSerializer) == 2  # right after the shortcut's
    plain_counted = type("PlainCounted", (CountingModelSerializer,), {"Meta": counted.Meta})
    serializer = plain_counted()
    assert CountingModelSerializer.built == []  # fields are lazy
    assert list(serializer.fields) == ["id", "description", "capability", "quantity", "unit_cost_usd"]
    serializer.fields  # noqa: B018  (once per instance)
    plain_counted().fields  # noqa: B018
    assert CountingModelSerializer.built == ["PlainCounted", "PlainCounted"]


def test_fields_are_built_once_per_class_and_copied_per_instance():
    counted, narrower = counted_serializers()
    first, second = counted(), counted(context={"x": 1})
    assert list(first.fields) == list(second.fields) == ["id", "description", "capability", "quantity", "unit_cost_usd"]
    counted(many=True).child.fields  # noqa: B018
    assert CountingModelSerializer.built == ["CountedLineItemSerializer"]
    assert "_built_fields" in counted.__dict__
    # copies: each instance binds its own fields
    assert first.fields["quantity"] is not second.fields["quantity"]
    assert first.fields["quantity"].parent is first and second.fields["quantity"].parent is second
    assert second.fields["quantity"].context == {"x": 1}
    assert counted._built_fields["quantity"] is not first.fields["quantity"]
    # a subclass builds its own, from its own Meta, once
    assert list(narrower().fields) == ["id", "quantity"]
    narrower().fields  # noqa: B018
    assert CountingModelSerializer.built == ["CountedLineItemSerializer", "CountedNarrowerSerializer"]


@pytest.mark.parametrize("serializer_class", [LineItemSerializer, LorSerializer, CaseListSerializer,
                                              CaseDetailSerializer, BatchSerializer])
def test_the_cached_fields_are_the_fields_drf_builds(serializer_class):
    """Field by field (repr: class and every argument), the first instance's and a later instance's."""
    expected = {name: repr(field) for name, field in plain(serializer_class)().fields.items()}
    for _ in range(2):
        assert {name: repr(field) for name, field in serializer_class().fields.items()} == expected


@db
def test_the_output_is_what_drfs_model_serializer_gives(reviewer):
    submit(reviewer, country="PL")
    submit(reviewer, country="DE", dcs_negotiation=True)
    cases = list(case_detail_queryset().order_by("id"))
    for each in cases:
        each.actions, each.blocked = actions_of(each, reviewer)
    assert len(cases) == 2
    expected = plain(CaseDetailSerializer)(cases, many=True).data
    assert [case_representation(each, reviewer) for each in cases] == expected
    assert CaseDetailSerializer(cases, many=True).data == expected
    listed = Case.objects.order_by("id")
    assert CaseListSerializer(listed, many=True).data == plain(CaseListSerializer)(listed, many=True).data
    items = LineItem.objects.order_by("id")
    assert LineItemSerializer(items, many=True).data == plain(LineItemSerializer)(items, many=True).data


# --- rows.Rows ---------------------------------------------------------------------------------------
# Rows against the real list serializers on real cases and batches: tests/test_api_cases.py
# (test_list_rows_are_what_the_list_serializer_would_give) and tests/test_api_batches.py
# (test_list_rows_are_what_the_serializer_would_give). Here: its reading of DRF's fields, value by value.

def test_canary_drf_decimal_field_attributes_rows_reads():
    field = serializers.DecimalField(max_digits=16, decimal_places=2)
    assert field.decimal_places == 2
    assert field.rounding is None and field.normalize_output is False and field.localize is False
    # coerce_to_string is set only when given; otherwise DRF (and Rows) fall back to the setting
    assert not hasattr(field, "coerce_to_string")
    assert serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False).coerce_to_string is False
    rounded = serializers.DecimalField(max_digits=16, decimal_places=2, rounding=ROUND_HALF_UP, normalize_output=True)
    assert rounded.rounding == ROUND_HALF_UP and rounded.normalize_output is True


def test_canary_drf_datetime_field_attributes_rows_reads():
    """`format` and `timezone` exist only when given: Rows takes the fast path only when both are absent."""
    field = serializers.DateTimeField()
    assert not hasattr(field, "format") and not hasattr(field, "timezone")
    assert serializers.DateTimeField(format=ISO_8601).format == ISO_8601
    assert serializers.DateTimeField(default_timezone=dt_timezone.utc).timezone is dt_timezone.utc


def test_canary_rows_reads_a_fields_source_and_slug_field():
    fields = BatchSerializer().fields
    assert fields["created"].source == "created_at"
    assert column(fields["assigned_reviewer"]) == "assigned_reviewer__username"
    assert column(fields["bin"]) == "bin__slug"


DECIMAL_FIELDS = [
    {}, {"rounding": ROUND_HALF_UP}, {"rounding": ROUND_DOWN}, {"coerce_to_string": False},
    {"normalize_output": True}, {"localize": True}, {"decimal_places": 0, "max_digits": 14},
    {"decimal_places": 4, "max_digits": 18},
]
DECIMALS = ["0", "0.5", "1.005", "-2.675", "7.125", "123456789.99", "99999999999999.99", "1E+3", "-0.004", "3"]


@pytest.mark.parametrize("kwargs", DECIMAL_FIELDS, ids=lambda kwargs: ",".join(map(str, kwargs.items())) or "plain")
def test_rows_renders_decimals_as_drf_does(kwargs):
    field = serializers.DecimalField(**{"max_digits": 16, "decimal_places": 2, **kwargs})
    render = renderer(field, timezone.get_current_timezone())
    if not kwargs or "rounding" in kwargs or "decimal_places" in kwargs:
        assert render is not None and render != field.to_representation  # the fast path is taken
    for text in DECIMALS:
        try:
            expected = field.to_representation(Decimal(text))
        except InvalidOperation:  # more digits than max_digits: DRF refuses, Rows renders (no such column value)
            continue
        assert render(Decimal(text)) == expected, text


@pytest.mark.parametrize("zone", ["UTC", "Europe/Warsaw", "America/Caracas", "Asia/Kathmandu"])
def test_rows_renders_datetimes_as_drf_does(zone):
    field = serializers.DateTimeField()
    moments = [datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt_timezone.utc),  # Warsaw: last minute of CET
               datetime(2026, 3, 29, 1, 0, tzinfo=dt_timezone.utc),
               datetime(2026, 10, 25, 1, 30, tzinfo=dt_timezone.utc),
               datetime(2026, 7, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(120))]
    with timezone.override(zone):
        render = renderer(field, timezone.get_current_timezone())
        assert render is not None and render != field.to_representation
        for moment in moments:
            assert render(moment) == field.to_representation(moment)
    with_zone = serializers.DateTimeField(default_timezone=dt_timezone.utc)
    assert renderer(with_zone, timezone.get_current_timezone()) == with_zone.to_representation


class ItemRowSerializer(serializers.ModelSerializer):
    """Plain DRF, with a dotted source and a slug across a join: unlike the list serializers."""

    case_number = serializers.CharField(source="case.case_number")
    capability = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = LineItem
        fields = ["id", "case_number", "description", "capability", "quantity", "unit_cost_usd", "is_mde",
                  "is_design_construction"]


@db
def test_rows_of_line_items_are_what_the_serializer_gives(reviewer):
    submit(reviewer, country="PL", line_items=[
        {"description": "Radar", "capability": "air-missile-defense", "quantity": 2, "unit_cost_usd": "1234567.89",
         "is_mde": True},
        {"description": "Spares", "capability": "anti-armor", "quantity": 900, "unit_cost_usd": "0.10",
         "is_mde": False},
    ])
    submit(reviewer, country="DE")
    queryset = LineItem.objects.order_by("id")
    item_rows = Rows(ItemRowSerializer)
    assert item_rows.columns == ["id", "case__case_number", "description", "capability__name", "quantity",
                                 "unit_cost_usd", "is_mde", "is_design_construction"]
    rendered = item_rows.render(item_rows.of(queryset))
    assert rendered == json.loads(json.dumps(ItemRowSerializer(queryset, many=True).data)) and len(rendered) == 3
    assert rendered[1]["unit_cost_usd"] == "0.10"


# --- filtering.FilterBackend, parameters_of ------------------------------------------------------------

class Ranges(django_filters.FilterSet):
    key = django_filters.CharFilter(field_name="title")
    total = django_filters.RangeFilter(field_name="total_value_usd")
    created = django_filters.DateFromToRangeFilter(field_name="created_at", widget=filter_widgets.DateRangeWidget(
        attrs={"type": "date"}))  # a widget given as an argument, as django-filter's documentation shows
    stage = django_filters.MultipleChoiceFilter(choices=[("lor_received", "Received")])

    class Meta:
        model = Case
        fields = []


class Lookups(django_filters.FilterSet):
    title = django_filters.LookupChoiceFilter(lookup_choices=["exact", "icontains"])

    class Meta:
        model = Case
        fields = []


def test_canary_django_filter_widgets_and_suffixes():
    """parameters_of reads FilterSet.base_filters, each filter's field_class.widget, and a suffixed
    widget's `suffixes`."""
    assert set(CaseFilter.base_filters) >= {"country", "created_after", "ordering"}
    assert django_filters.CharFilter.field_class.widget is forms.TextInput
    assert django_filters.RangeFilter.field_class.widget.suffixes == ["min", "max"]
    assert django_filters.DateFromToRangeFilter.field_class.widget.suffixes == ["after", "before"]
    assert parameters_of(Ranges) == {"key": {"key"}, "total": {"total_min", "total_max"},
                                     "created": {"created_after", "created_before"}, "stage": {"stage"}}


def test_canary_drf_backend_methods_the_shortcut_calls():
    assert "filter_queryset" in DjangoFilterBackend.__dict__ and "get_filterset_class" in DjangoFilterBackend.__dict__
    view = SimpleNamespace(filterset_class=CaseFilter)
    assert FilterBackend().get_filterset_class(view, Case.objects.all()) is CaseFilter
    assert FilterBackend().get_filterset_class(SimpleNamespace(), Case.objects.all()) is None


class ReadKeys(dict):
    """Query data that records every name a form asks it for."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.asked.add(key)
        return [super().__getitem__(key)] if super().__contains__(key) else []

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


@db
@pytest.mark.parametrize("filterset_class", [CaseFilter, BatchFilter, Ranges])
def test_parameters_of_names_every_parameter_the_filter_form_reads(filterset_class):
    """Otherwise a request naming only a parameter parameters_of misses would go unfiltered."""
    data = ReadKeys({"page": "2"})
    filterset = filterset_class(data=data, queryset=filterset_class._meta.model.objects.all())
    assert filterset.form.is_valid(), filterset.form.errors
    asked = data.asked - {"page"}
    assert asked and asked <= every_parameter(filterset_class)


@db
def test_parameters_of_names_a_lookup_choice_filters_lookup():
    data = ReadKeys({"page": "2"})
    assert Lookups(data=data, queryset=Case.objects.all()).form.is_valid()
    assert data.asked - {"page"} == {"title", "title_lookup"}
    assert data.asked - {"page"} <= every_parameter(Lookups)


def every_parameter(filterset_class):
    return set().union(*parameters_of(filterset_class).values())


class Counting:
    """A FilterSet that counts how often it (and its form) is built."""

    built = []

    def __init__(self, *args, **kwargs):
        Counting.built.append("filterset")
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        Counting.built.append("form")
        return super().get_form_class()


class CountingCaseFilter(Counting, CaseFilter):
    class Meta(CaseFilter.Meta):
        pass


class CountingBatchFilter(Counting, BatchFilter):
    class Meta(BatchFilter.Meta):
        pass


def request_with(**params):
    return Request(APIRequestFactory().get("/api/v1/", params))


@pytest.fixture
def cases_and_batches(reviewer):
    for country in ("PL", "DE", "FR"):
        submit(reviewer, country=country)
    build_batches()
    assert ReviewBatch.objects.exists()


@db
@pytest.mark.parametrize("filterset_class", [CountingCaseFilter, CountingBatchFilter])
def test_without_a_filter_parameter_no_filterset_or_form_is_built(filterset_class, cases_and_batches):
    view = SimpleNamespace(filterset_class=filterset_class)
    queryset = filterset_class._meta.model.objects.order_by("id")
    Counting.built = []
    for request in (request_with(), request_with(page="2", page_size="5", format="json")):
        assert FilterBackend().filter_queryset(request, queryset, view) is queryset
    assert Counting.built == []
    # and nothing is lost by skipping: django-filter's own backend gives the same rows
    assert list(DjangoFilterBackend().filter_queryset(request_with(), queryset, view)) == list(queryset)
    assert Counting.built == ["filterset", "form"]


@db
@pytest.mark.parametrize("filterset_class,params,expected", [
    (CountingCaseFilter, {"country": "PL"}, 1), (CountingCaseFilter, {"country": "PL", "page": "1"}, 1),
    (CountingCaseFilter, {"ordering": "-created"}, 3), (CountingBatchFilter, {"status": "open"}, None),
])
def test_with_a_filter_parameter_the_filter_applies(filterset_class, params, expected, cases_and_batches):
    view = SimpleNamespace(filterset_class=filterset_class)
    queryset = filterset_class._meta.model.objects.order_by("id")
    Counting.built = []
    filtered = list(FilterBackend().filter_queryset(request_with(**params), queryset, view))
    assert Counting.built == ["filterset", "form"]
    assert filtered == list(DjangoFilterBackend().filter_queryset(request_with(**params), queryset, view))
    if expected is not None:
        assert len(filtered) == expected


@db
@pytest.mark.parametrize("params", [{"ordering": "-created"}, {"country": "PL", "ordering": "created"},
                                    {"search": "Poland", "ordering": "-total_value_usd"}, {"stage": "in_review"}])
def test_the_form_holds_only_the_filters_a_request_names_and_filters_as_the_whole_form(params, cases_and_batches):
    view = SimpleNamespace(filterset_class=CaseFilter)
    queryset = Case.objects.order_by("id")
    built = []
    original = CaseFilter.get_form_class

    def form_class(filterset):
        built.append(set(filterset.filters))
        return original(filterset)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CaseFilter, "get_form_class", form_class)
        narrowed = list(FilterBackend().filter_queryset(request_with(**params), queryset, view))
    assert built == [set(params)]
    assert narrowed == list(DjangoFilterBackend().filter_queryset(request_with(**params), queryset, view))


@db
def test_the_api_lists_still_validate_a_named_filter(api, reviewer):
    """A malformed value of a named filter is still refused: the backend did not skip the form."""
    client = api(reviewer)
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.get("/api/v1/cases/?joint_request=first").status_code == 400
    assert client.get("/api/v1/batches/?status=nope").status_code == 400
    assert settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] == ["cases.shortcuts.filtering.FilterBackend"]


# --- choices.ReferenceChoices --------------------------------------------------------------------------
# The dashboard's filter lists on PostgreSQL, without DECLARE: tests/test_pages.py
# (test_the_filter_lists_are_read_without_a_server_side_cursor). Here: the iterators themselves.

def test_canary_django_model_choice_iterator_parts():
    """ReferenceChoices overrides ModelChoiceIterator.__iter__ and uses its choice(), its `field` and
    `queryset`, and the field's empty_label; ModelChoiceField.choices builds `self.iterator(self)`."""
    iterator = forms.models.ModelChoiceIterator
    assert callable(iterator.choice) and "__iter__" in iterator.__dict__
    field = ReferenceChoiceField(Capability.objects.all(), empty_label="Pick")
    assert field.empty_label == "Pick"
    assert isinstance(field.choices, ReferenceChoices)
    assert field.choices.field is field and field.choices.queryset.model is Capability
    # django-filter's iterator calls super().__iter__() (so ours, by the MRO) to insert its null choice
    assert FilterReferenceChoices.__mro__[1:4] == (filter_fields.ModelChoiceIterator, ReferenceChoices,
                                                   forms.models.ModelChoiceIterator)
    assert isinstance(FilterReferenceChoiceField(Capability.objects.all()).choices, FilterReferenceChoices)
    assert ReferenceChoiceFilter.field_class is FilterReferenceChoiceField


def pairs(choices):
    return [(str(value), label) for value, label in choices]


@db
@pytest.mark.parametrize("empty_label", ["Choose a capability", None])
def test_reference_choices_are_djangos_choices(empty_label):
    for queryset in (Capability.objects.all(), Region.objects.all(), Country.objects.filter(nato_member=True),
                     ImplementingAgency.objects.all()):
        ours = pairs(ReferenceChoiceField(queryset, empty_label=empty_label).choices)
        assert ours == pairs(forms.ModelChoiceField(queryset, empty_label=empty_label).choices)
        assert len(ours) >= 3
    by_name = ReferenceChoiceField(Capability.objects.all(), to_field_name="name")
    djangos = forms.ModelChoiceField(Capability.objects.all(), to_field_name="name")
    assert pairs(by_name.choices) == pairs(djangos.choices) and pairs(by_name.choices)[1][0] != "anti-armor"


@db
@pytest.mark.parametrize("null_label", ["None", None])
def test_filter_reference_choices_are_django_filters_choices(null_label):
    queryset = Region.objects.all()
    ours = pairs(FilterReferenceChoiceField(queryset, null_label=null_label).choices)
    assert ours == pairs(filter_fields.ModelChoiceField(queryset, null_label=null_label).choices)
    assert ours[0][0] == "" and (ours[1] == ("null", "None")) == (null_label is not None)


@db
def test_reference_choices_are_read_in_one_plain_query():
    """One SELECT a list; on PostgreSQL Django's own iterator would DECLARE a server-side cursor."""
    fields = [ReferenceChoiceField(Capability.objects.all()),
              FilterReferenceChoiceField(Region.objects.all(), null_label="None"),
              ReferenceChoiceFilter(queryset=Country.objects.all()).field]
    for field in fields:
        with CaptureQueriesContext(connection) as queries:
            assert sum(1 for _ in field.choices) > 3
        assert [query["sql"].split()[0] for query in queries] == ["SELECT"]


# --- on_commit.once_on_commit ---------------------------------------------------------------------------

def first_callback():
    pass


def second_callback():
    pass


@db
def test_canary_run_on_commit_holds_savepoint_ids_callback_robust():
    """once_on_commit unpacks connection.run_on_commit as (savepoint ids, callback, robust) per entry."""
    with transaction.atomic():
        transaction.on_commit(first_callback)
        transaction.on_commit(second_callback, robust=True)
        entries = transaction.get_connection().run_on_commit[-2:]
        savepoint = transaction.get_connection().savepoint_ids[-1]
    assert all(isinstance(entry, tuple) and len(entry) == 3 for entry in entries)
    (sids, callback, robust), (_, other, other_robust) = entries
    assert savepoint in sids and callback is first_callback and robust is False
    assert other is second_callback and other_robust is True


@db
def test_once_on_commit_registers_a_callback_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        once_on_commit(first_callback)
        with transaction.atomic():
            once_on_commit(first_callback)
            once_on_commit(second_callback)
        once_on_commit(second_callback)
    assert callbacks == [first_callback, second_callback]


@db
def test_once_on_commit_registers_again_after_a_rolled_back_savepoint(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            once_on_commit(first_callback)
            1 / 0  # noqa: B018
        once_on_commit(first_callback)
        once_on_commit(first_callback)
    assert callbacks == [first_callback]


@pytest.mark.django_db(transaction=True)
def test_once_on_commit_runs_once_per_committed_transaction():
    ran = []

    def callback():
        ran.append(len(ran))

    with transaction.atomic():
        once_on_commit(callback)
        with transaction.atomic():
            once_on_commit(callback)
        once_on_commit(callback)
        assert ran == []
    assert ran == [0]
    with transaction.atomic():
        once_on_commit(callback)  # a new transaction asks again
    assert ran == [0, 1]
    once_on_commit(callback)  # outside a transaction it runs at once, as on_commit does
    assert ran == [0, 1, 2]


# --- sessions.ModelBackend ----------------------------------------------------------------------------

def test_canary_django_model_backend_get_user():
    """The shortcut replaces ModelBackend.get_user(user_id) and still asks user_can_authenticate."""
    assert "get_user" in auth_backends.ModelBackend.__dict__
    assert callable(auth_backends.ModelBackend.user_can_authenticate)
    assert "cases.shortcuts.sessions.ModelBackend" in settings.AUTHENTICATION_BACKENDS


@db
def test_get_user_reads_user_profile_and_country_in_one_query(liaison_pl, reviewer, django_assert_num_queries):
    backend = sessions.ModelBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(liaison_pl.pk)
    with django_assert_num_queries(0):
        name = user.profile.country.name
        assert user.profile.role == "liaison" and user.profile.country.pk == "PL"
    assert name == Country.objects.get(pk="PL").name
    with django_assert_num_queries(1):
        staff = backend.get_user(reviewer.pk)
    with django_assert_num_queries(0):
        assert staff.profile.country is None and staff.profile.role == "reviewer"


@db
def test_get_user_refuses_whom_djangos_refuses(liaison_pl):
    ours, djangos = sessions.ModelBackend(), auth_backends.ModelBackend()
    assert ours.get_user(liaison_pl.pk) == djangos.get_user(liaison_pl.pk) == liaison_pl
    assert ours.get_user(liaison_pl.pk + 1000) is None and djangos.get_user(liaison_pl.pk + 1000) is None
    get_user_model().objects.filter(pk=liaison_pl.pk).update(is_active=False)
    assert ours.get_user(liaison_pl.pk) is None and djangos.get_user(liaison_pl.pk) is None


@db
def test_a_signed_in_session_finds_its_user_with_profile_and_country(liaison_pl, django_assert_num_queries):
    client = Client()
    client.force_login(liaison_pl)
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(client.session.session_key)
    assert request.session[auth.BACKEND_SESSION_KEY] == "cases.shortcuts.sessions.ModelBackend"
    with django_assert_num_queries(1):
        user = auth.get_user(request)
    assert user == liaison_pl
    with django_assert_num_queries(0):
        name = user.profile.country.name
    assert user.profile.country.pk == "PL" and name == Country.objects.get(pk="PL").name


# --- inserts.insert ------------------------------------------------------------------------------------

def test_canary_model_parts_insert_uses():
    """insert() calls Field.pre_save(instance, add), Model._prepare_related_fields_for_save(operation_name=)
    and sets Model._state.adding and .db, as bulk_create does."""
    import inspect

    from django.db.models import Field, Model

    assert list(inspect.signature(Field.pre_save).parameters) == ["self", "model_instance", "add"]
    assert "operation_name" in inspect.signature(Model._prepare_related_fields_for_save).parameters
    state = LineItem()._state
    assert state.adding is True and state.db is None


@db
def test_insert_writes_the_rows_save_would(reviewer):
    case = submit(reviewer, country="PL")
    made = dict(description="Javelin", capability_id="anti-armor", quantity=3, unit_cost_usd=Decimal("1.50"))
    saved = LineItem(case=case, **made)
    saved.save()
    ours = inserts.insert([LineItem(case=case, **made), LineItem(case=case, **{**made, "quantity": 4})])
    assert [item.pk for item in ours] == [saved.pk + 1, saved.pk + 2]  # the keys, in the order given
    assert all(not item._state.adding and item._state.db == "default" for item in ours)
    columns = ["case_id", "description", "capability_id", "quantity", "unit_cost_usd", "is_mde", "is_design_construction"]
    rows = {row.pop("id"): row for row in LineItem.objects.filter(case=case).values("id", *columns)}
    assert rows[ours[0].pk] == rows[saved.pk] and rows[ours[1].pk]["quantity"] == 4


@db
def test_insert_takes_the_key_of_a_related_row_saved_after_it_was_made(reviewer):
    """As save() does: the submission makes the LOR before its case has a key."""
    twin = Case.objects.get(pk=submit(reviewer, country="PL").pk)
    twin.pk, twin.designator, twin.case_number = None, "ZZZ", "PL-B-ZZZ"
    item = LineItem(case=twin, description="Javelin", capability_id="anti-armor", quantity=1, unit_cost_usd=Decimal("1"))
    inserts.insert([twin])
    inserts.insert([item])
    assert twin.pk is not None and LineItem.objects.get(pk=item.pk).case_id == twin.pk


def test_every_shortcut_module_is_covered_here():
    """A new module in cases/shortcuts needs its tests here too (the package's promise)."""
    import pkgutil

    import cases.shortcuts

    covered = {module.__name__.rsplit(".", 1)[1] for module in (choices, filtering, inserts, on_commit, prefetch,
                                                                  rows, sessions, shortcut_serializers)}
    assert {info.name for info in pkgutil.iter_modules(cases.shortcuts.__path__)} == covered

