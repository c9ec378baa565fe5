"""Every URL in the URL conf, as an anonymous visitor and as each role: only the roles a page serves
get it (200); everyone else is sent to sign in, refused or told it is not there; nobody gets a 5xx."""
import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import JointRequest, ReviewBatch
from cases.review.batching import build_batches

from .builders import lor_fields, submit
from .factories import UserFactory

pytestmark = pytest.mark.django_db

EVERYONE = {"anonymous", "no_role", "reviewer", "admin", "liaison_pl", "nspa"}
SIGNED_IN = EVERYONE - {"anonymous"}
ROLES = {"reviewer", "admin", "liaison_pl", "nspa"}
REVIEWERS = {"reviewer", "admin"}
NOBODY = set()

# URL pattern -> (concrete path, roles that get a 200 from GET)
SERVED = {
    "healthz": ("/healthz", EVERYONE),
    "api/v1/auth/token/": ("/api/v1/auth/token/", NOBODY),  # POST only
    "api/v1/auth/sign-out/": ("/api/v1/auth/sign-out/", NOBODY),  # POST only
    "api/v1/countries/": ("/api/v1/countries/", ROLES),
    "api/v1/bins/": ("/api/v1/bins/", ROLES),
    "api/v1/capabilities/": ("/api/v1/capabilities/", ROLES),
    "api/v1/lors/": ("/api/v1/lors/", NOBODY),  # POST only
    "api/v1/^cases/$": ("/api/v1/cases/", ROLES),
    "api/v1/^cases/(?P<case_number>[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3})/$": ("/api/v1/cases/{pl}/", REVIEWERS | {"liaison_pl"}),
    "api/v1/^cases/(?P<case_number>[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3})/steps/(?P<step>[a-z-]+)/$": ("/api/v1/cases/{pl}/steps/offer/", NOBODY),
    "api/v1/^cases/(?P<case_number>[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3})/withdraw/$": ("/api/v1/cases/{pl}/withdraw/", NOBODY),
    "api/v1/^cases/(?P<case_number>[A-Z0-9]{2}-[A-Z]-[A-Z0-9]{3})/lor/$": ("/api/v1/cases/{pl}/lor/", NOBODY),
    "api/v1/^joint-requests/$": ("/api/v1/joint-requests/", REVIEWERS | {"nspa"}),
    "api/v1/^joint-requests/(?P<reference>[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})/$": ("/api/v1/joint-requests/{joint}/", REVIEWERS | {"nspa"}),
    "api/v1/^batches/$": ("/api/v1/batches/", REVIEWERS),
    "api/v1/^batches/(?P<pk>[^/.]+)/$": ("/api/v1/batches/{batch}/", REVIEWERS),
    "api/v1/^batches/(?P<pk>[^/.]+)/decisions/$": ("/api/v1/batches/{batch}/decisions/", NOBODY),
    "api/v1/^batches/(?P<pk>[^/.]+)/assign/$": ("/api/v1/batches/{batch}/assign/", NOBODY),
    "api/v1/^batches/(?P<pk>[^/.]+)/memo/$": ("/api/v1/batches/{batch}/memo/", NOBODY),
    "api/v1/^batches/(?P<pk>[^/.]+)/start/$": ("/api/v1/batches/{batch}/start/", NOBODY),
    "api/v1/^batches/(?P<pk>[^/.]+)/concurrence/$": ("/api/v1/batches/{batch}/concurrence/", NOBODY),
    "api/v1/^batches/(?P<pk>[^/.]+)/concurrence/withdrawal/$": ("/api/v1/batches/{batch}/concurrence/withdrawal/", NOBODY),
    "api/v1/^webhooks/$": ("/api/v1/webhooks/", {"liaison_pl", "nspa"}),
    "api/v1/^webhooks/(?P<pk>[^/.]+)/$": ("/api/v1/webhooks/1/", NOBODY),  # nobody's: 404
    "api/v1/^webhooks/(?P<pk>[^/.]+)/deliveries/$": ("/api/v1/webhooks/1/deliveries/", NOBODY),
    "api/v1/^webhooks/(?P<pk>[^/.]+)/redeliver/$": ("/api/v1/webhooks/1/redeliver/", NOBODY),
    "api/v1/concurrence/awaiting/": ("/api/v1/concurrence/awaiting/", REVIEWERS),
    "api/v1/metrics/review-burden/": ("/api/v1/metrics/review-burden/", REVIEWERS),
    "api/schema/": ("/api/schema/", EVERYONE),
    "api/docs/": ("/api/docs/", EVERYONE),
    "^api/": ("/api/v1/no-such-endpoint/", NOBODY),
    "accounts/login/": ("/accounts/login/", EVERYONE),
    "accounts/logout/": ("/accounts/logout/", NOBODY),  # POST only
    "": ("/", REVIEWERS),
    "batches/<int:pk>/": ("/batches/{batch}/", REVIEWERS),
    "batches/<int:pk>/start/": ("/batches/{batch}/start/", NOBODY),
    "batches/<int:pk>/assign/": ("/batches/{batch}/assign/", NOBODY),
    "batches/<int:pk>/memo/": ("/batches/{batch}/memo/", NOBODY),
    "batches/<int:pk>/decide/": ("/batches/{batch}/decide/", NOBODY),
    "batches/<int:pk>/concurrence/": ("/batches/{batch}/concurrence/", REVIEWERS),
    "batches/<int:pk>/concur/": ("/batches/{batch}/concur/", NOBODY),
    "batches/<int:pk>/withdraw-non-concurrence/": ("/batches/{batch}/withdraw-non-concurrence/", NOBODY),
    "awaiting/": ("/awaiting/", REVIEWERS),
    "views/": ("/views/", NOBODY),  # POST only
    "views/<int:pk>/delete/": ("/views/1/delete/", NOBODY),
    "cases/": ("/cases/", ROLES),
    "cases/export.csv": ("/cases/export.csv", ROLES),
    "cases/new/": ("/cases/new/", {"liaison_pl"}),
    "cases/<case:number>/": ("/cases/{pl}/", REVIEWERS | {"liaison_pl"}),
    "cases/<case:number>/steps/<slug:step>/": ("/cases/{pl}/steps/offer/", NOBODY),
    "cases/<case:number>/withdraw/": ("/cases/{pl}/withdraw/", NOBODY),
    "cases/<case:number>/notes/": ("/cases/{pl}/notes/", NOBODY),
    "cases/<case:number>/lor/": ("/cases/{pl}/lor/", NOBODY),
    "inbox/": ("/inbox/", {"liaison_pl"}),
    "nspa/": ("/nspa/", REVIEWERS | {"nspa"}),
    "nspa/new/": ("/nspa/new/", {"nspa"}),
    "nspa/<uuid:reference>/": ("/nspa/{joint}/", REVIEWERS | {"nspa"}),
    "notifications/": ("/notifications/", ROLES),
    "notifications/bell/": ("/notifications/bell/", ROLES),
    "notifications/read/": ("/notifications/read/", NOBODY),  # POST only
    "notifications/<int:pk>/open/": ("/notifications/1/open/", NOBODY),  # POST only
    "notifications/preferences/": ("/notifications/preferences/", ROLES),
    "notifications/unsubscribe/<str:token>/": ("/notifications/unsubscribe/not-signed/", NOBODY),
    "metrics/": ("/metrics/", REVIEWERS),
    "metrics/<slug:name>.csv": ("/metrics/stages.csv", REVIEWERS),
}
REFUSED = {301, 302, 401, 403, 404, 405}


