# The two commands: `make run` and `make test`. Both set everything up from a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PLAZA := $(VENV)/bin/plaza
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# `make run` lets anyone with a demo address register; set your own in production.
export PLAZA_EMAIL_DOMAINS ?= plaza.example.com

.PHONY: run test setup system-deps test-deps lint typecheck pytest bench-quick web web-deps web-types web-check migrations clean

# A person reads this terminal: text log lines (`plaza serve`/`worker` log JSON by default).
run: setup system-deps web
	$(PLAZA) migrate
	$(PLAZA) demo
	PLAZA_LOG_FORMAT=$${PLAZA_LOG_FORMAT:-text} $(PLAZA) up

test: setup system-deps test-deps web web-check lint typecheck pytest bench-quick

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "Python 3.11+ is needed: apt-get install python3 python3-venv"; exit 1; }
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Debian packages: redis-server always; PostgreSQL for the tests (they run on both databases).
APT_INSTALL = if [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; then \
		echo "installing $$pkg from Debian packages"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$pkg >/dev/null; \
	else \
		echo "$$pkg is missing: install it with 'apt-get install $$pkg' as root"; exit 1; \
	fi

system-deps:
	@command -v redis-server >/dev/null || { pkg=redis-server; $(APT_INSTALL); }
	@command -v redis-server >/dev/null || { echo "redis-server is still missing"; exit 1; }

# The browser tests drive Debian's Chromium (never a downloaded browser).
test-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { pkg=postgresql; $(APT_INSTALL); }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL is still missing"; exit 1; }
	@[ -x /usr/bin/chromium ] || { pkg=chromium; $(APT_INSTALL); }
	@[ -x /usr/bin/chromium ] || { echo "chromium is still missing"; exit 1; }
	@# Reactions and stickers are emoji: without a colour emoji font the screenshots show boxes.
	@[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || { pkg=fonts-noto-color-emoji; $(APT_INSTALL); }

# The browser app: npm packages from the committed lock file, then the build the server serves.
WEB_STAMP := web/node_modules/.installed-stamp

web-deps: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { pkg="nodejs npm"; $(APT_INSTALL); }
	@# Not `npm ci`: it insists on lock entries for other platforms' optional binaries
	@# (@lix-js/sdk-darwin-arm64, ...), which the registry reachable here does not serve.
	@# `install --no-save` installs the locked versions and never rewrites the lock file.
	cd web && npm install --no-audit --no-fund --no-save
	touch $@

web: web-deps
	cd web && npm run build

# The API types are generated from the server's OpenAPI document, never written by hand.
web-types: setup web-deps
	$(PLAZA) openapi --output var/openapi.json
	cd web && npm run api-types

# CI: the committed types match the document, svelte-check and the unit tests pass.
web-check: setup web
	@$(PLAZA) openapi --output var/openapi.json
	@cd web && npx openapi-typescript ../var/openapi.json --default-non-nullable false -o ../var/schema.check.d.ts >/dev/null
	@cmp -s var/schema.check.d.ts web/src/lib/api/schema.d.ts || { echo "web/src/lib/api/schema.d.ts is stale: run 'make web-types' and commit it"; exit 1; }
	cd web && npm run check
	cd web && npm test

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

# The browser tests run in a pytest of their own: Playwright's sync API keeps an event loop
# running in the main thread while its browser is open, and other tests call asyncio.run().
# Both on every core (pytest-xdist): each worker starts its own Redis, PostgreSQL and, for the
# browser tests, its own demo Plaza and Chromium; a browser test file stays on one worker.
PYTEST_WORKERS ?= auto
pytest:
	$(VENV)/bin/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --ignore=tests/e2e
	$(VENV)/bin/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile tests/e2e

bench-quick:
	@for bench in bench/*.py bench/*/__main__.py; do \
		[ "$$(basename $$bench)" = "__init__.py" ] && continue; \
		if [ "$$(basename $$bench)" = "__main__.py" ]; then \
			module=bench.$$(basename $$(dirname $$bench)); \
		else \
			module=bench.$$(basename $$bench .py); \
		fi; \
		echo "== $$module --quick"; \
		$(PY) -m $$module --quick || exit 1; \
	done

# After changing a model: write the migration, then commit it.
migrations: setup
	$(VENV)/bin/tortoise -c server.migrations_config.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) var web/node_modules web/build web/.svelte-kit
