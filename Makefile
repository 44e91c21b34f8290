# The two commands: `make run` and `make test`. Both set everything up from a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PLAZA := $(VENV)/bin/plaza
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# `make run` lets anyone with a demo address register; set your own in production.
export PLAZA_EMAIL_DOMAINS ?= plaza.example.com

.PHONY: run test setup system-deps test-deps lint typecheck pytest bench-quick web migrations clean

run: setup system-deps web
	$(PLAZA) migrate
	$(PLAZA) demo
	$(PLAZA) up

test: setup system-deps test-deps web lint typecheck pytest bench-quick

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

test-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { pkg=postgresql; $(APT_INSTALL); }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "PostgreSQL is still missing"; exit 1; }

web:
	@if [ -f web/package.json ]; then \
		command -v npm >/dev/null || { echo "npm is needed to build the web app: apt-get install nodejs npm"; exit 1; }; \
		cd web && ( [ -d node_modules ] || npm ci --no-audit --no-fund ) && npm run build; \
	fi

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(VENV)/bin/pytest -q -p no:cacheprovider

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
	rm -rf $(VENV) var web/node_modules web/dist
