"""The OpenAPI description and Swagger UI are served from this application, with no CDN."""
import re

import pytest
from django.contrib.staticfiles import finders


def test_schema_describes_every_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/token/", "/api/v1/countries/", "/api/v1/bins/", "/api/v1/capabilities/", "/api/v1/lors/",
        "/api/v1/cases/", "/api/v1/cases/{case_number}/", "/api/v1/cases/{case_number}/withdraw/", "/api/v1/joint-requests/",
        "/api/v1/joint-requests/{reference}/",
    } <= set(schema["paths"])
    lor = schema["paths"]["/api/v1/lors/"]["post"]
    assert {"201", "400", "401", "403", "409", "413", "415"} <= set(lor["responses"])
    assert any(parameter["name"] == "Idempotency-Key" for parameter in lor["parameters"])
    assert lor["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.django_db
def test_swagger_ui_uses_only_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
