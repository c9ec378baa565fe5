"""The error summary a page opens with after a failed submit: every problem of its forms, each linked to
its field (static/js/app.js moves focus to the summary, and from a link to the field)."""
from django import forms, template

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(*sources):
    """`sources`: forms, formsets or lists of forms (None and unbound ones are skipped)."""
    return {"problems": [problem for form, prefix in each_form(sources) for problem in problems_of(form, prefix)]}


def each_form(sources, prefix=""):
    for source in sources:
        if isinstance(source, forms.BaseFormSet):
            yield source, prefix  # its management form's and its own (non-form) errors
            for number, form in enumerate(source.forms, start=1):
                if not ("DELETE" in form.fields and form["DELETE"].value()):  # a row the user removed
                    yield form, f"Line item {number}, "
        elif isinstance(source, (list, tuple)):
            yield from each_form(source, prefix)
        elif isinstance(source, forms.BaseForm):
            yield source, prefix


def problems_of(form, prefix):
    """(text, anchor) of each error; a form-wide error has no field to link to."""
    if not form.is_bound:
        return []
    if isinstance(form, forms.BaseFormSet):
        return [(message, "") for message in form.non_form_errors()]
    found = []
    for name, messages in form.errors.items():
        field = form[name] if name in form.fields else None
        for message in messages:
            if field is None:
                found.append((f"{prefix}{message}", ""))
            else:
                found.append((f"{prefix}{field.label}: {message}", field.id_for_label or field.auto_id))
    return found
