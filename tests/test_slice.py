"""The walking skeleton end to end on the hand-made ministry of tests/handmade.py:
landing -> raw -> staging -> unit_monthly -> published/, through Dagster, in process."""

import json
from datetime import date

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from tests.handmade import EMPLOYEE_NUMBERS, NAMES, write_handmade_landing

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)

# (month, unit) -> (headcount, active_users, requests, successful, blocked, failed), by hand.
EXPECTED = {
    (JAN, "M000"): (13, 4, 9, 5, 1, 2),
    (JAN, "O100"): (8, 3, 5, 4, 0, 1),
    (JAN, "B110"): (8, 3, 5, 4, 0, 1),
    (JAN, "D111"): (5, 2, 3, 3, 0, 0),
    (JAN, "D112"): (2, 0, 1, 0, 0, 1),
    (JAN, "O200"): (4, 1, 4, 1, 1, 1),
    (JAN, "D210"): (4, 1, 4, 1, 1, 1),
    (JAN, "_UNATTRIBUTED"): (0, None, 3, 2, 0, 0),
    (FEB, "M000"): (13, 3, 3, 3, 0, 0),
    (FEB, "O100"): (8, 2, 2, 2, 0, 0),
    (FEB, "B110"): (8, 2, 2, 2, 0, 0),
    (FEB, "D111"): (6, 2, 2, 2, 0, 0),
    (FEB, "D112"): (1, 0, 0, 0, 0, 0),
    (FEB, "O200"): (4, 0, 0, 0, 0, 0),
    (FEB, "D210"): (4, 0, 0, 0, 0, 0),
    (FEB, "_UNATTRIBUTED"): (0, None, 1, 1, 0, 0),
}
SUPPRESSED = {(JAN, "D112"), (JAN, "D210"), (JAN, "O200"), (FEB, "D112"), (FEB, "D210"), (FEB, "O200")}


@pytest.fixture
def pipeline_home(axmeter_home):
    write_handmade_landing(axmeter_home)
    with dg.instance_for_test() as instance:
        summary = run_pipeline(defs, instance, AxmeterHome(home=str(axmeter_home)), say=lambda _: None)
    assert [name.split(",")[0] for name, _ in summary.steps][-1] == "publish"
    return axmeter_home


def warehouse(home):
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def test_definitions_load_with_every_layer():
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {"raw/portal_events", "raw/onai_events", "raw/hr_roster", "raw/hr_org_units",
            "staging/events", "marts/unit_monthly", "published/unit_monthly"} <= keys
    for job in ("ingest_events", "refresh_snapshots_and_staging", "build_marts", "publish"):
        assert defs.resolve_job_def(job) is not None
    dg.Definitions.validate_loadable(defs)
    assert {s.name for s in defs.sensors} >= {f"{folder}_landing_sensor" for folder in (
        "portal", "onai", "hr", "training", "pioneers", "survey", "calendar")}


def test_unit_monthly_exact_figures(pipeline_home):
    with warehouse(pipeline_home) as conn:
        mart = conn.execute(
            """SELECT month, unit_code, headcount, active_users, requests, successful_requests,
                      blocked_requests, failed_requests, adoption_rate, prompt_tokens, cost_usd
               FROM marts.unit_monthly"""
        ).fetchall()
    got = {(m, u): (h, a, r, s, b, f) for m, u, h, a, r, s, b, f, *_ in mart}
    assert got == EXPECTED
    rates = {(m, u): rate for m, u, *_, rate, _, _ in [(*row[:8], row[8], row[9], row[10]) for row in mart]}
    assert rates[(JAN, "M000")] == pytest.approx(4 / 13)
    assert rates[(FEB, "D111")] == pytest.approx(2 / 6)
    assert rates[(JAN, "_UNATTRIBUTED")] is None
    tokens = {(m, u): (p, c) for m, u, *_, p, c in mart}
    assert tokens[(JAN, "D111")] == (300, pytest.approx(0.03))  # three portal requests of 100 tokens, $0.01
    assert tokens[(JAN, "D210")] == (200, pytest.approx(0.02))  # two portal requests; OnAI has no tokens


def test_published_unit_monthly_is_suppressed_below_k(pipeline_home):
    published = pl.read_parquet(pipeline_home / "published" / "unit_monthly.parquet")
    assert published.height == len(EXPECTED)
    suppressed = {(r["month"], r["unit_code"]) for r in published.filter(pl.col("suppressed")).iter_rows(named=True)}
    assert suppressed == SUPPRESSED
    d112 = published.filter((pl.col("month") == JAN) & (pl.col("unit_code") == "D112")).row(0, named=True)
    assert d112["headcount"] == 2  # the group size itself stays
    assert d112["active_users"] is None and d112["requests"] is None and d112["adoption_rate"] is None
    ministry = published.filter((pl.col("month") == JAN) & (pl.col("unit_code") == "M000")).row(0, named=True)
    assert (ministry["headcount"], ministry["active_users"]) == (13, 4)
    assert ministry["unit_level"] == "ministry" and ministry["parent_code"] is None
    unattributed = published.filter(pl.col("unit_code") == "_UNATTRIBUTED")
    assert unattributed["suppressed"].to_list() == [False, False]
    assert unattributed["unit_level"].to_list() == ["none", "none"]

    manifest = json.loads((pipeline_home / "published" / "manifest.json").read_text())
    assert manifest["data_window"] == {"start": "2026-01-05", "end": "2026-02-10"}
    assert manifest["metric_version"] == "2026.1" and manifest["k"] == 5
    assert manifest["marts"][0]["rows"] == len(EXPECTED)