def url_patterns(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # walked below, model by model
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def admin_paths():
    yield reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


@pytest.fixture
def world(reviewer, liaison_pl, nspa_user, admin_user):
    pl = submit(liaison_pl, country="PL")
    fields = {k: v for k, v in lor_fields().items() if k not in {"country", "line_items", "title"}}
    from cases.process.services.joint_requests import file_joint_request

    joint = file_joint_request(filed_by=nspa_user, title="Coalition", model="agent_sales",
                               participants=[{"country": c, "line_items": lor_fields()["line_items"]} for c in ("LT", "LV")],
                               **fields)
    build_batches()
    users = {"anonymous": None, "no_role": UserFactory(username="nobody"), "reviewer": reviewer, "admin": admin_user,
             "liaison_pl": liaison_pl, "nspa": nspa_user}
    ids = {"pl": pl.case_number, "joint": joint.reference, "batch": ReviewBatch.objects.get(cases=pl).pk}
    return users, ids


def test_the_table_covers_every_url():
    assert set(url_patterns()) == set(SERVED)


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_url_serves_only_its_roles(client, world, role):
    users, ids = world
    if users[role]:
        client.force_login(users[role])
    for pattern, (path, allowed) in SERVED.items():
        status = client.get(path.format(**ids)).status_code
        if role in allowed:
            assert status == 200, (role, path, status)
        else:
            assert status in REFUSED, (role, path, status)
    for path in admin_paths():
        status = client.get(path).status_code
        assert status == (200 if role == "admin" else 302), (role, path, status)
    assert JointRequest.objects.count() == 1
