# Teten — the two commands of the README, and their helpers.
#   make run    start the app with a demo course on SQLite (http://127.0.0.1:5000)
#   make test   lint, then every test: unit, service, socket, PostgreSQL/Redis and Playwright e2e

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export FLASK_APP := course

.PHONY: run test lint install translations messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d course/translations

messages: $(STAMP)  ## re-extract UI strings and update the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o course/translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i course/translations/messages.pot -d course/translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	$(BIN)/python -m course --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .

test: install lint
	$(BIN)/python -m pytest

# Needs PostgreSQL and Redis (TETEN_BENCH_POSTGRES_URL, TETEN_BENCH_REDIS_URL; defaults on
# 127.0.0.1) and about 5 minutes; writes bench/results/latest.json and latest.png.
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-* && touch $@

bench: install $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
