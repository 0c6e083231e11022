"""Data contracts (data_contracts/*.yaml): valid ODCS v3, compiled into GX suites, and every
rule proven: a hand-made batch passes all of them, and breaking one value fails exactly that rule.

Batches are validated directly as DataFrames (no Dagster, no stored results) to stay fast;
tests/test_quality_checks.py runs the same suites through Dagster and `run_pipeline`."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from pipelines.defs.quality.checks import contract_results
from pipelines.defs.quality.contracts import contract_files, load_contracts

RAW_DDL = Path(__file__).resolve().parents[1] / "pipelines" / "defs" / "ingest" / "sql"
KEY1, KEY2, KEY3 = "a" * 64, "b" * 64, "0123456789abcdef" * 4
CONTRACTS = load_contracts()
CONTRACTS_COLUMNS = {column for contract in CONTRACTS.values() for column in contract.columns}

# Three valid rows per table, inserted into the real raw-table DDL (so a DDL change that the
# contract does not follow fails here too).
RAW_ROWS = {
    "portal": """INSERT INTO raw.portal_events VALUES
        ('spendlogs_20260105.jsonl', '2026-01-05', 1, '2026-01-05 10:00:00+00', 'r1', 'acompletion', 'success',
         '2026-01-05 01:00:00+00', '2026-01-05', 1200, 'gpt-4.1', 'gpt-4.1', 'azure', 100, 50, 150, 0.01, '{k1}', 'chat', 'success'),
        ('spendlogs_20260105.jsonl', '2026-01-05', 2, '2026-01-05 10:00:00+00', 'r2', 'aembedding', 'failure',
         '2026-01-05 02:00:00+00', '2026-01-05', NULL, NULL, NULL, NULL, 10, 0, 10, 0, NULL, 'translate', NULL),
        ('spendlogs_20260106.jsonl', '2026-01-06', 1, '2026-01-06 10:00:00+00', 'r3', 'completion', 'success',
         '2026-01-05 16:30:00+00', '2026-01-06', 300, 'llama', 'open', 'vllm', 5, 5, 10, 0.5, '{k2}', 'unknown', 'guardrail_intervened')""",
    "onai": """INSERT INTO raw.onai_events VALUES
        ('onai_activity_20260108.csv', '2026-01-08', 2, '2026-01-08 12:00:00+00', 'A1', '2026-01-08 00:00:00+00', '2026-01-08',
         '{k1}', 'D210', '보고서초안', 'success', 3000, true, 100, 900),
        ('onai_activity_20260108.csv', '2026-01-08', 3, '2026-01-08 12:00:00+00', 'A2', '2026-01-08 00:30:00+00', '2026-01-08',
         NULL, NULL, '번역', 'failure', NULL, NULL, NULL, NULL),
        ('onai_activity_20260109.csv', '2026-01-09', 2, '2026-01-09 12:00:00+00', 'A3', '2026-01-09 05:00:00+00', '2026-01-09',
         '{k2}', 'M000', '회의록요약', 'success', 2000, false, 500, 300)""",
    "hr_roster": """INSERT INTO raw.hr_roster VALUES
        ('roster_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 2, '{k1}', 'D111', '5급', '사무관', '일반직', 'active', '2020-03-02'),
        ('roster_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 3, '{k2}', 'D112', NULL, NULL, NULL, 'leave', NULL),
        ('roster_20260201.csv', '2026-02-01', '2026-02-01 09:00:00+00', 2, '{k1}', 'D111', '4급', '서기관', '일반직', 'retired', '2020-03-02')""",
    "hr_org_units": """INSERT INTO raw.hr_org_units VALUES
        ('org_units_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 2, 'M000', '산업통상부', 'Ministry', NULL, 'ministry', 'support'),
        ('org_units_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 3, 'O100', '산업정책실', NULL, 'M000', 'office', NULL),
        ('org_units_20260201.csv', '2026-02-01', '2026-02-01 09:00:00+00', 2, 'M000', '산업통상부', 'Ministry', NULL, 'ministry', 'planning')""",
    "training": """INSERT INTO raw.training_attendance VALUES
        ('attendance_2026h1.csv', NULL, '2026-03-01 09:00:00+00', 2, 'S1', 'Prompting', '2026-02-10', 'lecture', 2, '{k1}', true),
        ('attendance_2026h1.csv', NULL, '2026-03-01 09:00:00+00', 3, 'S1', 'Prompting', '2026-02-10', 'lecture', NULL, '{k2}', false),
        ('attendance_2026h1.csv', NULL, '2026-03-01 09:00:00+00', 4, 'S2', NULL, '2026-02-20', 'hands_on', 3.5, '{k1}', true)""",
    "pioneers": """INSERT INTO raw.pioneer_roster VALUES
        ('roster_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 2, '{k1}', 'leader', '2025-10-04', NULL),
        ('roster_20260101.csv', '2026-01-01', '2026-01-01 09:00:00+00', 3, '{k2}', 'member', '2025-11-01', '2025-12-31'),
        ('roster_20260401.csv', '2026-04-01', '2026-04-01 09:00:00+00', 2, '{k1}', 'leader', '2025-10-04', NULL)""",
    "survey": """INSERT INTO raw.survey_responses VALUES
        ('survey_2026Q1.csv', '2026-01-01', '2026-04-03 09:00:00+00', 2, 'R1', '2026Q1', 'D111', 5, 4, 3, 5, 120),
        ('survey_2026Q1.csv', '2026-01-01', '2026-04-03 09:00:00+00', 3, 'R2', '2026Q1', 'D112', 1, NULL, 2, 3, NULL),
        ('survey_2026Q2.csv', '2026-04-01', '2026-07-02 09:00:00+00', 2, 'R1', '2026Q2', 'D111', 4, 4, 4, 4, 0)""",
    "calendar": """INSERT INTO raw.calendar_closures VALUES
        ('closures.csv', NULL, '2025-12-31 09:00:00+00', 2, '2026-02-24', 'maintenance'),
        ('closures.csv', NULL, '2025-12-31 09:00:00+00', 3, '2026-03-25', NULL),
        ('closures.csv', NULL, '2025-12-31 09:00:00+00', 4, '2026-05-06', 'move')""",
}

# published/unit_monthly: a ministry row, a withheld division (3 people), _UNATTRIBUTED.
UNIT_MONTHLY = """
SELECT * FROM (VALUES
  (DATE '2026-01-01', 'M000', 'ministry', '산업통상부', 'Ministry', NULL, 'support', 20, 10, 0.5, 3.5, 1, 4, 5, 3,
   5, 2, 1, 0.4, 1.5, 40, 30, 2, 5, 4000, 2000, 1.25, 1.0, 2.0, 3.0, 0.75, '2026.1', false),
  (DATE '2026-01-01', 'D112', 'division', '산업분석과', 'Industrial Analysis Division', 'M000', 'planning', 3, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   '2026.1', true),
  (DATE '2026-01-01', '_UNATTRIBUTED', 'none', NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, 7, 5, 0, 1, 300, 100, 0.1, 0.5, 1.0, 2.0, NULL, '2026.1', false)
) AS t(month, unit_code, unit_level, unit_name_ko, unit_name_en, parent_code, function, headcount, active_users,
       adoption_rate, active_days_avg, power_users, regular_users, light_users, new_users, returning_users,
       resurrected_users, dormant_users, stickiness, breadth_avg, requests, successful_requests, blocked_requests,
       failed_requests, prompt_tokens, completion_tokens, cost_usd, assisted_hours_low, assisted_hours_central,
       assisted_hours_high, output_kept_rate, metric_version, suppressed)
"""


MINISTRY_DAILY = """
SELECT * FROM (VALUES
  (DATE '2026-03-02', DATE '2026-03-01', true, NULL, NULL, 40, 20, 200, 180, 2, 5, 1000, 500, 10.0, '2026.1', false),
  (DATE '2026-03-01', DATE '2026-03-01', false, NULL, NULL, 40, 2, 20, 18, 0, 0, 100, 50, 1.0, '2026.1', false),
  (DATE '2026-03-03', DATE '2026-03-01', false, '대체공휴일', NULL, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   '2026.1', true)
) AS t(date, month, is_workday, holiday_name, closure_reason, headcount, daily_active_users, requests,
       successful_requests, blocked_requests, failed_requests, prompt_tokens, completion_tokens, cost_usd,
       metric_version, suppressed)
"""

FEATURE_MONTHLY = """
SELECT * FROM (VALUES
  (DATE '2026-02-01', 'portal:chat', 'portal', true, 240, 216, 18, 4.0, 12.0, 20.0, '2026.1', false),
  (DATE '2026-02-01', 'onai:보고서초안', 'onai', true, 80, 72, 8, 24.0, 48.0, 72.0, '2026.1', false),
  (DATE '2026-03-01', 'portal:legal_qa', 'portal', false, NULL, NULL, NULL, NULL, NULL, NULL, '2026.1', true)
) AS t(month, feature, platform, feature_mapped, requests, successful_requests, active_users, assisted_hours_low,
       assisted_hours_central, assisted_hours_high, metric_version, suppressed)
"""

MODEL_MONTHLY = """
SELECT * FROM (VALUES
  (DATE '2026-02-01', 'gpt-4.1', 'azure', 250, 245, 5, 0.02, 250000, 125000, 40.0, 1200.0, 4000.0, '2026.1'),
  (DATE '2026-02-01', 'claude-sonnet', 'anthropic', 55, 55, 0, 0.0, 55000, 27500, 20.0, NULL, NULL, '2026.1'),
  (DATE '2026-03-01', 'gpt-4.1', 'azure', 10, 0, 10, 1.0, 0, 0, 0.0, 900.0, 900.0, '2026.1')
) AS t(month, model, provider, requests, successful_requests, failed_requests, failure_rate, prompt_tokens,
       completion_tokens, cost_usd, latency_p50_ms, latency_p95_ms, metric_version)
"""

PUBLISHED_ROWS = {"unit_monthly": UNIT_MONTHLY, "ministry_daily": MINISTRY_DAILY, "feature_monthly": FEATURE_MONTHLY,
                  "model_monthly": MODEL_MONTHLY}


def published_table(conn: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    """The hand-made rows with the published file's types (as DuckDB reads the Parquet file)."""
    types = dict(CONTRACTS[name].columns)
    casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in types.items())
    return conn.sql(f"SELECT {casts} FROM ({PUBLISHED_ROWS[name]})").to_arrow_table()


@functools.cache
def valid_table(name: str) -> pa.Table:
    with duckdb.connect() as conn:
        conn.execute("SET TimeZone = 'UTC'")
        if CONTRACTS[name].is_published:
            return published_table(conn, name)
        contract = CONTRACTS[name]
        conn.execute("CREATE SCHEMA raw")
        conn.execute((RAW_DDL / f"{name}_table.sql").read_text(encoding="utf-8"))
        conn.execute(RAW_ROWS[name].format(k1=KEY1, k2=KEY2))
        return conn.sql(f"SELECT * FROM {contract.table} ORDER BY file, line").to_arrow_table()


# --- breaking one value -----------------------------------------------------------------------

def _rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def _with_rows(table: pa.Table, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table.schema)


def _shift(value, up: bool):
    step = timedelta(days=1) if isinstance(value, (date, datetime)) else 1
    return value + step if up else value - step


def _set(table: pa.Table, row: int, column: str, value) -> pa.Table:
    rows = _rows(table)
    rows[row][column] = value
    return _with_rows(table, rows)


def _first_row(table: pa.Table, *columns: str) -> int:
    return next(i for i, r in enumerate(_rows(table)) if all(r[c] is not None for c in columns))


OTHER_TYPE = {"VARCHAR": pa.dictionary(pa.int32(), pa.string()), "BIGINT": pa.int32(), "INTEGER": pa.int64(),
              "DOUBLE": pa.float32(), "BOOLEAN": pa.int8(), "DATE": pa.timestamp("ms"),
              "TIMESTAMP WITH TIME ZONE": pa.timestamp("us")}


def _break_type(table: pa.Table, rule) -> pa.Table:
    i = table.schema.get_field_index(rule.column)
    column = table.column(i)
    if rule.physical_type == "TIMESTAMP WITH TIME ZONE":
        column = pc.local_timestamp(column)  # same instants, no time zone
    return table.set_column(i, pa.field(rule.column, OTHER_TYPE[rule.physical_type]),
                            column.cast(OTHER_TYPE[rule.physical_type]) if rule.physical_type != "TIMESTAMP WITH TIME ZONE"
                            else column)


def break_rule(table: pa.Table, rule, contract_name: str) -> pa.Table:
    """A copy of the valid table with one value (or one structural thing) changed so that `rule` fails."""
    special = SPECIAL_BREAKS.get(contract_name, {}).get(rule.id)
    if special:
        return special(table)
    kw, column = rule.kwargs, rule.column
    if rule.kind == "type":
        return _break_type(table, rule)
    if rule.id == "schema.columns":
        return table.append_column("unexpected_column", pa.array([1] * table.num_rows))
    expectation = rule.expectation
    if expectation in ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"):
        rows = _rows(table)
        for c in kw.get("column_list") or [kw["column"]]:
            rows[1][c] = rows[0][c]
        return _with_rows(table, rows)
    if expectation == "expect_column_values_to_not_be_null":
        return _set(table, 0, column, None)
    if expectation == "expect_column_values_to_match_regex":
        return _set(table, _first_row(table, column), column, "E100001")  # a raw employee number
    if expectation == "expect_column_values_to_be_in_set":
        return _set(table, _first_row(table, column), column, "__not_allowed__")
    if expectation == "expect_column_values_to_be_between":
        row = _first_row(table, kw["column"])
        value = _rows(table)[row][kw["column"]]
        bound = kw.get("max_value")
        if bound is None:
            target = _shift(type(value)(kw["min_value"]) if not isinstance(value, date) else
                            date.fromisoformat(kw["min_value"]), up=False)
        else:
            target = _shift(type(value)(bound), up=True)
        return _set(table, row, kw["column"], target)
    if expectation == "expect_column_pair_values_a_to_be_greater_than_b":
        row = _first_row(table, kw["column_A"], kw["column_B"])
        return _set(table, row, kw["column_B"], _shift(_rows(table)[row][kw["column_A"]], up=True))
    if expectation == "expect_table_row_count_to_be_between":
        return table.slice(0, 0)
    raise AssertionError(f"no way to break {rule.id} ({expectation}): add one to SPECIAL_BREAKS")


# Breaks that the generic ones above cannot make without failing a second rule too.


SPECIAL_BREAKS = {"unit_monthly": {
    # headcount below 0 where no active_users is compared with it (the _UNATTRIBUTED row)
    "headcount.range": lambda t: _set(t, 2, "headcount", -1),
    # a withheld row (D112) that publishes a figure
    "active_users.withheld_when_suppressed": lambda t: _set(t, 1, "active_users", 1),
    "requests.withheld_when_suppressed": lambda t: _set(t, 1, "requests", 2),
    # a 3-person division published unsuppressed (its figures stay null: only the size rule fails)
    "small_groups_withheld": lambda t: _set(t, 1, "suppressed", False),
}, "ministry_daily": {
    "headcount.range": lambda t: _set(t, 2, "headcount", -1),  # the withheld day: no active users to compare
    "daily_active_users.withheld_when_suppressed": lambda t: _set(t, 2, "daily_active_users", 1),
    "small_groups_withheld": lambda t: _set(t, 2, "suppressed", False),
}, "feature_monthly": {
    "requests.withheld_when_suppressed": lambda t: _set(t, 2, "requests", 2),
}}


def _referenced_columns(rule) -> set[str]:
    kw = rule.kwargs
    columns = {kw.get("column"), kw.get("column_A"), kw.get("column_B"), *(kw.get("column_list") or []), rule.column}
    condition = kw.get("row_condition") or ""
    return {c for c in columns if c} | {c for c, _ in CONTRACTS_COLUMNS if c in condition}


def affected_rules(contract, valid: pa.Table, broken: pa.Table) -> set[str]:
    """The rules whose outcome the change can affect: a GX expectation reads only the columns
    its kwargs name (table-level rules read the whole table), and type rules are Arrow-only and
    cheap. Every other rule sees exactly the inputs it passed on in test_valid_rows_pass_every_rule."""
    if valid.column_names != broken.column_names or valid.num_rows != broken.num_rows:
        return {r.id for r in contract.rules_for()}
    changed = {c for c in valid.column_names
               if valid.schema.field(c).type != broken.schema.field(c).type or not valid.column(c).equals(broken.column(c))}
    return {r.id for r in contract.rules_for()
            if r.kind == "type" or not _referenced_columns(r) or _referenced_columns(r) & changed}


def _failed(outcomes) -> set[str]:
    return {o.rule.id for o in outcomes if not o.success}


ALL_RULES = [
    pytest.param(name, rule.id, id=f"{name}:{rule.id}")
    for name, contract in CONTRACTS.items() for rule in contract.rules if rule.kind in ("gx", "type")
]


# --- tests ------------------------------------------------------------------------------------

def test_contracts_validate_against_the_odcs_v3_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    odcs = pytest.importorskip(
        "open_data_contract_standard",
        reason="the ODCS JSON schema ships in the PyPI package open-data-contract-standard (3.0.x for ODCS v3.0.2)",
    )
    schema = json.loads(resources.files(odcs).joinpath("schema.json").read_text(encoding="utf-8"))
    assert "v3.0.2" in schema["properties"]["apiVersion"]["enum"]
    validator = jsonschema.Draft201909Validator(schema)
    for path in contract_files():
        errors = sorted(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))), key=str)
        assert not errors, f"{path.name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_every_source_and_published_mart_has_a_contract():
    from pipelines.defs.ingest.sources import ADAPTERS

    tables = {c.table for c in CONTRACTS.values()}
    assert {adapter.raw_table for adapter in ADAPTERS.values()} <= tables
    assert {"unit_monthly", "ministry_daily", "feature_monthly", "model_monthly"} <= {
        n for n, c in CONTRACTS.items() if c.is_published}
    for contract in CONTRACTS.values():
        assert {r.severity for r in contract.rules} <= {"error", "warn"}
        assert contract.primary_key, contract.name


def test_raw_contracts_match_the_raw_table_ddl():
    for name, contract in CONTRACTS.items():
        if contract.is_published:
            continue
        schema = valid_table(name).schema
        assert [c for c, _ in contract.columns] == schema.names, name


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_valid_rows_pass_every_rule(name):
    from pipelines.defs.quality.validation import validate_frame

    outcomes = validate_frame(CONTRACTS[name], valid_table(name))
    assert {o.rule.id for o in outcomes} == {r.id for r in CONTRACTS[name].rules_for()}
    assert _failed(outcomes) == set(), [(o.rule.id, o.summary) for o in outcomes if not o.success]


@pytest.mark.parametrize(("name", "rule_id"), ALL_RULES)
def test_breaking_one_value_fails_exactly_that_rule(name, rule_id):
    from pipelines.defs.quality.validation import validate_frame

    contract = CONTRACTS[name]
    valid = valid_table(name)
    broken = break_rule(valid, contract.rule(rule_id), name)
    outcomes = validate_frame(contract, broken, only=affected_rules(contract, valid, broken))
    assert _failed(outcomes) == {rule_id}, [(o.rule.id, o.summary) for o in outcomes if not o.success]
    # ... and it is reported by the right Dagster check: `contract` (blocking) for an error rule,
    # `contract_warnings` for a warn rule, naming the rule.
    results = contract_results(contract, outcomes, dg.AssetKey(list(contract.asset)), contract.partition_column,
                               None, broken.num_rows)
    failed = {r.check_name: r for r in results if not r.passed}
    expected = "contract" if contract.rule(rule_id).severity == "error" else "contract_warnings"
    assert list(failed) == [expected] and rule_id in failed[expected].description
    assert failed[expected].severity == (dg.AssetCheckSeverity.ERROR if expected == "contract" and contract.enforced
                                         else dg.AssetCheckSeverity.WARN)


def test_without_its_contracts_the_pipeline_refuses_to_run_unvalidated(tmp_path, monkeypatch):
    import pipelines.defs.quality.contracts as contracts

    monkeypatch.setattr(contracts, "CONTRACTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="no data contracts in .*restore data_contracts"):
        contracts.contract_files()


def test_the_stored_suite_is_rewritten_only_when_its_rules_change(tmp_path):
    from pipelines.defs.quality import validation

    contract, table = CONTRACTS["pioneers"], valid_table("pioneers")
    home = tmp_path / "quality"
    validation.validate_frame(contract, table, quality_home=home)
    suite_file = next((home / "gx" / "expectations").glob("*.json"))
    written = suite_file.stat().st_mtime_ns
    rules = len(validation._context(home).suites.get(contract.suite_name).expectations)
    validation.validate_frame(contract, table, quality_home=home)
    assert suite_file.stat().st_mtime_ns == written  # same rules: reused, not written again
    [one] = [r.id for r in contract.rules_for(kinds=("gx",))][:1]
    outcomes = validation.validate_frame(contract, table, quality_home=home, only={one})
    assert [o.rule.id for o in outcomes if o.rule.kind == "gx"] == [one]
    assert len(validation._context(home).suites.get(contract.suite_name).expectations) == 1 < rules
