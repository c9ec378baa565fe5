"""README's screenshots, taken from the demo (`make run` serving on BASE_URL) in Debian's Chromium,
desktop and phone: `make screenshots`. Not a test: it reads whatever the demo holds and writes PNGs
into static/screenshots/."""
import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
OUT = Path(__file__).resolve().parents[2] / "static" / "screenshots"
PASSWORD = "fms-demo-2026"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(f"{BASE_URL}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def hrefs(page, selector, pattern):
    found = [href for href in page.locator(selector).evaluate_all("links => links.map(link => link.getAttribute('href'))")
             if href and re.search(pattern, href)]
    if not found:
        sys.exit(f"No link matching {pattern} on {page.url}: is the demo seeded?")
    return found


def fullest_batch(page):
    """The decided batch of the queue's first page with the most cases: the one that shows the most."""
    page.goto(f"{BASE_URL}/?status=decided")
    sizes = {}
    for batch in hrefs(page, "#queue tbody a", r"^/batches/\d+/"):
        page.goto(BASE_URL + batch)
        sizes[batch] = page.locator("tbody th a").count()
    return max(sizes, key=sizes.get)


def shoot(page, name, path, size):
    page.set_viewport_size(SIZES[size])
    page.goto(BASE_URL + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"{name}-{size}.png", full_page=size == "phone")
    print(f"{name}-{size}.png  {path}")


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        sign_in(page, "reviewer")
        batch = fullest_batch(page)
        page.goto(BASE_URL + batch)
        case = hrefs(page, "tbody th a", r"^/cases/[A-Z0-9-]+/$")[0]
        for size in SIZES:
            shoot(page, "queue", "/", size)
            shoot(page, "batch", batch, size)
            shoot(page, "case", case, size)
        sign_in(page, "liaison-pl")
        for size in SIZES:
            shoot(page, "inbox", "/inbox/", size)
        browser.close()


if __name__ == "__main__":
    main()
