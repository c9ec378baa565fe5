"""Reference data for any signed-in user, every row in one response."""
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from cases.api import docs
from cases.models import EVERY_ROLE

from .grouping import members_of
from .models import Bin, Capability, Country


class CountrySerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = Country
        fields = ["iso2", "name", "customer_code", "region", "nato_member", "nato_joined", "nato_partner", "rdp_mou",
                  "cn_tier"]


class BinSerializer(serializers.ModelSerializer):
    countries = serializers.SerializerMethodField()
    rule = serializers.CharField(source="rule_text")

    class Meta:
        model = Bin
        fields = ["slug", "name", "priority", "membership", "rule", "countries"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, bin_):
        return [country.iso2 for country in members_of(bin_, self.context["countries"])]


class CapabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["slug", "name", "example_systems", "usually_mde"]


class ReferenceList(generics.ListAPIView):
    roles = {"get": EVERY_ROLE}
    pagination_class = None
    filter_backends = []


@extend_schema(responses={200: CountrySerializer(many=True), 401: docs.UNAUTHENTICATED}, tags=["reference"])
class CountryList(ReferenceList):
    queryset = Country.objects.order_by("iso2")
    serializer_class = CountrySerializer


@extend_schema(responses={200: BinSerializer(many=True), 401: docs.UNAUTHENTICATED}, tags=["reference"])
class BinList(ReferenceList):
    queryset = Bin.objects.prefetch_related("listed_countries").order_by("priority", "slug")
    serializer_class = BinSerializer

    def get_serializer_context(self):
        # Rule bins are evaluated against every country; fetch them once for the whole list.
        return {**super().get_serializer_context(), "countries": list(Country.objects.all())}


@extend_schema(responses={200: CapabilitySerializer(many=True), 401: docs.UNAUTHENTICATED}, tags=["reference"])
class CapabilityList(ReferenceList):
    queryset = Capability.objects.order_by("slug")
    serializer_class = CapabilitySerializer
