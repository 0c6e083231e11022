"""A new event source is an adapter, its SQL, a contract and its metric mapping (README, "Adding
a source"): on a copy of the code, this adds next year's function-specific AI platform ("fnai")
in exactly those files, and runs `axmeter run` twice on the hand-made ministry plus its files.
The hand-made figures (test_slice.py) change by exactly the new platform's events."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.staging.assets import EVENT_COLUMNS, check_event_columns

from tests.conftest import TEST_KEY
from tests.handmade import write_handmade_landing
from tests.test_slice import EXPECTED, FEB, JAN

REPO = Path(__file__).resolve().parents[1]

# Everything a new source needs, and nothing else (the README's steps, in order).
ADAPTER = '''"""fnai: the function-specific AI platform's daily usage export (CSV, UTF-8)."""

import re

from pipelines.defs.ingest.sources.base import CsvAdapter


class FnaiAdapter(CsvAdapter):
    name = "fnai"
    folder = "fnai"
    file_pattern = re.compile(r"fnai_usage_(?P<date>\\d{8})\\.csv")
    raw_table = "raw.fnai_events"
    natural_key = "usage_id"
    header = {"usage_id": "usage_id", "used_at": "used_at", "employee_no": "employee_raw",
              "task": "task", "ok": "ok", "prompt_text": None}


