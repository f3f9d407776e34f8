# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup system-packages assets messages lint format bench clean

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (scheduled jobs: celery worker with beat, no broker server)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/celery -A mutualaid worker --beat --pool=solo --loglevel=warning & \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

setup: system-packages $(STAMP) assets messages

# Chromium + driver for the browser tests, a CJK font for PDFs, gettext for translations.
system-packages:
	@need=""; \
	  [ -x /usr/bin/chromium ] || need="$$need chromium chromium-driver"; \
	  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$$need fonts-noto-cjk"; \
	  command -v msgfmt >/dev/null || need="$$need gettext"; \
	  if [ -n "$$need" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing system packages:$$need"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	    else echo "Missing system packages (install them as root):$$need"; fi; \
	  fi

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0; \
	else echo "gettext is missing: pages stay in English"; fi

makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --no-obsolete

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print tables against PostgreSQL (a throw-away test database is created and dropped).
bench: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mutualaid_bench} \
	  $(BIN)/python -m tests.bench $(BENCH)

clean:
	rm -rf $(VENV) node_modules var
