"""At 390 px (a phone) no page scrolls sideways: the header wraps, forms stack, wide tables scroll inside
their own box."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def overflow(page, url):
    page.goto(url)
    expect(page.locator("main")).to_be_visible()
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, sign_in, every_page):
    page.set_viewport_size({"width": 390, "height": 844})
    for username, paths in every_page:
        page.context.clear_cookies()
        sign_in(username)
        for path in paths:
            assert overflow(page, live_server.url + path) <= 0, (username, path)
