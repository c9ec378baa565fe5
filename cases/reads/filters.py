from datetime import timezone as dt_timezone

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bins.grouping import members_of
from bins.models import Bin, Capability, Country, Region
from fms_review import reference

from ..models import BatchStatus, Case, JointRequest, ReviewBatch
from ..process.stages import Stage
from ..shortcuts.choices import FilterReferenceChoiceField, ReferenceChoiceFilter
from .search import CANDIDATES, MAX_LENGTH, search

NO_MATCH = object()  # a well-formed value that names nothing there is, or nothing the user may see
NAMES_NOTHING = {"invalid_choice", "null_characters_not_allowed"}  # a slug with a NUL in it is nobody's


class MissMatchesNothing:
    """A filter field naming an object by id or slug: a value of the wrong type is refused (400), but a
    well-formed one that names nothing the user may see matches no case, as a search would. So no answer
    tells an object the user may not see from one that does not exist, and every value the schema
    accepts is accepted."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        key.to_python(value)  # "abc" for an id: the schema's type is wrong, and that is the client's error
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code not in NAMES_NOTHING:
                raise
            return NO_MATCH

    def validate(self, value):
        if value is not NO_MATCH:
            super().validate(value)


class ReferenceFilter(ReferenceChoiceFilter):
    field_class = type("ReferenceFilterField", (MissMatchesNothing, FilterReferenceChoiceField), {})


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(ReferenceFilter):
    """A reference filter documented as the slug string it takes."""


class ObjectFilter(django_filters.ModelChoiceFilter):
    """An object the user may or may not see, by its public key: its choices come through visible_to."""

    field_class = type("ObjectFilterField", (MissMatchesNothing, django_filters.fields.ModelChoiceField), {})


class EmptyChoicesField(django_filters.fields.MultipleChoiceField):
    """`?stage=` (an HTML form's unchosen option) is no choice, as an empty filter is no filter."""

    def to_python(self, value):
        return [choice for choice in super().to_python(value) if choice != ""]


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Choices of the model's own column: no join, so no DISTINCT (which sorted every matching row)."""

    field_class = EmptyChoicesField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, distinct=False, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    """Filters narrow what `visible_to` already allows; they never widen it, and a value naming nothing
    the user may see matches nothing. Filters run in the order declared, but those named in
    `applied_last`, which run after the others in that order."""

    applied_last = ()

    def filter_queryset(self, queryset):
        values = self.form.cleaned_data
        if any(value is NO_MATCH for value in values.values()):
            return queryset.none()
        names = [name for name in values if name not in self.applied_last] + [
            name for name in self.applied_last if name in values]  # a narrowed form may lack some
        for name in names:
            queryset = self.filters[name].filter(queryset, values[name])
        return queryset


def visible_joint_requests(request):
    return JointRequest.objects.visible_to(request.user if request else None)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned to UTC here: PostgreSQL refuses offsets beyond 15:59, which ISO allows."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return value.astimezone(dt_timezone.utc) if value else value
        except OverflowError:
            raise ValidationError("This date-time is out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


# The schema says what is refused (400): longer text, or a NUL (a form's text field refuses one, as
# PostgreSQL would), so that every value it allows is searched.
SEARCH_SCHEMA = {
    "type": "string", "maxLength": MAX_LENGTH, "pattern": "^[^\\x00]*$",
    "description": "Words or a case number, looked for in the case number, title, country name, line items and "
                   f"LOR justification; best match first unless `ordering` is given. At most the newest "
                   f"{CANDIDATES:,} matches are returned: narrow a broader search with more words or filters.",
}


@extend_schema_field(SEARCH_SCHEMA)
class SearchFilter(django_filters.CharFilter):
    """Free text; sent empty (or only spaces), no filter."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_LENGTH, widget=forms.SearchInput, **kwargs)


class CaseFilter(ScopedFilterSet):
    # A search ranks the newest matches of what the other filters leave (search.CANDIDATES), so it
    # runs after them; its rank is the order unless `ordering`, after it, asks for another.
    applied_last = ("search", "ordering")

    search = SearchFilter(method="search_cases", label="Search")
    country = ReferenceFilter(queryset=Country.objects.all(), help_text="ISO alpha-2 code.")
    stage = ChoicesFilter(choices=Stage.choices)
    bin = SlugChoiceFilter(
        queryset=Bin.objects.all(), to_field_name="slug", method="in_bin",
        help_text="Bin slug: cases of the bin's member countries.",
    )
    region = ReferenceFilter(queryset=Region.objects.all(), field_name="country__region")
    capability = ReferenceFilter(
        queryset=Capability.objects.all(), field_name="primary_capability", help_text="Capability slug."
    )
    joint_request = ObjectFilter(queryset=visible_joint_requests, to_field_name="reference",
                                 help_text="A joint request's reference.")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time.")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte", help_text="ISO 8601 date-time.")
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("total_value_usd", "total_value_usd")),
        help_text="created, -created, total_value_usd or -total_value_usd.",
    )

    class Meta:
        model = Case
        fields = []

    def search_cases(self, queryset, name, text):
        return search(queryset, text)

    def in_bin(self, queryset, name, bin_):
        return queryset.filter(country__in=[country.pk for country in members_of(bin_, reference.rows(Country))])


class BatchFilter(ScopedFilterSet):
    key = django_filters.CharFilter(field_name="group_key", help_text='"bin:<slug>" or "region:<code>".')
    bin = SlugChoiceFilter(queryset=Bin.objects.all(), to_field_name="slug", help_text="Bin slug.")
    region = ReferenceFilter(queryset=Region.objects.all())
    capability = ReferenceFilter(queryset=Capability.objects.all(), help_text="Capability slug.")
    status = ChoicesFilter(choices=BatchStatus.choices)

    class Meta:
        model = ReviewBatch
        fields = []
