# fms-review: `make run` serves the app with nothing else running; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CASES ?= 300

.PHONY: venv run test migrate seed check clean bench bench-quick screenshots

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

migrate: venv
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --cases $(CASES)

# Beside the server, a Celery worker that also runs beat's schedule (batching, the timers), on a broker
# that is a folder under var/ (localhost only spares kombu's warning that no host was given). The worker
# logs to var/celery.log and stops when the server does.
run: seed
	export CELERY_BROKER_URL=filesystem://localhost/; \
	$(BIN)/celery -A fms_review worker --beat --pool=solo --schedule var/celerybeat-schedule \
	  --without-mingle --without-gossip --without-heartbeat -l INFO >var/celery.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: venv
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache

# Benchmarks on PostgreSQL (BENCH_DATABASE_URL, default a fms_review_bench database on 127.0.0.1) and Redis
# (BENCH_REDIS_URL, default database 15); not part of CI. SIZES: the case counts batching runs at, comma-
# separated. Every part always runs (load needs the database batching builds); exits 0 only when every
# target holds. bench-quick: the smallest size and 1 s samples, for a developer's loop (its figures rough).
SIZES ?= 10000,100000,300000
bench: venv
	status=0; SIZES=$(SIZES) $(BIN)/python -m tests.bench.batching || status=1; $(BIN)/python -m tests.bench.load || status=1; \
	  $(BIN)/python -m tests.bench.notifications || status=1; exit $$status

bench-quick: venv
	status=0; SIZES=10000 BENCH_QUICK=1 $(BIN)/python -m tests.bench.batching || status=1; \
	  BENCH_QUICK=1 $(BIN)/python -m tests.bench.load || status=1; exit $$status

# README's screenshots from the demo: run `make run` in another terminal first.
screenshots: venv
	$(BIN)/python -m tests.browser.readme_screenshots
