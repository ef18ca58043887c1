# Flywheel developer commands. `make run` starts the whole platform locally, `make test` tests it.

PYTHON_BOOTSTRAP := $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
# Three workers, each with its own broker and databases; one file's tests stay on one worker
# (module fixtures). PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 3 --dist loadfile --durations=25
# Modules for `make mutants` (paths as listed in mutants.toml); empty: all of them.
MUTANTS ?=
# e.g. BENCH_ARGS=--quick
BENCH_ARGS ?=

.PHONY: venv run test lint format bench mutants eval-recs docs clean

venv: $(VENV)/.installed

# Reinstalls whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install -e '.[dev,test]'
	touch $@

run: venv
	$(PY) -m deploy.local.run

test: venv
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .

format: venv
	$(RUFF) check --select I --fix .
	$(RUFF) format .

# wrk is the load generator (Debian package); without it the httpx fallback client limits the
# figures, and the gateway benchmark then says so and judges nothing.
bench: venv
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || sudo -n apt-get install -y wrk \
		|| echo "warning: could not install wrk; the gateway benchmark will be client-bound"
	$(PY) -m bench.run_all $(BENCH_ARGS)

# Mutation testing (slow, not part of `test`): see docs/testing.md.
mutants: venv
	$(PY) -m tools.mutants $(MUTANTS)

# Offline evaluation of the content recommender; DATA=interactions.csv ITEMS=items.csv to run
# it on other data (columns in bench/eval_recs.py).
eval-recs: venv
	$(PY) -m bench.eval_recs $(if $(DATA),--data $(DATA)) $(if $(ITEMS),--items $(ITEMS)) $(EVAL_ARGS)

docs: venv
	$(PY) -m gateway.eventdocs > docs/events.md.tmp || { rm -f docs/events.md.tmp; exit 1; }
	mv docs/events.md.tmp docs/events.md
	$(PY) -m deploy.configref
	$(PY) -m deploy.k8s.generate

clean:
	rm -rf var
