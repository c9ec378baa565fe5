"""The application's URLs plus /bench/bare/: a plain DRF list of 50 rows of one table, the yardstick."""
from django.urls import include, path
from rest_framework import generics, serializers

from bins.models import Country
from cases.models import EVERY_ROLE


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso2", "name", "customer_code", "region", "nato_member", "rdp_mou", "cn_tier"]


class BareList(generics.ListAPIView):
    roles = {"get": EVERY_ROLE}
    pagination_class = None
    filter_backends = []
    serializer_class = CountrySerializer
    queryset = Country.objects.order_by("iso2")[:50]


urlpatterns = [path("bench/bare/", BareList.as_view()), path("", include("fms_review.urls"))]
