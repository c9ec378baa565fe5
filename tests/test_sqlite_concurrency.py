"""SQLite, as `make run` and a developer's machine have it, under real concurrent clients of a real
server: it answers as PostgreSQL does. Saved LORs answer 201 whatever the work after the commit meets,
and two reviewers deciding one case at once get 200 and 409, not a 503."""
import json
import os
import subprocess
import sys
import urllib.error
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
from tests.builders import submit
from tests.factories import LiaisonFactory, ProfileFactory
liaison = LiaisonFactory(country_id="PL").user
reviewers = [ProfileFactory().user for _ in range(2)]
case = submit(liaison, country="PL")
build_batches()
batch = start_batch(ReviewBatch.objects.get(), reviewer=reviewers[0])
print(json.dumps({"liaison": tokens.issue(liaison).key, "case": case.pk, "batch": batch.pk,
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


def test_two_reviewers_deciding_one_case_at_once(server):
    port, people, _ = server
    decision = {"decisions": [{"case": people["case"], "outcome": "approve"}]}
    with ThreadPoolExecutor(2) as pool:
        answered = list(pool.map(lambda token: post(port, f"/api/v1/batches/{people['batch']}/decisions/", token,
                                                    decision), people["reviewers"]))
    assert sorted(answered) == [200, 409]
