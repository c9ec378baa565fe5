from django.apps import AppConfig


class BinsConfig(AppConfig):
    name = "bins"
    verbose_name = "Purchasers and bins"

    def ready(self):
        from fms_review import reference

        from .models import Bin, Capability, Country, Region

        reference.watch(Region, Country, Capability, Bin)