def test_quarantine_and_reconciliation(pipeline_home):
    with warehouse(pipeline_home) as conn:
        reasons = conn.execute("SELECT file, line, reason FROM raw.quarantine ORDER BY file, line").fetchall()
        ledger = conn.execute(
            "SELECT file, encoding, lines_read, rows_loaded, rows_quarantined, status FROM raw.file_ledger "
            "WHERE source IN ('portal', 'onai') ORDER BY file"
        ).fetchall()
        raw_r01 = conn.execute("SELECT count(*) FROM raw.portal_events WHERE request_id = 'r01'").fetchone()[0]
        staged_r01 = conn.execute("SELECT count(*) FROM staging.events WHERE event_key = 'r01'").fetchone()[0]
    assert reasons == [
        ("spendlogs_20260105.jsonl", 10, "not a JSON object (malformed or cut-off line)"),
        ("spendlogs_20260105.jsonl", 11, "missing request_id"),
        ("spendlogs_20260105.jsonl", 12, "event dated more than a day after the run"),
        ("spendlogs_20260105.jsonl", 13, "event before the start of data collection"),
        ("spendlogs_20260106.jsonl", 3, "not a JSON object (malformed or cut-off line)"),
    ]
    assert ledger == [
        ("onai_activity_20260108.csv", "cp949", 2, 2, 0, "loaded"),
        ("onai_activity_20260210.csv", "utf-8-sig", 1, 1, 0, "loaded"),
        ("spendlogs_20260105.jsonl", "utf-8", 13, 9, 4, "loaded"),
        ("spendlogs_20260106.jsonl", "utf-8", 3, 2, 1, "loaded"),
        ("spendlogs_20260131.jsonl", "utf-8", 3, 3, 0, "loaded"),
    ]
    assert (raw_r01, staged_r01) == (2, 1)  # delivered twice, counted once


def test_warehouse_holds_no_personal_data(pipeline_home):
    secrets = EMPLOYEE_NUMBERS + [e.lower() for e in EMPLOYEE_NUMBERS] + NAMES + [
        "kim.minjun@ministry.go.kr", "10.20.30.40", "sk-secret-123", "비밀 보고서", "초안입니다"]
    # Compressed column storage could hide a string from a byte scan, so ask every text column too.
    with warehouse(pipeline_home) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema IN ('raw', 'staging', 'marts')"
        ).fetchall()
        for schema, table, column in columns:
            hits = conn.execute(
                f'SELECT count(*) FROM {schema}.{table} WHERE "{column}" IN (SELECT unnest(?))', [secrets]
            ).fetchone()[0]
            assert hits == 0, f"{schema}.{table}.{column} holds raw personal data"
    raw_bytes = (pipeline_home / "warehouse.duckdb").read_bytes()
    for secret in secrets:
        assert secret.encode("utf-8") not in raw_bytes, secret
    assert "test-pseudonym-key".encode() not in raw_bytes


def test_rerun_is_idempotent(pipeline_home):
    with warehouse(pipeline_home) as conn:
        before = conn.execute("SELECT count(*), sum(requests) FROM marts.unit_monthly").fetchone()
        raw_before = conn.execute("SELECT count(*) FROM raw.portal_events").fetchone()[0]
    with dg.instance_for_test() as instance:
        run_pipeline(defs, instance, AxmeterHome(home=str(pipeline_home)), say=lambda _: None)
    with warehouse(pipeline_home) as conn:
        assert conn.execute("SELECT count(*), sum(requests) FROM marts.unit_monthly").fetchone() == before
        assert conn.execute("SELECT count(*) FROM raw.portal_events").fetchone()[0] == raw_before == 14


def test_dashboard_shows_the_published_figures(pipeline_home):
    """The Adoption page, opened on what this pipeline published, shows February's ministry
    figures (3 of 13 active), in both languages, and never shows a withheld figure as 0 (the
    "<5" display itself is tested in test_dashboard.py)."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    app = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
    for lang, expected_rate in (("ko", "23.1%"), ("en", "23.1%")):
        at = AppTest.from_file(app, default_timeout=30)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        cards = {m.label: m.value for m in at.metric}
        assert expected_rate in cards.values(), cards
        assert "3" in cards.values() and "13" in cards.values(), cards
        units = at.dataframe[0].value
        withheld = units[units.iloc[:, 0].isin(["산업분석과", "Industrial Analysis Division"])]
        assert withheld.shape[0] == 1 and withheld.iloc[0, 3] == 1  # headcount stays
        assert withheld.iloc[0, 4:].isna().all()  # active users and rate: withheld, not 0
