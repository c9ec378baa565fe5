from datetime import timezone as dt_timezone

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bins.grouping import members_of
from bins.models import Bin, Capability, Country, Region

from ..models import BatchStatus, Case, JointRequest, ReviewBatch
from ..process.stages import Stage
from ..shortcuts.choices import ReferenceChoiceFilter


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(ReferenceChoiceFilter):
    """A ModelChoiceFilter documented as the slug string it takes."""


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


class CaseFilter(django_filters.FilterSet):
    """Filters narrow what `visible_to` already allows; they never widen it."""

    country = ReferenceChoiceFilter(queryset=Country.objects.all(), help_text="ISO alpha-2 code.")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    bin = SlugChoiceFilter(
        queryset=Bin.objects.prefetch_related("listed_countries"), to_field_name="slug", method="in_bin",
        help_text="Bin slug: cases of the bin's member countries.",
    )
    region = ReferenceChoiceFilter(queryset=Region.objects.all(), field_name="country__region")
    capability = ReferenceChoiceFilter(
        queryset=Capability.objects.all(), field_name="primary_capability", help_text="Capability slug."
    )
    joint_request = django_filters.ModelChoiceFilter(queryset=JointRequest.objects.all())
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time.")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte", help_text="ISO 8601 date-time.")
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("total_value_usd", "total_value_usd")),
        help_text="created, -created, total_value_usd or -total_value_usd.",
    )

    class Meta:
        model = Case
        fields = []

    def in_bin(self, queryset, name, bin_):
        return queryset.filter(country__in=[country.pk for country in members_of(bin_, Country.objects.all())])


class BatchFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(field_name="group_key", help_text='"bin:<slug>" or "region:<code>".')
    bin = SlugChoiceFilter(queryset=Bin.objects.all(), to_field_name="slug", help_text="Bin slug.")
    region = ReferenceChoiceFilter(queryset=Region.objects.all())
    capability = ReferenceChoiceFilter(queryset=Capability.objects.all(), help_text="Capability slug.")
    status = django_filters.MultipleChoiceFilter(choices=BatchStatus.choices)

    class Meta:
        model = ReviewBatch
        fields = []
