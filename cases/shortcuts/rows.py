"""List pages rendered from database rows instead of model instances.

For a page of 50 cases, building model instances and walking them through a ModelSerializer cost more
than everything else in the request. `Rows` reads a serializer's fields once (their sources are the
columns to fetch, their types say how to render a value) and renders plain rows the way the serializer
would, so the serializer stays the one description of the output and of the OpenAPI schema; a test
holds the two outputs equal.
"""
from decimal import Decimal

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

# Fields whose value from the database is already what the serializer would output.
AS_STORED = (serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.ChoiceField,
             serializers.PrimaryKeyRelatedField, serializers.SlugRelatedField)


class Rows:
    def __init__(self, serializer_class, computed=()):
        """`computed`: the sources the caller adds to each row itself instead of fetching them."""
        self.plan = [(name, column(field), field) for name, field in serializer_class().fields.items()]
        self.columns = [column for _, column, _ in self.plan if column not in computed]

    def of(self, queryset, *also):
        """The queryset's rows as dictionaries of the columns the serializer reads (but the computed ones),
        the columns `also` names (what the caller computes from), and "pk", for a keyset page's cursor."""
        return queryset.values(*self.columns, *also, "pk")

    def render(self, rows):
        zone = timezone.get_current_timezone()
        plan = [(name, column, renderer(field, zone)) for name, column, field in self.plan]
        return [
            {name: value if render is None or value is None else render(value)
             for name, column, render in plan for value in (row[column],)}
            for row in rows
        ]


def column(field):
    """The lookup that fetches `field`'s value: its source, or for a slug field the slug it shows."""
    lookup = field.source.replace(".", "__")
    return f"{lookup}__{field.slug_field}" if isinstance(field, serializers.SlugRelatedField) else lookup


def renderer(field, zone):
    """How to render one value of `field`: None when the stored value is the output. DateTimeField's and
    DecimalField's own methods look up the time zone and build a decimal context per value; the common
    formats are done here once per page instead.

    Relies on: DRF's DateTimeField .format/.timezone, DecimalField .decimal_places/.rounding/.normalize_output/
    .coerce_to_string/.localize, and their to_representation (ISO 8601 with Z; quantize, then "{:f}")."""
    if isinstance(field, AS_STORED):
        return None
    if isinstance(field, serializers.DateTimeField) and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601 \
            and not hasattr(field, "timezone"):
        return lambda value: iso_datetime(value.astimezone(zone))
    if isinstance(field, serializers.DecimalField) and field.decimal_places is not None and not field.localize \
            and not field.normalize_output and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING):
        exponent = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: format(value.quantize(exponent, rounding=field.rounding), "f")
    return field.to_representation


def iso_datetime(value):
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