FNAI = FnaiAdapter()
'''
TABLE_SQL = """CREATE TABLE IF NOT EXISTS raw.fnai_events (
    file VARCHAR NOT NULL, file_date DATE NOT NULL, line BIGINT NOT NULL, delivered_at TIMESTAMPTZ NOT NULL,
    usage_id VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL, event_date DATE NOT NULL,
    employee_key VARCHAR, task VARCHAR NOT NULL, ok BOOLEAN NOT NULL
);
"""
PARSE_SQL = """WITH typed AS (
    SELECT *, timezone('Asia/Seoul', TRY_STRPTIME(used_at, '%Y-%m-%d %H:%M:%S')) AS started_at FROM lines
)
SELECT file_no, line, usage_id, started_at, timezone('Asia/Seoul', started_at)::DATE AS event_date,
       upper(employee_raw) AS employee_raw, task, ok = 'Y' AS ok,
       CASE WHEN usage_id IS NULL THEN 'missing usage_id'
            WHEN started_at IS NULL THEN 'malformed used_at (expected YYYY-MM-DD HH:MM:SS)'
            WHEN task IS NULL THEN 'missing task'
            WHEN ok IS NULL OR ok NOT IN ('Y', 'N') THEN 'invalid ok (expected Y or N)' END AS reason
FROM typed
"""
CONTRACT = """apiVersion: v3.0.2
kind: DataContract
id: axmeter-raw-fnai-events
name: raw.fnai_events
version: 1.0.0
status: active
customProperties:
  - {property: dagsterAsset, value: raw/fnai_events}
schema:
  - name: fnai_events
    physicalName: raw.fnai_events
    physicalType: table
    properties:
      - {name: file, physicalType: VARCHAR, logicalType: string, required: true, primaryKey: true, primaryKeyPosition: 1}
      - {name: file_date, physicalType: DATE, logicalType: date, required: true, partitioned: true, partitionKeyPosition: 1}
      - {name: line, physicalType: BIGINT, logicalType: integer, required: true, primaryKey: true, primaryKeyPosition: 2}
      - {name: delivered_at, physicalType: TIMESTAMP WITH TIME ZONE, logicalType: date, required: true}
      - {name: usage_id, physicalType: VARCHAR, logicalType: string, required: true}
      - {name: started_at, physicalType: TIMESTAMP WITH TIME ZONE, logicalType: date, required: true}
      - {name: event_date, physicalType: DATE, logicalType: date, required: true}
      - {name: employee_key, physicalType: VARCHAR, logicalType: string, logicalTypeOptions: {pattern: '^[0-9a-f]{64}$'}}
      - {name: task, physicalType: VARCHAR, logicalType: string, required: true}
      - {name: ok, physicalType: BOOLEAN, logicalType: boolean, required: true}
"""
EVENTS_SQL = """    CASE WHEN ok THEN 'success' ELSE 'failure' END AS status,
    false AS blocked,
    ok AND employee_key IS NOT NULL AS qualifying,
    'fnai:' || task AS feature,
    NULL::VARCHAR AS model, NULL::VARCHAR AS provider, NULL::DOUBLE AS latency_ms,
    NULL::BIGINT AS prompt_tokens, NULL::BIGINT AS completion_tokens, NULL::DOUBLE AS cost_usd,
    NULL::BOOLEAN AS output_kept
"""
HEADER = "usage_id,used_at,employee_no,task,ok,prompt_text\n"
SECRET_PROMPT = "기밀 예산안 검토 요청"
# F1 is delivered again the next day (loads once: the later delivery wins); F3's time is malformed.
FIRST_FILE = HEADER + (
    f"F1,2026-01-09 10:00:00,E100003,법령검토,Y,{SECRET_PROMPT}\n"
    "F2,2026-01-09 11:00:00,E100004,법령검토,N,\n"
    "F3,2026/01/09 12:00,E100005,법령검토,Y,\n"
)
SECOND_FILE = HEADER + (
    f"F1,2026-01-09 10:00:00,E100003,법령검토,Y,{SECRET_PROMPT}\n"
    "F4,2026-02-02 09:00:00,E100001,예산분석,Y,\n"
)
LATE_FILE = HEADER + "F5,2026-02-11 09:00:00,E100006,법령검토,Y,\n"


def add_fnai_source(code: Path) -> None:
    sources = code / "pipelines" / "defs" / "ingest" / "sources"
    (sources / "fnai.py").write_text(ADAPTER, encoding="utf-8")
    registry = sources / "__init__.py"
    text = registry.read_text(encoding="utf-8")
    text = text.replace("from pipelines.defs.ingest.sources.hr import",
                        "from pipelines.defs.ingest.sources.fnai import FNAI\nfrom pipelines.defs.ingest.sources.hr import")
    text = text.replace("for adapter in (PORTAL, ONAI,", "for adapter in (PORTAL, ONAI, FNAI,")
    assert "FNAI," in text, "the registry's ADAPTERS tuple changed shape: update this test"
    registry.write_text(text, encoding="utf-8")
    sql = code / "pipelines" / "defs" / "ingest" / "sql"
    (sql / "fnai_table.sql").write_text(TABLE_SQL, encoding="utf-8")
    (sql / "fnai_parse.sql").write_text(PARSE_SQL, encoding="utf-8")
    (code / "data_contracts" / "fnai.yaml").write_text(CONTRACT, encoding="utf-8")
    (code / "pipelines" / "defs" / "staging" / "sql" / "events" / "fnai.sql").write_text(EVENTS_SQL, encoding="utf-8")


def axmeter(code: Path, home: Path, command: str) -> subprocess.CompletedProcess:
    """`axmeter <command>` of the copied code (asserted: not the checkout's own)."""
    env = {**os.environ, "PYTHONPATH": str(code), "AXMETER_HOME": str(home), "AXMETER_PSEUDONYM_KEY": TEST_KEY,
           "DAGSTER_HOME": str(home / "dagster")}
    env.pop("AXMETER_MIN_GROUP_SIZE", None)
    return subprocess.run(
        [sys.executable, "-c", "import sys, pipelines.cli as cli; "
         "assert cli.__file__.startswith(sys.argv[1]), cli.__file__; sys.exit(cli.main([sys.argv[2]]))",
         str(code), command],
        cwd=code, env=env, capture_output=True, text=True, timeout=600)


def axmeter_run(code: Path, home: Path) -> None:
    result = axmeter(code, home, "run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def land(home: Path, name: str, text: str, delivered: datetime) -> None:
    path = home / "landing" / "fnai" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (delivered.timestamp(), delivered.timestamp()))


@pytest.fixture(scope="module")
def fnai_home(tmp_path_factory):
    root = tmp_path_factory.mktemp("new_source")
    code = root / "code"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "pipelines", code / "pipelines", ignore=ignore)
    shutil.copytree(REPO / "data_contracts", code / "data_contracts", ignore=ignore)
    add_fnai_source(code)
    home = root / "home"
    write_handmade_landing(home)
    land(home, "fnai_usage_20260109.csv", FIRST_FILE, datetime(2026, 1, 10, 6, tzinfo=timezone.utc))
    land(home, "fnai_usage_20260110.csv", SECOND_FILE, datetime(2026, 1, 11, 6, tzinfo=timezone.utc))
    axmeter_run(code, home)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        first = _figures(conn)
    land(home, "fnai_usage_20260211.csv", LATE_FILE, datetime(2026, 2, 12, 6, tzinfo=timezone.utc))
    axmeter_run(code, home)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        second = _figures(conn)
    return first, second, axmeter(code, home, "doctor").stdout


def _figures(conn) -> dict:
    return {
        "unit_monthly": {(m, u): (h, a, r, s, b, f) for m, u, h, a, r, s, b, f in conn.execute(
            """SELECT month, unit_code, headcount, active_users, requests, successful_requests,
                      blocked_requests, failed_requests FROM marts.unit_monthly""").fetchall()},
        "fnai_events": conn.execute(
            """SELECT event_key, month, unit_code, qualifying, feature, file_date FROM marts.attributed_events
               WHERE platform = 'fnai' ORDER BY event_key""").fetchall(),
        "reconciliation": conn.execute(
            """SELECT file, lines_read, rows_loaded, rows_duplicate, rows_quarantined FROM staging.file_reconciliation
               WHERE source = 'fnai' ORDER BY file""").fetchall(),
        "quarantine": conn.execute(
            "SELECT file, line, reason FROM raw.quarantine WHERE source = 'fnai' ORDER BY file, line").fetchall(),
        "quality": conn.execute(
            """SELECT day, rows_received, rows_loaded, rows_duplicate, rows_quarantined, events_with_employee,
                      events_matched_to_hr, unmapped_feature_rows, newest_event_at
               FROM marts.data_quality_daily WHERE source = 'fnai' ORDER BY day""").fetchall(),
        "raw_columns": [row[0] for row in conn.execute("DESCRIBE raw.fnai_events").fetchall()],
        "raw_values": conn.execute("SELECT list(DISTINCT v) FROM (SELECT unnest([usage_id, task, employee_key]) AS v "
                                   "FROM raw.fnai_events)").fetchall()[0][0],
    }


def _with(changes: dict) -> dict:
    """test_slice's hand-made unit_monthly, with the units' figures that fnai's events change."""
    return {**EXPECTED, **changes}


def test_the_new_platforms_events_count_in_every_unit_above_them(fnai_home):
    first, *_ = fnai_home
    # (headcount, active users, requests, successful, blocked, failed). January: E100003 (D111)
    # is a new active user with F1; E100004's F2 failed. February: E100001 (D111, already active) F4.
    assert first["unit_monthly"] == _with({
        (JAN, "D111"): (5, 3, 5, 4, 0, 1), (JAN, "B110"): (8, 4, 7, 5, 0, 2), (JAN, "O100"): (8, 4, 7, 5, 0, 2),
        (JAN, "M000"): (13, 5, 11, 6, 1, 3),
        (FEB, "D111"): (6, 2, 3, 3, 0, 0), (FEB, "B110"): (8, 2, 3, 3, 0, 0), (FEB, "O100"): (8, 2, 3, 3, 0, 0),
        (FEB, "M000"): (13, 3, 4, 4, 0, 0),
    })
    jan9, jan10 = date(2026, 1, 9), date(2026, 1, 10)
    # F1's winner is its copy in the later delivery; features outside sources.md's lists are unmapped.
    assert first["fnai_events"] == [
        ("F1", JAN, "D111", True, "fnai:법령검토", jan10),
        ("F2", JAN, "D111", False, "fnai:법령검토", jan9),
        ("F4", FEB, "D111", True, "fnai:예산분석", jan10),
    ]


def test_the_new_platforms_files_reconcile_and_show_in_data_quality(fnai_home):
    first, *_ = fnai_home
    assert first["reconciliation"] == [("fnai_usage_20260109.csv", 3, 1, 1, 1), ("fnai_usage_20260110.csv", 2, 2, 0, 0)]
    assert first["quarantine"] == [("fnai_usage_20260109.csv", 4, "malformed used_at (expected YYYY-MM-DD HH:MM:SS)")]
    assert first["quality"] == [
        # received, loaded, duplicate, quarantined, with an employee, matched to HR, unmapped; the
        # newest event of the day's files: F2 at 11:00 KST, and F4 (2026-02-02 09:00 KST).
        (date(2026, 1, 9), 3, 1, 1, 1, 1, 1, 1, datetime(2026, 1, 9, 2, tzinfo=timezone.utc)),
        (date(2026, 1, 10), 2, 2, 0, 0, 2, 2, 2, datetime(2026, 2, 2, 0, tzinfo=timezone.utc)),
    ]


def test_the_new_platforms_prompts_and_employee_numbers_never_reach_the_warehouse(fnai_home):
    first, *_ = fnai_home
    assert first["raw_columns"] == ["file", "file_date", "line", "delivered_at", "usage_id", "started_at",
                                    "event_date", "employee_key", "task", "ok"]
    values = set(first["raw_values"])
    assert {"F1", "F2", "F4", "법령검토", "예산분석"} <= values
    assert not any(v.startswith("E1") or SECRET_PROMPT in v for v in values)
    assert sum(len(v) == 64 for v in values) == 3  # the pseudonyms of E100003, E100004, E100001


def test_a_late_file_of_the_new_platform_updates_only_its_events(fnai_home):
    first, second, _ = fnai_home
    # F5: E100006 (D112 in February) becomes active; nothing else changes.
    assert second["unit_monthly"] == {**first["unit_monthly"], **{
        (FEB, "D112"): (1, 1, 1, 1, 0, 0), (FEB, "B110"): (8, 3, 4, 4, 0, 0), (FEB, "O100"): (8, 3, 4, 4, 0, 0),
        (FEB, "M000"): (13, 4, 5, 5, 0, 0)}}
    assert second["fnai_events"] == [*first["fnai_events"], ("F5", FEB, "D112", True, "fnai:법령검토", date(2026, 2, 11))]
    assert second["reconciliation"] == [*first["reconciliation"], ("fnai_usage_20260211.csv", 1, 1, 0, 0)]


def test_doctor_checks_the_new_platform_as_a_daily_source(fnai_home):
    *_, doctor = fnai_home
    assert "fnai is stale: its newest file (fnai_usage_20260211.csv) is for 2026-02-11" in doctor


def test_a_misspelt_column_in_a_platforms_mapping_is_named():
    # UNION ALL BY NAME would give the misspelt column a column of its own, and the right one NULL.
    with duckdb.connect() as conn:
        conn.execute("CREATE SCHEMA staging")
        good = ", ".join(f"NULL AS {column}" for column in EVENT_COLUMNS)
        conn.execute(f"CREATE VIEW staging.events AS SELECT {good}")
        check_event_columns(conn)
        wrong = good.replace("AS qualifying", "AS qualifiyng")
        conn.execute(f"CREATE OR REPLACE VIEW staging.events AS SELECT {wrong}")
        with pytest.raises(ValueError, match=r"unknown columns \['qualifiyng'\] and lack \['qualifying'\]"):
            check_event_columns(conn)
