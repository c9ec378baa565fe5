"""How form widgets render: Django's own widgets from their Jinja2 templates, which render the same HTML
several times faster than one Django template include per <option> (the queue's filters, the LOR form);
widgets that only have Django templates (the admin's) from those."""
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(Jinja2):
    fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
