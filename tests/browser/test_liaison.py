"""A liaison submits an LOR with two line items, fixes a zero quantity, finds the case, and is refused
another country's case."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cases.process.stages import Stage

from ..builders import Builder, submit
from .conftest import fill_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_liaison_submits_an_lor(page, live_server, sign_in, screenshot, liaison_pl, liaison_de):
    german = submit(liaison_de, country="DE")
    sign_in("li-pl")
    expect(page.get_by_role("heading", name="Inbox: Poland")).to_be_visible()
    page.get_by_role("link", name="Submit a Letter of Request").first.click()

    page.get_by_label("Title").fill("Javelin replenishment")
    page.get_by_label("Funding source").select_option("national_funds")
    page.get_by_label("Desired delivery date").fill("2029-06-30")
    page.get_by_label("Justification").fill("Replace anti-armor stocks.")
    fill_item(page, 0, "FGM-148 Javelin missile", "0", "200000")
    page.get_by_role("button", name="Add a line item").click()
    fill_item(page, 1, "Command launch unit", "4", "150000")
    page.get_by_role("button", name="Submit the Letter of Request").click()

    error = page.locator("#id_items-0-quantity-error")
    expect(error).to_contain_text("greater than or equal to 1")
    expect(page.locator("#id_items-0-quantity")).to_have_attribute("aria-invalid", "true")
    assert not Case.objects.filter(country="PL").exists()
    screenshot("error")

    page.locator("#id_items-0-quantity").fill("20")
    page.get_by_role("button", name="Submit the Letter of Request").click()
    case = Case.objects.get(country="PL")
    expect(page.get_by_text(f"Letter of Request received: case {case.case_number}")).to_be_visible()
    assert case.line_items.count() == 2

    page.get_by_role("link", name="My country's cases").click()
    expect(page.get_by_role("link", name=case.case_number)).to_be_visible()
    screenshot("list")

    response = page.goto(f"{live_server.url}/cases/{german.case_number}/")
    assert response.status == 404


def test_a_removed_line_item_stays_removed(page, sign_in, liaison_pl):
    """Remove a row, fail validation, fix the rest and file: exactly the rows the user kept are saved."""
    sign_in("li-pl")
    page.get_by_role("link", name="Submit a Letter of Request").first.click()
    page.get_by_label("Funding source").select_option("national_funds")
    page.get_by_label("Desired delivery date").fill("2029-06-30")
    page.get_by_label("Justification").fill("Replace anti-armor stocks.")
    for index, (description, quantity) in enumerate([("Javelin missile", "20"), ("Spare seeker", "2"),
                                                      ("Command launch unit", "4")]):
        if index:
            page.get_by_role("button", name="Add a line item").click()
        fill_item(page, index, description, quantity, "100000")
    page.locator("[data-line-item]").nth(1).get_by_role("button", name="Remove").click()
    expect(page.locator("#id_items-1-description")).to_be_hidden()
    page.get_by_role("button", name="Submit the Letter of Request").click()  # no title: refused

    expect(page.locator("#id_title-error")).to_be_visible()
    expect(page.locator("#id_items-1-description")).to_be_hidden()
    expect(page.locator("form p.error", has_text="This field is required")).to_have_count(1)  # the title's, no removed row's
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(1)
    page.get_by_label("Title").fill("Javelin replenishment")
    page.get_by_role("button", name="Submit the Letter of Request").click()
    case = Case.objects.get(country="PL")
    expect(page.get_by_text(f"Letter of Request received: case {case.case_number}")).to_be_visible()
    assert sorted(case.line_items.values_list("description", flat=True)) == ["Command launch unit", "Javelin missile"]


def test_a_liaison_answers_a_return_from_the_inbox(page, live_server, sign_in, screenshot, reviewer, liaison_de):
    """The inbox leads to the returned LOR; the liaison corrects a line item, adds one, replies, resubmits;
    the reviewer's copy of the case shows the reply and what changed."""
    # Batched on submission (the embedded worker runs after commit), so returned from its batch.
    case = Builder(reviewer, country="DE").decide(submit(liaison_de, country="DE"), "return", "Say where it is based.")
    sign_in("li-de")
    item = page.locator("article.inbox-item", has=page.get_by_role("link", name=case.case_number))
    expect(item).to_contain_text("Say where it is based.")
    item.get_by_role("link", name="Resubmit").click()
    expect(page.get_by_role("heading", name="Correct and resubmit the Letter of Request")).to_be_visible()
    expect(page.locator("#id_items-0-description")).to_have_value("FGM-148 Javelin")
    page.locator("#id_items-0-quantity").fill("6")
    page.get_by_role("button", name="Add a line item").click()
    fill_item(page, 1, "Command launch unit", "2", "50000")
    page.get_by_label("Justification").fill("Basing: Grafenwoehr training area.")
    page.get_by_label("Your reply to the reviewer").fill("Basing added; six missiles and two launch units.")
    screenshot("resubmit")
    page.get_by_role("button", name="Resubmit").click()
    expect(page.get_by_text("Letter of Request updated: the case is now LOR actionable.")).to_be_visible()
    case.refresh_from_db()
    assert case.stage in (Stage.LOR_ACTIONABLE, Stage.IN_REVIEW)  # the worker may have batched it already
    assert case.total_value_usd == Decimal("700000.00")
    assert sorted(case.line_items.values_list("description", "quantity")) == [("Command launch unit", 2),
                                                                             ("FGM-148 Javelin", 6)]
    page.get_by_role("button", name="Sign out").click()
    sign_in("rev")
    page.goto(f"{live_server.url}/cases/{case.case_number}/")
    resubmitted = page.locator("section.resubmitted")
    expect(resubmitted).to_contain_text("Basing added; six missiles and two launch units.")
    expect(resubmitted).to_contain_text("Line items removed: 10 × FGM-148 Javelin")
    expect(resubmitted).to_contain_text("2 × Command launch unit (Anti-armor) at $50,000.00")


def test_a_returned_lor_rings_the_bell_within_seconds(page, live_server, sign_in, liaison_pl, reviewer, smtp,
                                                     deliver_in_process):
    """The liaison is on their inbox when the reviewer returns the LOR: the bell counts it without a
    reload, the e-mail has gone, and opening the notice lands on the case and clears the count."""
    build = Builder(reviewer, country="PL")
    case = build.build(Stage.LOR_ACTIONABLE)
    sign_in("li-pl")
    bell = page.locator(".bell-slot")
    expect(bell).to_have_text("Notifications")
    build.decide(case, "return", "Say where the systems will be based.")
    expect(bell.get_by_label("1 unread")).to_be_visible(timeout=15_000)
    assert [mail["Subject"] for mail in smtp.mailbox.to(liaison_pl.email)] == [
        f"[fms-review] Case {case.case_number} was returned for information"]
    bell.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("button", name="Open and mark read").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.case_number}/")
    expect(bell).to_have_text("Notifications")
