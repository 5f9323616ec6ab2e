# Dialogue Planner. `make run` serves the demo; `make test` runs every test.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTANCE := instance
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install install-test db demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

# ical.js (Thunderbird's parser) for the calendar tests; they skip it where node is missing.
tests/js/node_modules/.package-lock.json: tests/js/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/js --no-audit --no-fund; \
	else echo "npm not found: the ical.js test will be skipped"; fi

# axe-core for the accessibility checks of the end-to-end tests; they skip it where npm is missing.
tests/e2e/js/node_modules/.package-lock.json: tests/e2e/js/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/e2e/js --no-audit --no-fund; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# Debian's Chromium, which the end-to-end tests drive (Playwright never downloads a browser).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "Chromium is missing: the end-to-end tests need /usr/bin/chromium." >&2; \
		echo "Install it as root (sudo apt-get install chromium), then run make test again." >&2; \
		exit 1; \
	fi

# Debian's Redis, which the deployment tests start (sign-in throttling shared by two servers).
/usr/bin/redis-server:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; \
	else \
		echo "redis-server is missing: the deployment tests need it." >&2; \
		echo "Install it as root (sudo apt-get install redis-server), then run make test again." >&2; \
		exit 1; \
	fi

# Debian's Dovecot, the real IMAP server that the inbox tests start on 127.0.0.1 (they
# skip, saying so, where it is missing).
/usr/sbin/dovecot:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd; \
	else \
		echo "Dovecot is missing: the inbox tests will be skipped." >&2; \
		echo "Install it as root (sudo apt-get install dovecot-imapd) to run them." >&2; \
	fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test tests/js/node_modules/.package-lock.json \
	tests/e2e/js/node_modules/.package-lock.json /usr/bin/redis-server /usr/sbin/dovecot

# A secret key made once for this checkout, kept in the instance folder (not in git).
$(INSTANCE)/secret_key:
	mkdir -p $(INSTANCE)
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

# The app reads the key from $(INSTANCE)/secret_key itself (so does every `planner` command).
LOCAL_ENV = PLANNER_SECURE_COOKIES=0

db: install $(INSTANCE)/secret_key
	$(LOCAL_ENV) $(BIN)/planner db upgrade

demo: db
	$(LOCAL_ENV) $(BIN)/planner demo

# Plain http on 127.0.0.1 only, hence cookies without the Secure flag. A worker runs the
# background jobs (e-mail, reminders) beside the server and stops with it.
run: demo
	@$(LOCAL_ENV) $(BIN)/planner worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(LOCAL_ENV) $(BIN)/planner run --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check planner tests migrations

test: install-test lint /usr/bin/chromium
	$(BIN)/python -m pytest

# Debian's wrk, the load generator of `make bench`.
/usr/bin/wrk:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
	else \
		echo "wrk is missing: make bench needs it (sudo apt-get install wrk)." >&2; exit 1; \
	fi

# A fresh database (SQLite under instance/bench/, or BENCH_DATABASE_URL), the bench data,
# gunicorn on 127.0.0.1 and wrk on each endpoint: bench/results/latest-<db>.json.
bench: install /usr/bin/wrk
	$(BIN)/python -m planner.bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
