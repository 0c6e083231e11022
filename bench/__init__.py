"""axmeter's benchmark harness (GitHub issue 9): the pipeline against a bare-DuckDB lower bound.

`make bench` (or `python -m bench`, `--large` for ~10 M events) runs it; bench/results.md is
what it found. `bench.report` holds the pure arithmetic and rendering (tested in
tests/test_bench.py); `bench.worker` does each measurement in a fresh process;
`bench.harness` orchestrates. Generated data and scratch files live in bench/out/.
"""
