from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cases.web.urls")),
]

handler400 = "fms_review.errors.bad_request"
handler404 = "fms_review.errors.not_found"
handler500 = "fms_review.errors.server_error"
