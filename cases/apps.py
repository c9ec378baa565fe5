from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "FMS cases"
