"""A reviewer signs in, filters the queue, opens a batch, decides cases, and sees the stages change."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Decision, ReviewBatch
from cases.process.stages import Stage
from cases.review.batching import build_batches

from ..builders import T0, concur_all, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_decides_a_batch(page, live_server, sign_in, screenshot, reviewer):
    cases = {country: submit(reviewer, country=country) for country in ("PL", "DE", "FR", "IT")}
    submit(reviewer, country="AT", line_items=[{"description": "MH-60R", "capability": "maritime", "quantity": 2,
                                                 "unit_cost_usd": "40000000"}])
    build_batches()
    page.on("dialog", lambda dialog: dialog.accept())

    sign_in("rev")
    expect(page.get_by_role("heading", name="Combined review queue")).to_be_visible()
    page.get_by_label("Capability").select_option("anti-armor")
    expect(page).to_have_url(re.compile(r"capability=anti-armor"))
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    screenshot("queue")

    page.locator("#queue tbody a").first.click()
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_text("You have taken this batch")).to_be_visible()
    concur_all(ReviewBatch.objects.get(cases=cases["PL"]))  # every office asked (tests/browser/test_concurrence.py)
    page.reload()

    page.get_by_label(f"Select {cases['PL'].case_number}").check()
    page.get_by_label(f"Select {cases['DE'].case_number}").check()
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Apply decision").click()
    expect(page.get_by_text("2 cases approved.")).to_be_visible()

    page.get_by_label(f"Select {cases['FR'].case_number}").check()
    page.get_by_role("radio", name="Deny").check()
    page.get_by_role("button", name="Apply decision").click()
    expect(page.locator("#reason-error")).to_have_text("A reason is required to deny or return a case.")
    expect(page.get_by_role("alert")).to_be_focused()
    assert Case.objects.get(pk=cases["FR"].pk).stage == Stage.IN_REVIEW
    screenshot("reason-required")

    page.get_by_label(f"Select {cases['FR'].case_number}").check()
    page.get_by_role("radio", name="Deny").check()
    page.get_by_label("Reason", exact=True).fill("Release of this technology is not supported.")
    page.get_by_role("button", name="Apply decision").click()
    expect(page.get_by_text("1 case denied.")).to_be_visible()
    expect(page.get_by_text("LOA in development")).to_have_count(2)
    assert Decision.objects.get(case=cases["FR"]).reason == "Release of this technology is not supported."

    page.get_by_label(f"Select {cases['IT'].case_number}").check()
    page.get_by_role("radio", name="Return").check()
    page.get_by_label("Reason", exact=True).fill("Give the basing of the launchers.")
    page.get_by_role("button", name="Apply decision").click()
    expect(page.get_by_text("1 case returned for information.")).to_be_visible()
    expect(page.get_by_text("Decided", exact=True)).to_be_visible()
    screenshot("decided")
    # The record stays: every case is still listed, the returned one too, each with its outcome and reason.
    for country, outcome in (("PL", "Approved"), ("DE", "Approved"), ("FR", "Denied"), ("IT", "Returned")):
        row = page.locator("tbody tr", has=page.get_by_role("link", name=cases[country].case_number))
        expect(row).to_contain_text(outcome)
    expect(page.locator("tbody tr", has=page.get_by_role("link", name=cases["IT"].case_number))).to_contain_text(
        "Reason: Give the basing of the launchers.")


def test_reviewer_searches_a_case_number_and_lands_on_it(page, live_server, sign_in, reviewer):
    case = submit(reviewer, country="PL")
    submit(reviewer, country="DE")
    sign_in("rev")
    page.get_by_label("Search cases").fill(case.case_number.lower())
    page.get_by_label("Search cases").press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{case.case_number}/$"))
    expect(page.get_by_role("heading", name=re.compile(case.case_number))).to_be_visible()


def test_metrics_page_renders_its_charts(page, live_server, sign_in, screenshot, reviewer):
    for country in ("PL", "DE", "AT"):
        submit(reviewer, country=country)
    build_batches()  # today, if each submission's task (eager under SQLite) has not already
    sign_in("rev")
    page.get_by_role("link", name="Metrics").click()
    page.get_by_label("From", exact=True).fill(str(T0.date()))
    page.get_by_label("To", exact=True).fill(str(timezone.localdate()))
    page.get_by_role("button", name="Show").click()
    title = "LORs received in the period, by stage now"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("img", name=f"{title}, in cases")).to_be_visible()
    expect(page.locator("#by-bin").get_by_role("row", name="NATO members with an RDP MOU 2")).to_be_visible()
    expect(page.get_by_role("row", name="LOR actionable 0")).to_be_visible()  # batched: in review now
    expect(page.get_by_role("row", name="In combined review 3")).to_be_visible()
    page.get_by_label("From", exact=True).fill(str(timezone.localdate() + timedelta(days=1)))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_have_text("The period must start on or before the day it ends.")
    screenshot("metrics")
