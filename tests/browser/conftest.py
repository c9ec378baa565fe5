"""Browser tests: Playwright driving Debian's Chromium against the live server. No browser is downloaded."""
import os
from pathlib import Path

import pytest

from cases.models import ReviewBatch
from cases.process.stages import Stage
from cases.review.batching import build_batches
from cases.review.services import decide_batch, start_batch

from ..builders import Builder, nspa_staff, purchaser_of, submit
from ..conftest import need_service

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need_service("Chromium (/usr/bin/chromium)", os.path.exists(CHROMIUM))
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture
def screenshot(page, request):
    """Save what the browser shows under artifacts/screenshots/ (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        page.screenshot(path=SCREENSHOTS / f"{request.node.name}-{name}.png", full_page=True)

    return take


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in_as


PASSWORD = "test-pass-2026"


@pytest.fixture
def every_page(reviewer):
    """Each role's pages, over one of everything they show (a batch with a returned case, a joint
    request): [(username, [path, ...])], the reviewer first."""
    joint = Builder(reviewer, lead_nation="LT", country="LV").build(Stage.LOR_ACTIONABLE).joint_request
    cases = {code: submit(purchaser_of(code), country=code) for code in ("DE", "PL")}
    build_batches()
    batch = start_batch(ReviewBatch.objects.get(cases=cases["PL"]), reviewer=reviewer)
    decide_batch(batch, [{"case": cases["PL"].case_number, "outcome": "return", "reason": "State the basing."}],
                 reviewer=reviewer)
    liaison, nspa = purchaser_of("PL"), nspa_staff()
    for user in (liaison, nspa):
        user.set_password(PASSWORD)
        user.save()
    case = f"/cases/{cases['PL'].case_number}/"
    return [
        (reviewer.username, ["/", f"/batches/{batch.pk}/", "/cases/", case, "/metrics/", "/awaiting/",
                            f"/nspa/{joint.reference}/", "/notifications/preferences/"]),
        (liaison.username, ["/inbox/", "/cases/new/", "/cases/", case, "/notifications/", "/notifications/preferences/"]),
        (nspa.username, ["/nspa/", "/nspa/new/", f"/nspa/{joint.reference}/"]),
    ]


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(page):
    """Every page satisfies its Content-Security-Policy: the browser reports nothing it refused."""
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    yield
    assert refused == []


def fill_item(page, index, description, quantity, unit_cost, capability="anti-armor", nation=None):
    """Fill line item `index` of the LOR form (and its nation, on NSPA's joint request form)."""
    if nation:
        page.locator(f"#id_items-{index}-nation").select_option(nation)
    page.locator(f"#id_items-{index}-description").fill(description)
    page.locator(f"#id_items-{index}-capability").select_option(capability)
    page.locator(f"#id_items-{index}-quantity").fill(quantity)
    page.locator(f"#id_items-{index}-unit_cost_usd").fill(unit_cost)
