# make run   — a working site with demo data on SQLite, at http://127.0.0.1:$(PORT)
# make test  — the whole suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)
# make worker / make beat — the Celery worker and scheduler (need REDIS_URL or CELERY_BROKER_URL)
# make bench — seed SCALE cases (default 1,000,000; SCALE=20000 for a quick run) into PostgreSQL, serve with
#              gunicorn, measure with wrk; see docs/bench.md
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test serve worker beat bench install install-dev lint messages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/activate
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Production-style serving: gunicorn, DEBUG off; DJANGO_SECRET_KEY and ALLOWED_HOSTS must be set.
serve: install
	DJANGO_DEBUG=off $(PY) manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=off $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=off $(VENV)/bin/gunicorn sstransfer.wsgi --bind 0.0.0.0:$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

# Background work (docs/deploy.md): a worker for the queue, and exactly one beat for the periodic jobs.
# Both need CELERY_BROKER_URL (or REDIS_URL); without one, `make run` runs tasks in the web process instead.
worker: install
	$(VENV)/bin/celery -A sstransfer worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install
	$(VENV)/bin/celery -A sstransfer beat --loglevel=INFO --schedule=$${CELERY_BEAT_FILE:-celerybeat-schedule}

# BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sst_bench) is seeded once per scale and reused.
SCALE ?= 1000000
bench: install
	SCALE=$(SCALE) $(PY) -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
