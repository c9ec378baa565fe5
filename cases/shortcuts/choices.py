"""Form and filter choices over reference tables (bins, regions, capabilities, agencies): a few dozen
rows each, listed in every filter bar and on the LOR form."""
import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters import fields as filter_fields

from fms_review import reference


def rows_of(queryset):
    """The rows of a choice's queryset: a whole reference table from the process's copy
    (fms_review.reference), anything narrower with one plain query."""
    query = queryset.query
    if (isinstance(queryset, reference.ReferenceQuerySet) and not query.where and not query.order_by
            and not query.is_sliced):
        return reference.rows(queryset.model)
    return list(queryset)


class ReferenceChoices(forms.models.ModelChoiceIterator):
    """The choices read with one plain query, or none for a whole reference table. Django streams model
    choices through a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips a list),
    which pays off for big tables only: the review queue's three filter lists spent a millisecond a page
    on it, and then a query each.

    Relies on: ModelChoiceIterator .choice()/.field/.queryset, field.empty_label, and django-filter's
    ModelChoiceIterator.__iter__ calling super().__iter__()."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in rows_of(self.queryset):
            yield self.choice(obj)


class ReferenceChoiceField(forms.ModelChoiceField):
    """Its choices listed and the chosen one found among the field's rows (see rows_of), rather than by
    a query each.

    Relies on: ModelChoiceField.to_python's contract (the object, or ValidationError code "invalid_choice"
    with the field's message), its `to_field_name` and `iterator`."""

    iterator = ReferenceChoices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        if isinstance(value, model):
            value = getattr(value, key.attname)
        try:
            wanted = key.to_python(value)
        except (ValidationError, TypeError, ValueError):
            wanted = None
        for obj in rows_of(self.queryset) if wanted is not None else ():
            if getattr(obj, key.attname) == wanted:
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": value})


class FilterReferenceChoices(filter_fields.ModelChoiceIterator, ReferenceChoices):
    """The same, with django-filter's "none" choice when a filter asks for one."""


class FilterReferenceChoiceField(filter_fields.ModelChoiceField, ReferenceChoiceField):
    iterator = FilterReferenceChoices


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = FilterReferenceChoiceField


class SharedChoicesFormSet(forms.BaseFormSet):
    """A formset whose rows list their reference choices from one read each, not one read per row:
    a form with twenty line items would otherwise read the capabilities twenty-one times."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_choices = {}

    def _construct_form(self, i, **kwargs):
        return self.share_choices(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self.share_choices(super().empty_form)

    def share_choices(self, form):
        for name, field in form.fields.items():
            if isinstance(field, ReferenceChoiceField):
                if name not in self.shared_choices:
                    self.shared_choices[name] = list(field.choices)
                field.choices = self.shared_choices[name]
        return form
