# Teten — the two commands of the README, and their helpers.
#   make run    start the app with a demo course on SQLite (http://127.0.0.1:5000)
#   make test   lint, then every test: unit, service, socket, PostgreSQL/Redis and Playwright e2e
#   make mutation  mutation testing (mutmut) of the rule modules money, access (the kinds, the
#               course rules, the draft rules), allocation and state, one module at a time against their own tests; prints each module's score
#               (killed/total) and the surviving mutants (`.venv/bin/mutmut show NAME` shows one).
#               Not part of `make test`; about four minutes. Config: [tool.mutmut].

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export FLASK_APP := course

.PHONY: run test lint install translations messages bench mutation clean

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
	COURSE_STAFF_TWO_FACTOR=$${COURSE_STAFF_TWO_FACTOR:-false} $(BIN)/flask demo
	COURSE_STAFF_TWO_FACTOR=$${COURSE_STAFF_TWO_FACTOR:-false} $(BIN)/python -m course --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .

# Two workers (the machines have two cores); --dist loadfile keeps each file on one worker, so
# a module's live server and its room are built once. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: install lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# Needs PostgreSQL and Redis (TETEN_BENCH_POSTGRES_URL, TETEN_BENCH_REDIS_URL; defaults on
# 127.0.0.1) and about 5 minutes; writes bench/results/latest.json and latest.png.
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-* && touch $@

bench: install $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Starts from a fresh mutants/ each time, so no cached verdict outlives a change to the code or
# the tests. MUTATION_MODULES picks modules (dotted names), MUTATION_CHILDREN the parallel runs.
MUTATION_STAMP := $(VENV)/.mutation-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
MUTATION_MODULES ?= course.money course.access course.schedule.access course.budgets.access \
                    peerreview.allocation peerreview.state
MUTATION_CHILDREN ?= 1

$(MUTATION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	rm -f $(VENV)/.mutation-* && touch $@

define MUTATION_SCORES
import json, pathlib, sys
print(f"{'module':<24} {'killed':>6} {'survived':>8} {'other':>5} {'total':>5}  score")
for module in sys.argv[1:]:
    meta = pathlib.Path("mutants", module.replace(".", "/") + ".py.meta")
    codes = list(json.loads(meta.read_text())["exit_code_by_key"].values())
    killed, survived = sum(c in (1, 3) for c in codes), codes.count(0)
    other = len(codes) - killed - survived  # timeouts, no tests, not checked
    print(f"{module:<24} {killed:>6} {survived:>8} {other:>5} {len(codes):>5}"
          f"  {100 * killed / len(codes):.1f} %")
endef
export MUTATION_SCORES

mutation: install $(MUTATION_STAMP)
	rm -rf mutants && mkdir mutants
	for module in $(MUTATION_MODULES); do \
	  echo "== mutmut run $$module.*"; \
	  $(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) "$$module.*" \
	    > mutants/run-$$module.log 2>&1 || { tail -n 40 mutants/run-$$module.log; exit 1; }; \
	done
	@echo "== surviving mutants"
	@$(BIN)/mutmut results | grep -v ': not checked' || true
	@echo "== scores"
	@$(BIN)/python -c "$$MUTATION_SCORES" $(MUTATION_MODULES)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis mutants
