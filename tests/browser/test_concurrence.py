"""Two offices answer one batch at the same time, each in its own browser session, and the reviewer
then approves: concurrence in parallel, as the batch page shows it."""
import pytest
from playwright.sync_api import expect

from cases.models import Case, ReviewBatch
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import answer_concurrence, start_batch

from ..builders import office_staff, purchaser_of, submit
from ..factories import ProfileFactory
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(browser, live_server, username):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_two_offices_concur_in_parallel_and_the_reviewer_approves(browser, page, live_server, sign_in, reviewer,
                                                                   screenshot):
    cases = [submit(purchaser_of(code), country=code) for code in ("DE", "PL")]
    build_batches()
    batch = start_batch(ReviewBatch.objects.get(), reviewer=reviewer)
    for office in ("dsca", "ia"):
        answer_concurrence(batch, by=office_staff(office), answer="concur")
    for username, office in (("state-1", "state-rsat"), ("eucom-1", "eucom")):
        ProfileFactory(user__username=username, office_id=office)
    state, eucom = (signed_in(browser, live_server, name) for name in ("state-1", "eucom-1"))
    for office_page in (state, eucom):  # both open the batch before either answers
        office_page.get_by_role("link", name="Awaiting my office").click()
        office_page.get_by_role("link", name=f"(batch {batch.pk})").click()
    state.get_by_role("radio", name="Concurs", exact=True).check()
    eucom.get_by_role("radio", name="Concurs with conditions").check()
    eucom.get_by_label("Conditions or reason", exact=True).fill("Enhanced end-use monitoring for two years.")
    state.get_by_role("button", name="Record the answer").click()
    eucom.get_by_role("button", name="Record the answer").click()
    expect(state.get_by_text("Your office's answer is recorded: concurs.")).to_be_visible()
    expect(eucom.get_by_text("Your office's answer is recorded: concurs with conditions.")).to_be_visible()

    sign_in("rev")
    page.goto(f"{live_server.url}/batches/{batch.pk}/")
    grid = page.locator("#concurrence-grid")
    expect(grid.get_by_role("row", name="US European Command")).to_contain_text(
        "Concurs with conditions: Enhanced end-use monitoring for two years.")
    expect(grid.get_by_text("Waiting")).to_have_count(0)
    screenshot("concurrence")
    page.on("dialog", lambda dialog: dialog.accept())
    for case in cases:
        page.get_by_label(f"Select {case.case_number}").check()
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Apply decision").click()
    expect(page.get_by_text("2 cases approved.")).to_be_visible()
    assert set(Case.objects.values_list("stage", flat=True)) == {Stage.LOA_DEVELOPMENT}
