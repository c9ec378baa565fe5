"""At 390 px (a phone) no page scrolls sideways: the header wraps, forms stack, wide tables scroll inside
their own box."""
import pytest
from playwright.sync_api import expect

from cases.models import ReviewBatch
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch

from ..builders import Builder, nspa_staff, purchaser_of, submit

pytestmark = pytest.mark.django_db(transaction=True)


def overflow(page, url):
    page.goto(url)
    expect(page.locator("main")).to_be_visible()
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, sign_in, reviewer):
    joint = Builder(reviewer, lead_nation="LT", country="LV").build(Stage.LOR_ACTIONABLE).joint_request
    cases = {code: submit(purchaser_of(code), country=code) for code in ("DE", "PL")}
    build_batches()
    batch = start_batch(ReviewBatch.objects.get(cases=cases["PL"]), reviewer=reviewer)
    decide_batch(batch, [{"case": cases["PL"].case_number, "outcome": "return", "reason": "State the basing."}],
                 reviewer=reviewer)
    liaison = purchaser_of("PL")
    liaison.set_password("test-pass-2026")
    liaison.save()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("rev")
    for path in ("/", f"/batches/{batch.pk}/", "/cases/", f"/cases/{cases['PL'].case_number}/", "/metrics/",
                 f"/nspa/{joint.reference}/"):
        assert overflow(page, live_server.url + path) <= 0, path
    page.context.clear_cookies()
    sign_in(liaison.username)
    for path in ("/inbox/", "/cases/new/", f"/cases/{cases['PL'].case_number}/"):
        assert overflow(page, live_server.url + path) <= 0, path
    page.context.clear_cookies()
    nspa = nspa_staff()
    nspa.set_password("test-pass-2026")
    nspa.save()
    sign_in(nspa.username)
    for path in ("/nspa/", "/nspa/new/", f"/nspa/{joint.reference}/"):
        assert overflow(page, live_server.url + path) <= 0, path
