from django.apps import AppConfig


class BinsConfig(AppConfig):
    name = "bins"
    verbose_name = "Purchasers and bins"
