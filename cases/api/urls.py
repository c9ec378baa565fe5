from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bins.api import BinList, CapabilityList, CountryList

from .auth import SignOutView, TokenView
from .batches import AwaitingConcurrence, BatchViewSet
from .metrics import ReviewBurden
from .views import CaseViewSet, JointRequestViewSet, LorView
from .webhooks import WebhookViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("joint-requests", JointRequestViewSet, basename="joint-request")
router.register("batches", BatchViewSet, basename="batch")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/sign-out/", SignOutView.as_view(), name="api-sign-out"),
    path("countries/", CountryList.as_view(), name="api-countries"),
    path("bins/", BinList.as_view(), name="api-bins"),
    path("capabilities/", CapabilityList.as_view(), name="api-capabilities"),
    path("lors/", LorView.as_view(), name="api-lors"),
    path("concurrence/awaiting/", AwaitingConcurrence.as_view(), name="api-concurrence-awaiting"),
    path("metrics/review-burden/", ReviewBurden.as_view(), name="api-review-burden"),
    path("", include(router.urls)),
]
