"""axe-core (vendored: tests/browser/vendor/, MPL-2.0) run in Chromium on every page of every role, on the
sign-in page and on a form after a failed submit: no serious or critical violation of WCAG 2.2 A and AA."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page):
    """The serious and critical violations on the page as shown, each with up to three elements."""
    expect(page.locator("main")).to_be_visible()
    # Evaluated through the DevTools protocol, not as a <script>: the page's CSP refuses inline scripts.
    page.evaluate(AXE)
    found = page.evaluate("standards => axe.run(document, {runOnly: {type: 'tag', values: standards}})", STANDARDS)
    return [(rule["id"], rule["impact"], [node["target"] for node in rule["nodes"][:3]])
            for rule in found["violations"] if rule["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_every_page_passes_axe(page, live_server, sign_in, every_page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    found = {("", "/accounts/login/"): violations(page)}
    for username, paths in every_page:
        page.context.clear_cookies()
        sign_in(username)
        for path in paths:
            page.goto(live_server.url + path)
            found[username, path] = violations(page)
    assert {where: seen for where, seen in found.items() if seen} == {}


def test_a_failed_submit_opens_on_its_error_summary(page, live_server, sign_in, every_page):
    """Focus lands on the summary (read out first), a link puts the cursor in its field, and axe passes."""
    liaison, _ = every_page[1]
    sign_in(liaison)
    page.goto(live_server.url + "/cases/new/")
    page.locator("#id_title").fill("")
    page.get_by_role("button", name="Submit").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"There (is a problem|are problems) to fix"))
    summary.get_by_role("link", name=re.compile("^Title: ")).click()
    expect(page.locator("#id_title")).to_be_focused()
    assert violations(page) == []


# The contrast ratio of WCAG 2.2 between an element's `property` colour and the first opaque background
# behind it (its parent's and up: a ring or a border is seen against what surrounds the element).
CONTRAST = """([element, property]) => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
    .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = element.parentElement;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
  const [a, b] = [getComputedStyle(element)[property], getComputedStyle(behind || document.body).backgroundColor]
    .map(rgb).map(luminance);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_field_edges_and_focus_rings_contrast_three_to_one(page, live_server, sign_in, every_page):
    """WCAG 1.4.11, which axe does not check: every field's border, and the focus ring in the page and
    in the dark header."""
    liaison, _ = every_page[1]
    sign_in(liaison)
    page.goto(live_server.url + "/cases/new/")
    fields = page.locator("main :is(input:not([type=hidden]):not([type=checkbox]), select, textarea)")
    assert fields.count() > 5
    for field in fields.all():
        assert field.evaluate(f"element => ({CONTRAST})([element, 'borderTopColor'])") >= 3
    for field in (fields.first, page.locator("header input[type=search]"), page.get_by_role("link", name="Inbox")):
        field.focus()
        assert field.evaluate(f"element => ({CONTRAST})([element, 'outlineColor'])") >= 3


def test_the_queue_reads_out_how_many_batches_a_filter_leaves(page, live_server, sign_in, every_page):
    """The queue is filtered in place: its live region (role=status) gets the new count, the table the rows."""
    reviewer, _ = every_page[0]
    sign_in(reviewer)
    status = page.locator("#queue-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("1 batch matches the filters")
    page.get_by_label("Capability").select_option("combat-aircraft")
    expect(status).to_have_text("0 batches match the filters")
    expect(page.locator("#queue tbody tr")).to_have_count(1)  # the row saying there is none
    page.get_by_label("Capability").select_option("")
    expect(status).to_have_text("1 batch matches the filters")
