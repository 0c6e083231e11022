"""The contracts as Dagster asset checks: on their assets, per partition, blocking on error,
annotating on warn, with their history in quality.check_results and Data Docs under
$AXMETER_HOME/quality; and a blocking failure leaves the previous published/ untouched."""

import hashlib
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import dagster as dg
import duckdb
import pytest

from pipelines.defs.quality.checks import freshness_result, volume_anomalies
from pipelines.defs.quality.contracts import load_contracts
from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from tests.handmade import portal_event, write_handmade_landing

CONTRACTS = load_contracts()


def test_loading_the_definitions_does_not_import_great_expectations():
    code = ("import sys, pipelines.definitions as d; d.defs.resolve_asset_graph(); "
            "assert 'great_expectations' not in sys.modules, 'great_expectations was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def test_validating_leaves_scipy_stats_unloaded_until_something_uses_it():
    """GX imports scipy.stats for expectations no contract uses; validation defers it (lazy
    module), and code that does use it still gets the real module."""
    code = """
import sys
import duckdb
from pipelines.defs.quality.contracts import load_contracts
from pipelines.defs.quality.validation import validate_frame
contract = load_contracts()["calendar"]
table = duckdb.sql("SELECT 'closures.csv' AS file, DATE '2026-01-01' AS file_date, "
                   "TIMESTAMPTZ '2026-01-01 00:00:00+00' AS delivered_at, 2::BIGINT AS line, "
                   "DATE '2026-05-01' AS closure_date, '창립기념일' AS closure_reason").to_arrow_table()
outcomes = validate_frame(contract, table)
assert outcomes and "great_expectations" in sys.modules
assert "scipy.stats._stats_py" not in sys.modules, "scipy.stats was executed"
import scipy.stats
assert scipy.stats.norm.cdf(0.0) == 0.5 and "scipy.stats._stats_py" in sys.modules
print(sum(o.success for o in outcomes), len(outcomes))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    passed, total = map(int, done.stdout.split())
    assert passed == total > 0  # a clean closure row passes every rule


def test_great_expectations_is_imported_ahead_in_the_background_once():
    """run_pipeline starts the GX import in a thread so the loading hides it; the import is the
    same one a check makes (scipy.stats still deferred), and a second call starts nothing."""
    code = """
import sys
from pipelines.defs.quality.validation import import_in_background
thread = import_in_background()
assert thread is not None and thread.daemon
thread.join(120)
assert not thread.is_alive() and "great_expectations" in sys.modules
assert "scipy.stats._stats_py" not in sys.modules, "scipy.stats was executed"
assert import_in_background() is None
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_validation_keeps_no_batch_of_data_afterwards(tmp_path):
    """GX's execution engine caches the last DataFrame of every asset for the life of its
    context; validation drops it, or a run would hold a slice of every table it checked."""
    import gc

    from pipelines.defs.quality.validation import validate_frame

    contract = load_contracts()["calendar"]
    table = duckdb.sql("SELECT 'closures.csv' AS file, DATE '2026-01-01' AS file_date, "
                       "TIMESTAMPTZ '2026-01-01 00:00:00+00' AS delivered_at, 2::BIGINT AS line, "
                       "DATE '2026-05-01' AS closure_date, '창립기념일' AS closure_reason").to_arrow_table()
    for quality_home in (None, tmp_path):  # unstored (tests, dry runs) and stored (a run's context)
        outcomes = validate_frame(contract, table, quality_home=quality_home)
        assert outcomes and all(o.success for o in outcomes)
        gc.collect()
        kept = [o for o in gc.get_objects() if type(o).__name__ == "PandasBatchData"]
        assert kept == [], f"{len(kept)} batch(es) of data still held after validating"


def test_a_new_quality_home_gets_every_contracts_data_asset_in_one_config_write(tmp_path, monkeypatch):
    """GX rewrites great_expectations.yml for every asset and batch definition it adds; a new
    home's context adds all of them (each contract, and the pre-publish one of each published
    mart) and writes the file once. A context read back from disk has them, and validating
    adds nothing more."""
    from great_expectations.data_context.data_context.file_data_context import FileDataContext

    from pipelines.defs.quality import validation

    writes = []
    original = FileDataContext._save_project_config
    monkeypatch.setattr(FileDataContext, "_save_project_config", lambda self: writes.append(1) or original(self))
    quality_home = tmp_path / "quality"
    context = validation._context(quality_home)
    # 12 contracts; the four published marts also validate before publishing; the seven with a
    # pattern (pseudonyms, feature names, quarters) evaluate it on distinct values in a big batch.
    expected = {c.suite_name for c in CONTRACTS.values()} | {
        c.suite_name + "_pre_publish" for c in CONTRACTS.values() if c.is_published} | {
        "feature_monthly_contract_distinct_values", "feature_monthly_contract_pre_publish_distinct_values",
        "hr_roster_contract_distinct_values", "onai_contract_distinct_values", "pioneers_contract_distinct_values",
        "portal_contract_distinct_values", "survey_contract_distinct_values", "training_contract_distinct_values"}
    assert len(expected) == 12 + 4 + 8
    assert {a.name for a in context.data_sources.get("axmeter").assets} == expected
    created = len(writes)
    assert created <= 3  # GX's own on creating the project and adding the data source, then ours
    validation.validate_frame(CONTRACTS["calendar"], duckdb.sql(
        "SELECT 'closures.csv' AS file, DATE '2026-01-01' AS file_date, TIMESTAMPTZ '2026-01-01 00:00:00+00' "
        "AS delivered_at, 2::BIGINT AS line, DATE '2026-05-01' AS closure_date, '창립기념일' AS closure_reason"
    ).to_arrow_table(), quality_home=quality_home)
    assert len(writes) == created
    validation._CONTEXTS.pop(str(quality_home))
    again = validation._context(quality_home)
    assert {a.name for a in again.data_sources.get("axmeter").assets} == expected
    assert all(a.get_batch_definition("whole_batch") for a in again.data_sources.get("axmeter").assets)
    assert len(writes) == created + 1  # read back: nothing added, one write at the end


def test_the_data_docs_index_links_the_newest_results_only(tmp_path, monkeypatch):
    """GX's index builder loads every result it links; a home that runs daily keeps ~500 of them
    (KEEP_RESULTS per suite), so the index links the newest INDEX_RESULTS. Here 2 of 3, and the
    limit is in the project's great_expectations.yml for `dagster dev`'s processes too."""
    import re

    from pipelines.defs.quality import validation

    monkeypatch.setattr(validation, "INDEX_RESULTS", 2)
    quality_home = tmp_path / "quality"
    table = duckdb.sql(
        "SELECT 'closures.csv' AS file, DATE '2026-01-01' AS file_date, TIMESTAMPTZ '2026-01-01 00:00:00+00' "
        "AS delivered_at, 2::BIGINT AS line, DATE '2026-05-01' AS closure_date, '창립기념일' AS closure_reason"
    ).to_arrow_table()
    try:
        for _ in range(3):
            validation.validate_frame(CONTRACTS["calendar"], table, quality_home=quality_home)
        stored = sorted(key.run_id.run_time for key in
                        validation._context(quality_home).validation_results_store.list_keys())
        index = validation.build_data_docs(quality_home)
    finally:
        validation._CONTEXTS.pop(str(quality_home), None)
    linked = set(re.findall(r"validations/calendar_contract/__none__/(\w+\.\w+)/", index.read_text(encoding="utf-8")))
    # A page's path holds its run's time, e.g. 20261202T120210.734978Z: the two newest runs.
    assert len(stored) == 3
    assert linked == {run_time.strftime("%Y%m%dT%H%M%S.%fZ") for run_time in stored[1:]}
    config = (quality_home / "gx" / "great_expectations.yml").read_text(encoding="utf-8")
    assert "validation_results_limit: 2" in config


def test_configurations_are_memoised_only_while_validating_and_outcomes_hold(tmp_path):
    """validate_frame builds each expectation's configuration once (a GX property that
    serialises the model on every access); the failures and their keys are the same as GX's
    own property gives, the stored suite keeps its ids, and GX's property is back afterwards."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import Expectation

    from pipelines.defs.quality.validation import configurations_computed_once, validate_frame

    gx_property = Expectation.__dict__["configuration"]
    contract = load_contracts()["calendar"]
    # By hand: line 1 breaks line >= 2 (a header line cannot be data); 2026-05-01 is listed twice
    # (a warn rule, 2 rows); the third row is clean.
    table = duckdb.sql("""
        SELECT * FROM (VALUES ('closures.csv', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00:00+00', 1::BIGINT,
                               DATE '2026-05-01', '창립기념일'),
                              ('closures.csv', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00:00+00', 2::BIGINT,
                               DATE '2026-05-01', '창립기념일'),
                              ('closures.csv', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00:00+00', 3::BIGINT,
                               DATE '2026-06-05', NULL))
            AS t(file, file_date, delivered_at, line, closure_date, closure_reason)""").to_arrow_table()
    for quality_home in (None, tmp_path / "quality"):
        failed = {o.rule.id: (o.unexpected_count, [k["line"] for k in o.sample_keys])
                  for o in validate_frame(contract, table, quality_home=quality_home) if not o.success}
        assert failed == {"line.range": (1, [1]), "closure_date.listed_once": (2, [1, 2])}, quality_home
        assert Expectation.__dict__["configuration"] is gx_property
    stored = json.loads(next((tmp_path / "quality").rglob("expectations/*.json")).read_text(encoding="utf-8"))
    assert stored["expectations"] and all(e.get("id") for e in stored["expectations"])

    expectation = gx.expectations.ExpectColumnValuesToNotBeNull(column="line", meta={"rule": "line.required"})
    calls = []
    with configurations_computed_once():
        patched = Expectation.__dict__["configuration"]
        Expectation.configuration = property(lambda self: calls.append(1) or patched.fget(self))
        first, again = expectation.configuration, expectation.configuration
    assert len(calls) == 2 and first is again  # two reads, one configuration built
    assert first == gx_property.fget(expectation)
def test_every_contract_check_is_on_its_asset():
    checks = {(spec.asset_key.to_user_string(), spec.name): spec
              for checks_def in defs.asset_checks for spec in checks_def.check_specs}
    for contract in CONTRACTS.values():
        asset = "/".join(contract.asset)
        assert checks[(asset, "contract")].blocking is contract.enforced, asset
        assert not checks[(asset, "contract_warnings")].blocking
        assert (asset, "freshness") in checks
        assert ((asset, "volume_anomaly") in checks) is (contract.volume is not None)
    assert checks[("marts/unit_monthly", "contract")]  # the pre-publish gate
    assert checks[("raw/portal_events", "contract")].partitions_def is not None
    # The jobs run them: each check is selected with its asset.
    graph = defs.resolve_asset_graph()
    ingest = defs.resolve_job_def("ingest_events")
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "portal_events"]), "contract") in ingest.asset_layer.asset_graph.asset_check_keys
    assert graph.asset_check_keys >= {dg.AssetCheckKey(dg.AssetKey(["raw", "hr_roster"]), "freshness")}


def _published_fingerprint(home):
    published = home / "published"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(published.rglob("*")) if p.is_file()}


def test_contract_checks_end_to_end(axmeter_home):
    """Clean run: every error rule passes, warn rules (freshness of old data) annotate without
    stopping anything, results are kept. Then a delivery that parses but breaks the contract
    (negative token count): the run stops at ingestion and published/ stays as it was."""
    write_handmade_landing(axmeter_home)
    home = AxmeterHome(home=str(axmeter_home))
    with dg.instance_for_test() as instance:
        summary = run_pipeline(defs, instance, home, say=lambda _: None)
        assert summary.steps[-1][0] == "publish"
        before = _published_fingerprint(axmeter_home)

        bad = portal_event("r30", "E100001", "2026-01-12T01:00:00Z", prompt_tokens=-5, completion_tokens=50)
        (axmeter_home / "landing" / "portal" / "spendlogs_20260112.jsonl").write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(RuntimeError) as failure:
            run_pipeline(defs, instance, home, say=lambda _: None)
        assert "ingest" in str(failure.value) and "portal_contract_checks" in str(failure.value)
        evaluations = [e.dagster_event.event_specific_data for e in instance.all_logs(
            instance.get_runs(limit=1)[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)]

    assert _published_fingerprint(axmeter_home) == before  # publish never ran
    failed = {(e.asset_key.to_user_string(), e.check_name): e for e in evaluations if not e.passed}
    contract = failed.pop(("raw/portal_events", "contract"))
    assert contract.severity == dg.AssetCheckSeverity.ERROR
    assert "prompt_tokens.range: 1 of" in contract.description
    assert "2026-01-12 (1)" in contract.description and "file=spendlogs_20260112.jsonl, line=1" in contract.description
    assert "E100001" not in str({k: v.value for k, v in contract.metadata.items()})  # keys only, never raw values
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in failed.values()), failed.keys()

    with duckdb.connect(str(axmeter_home / "warehouse.duckdb"), read_only=True) as conn:
        history = conn.execute(
            """SELECT asset, check_name, rule, partition, success, unexpected_count, run_id FROM quality.check_results
               WHERE rule = 'prompt_tokens.range' ORDER BY checked_at, partition""").fetchall()
        runs = conn.execute("SELECT count(DISTINCT run_id) FROM quality.check_results").fetchone()[0]
    last_run = [row for row in history if row[6] == history[-1][6]]
    # The second run reloads only the new day: its check validates that partition alone.
    assert [(r[3], r[4], r[5]) for r in last_run] == [("2026-01-12", False, 1)]
    assert all(r[4] for r in history if r[6] != history[-1][6])  # the clean run passed everywhere
    assert runs >= 5
    index = axmeter_home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.exists() and "portal_contract" in index.read_text(encoding="utf-8")


def test_a_single_day_run_validates_that_partition_only(axmeter_home):
    write_handmade_landing(axmeter_home)
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("ingest_events").execute_in_process(
            instance=instance, partition_key="2026-01-05", raise_on_error=False)
    evaluations = {(e.asset_check_key.asset_key.to_user_string(), e.check_name): e
                   for e in result.get_asset_check_evaluations()}
    portal = evaluations[("raw/portal_events", "contract")]
    assert portal.passed and portal.partition == "2026-01-05"
    assert portal.metadata["rows_validated"].value == 9  # the day's good lines, not the other days'


def _events_table(counts: dict[date, int]) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA raw; CREATE TABLE raw.portal_events (file_date DATE)")
    conn.executemany("INSERT INTO raw.portal_events SELECT ?::DATE FROM range(?)", [[d, n] for d, n in counts.items()])
    return conn


def test_volume_anomaly_compares_a_day_with_the_same_weekday_median(monkeypatch):
    monkeypatch.setenv("AXMETER_DATA_START", "2026-01-01")
    monday = date(2026, 2, 2)
    history = {monday - timedelta(weeks=w): n for w, n in ((1, 100), (2, 120), (3, 80), (4, 110))}
    contract = CONTRACTS["portal"]
    for today, anomaly in ((105, False), (340, True), (34, True), (36, False), (0, True), (300, False)):
        conn = _events_table({**history, monday: today})
        days = volume_anomalies(conn, contract, "raw.portal_events", "file_date", (monday, monday))
        assert days[0]["baseline"] == 105 and days[0]["anomaly"] is anomaly, today
    # Less than four weeks of history: no baseline, no anomaly.
    conn = _events_table({monday - timedelta(weeks=1): 100, monday: 1})
    assert volume_anomalies(conn, contract, "raw.portal_events", "file_date", (monday, monday))[0]["anomaly"] is False


def test_freshness_against_the_contract_sla():
    conn = duckdb.connect()
    conn.execute("SET TimeZone = 'UTC'; CREATE SCHEMA raw; CREATE TABLE raw.hr_roster (snapshot_date DATE)")
    conn.execute("INSERT INTO raw.hr_roster VALUES ('2026-03-01')")
    contract, key = CONTRACTS["hr_roster"], dg.AssetKey(["raw", "hr_roster"])
    fresh = freshness_result(conn, contract, "raw.hr_roster", key, datetime(2026, 4, 10, tzinfo=timezone.utc))
    stale = freshness_result(conn, contract, "raw.hr_roster", key, datetime(2026, 4, 20, tzinfo=timezone.utc))
    assert fresh.passed and not stale.passed and stale.severity == dg.AssetCheckSeverity.WARN
    assert "50.0 days old; the contract allows 45 days" in stale.description


def test_a_big_batch_checks_its_patterns_on_distinct_values_with_the_rows_outcome(tmp_path, monkeypatch):
    """Portal rows, three copies of the contract fixture's three (9 rows: lines 1, 2, 11, 12, 21, 22
    of 2026-01-05's file, 1, 11, 21 of 2026-01-06's): `E1234` replaces key A in lines 11 and 21 of
    the first, an upper-case key replaces key B in line 21 of the second. With the threshold at 1 row, the pattern runs on the 4 distinct values
    (A, B, E1234, the upper-case one; the nulls are skipped) in a suite of its own, and reports
    what every row gives: 3 of 9 rows, their keys and days; every other rule as before."""
    from pipelines.defs.quality import validation
    from tests.test_contracts import valid_table

    bad = "E1234"
    upper = "B" * 64
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.register("fixture", valid_table("portal"))
        table = conn.sql(f"""
            SELECT * REPLACE (line + 10 * copy AS line,
                              CASE WHEN copy > 0 AND employee_key LIKE 'a%' THEN '{bad}'
                                   WHEN copy = 2 AND employee_key LIKE 'b%' THEN '{upper}'
                                   ELSE employee_key END AS employee_key)
            FROM fixture CROSS JOIN (SELECT range AS copy FROM range(3)) ORDER BY copy, file, line
        """).to_arrow_table().drop_columns(["copy"])
    assert table.num_rows == 9
    contract = CONTRACTS["portal"]
    monkeypatch.setattr(validation, "DISTINCT_VALUES_MIN_ROWS", 1)
    assert [r.id for r in validation.distinct_value_rules(contract, table)] == ["employee_key.pattern"]
    assert sorted(validation.distinct_values(table, ["employee_key"]).column(0).to_pylist(), key=str) == sorted(
        ["a" * 64, "b" * 64, bad, upper, None], key=str)
    home = tmp_path / "quality"
    by_values = {o.rule.id: o for o in validation.validate_frame(contract, table, quality_home=home,
                                                                 partition_column="file_date")}
    context = validation._context(home)
    assert [e.meta["rule"] for e in context.suites.get("portal_contract_distinct_values").expectations] == [
        "employee_key.pattern"]
    assert "employee_key.pattern" not in {e.meta["rule"] for e in context.suites.get("portal_contract").expectations}
    assert {suite for suite, _ in validation._LAST_RESULTS[str(home)]} == {
        "portal_contract", "portal_contract_distinct_values"}
    import gc

    gc.collect()
    assert [o for o in gc.get_objects() if type(o).__name__ == "PandasBatchData"] == []  # neither batch kept

    pattern = by_values["employee_key.pattern"]
    assert (pattern.success, pattern.unexpected_count, pattern.element_count) == (False, 3, 9)
    assert pattern.by_partition == {"2026-01-05": 2, "2026-01-06": 1}
    assert sorted((k["file"], k["line"]) for k in pattern.sample_keys) == [
        ("spendlogs_20260105.jsonl", 11), ("spendlogs_20260105.jsonl", 21), ("spendlogs_20260106.jsonl", 21)]
    assert pattern.summary == "3 of 9 rows"

    monkeypatch.setattr(validation, "DISTINCT_VALUES_MIN_ROWS", 10**9)
    assert validation.distinct_value_rules(contract, table) == []
    every_row = {o.rule.id: o for o in validation.validate_frame(contract, table, partition_column="file_date")}
    assert by_values.keys() == every_row.keys()
    for rule_id, outcome in every_row.items():
        got = by_values[rule_id]
        assert (got.success, got.unexpected_count, got.element_count, got.by_partition) == (
            outcome.success, outcome.unexpected_count, outcome.element_count, outcome.by_partition), rule_id
    assert {o.rule.id for o in every_row.values() if not o.success} == {"employee_key.pattern"}


def test_a_large_event_window_is_validated_in_slices_of_whole_days():
    """Three days of portal rows (n, n and 2; a bad prompt_tokens on day 2, a bad
    completion_tokens on day 3), validated whole and in slices of at most n + 1 rows: no two
    neighbouring days fit in one slice, so three slices, and the merged outcome of every rule
    is the whole table's."""
    from pipelines.defs.quality.checks import day_slices, merge_outcomes, sliceable
    from pipelines.defs.quality.validation import validate_frame
    from tests.test_contracts import valid_table

    contract = CONTRACTS["portal"]
    assert sliceable(contract, "file_date") and not sliceable(CONTRACTS["unit_monthly"], "month")
    one_day = valid_table("portal")
    assert one_day.num_rows >= 2
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.register("one_day", one_day)
        conn.execute("CREATE SCHEMA raw")
        conn.execute("""
            CREATE TABLE raw.portal_events AS
            SELECT * EXCLUDE (n, day) REPLACE (
                              d.day AS file_date, 'spendlogs_' || strftime(d.day, '%Y%m%d') || '.jsonl' AS file, n AS line,
                              CASE WHEN d.day = DATE '2026-01-06' AND n = 1 THEN -5
                                   ELSE prompt_tokens END AS prompt_tokens,
                              CASE WHEN d.day = DATE '2026-01-07' AND n = 2 THEN -1
                                   ELSE prompt_tokens END AS completion_tokens)
            FROM (SELECT *, row_number() OVER (ORDER BY file, line) AS n FROM one_day) AS rows
            CROSS JOIN (SELECT unnest([DATE '2026-01-05', DATE '2026-01-06', DATE '2026-01-07']) AS day) AS d
            WHERE n <= 2 OR d.day < DATE '2026-01-07'""")
        counts = conn.execute("SELECT file_date, count(*) FROM raw.portal_events GROUP BY 1 ORDER BY 1").fetchall()
        window = (date(2026, 1, 5), date(2026, 1, 7))
        slices = day_slices(conn, "raw.portal_events", "file_date", window, rows=one_day.num_rows + 1)
        whole = conn.sql("SELECT * FROM raw.portal_events").to_arrow_table()
        parts = [conn.sql("SELECT * FROM raw.portal_events WHERE file_date BETWEEN $a AND $b",
                          params={"a": first, "b": last}).to_arrow_table() for first, last in slices]
    n = one_day.num_rows
    assert counts == [(date(2026, 1, 5), n), (date(2026, 1, 6), n), (date(2026, 1, 7), 2)]
    # Each day alone fits (n <= n + 1) but no two neighbours do (n + n > n + 1, n + 2 > n + 1).
    assert slices == [(date(2026, 1, 5), date(2026, 1, 5)), (date(2026, 1, 6), date(2026, 1, 6)),
                      (date(2026, 1, 7), date(2026, 1, 7))]
    reference = {o.rule.id: o for o in validate_frame(contract, whole, partition_column="file_date")}
    merged = {o.rule.id: o for o in merge_outcomes(
        [validate_frame(contract, part, partition_column="file_date") for part in parts])}
    assert merged.keys() == reference.keys()
    for rule_id, outcome in reference.items():
        got = merged[rule_id]
        assert (got.success, got.unexpected_count, got.element_count) == (
            outcome.success, outcome.unexpected_count, outcome.element_count), rule_id
    failed = {rule_id: o.by_partition for rule_id, o in merged.items() if not o.success}
    assert failed == {"prompt_tokens.range": {"2026-01-06": 1}, "completion_tokens.range": {"2026-01-07": 1}}
    assert merged["prompt_tokens.range"].unexpected_count == 1 and merged["prompt_tokens.range"].element_count == 2 * n + 2
