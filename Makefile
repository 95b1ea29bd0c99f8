# Two commands work on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test lint bench bench-big clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,gx,dask]'
	touch $@

setup: $(VENV)/.installed

# Audit the sample reports shipped in the package into reports_out/ (findings do not fail the demo);
# the history store of the runs stays outside it, in .xxgk-audit/.
demo: setup
	$(BIN)/xxgk-audit run --out reports_out --fail-on never
	@echo "Open reports_out/index.html (audit.json beside it); the history store is .xxgk-audit/history.duckdb."

# Static checks and the whole test suite (browser tests need Debian's chromium; .ci/run installs it).
test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check audit tests bench
	$(BIN)/ruff format --check audit tests bench
	$(BIN)/mypy audit
	$(BIN)/lint-imports

bench: setup
	$(PY) bench/bench_run.py --documents 1000,5000
	$(PY) bench/bench_pipeline.py --documents 1000

bench-big: setup
	$(PY) bench/bench_run.py --documents 20000 --big --text-only

clean:
	rm -rf $(VENV) reports_out/*.html reports_out/*.json bench/out .pytest_cache .mypy_cache .ruff_cache
