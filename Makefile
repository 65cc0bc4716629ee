# The two commands a newcomer needs: `make run` and `make test`. Both are safe to re-run.
# `make serve` is the production way on one machine (README.md, "Settings and production").
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve serve-env test install assets migrate demo lint format clean bench

run: install assets
	DJANGO_DEBUG=true $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=true $(PY) manage.py createcachetable
	DJANGO_DEBUG=true $(PY) manage.py load_demo
	@echo ""
	@echo "  Dystonia Portal: http://$(HOST):$(PORT)/"
	@echo "  Dystonia page:   http://$(HOST):$(PORT)/conditions/dystonia/"
	@echo "  To make an admin account: DJANGO_DEBUG=true $(PY) manage.py createsuperuser"
	@echo ""
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Production on one machine: nginx (deploy/nginx.conf: page cache, slow clients, 503 page) in
# front of gunicorn (gunicorn.conf.py) with DEBUG off, static files built, hashed and
# compressed, the database migrated (deploy/serve). Needs DJANGO_SECRET_KEY and DATABASE_URL
# (PostgreSQL) in the environment or in .env; see .env.example.
serve: serve-env install assets
	DJANGO_DEBUG=false $(PY) manage.py collectstatic --no-input
	DJANGO_DEBUG=false $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=false $(PY) manage.py createcachetable
	DJANGO_DEBUG=false $(PY) manage.py check --deploy
	DJANGO_DEBUG=false exec deploy/serve

# Stop early, with a sentence, when the production settings are missing.
serve-env:
	@for name in DJANGO_SECRET_KEY DATABASE_URL DJANGO_ALLOWED_HOSTS; do \
	  if [[ -z "$${!name}" ]] && ! grep -qs "^$$name=." .env; then \
	    echo "make serve: set $$name in the environment or in .env (see .env.example and the README)." >&2; \
	    missing=1; \
	  fi; \
	done; \
	test -z "$$missing"

test: install assets
	$(PY) -m pytest

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed
	npm run --silent build

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles static/css static/js/vendor static/assets

# Full-page pictures of the site for the README (docs/screenshots/); look at them before committing.
.PHONY: screenshots
screenshots: install assets
	$(PY) -m pytest tests/browser/screenshots.py -q -p no:cacheprovider

# Load benchmark (benchmarks/run.py): its own PostgreSQL 15, a million ratings, gunicorn, wrk.
# Results in benchmarks/results/latest.{md,json}. Needs wrk (Debian package) and PostgreSQL 15.
bench: install assets
	@if ! command -v wrk >/dev/null; then \
	  if [[ $$(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then \
	    echo "make bench: installing wrk (apt-get install -y wrk)"; apt-get install -y -q wrk >/dev/null; \
	  else \
	    echo "make bench: wrk is missing. Install it with: sudo apt-get install -y wrk" >&2; exit 1; \
	  fi; \
	fi
	$(PY) -m benchmarks.run
