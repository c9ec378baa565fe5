"""SQLite, as `make run` and a developer's machine have it, under real concurrent clients of a real
server: it answers as PostgreSQL does. Saved LORs answer 201 whatever the work after the commit meets,
and two reviewers deciding one case at once get 200 and 409, not a 503."""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .api_data import lor
from .test_redis_outage import answers, free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent

# Run by `manage.py shell` against the test's SQLite file: the people, and a started batch of one case.
PEOPLE = """
import json
from cases.api import tokens
from cases.models import ReviewBatch
from cases.review.batching import build_batches
from cases.review.services import start_batch
from tests.builders import concur_all, submit
from tests.factories import LiaisonFactory, ProfileFactory
liaison = LiaisonFactory(country_id="PL").user
reviewers = [ProfileFactory().user for _ in range(2)]
case = submit(liaison, country="PL")
build_batches()
batch = concur_all(start_batch(ReviewBatch.objects.get(), reviewer=reviewers[0]))
print(json.dumps({"liaison": tokens.issue(liaison).key, "liaison_name": liaison.username,
                  "case": case.case_number, "batch": batch.pk,
                  "reviewers": [tokens.issue(user).key for user in reviewers]}))
"""


def post(port, path, token, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def server(tmp_path):
    """The development server on a SQLite file, with Celery in-process (nothing else set): the batching run
    after each commit is done in the request, the hardest place for it."""
    database = tmp_path / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="1")

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput")
    people = json.loads(manage("shell", "-c", PEOPLE).strip().splitlines()[-1])
    port = free_port()
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: answers(port), 30)
        yield port, people, database
    finally:
        process.kill()
        process.wait()


def cases_in(database):
    import sqlite3

    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM cases_case").fetchone()[0]


def test_eight_lors_at_once_are_eight_201s(server):
    port, people, database = server
    before = cases_in(database)
    with ThreadPoolExecutor(8) as pool:
        answered = list(pool.map(lambda n: post(port, "/api/v1/lors/", people["liaison"], lor(title=f"LOR {n}")),
                                 range(8)))
    assert answered == [201] * 8
    assert cases_in(database) == before + 8


class Browser:
    """A signed-in browser session: its own cookies, the CSRF token from each form, redirects not followed."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port, username):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self.Stay)
        form = self.form("/accounts/login/")
        assert self.post("/accounts/login/", {**form, "username": username, "password": "test-pass-2026"})[0] == 302

    def form(self, path):
        """The hidden fields of the page's form (the CSRF token, the LOR form's submission key)."""
        with self.opener.open(self.base + path, timeout=60) as response:
            page = response.read().decode()
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))

    def post(self, path, fields):
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(fields).encode(),
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location")


LOR_FORM = {"implementing_agency": "B", "request_type": "LOA", "funding_source": "national_funds",
            "desired_delivery_date": "2029-01-31", "justification": "Replace stocks.",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "200", "items-0-description": "FGM-148 Javelin", "items-0-capability": "anti-armor",
            "items-0-quantity": "10", "items-0-unit_cost_usd": "200000"}


def test_six_lor_forms_at_once_are_six_cases(server):
    """Six browsers, each with its LOR form rendered, post at the same moment: each is taken to its own new
    case, and six cases are saved."""
    port, people, database = server
    before = cases_in(database)
    browsers = [Browser(port, people["liaison_name"]) for _ in range(6)]
    forms = [{**browser.form("/cases/new/"), **LOR_FORM, "title": f"Form {n}"} for n, browser in enumerate(browsers)]
    together = threading.Barrier(6)

    def file(n):
        together.wait()
        return browsers[n].post("/cases/new/", forms[n])

    with ThreadPoolExecutor(6) as pool:
        answered = list(pool.map(file, range(6)))
    assert [status for status, _ in answered] == [302] * 6
    assert len({location for _, location in answered}) == 6
    assert all(re.fullmatch(r"/cases/PL-B-[A-Z0-9]{3}/", location) for _, location in answered), answered
    assert cases_in(database) == before + 6


def test_two_reviewers_deciding_one_case_at_once(server):
    port, people, _ = server
    decision = {"decisions": [{"case": people["case"], "outcome": "approve"}]}
    with ThreadPoolExecutor(2) as pool:
        answered = list(pool.map(lambda token: post(port, f"/api/v1/batches/{people['batch']}/decisions/", token,
                                                    decision), people["reviewers"]))
    assert sorted(answered) == [200, 409]
