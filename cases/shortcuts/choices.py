"""Form and filter choices over reference tables (bins, regions, capabilities, agencies): a few dozen
rows each, listed in every filter bar and on the LOR form."""
import django_filters
from django import forms
from django_filters import fields as filter_fields


class ReferenceChoices(forms.models.ModelChoiceIterator):
    """The choices read with one plain query. Django streams model choices through a server-side cursor
    on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips a list), which pays off for big tables only:
    the review queue's three filter lists spent a millisecond a page on it.

    Relies on: ModelChoiceIterator .choice()/.field/.queryset, field.empty_label, and django-filter's
    ModelChoiceIterator.__iter__ calling super().__iter__()."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ReferenceChoiceField(forms.ModelChoiceField):
    iterator = ReferenceChoices


class FilterReferenceChoices(filter_fields.ModelChoiceIterator, ReferenceChoices):
    """The same, with django-filter's "none" choice when a filter asks for one."""


class FilterReferenceChoiceField(filter_fields.ModelChoiceField):
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
