# axmeter: `make demo` and `make test` do all set-up on a machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export AXMETER_HOME ?= $(CURDIR)/data

.PHONY: install demo run test dev lock clean

# The virtual environment gets exactly the locked, hash-checked versions CI tested.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (as on our CI machines) Python would
	# otherwise compile Dagster & co. from source in every process, ~1.3 s each.
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes --compile-bytecode requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --editable .
	touch $@

install: $(VENV)/.installed

## demo: generate the sample ministry, run the pipeline, serve the dashboard on :8501
demo: install
	$(BIN)/axmeter demo

## run: ingest, compute and publish whatever is in $(AXMETER_HOME)/landing
run: install
	$(BIN)/axmeter run

## test: the whole test suite, its files spread over the machine's cores (pytest-xdist)
test: install
	$(BIN)/python -m pytest -n auto --dist loadfile

## bench: the pipeline against a bare-DuckDB lower bound at ~100 k and ~1 M events (LARGE=1: also
## ~10 M) -> bench/results.md; data under bench/out/. Not part of `make test`.
.PHONY: bench
bench: install
	$(BIN)/python -m bench $(if $(LARGE),--large)

## dev: the Dagster UI on :3000 over the same home and instance as `axmeter`
dev: install
	mkdir -p $(AXMETER_HOME)/dagster
	test -f $(AXMETER_HOME)/dagster/dagster.yaml || $(BIN)/python -c "from pipelines.cli import ensure_dagster_home, home_path; ensure_dagster_home(home_path())"
	DAGSTER_HOME=$(AXMETER_HOME)/dagster DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=true DAGSTER_EVENT_BATCH_SIZE=1000 \
	AXMETER_PSEUDONYM_KEY="$${AXMETER_PSEUDONYM_KEY:-$$(cat $(AXMETER_HOME)/.pseudonym_key 2>/dev/null)}" \
	$(BIN)/dagster dev -w workspace.yaml

## lock: re-resolve requirements.lock after changing dependencies in pyproject.toml
lock:
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
