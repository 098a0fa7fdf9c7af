# staffgate — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

export STAFFGATE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres lint format install clean mo messages i18n-check lock wheel

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Translations: .po files are kept in the repository; .mo files are built from them.
mo: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

messages: $(STAMP)
	cd src/staffgate && STAFFGATE_DEBUG=1 ../../$(BIN)/staffgate makemessages -l fr -l es --no-obsolete --add-location=file

i18n-check: $(STAMP)
	$(BIN)/python scripts/check_translations.py

# Pinned runtime dependencies and their hashes, for reproducible
# deploys: pip install --require-hashes -r requirements.lock, then the wheel.
lock: $(STAMP)
	$(BIN)/pip install --quiet -e '.[lock]'
	$(BIN)/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

# The wheel to deploy, into dist/; building it compiles the translations into it.
wheel: $(STAMP)
	$(BIN)/pip wheel . --no-deps --quiet -w dist

var/secret_key:
	mkdir -p var
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

# The RSA key that signs ID tokens and logout tokens (single sign-on).
var/oidc_key.pem: $(STAMP)
	$(BIN)/python -m staffgate.oidc.keys $@

RUN_ENV := STAFFGATE_SECRET_KEY_FILE=var/secret_key STAFFGATE_SECURE_COOKIES=0 \
	STAFFGATE_ALLOWED_HOSTS=127.0.0.1,localhost STAFFGATE_OIDC_KEY_FILE=var/oidc_key.pem \
	STAFFGATE_PUBLIC_URL=http://$(HOST):$(PORT)

# Local trial: SQLite under ./var, the demo roster, the production server on plain HTTP,
# and the background worker beside it (stopped with the server).
run: export STAFFGATE_LOG_FORMAT ?= console
run: $(STAMP) mo var/secret_key var/oidc_key.pem
	$(RUN_ENV) $(BIN)/staffgate migrate --noinput -v 0
	$(RUN_ENV) $(BIN)/staffgate load-demo
	$(RUN_ENV) $(BIN)/staffgate worker -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/staffgate serve --bind $(HOST):$(PORT)

# Single sign-on demo: staffgate, its worker and examples/benefits-app, registered together.
.PHONY: demo-sso
demo-sso: $(STAMP) mo var/secret_key var/oidc_key.pem
	$(RUN_ENV) $(BIN)/python scripts/demo_sso.py

# The same trial on PostgreSQL, as production runs it: the migrations as the owner of the
# tables (RUN_PG_URL, an existing database), the server as a role that may only read and
# append audit events (RUN_PG_APP_URL, made by setup-database-roles).
RUN_PG_URL ?= postgres://postgres@127.0.0.1:5432/staffgate
APP_ROLE ?= staffgate_app
RUN_PG_APP_URL ?= $(subst //postgres@,//$(APP_ROLE)@,$(RUN_PG_URL))
.PHONY: run-postgres
run-postgres: $(STAMP) mo var/secret_key
	STAFFGATE_SECRET_KEY_FILE=var/secret_key DATABASE_URL=$(RUN_PG_URL) \
	STAFFGATE_ALLOWED_HOSTS=127.0.0.1,localhost $(BIN)/staffgate migrate --noinput -v 0
	STAFFGATE_SECRET_KEY_FILE=var/secret_key DATABASE_URL=$(RUN_PG_URL) \
	STAFFGATE_ALLOWED_HOSTS=127.0.0.1,localhost $(BIN)/staffgate setup-database-roles $(APP_ROLE)
	STAFFGATE_SECRET_KEY_FILE=var/secret_key DATABASE_URL=$(RUN_PG_APP_URL) \
	STAFFGATE_ALLOWED_HOSTS=127.0.0.1,localhost $(BIN)/staffgate load-demo
	STAFFGATE_SECRET_KEY_FILE=var/secret_key STAFFGATE_SECURE_COOKIES=0 DATABASE_URL=$(RUN_PG_APP_URL) \
	STAFFGATE_ALLOWED_HOSTS=127.0.0.1,localhost $(BIN)/staffgate serve --bind $(HOST):$(PORT)

test: $(STAMP) lint mo i18n-check test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# The suite is shared between TEST_PROCESSES processes (pytest-xdist, one test file at a
# time each); the timing measurements run after it, alone on the machine.
TEST_PROCESSES ?= auto
PYTEST := $(BIN)/pytest tests/unit tests/integration tests/security -p no:cacheprovider

test-sqlite: $(STAMP)
	@echo "== test suite on SQLite =="
	$(PYTEST) -n $(TEST_PROCESSES) --dist loadfile -m "not timing"
	$(PYTEST) -m timing

# Tests marked sqlite_portal serve a portal on an SQLite file of their own whatever
# DATABASE_URL says (the live server, its worker, the mail-timing measurement), and the
# wheel's tests install it into a virtualenv of its own: they run once, in the SQLite pass.
test-postgres: $(STAMP)
	@echo "== test suite on PostgreSQL =="
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(PYTEST) -n $(TEST_PROCESSES) --dist loadfile \
			-m "not sqlite_portal and not wheel"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is unreachable, and CI needs it." >&2; exit 1; \
	else \
		echo "NOTICE: PostgreSQL at $(PG_URL) is unreachable: skipping the PostgreSQL run."; \
	fi

clean:
	rm -rf $(VENV) var build dist *.egg-info

# Performance bench: PostgreSQL and SQLite, under 10 minutes; prints one table
# and writes bench/results/latest.json. BENCH_ARGS='--quick' for a short trial run.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Browser tests: Playwright drives Debian's Chromium against `staffgate serve`,
# every page checked with axe-core. Never a downloaded browser: when chromium is missing
# it comes from Debian's packages.
E2E_STAMP := $(VENV)/.e2e-installed
CHROMIUM := /usr/bin/chromium
# The HTTPS test puts Debian's nginx in front of the portal, as docs/deploy.md does.
NGINX := /usr/sbin/nginx
.PHONY: e2e screenshots

$(CHROMIUM):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

$(NGINX):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx

$(E2E_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[e2e]'
	touch $@

e2e: $(STAMP) $(E2E_STAMP) $(CHROMIUM) $(NGINX)
	@echo "== browser tests (Chromium, axe-core WCAG 2.2 A/AA, desktop and phone) =="
	$(BIN)/pytest tests/e2e -p no:cacheprovider

# PNGs of the main pages in English and French, for the README.
screenshots: $(STAMP) $(E2E_STAMP) $(CHROMIUM)
	$(BIN)/python scripts/screenshots.py docs/screenshots
