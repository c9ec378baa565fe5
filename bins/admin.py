from django.contrib import admin

from cases.models import Case
from cases.reads.search import refresh_vectors

from .models import Bin, Capability, Country, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso2", "name", "customer_code", "region", "nato_member", "rdp_mou", "cn_tier", "fms_eligible"]
    list_filter = ["region", "nato_member", "nato_partner", "rdp_mou", "cn_tier", "purchaser_type", "fms_eligible"]
    search_fields = ["iso2", "name", "customer_code"]

    def save_model(self, request, obj, form, change):
        """A renamed country's cases are found by the new name (the name is in each case's search vector)."""
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            refresh_vectors(Case.objects.filter(country=obj))


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "usually_mde"]
    list_filter = ["usually_mde"]
    search_fields = ["slug", "name", "example_systems"]


@admin.register(Bin)
class BinAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "priority", "membership", "rule_text"]
    list_filter = ["membership"]
    search_fields = ["slug", "name"]
    filter_horizontal = ["listed_countries"]
    fieldsets = [
        (None, {"fields": ["slug", "name", "priority", "membership"]}),
        ("Rule (every criterion set must hold)", {"fields": ["rule_nato_member", "rule_rdp_mou", "rule_cn_tier", "rule_region"]}),
        ("List", {"fields": ["listed_countries"]}),
    ]
