# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn: worker processes, and a timeout long enough for a large Excel import.
WEB_CONCURRENCY ?= 2
WEB_TIMEOUT ?= 300
# Test workers (pytest-xdist): one per core on this 2-core machine; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
# Static files are collected (hashed and compressed) again only when their sources changed:
# hashing and compressing the vendored JavaScript takes a minute.
STATIC_MANIFEST := $(or $(VAR_DIR),var)/static/staticfiles.json
STATIC_SOURCES := $(shell find static $(filter-out var/static,$(wildcard */static)) -type f 2>/dev/null)

.PHONY: run dev test setup setup-dev system-packages system-packages-dev assets messages \
	makemessages format bench backup restore clean

# Production posture on the embedded default: debug off, a secret key generated once in var/,
# gunicorn, compressed static files with long cache lifetimes. It serves plain HTTP on
# 127.0.0.1, so cookies are not marked HTTPS-only here (SECURE_COOKIES=1 behind a TLS proxy).
run: export DEBUG = 0
run: export SECURE_COOKIES ?= 0
run: setup $(STATIC_MANIFEST)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (scheduled jobs: celery worker with beat, no broker server)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/celery -A mutualaid worker --beat --pool=solo --loglevel=warning & \
	  $(BIN)/gunicorn mutualaid.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
	    --timeout $(WEB_TIMEOUT) --access-logfile -

# Development: Django's debug pages and auto-reloading server. Never for real data.
dev: export DEBUG = 1
dev: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "DEBUG server on http://$(HOST):$(PORT)/ (development only)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/celery -A mutualaid worker --beat --pool=solo --loglevel=warning & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: export DEBUG = 1
test: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

$(STATIC_MANIFEST): $(STAMP) node_modules/.package-lock.json mutualaid/settings.py $(STATIC_SOURCES)
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	touch $@

# What running needs; `setup-dev` adds the browser and the test and lint tools.
setup: system-packages $(STAMP) assets messages
setup-dev: system-packages-dev $(DEV_STAMP) assets messages

# Installs missing Debian packages when run as root (`$$need` holds their names).
APT_INSTALL = if [ -n "$$need" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing system packages:$$need"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	    else echo "Missing system packages (install them as root):$$need"; fi; \
	  fi

# A CJK font and Pango for PDFs (WeasyPrint), gettext for translations.
system-packages:
	@need=""; \
	  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$$need fonts-noto-cjk"; \
	  command -v msgfmt >/dev/null || need="$$need gettext"; \
	  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q libpangoft2-1.0 \
	    || need="$$need libpango-1.0-0 libpangoft2-1.0-0"; \
	  $(APT_INSTALL)

# Chromium and its driver for the browser tests.
system-packages-dev: system-packages
	@need=""; \
	  [ -x /usr/bin/chromium ] || need="$$need chromium"; \
	  command -v chromedriver >/dev/null || need="$$need chromium-driver"; \
	  $(APT_INSTALL)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0; \
	else echo "gettext is missing: pages stay in English"; fi

makemessages: export DEBUG = 1
makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --no-obsolete

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print tables against PostgreSQL, each in a throw-away copy of the migrated test
# database; those of pages, repayments and jobs in a copy of a generated world (WORLD=county,
# small or province; BENCH_WORLD_DB=<database> copies an already generated one instead).
# BENCH=<names> runs some of them (e.g. BENCH=bench_pages). Not part of `make test`.
WORLD ?= county
bench: export DEBUG = 1
bench: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mutualaid_bench} \
	  WORLD=$(WORLD) $(BIN)/python -m tests.bench $(BENCH)

# The database named by DATABASE_URL (default: the embedded SQLite file) to var/backups/, and
# back. PostgreSQL needs pg_dump/pg_restore (postgresql-client). Stop `make run` before a restore.
backup: $(STAMP)
	$(BIN)/python -m mutualaid.backup backup $(FILE)

restore: $(STAMP)
	@[ -n "$(FILE)" ] || { echo "usage: make restore FILE=var/backups/..."; exit 2; }
	$(BIN)/python -m mutualaid.backup restore $(FILE)

clean:
	rm -rf $(VENV) node_modules var
