# Pacer: `make run` serves the demo, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app

.PHONY: run test lint bench install install-test assets translations translations-update system-deps serve clean

# The job consumer (email, reminders, digests) runs beside the web server, its queue an SQLite
# file in instance/ (REDIS_URL for Redis); it stops when the server does.
run: install assets translations
	PACER_ENV=development $(BIN)/flask db upgrade
	PACER_ENV=development $(BIN)/flask seed-demo
	@PACER_ENV=development $(BIN)/flask jobs run & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	PACER_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The two databases' runs go side by side (two cores): PostgreSQL's output is kept in a file
# and shown after SQLite's, and the target fails if either run fails.
PG_LOG := build/pytest-postgresql.log

test: install-test assets translations system-deps
	$(BIN)/ruff check .
	@mkdir -p build
	@PACER_TEST_DB=postgresql $(BIN)/pytest -m "not browser" -p no:cacheprovider > $(PG_LOG) 2>&1 & \
	postgres=$$!; \
	$(BIN)/pytest; sqlite=$$?; \
	wait $$postgres; postgresql=$$?; \
	echo "== PostgreSQL (not browser) =="; cat $(PG_LOG); \
	test $$sqlite -eq 0 && test $$postgresql -eq 0

lint: install-test
	$(BIN)/ruff check .

bench: install-test assets translations system-deps
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/scorecards.py --live
	$(BIN)/python bench/scorecards.py --scaling
	$(BIN)/python bench/sync.py

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Outside development the app serves the bundles as built (ASSETS_AUTO_BUILD off): build them
# here, before serving. PACER_ENV=development only spares this step a SECRET_KEY.
assets: node_modules/.installed $(VENV)/.installed
	PACER_ENV=development $(BIN)/flask assets build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The .po files are the source; the compiled .mo files Flask-Babel reads are build output.
translations: $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -l $* --statistics

# After adding or changing a string: re-extract, merge into each .po, then translate what is new.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project Pacer -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete

# Chromium drives the browser tests, fonts-noto-cjk draws their Japanese pages and screenshots,
# PostgreSQL runs the database suite a second time, and redis-server carries the job queue's
# tests on Redis. As root (CI, a fresh machine) they are installed; otherwise the tests say
# what is missing.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing$$missing: run 'sudo apt-get install -y$$missing'"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) node_modules static/gen static/.webassets-cache
	rm -f translations/messages.pot translations/*/LC_MESSAGES/*.mo
