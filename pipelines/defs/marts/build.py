"""How marts are written: their tables, the coefficients they use, and which code built which month.

- `ensure_tables`: every mart table of schema.sql exists with exactly its columns; a table
  whose columns differ (an older version of the project) is dropped and created again.
- `load_assisted_minutes`: config/assisted_minutes.yaml -> marts.assisted_minutes.
- `build_signature`: a digest of everything that shapes a monthly mart's figures (metric version,
  schema, SQL, each platform's event mapping, coefficients). Each month a monthly mart writes is recorded with it in
  marts.partition_builds, so `axmeter run` knows which months are missing or stale.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path

import duckdb
import yaml

from pipelines.defs.ingest.sources import event_copies_sql
from pipelines.settings import METRIC_VERSION

MARTS_DIR = Path(__file__).parent
SQL_DIR = MARTS_DIR / "sql"
QUERIES_DIR = MARTS_DIR / "queries"  # the planner's and builders' helper queries (not marts)
SCHEMA_SQL = MARTS_DIR / "schema.sql"
COEFFICIENTS_FILE = MARTS_DIR / "config" / "assisted_minutes.yaml"
# The metric dictionary's mapping of each platform's events (qualifying action, feature).
EVENT_MAPPINGS_DIR = MARTS_DIR.parent / "staging" / "sql" / "events"
# Stands for every raw copy of every event in the SQL of marts and queries (`event_copies_sql`).
RAW_EVENT_COPIES = "{raw_event_copies}"
DEFAULT_FEATURE = "*"


def next_month(month: date) -> date:
    """The first day of the month after `month` (a first-of-month date)."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def mart_sql(name: str) -> str:
    return _with_event_copies((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def query_sql(name: str) -> str:
    return _with_event_copies((QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def _with_event_copies(sql: str) -> str:
    """`{raw_event_copies}` becomes the subquery of every event source's raw copies, so that no
    query names the portal and OnAI tables one by one."""
    return sql.replace(RAW_EVENT_COPIES, f"({event_copies_sql()})")


@cache
def expected_columns() -> dict[str, list[tuple[str, str]]]:
    """Each mart table's (column, type) list, as schema.sql creates it (in a scratch database)."""
    with duckdb.connect() as scratch:
        scratch.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        return _columns(scratch)


def _columns(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position"""
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the mart tables; drop and recreate any whose columns changed. Returns the
    tables recreated (their months are rebuilt by the next run, see `stale_months`)."""
    expected, actual = expected_columns(), _columns(conn)
    recreated = [t for t, cols in actual.items() if t in expected and cols != expected[t]]
    for table in recreated:
        conn.execute(f"DROP TABLE marts.{table}")
    conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    if recreated:
        conn.execute("DELETE FROM marts.partition_builds WHERE list_contains(?, mart)", [recreated])
    return recreated


def coefficients() -> dict:
    return yaml.safe_load(COEFFICIENTS_FILE.read_text(encoding="utf-8"))


def load_assisted_minutes(conn: duckdb.DuckDBPyConnection) -> str:
    """Replace marts.assisted_minutes with the coefficients file; returns its version."""
    config = coefficients()
    version = str(config["version"])
    rows = [(DEFAULT_FEATURE, config["default"])] + list(config["features"].items())
    conn.execute("DELETE FROM marts.assisted_minutes")
    conn.executemany(
        "INSERT INTO marts.assisted_minutes VALUES (?, ?, ?, ?, ?, ?)",
        [(feature, float(c["low"]), float(c["central"]), float(c["high"]), c["source"], version)
         for feature, c in rows],
    )
    return version


def build_signature() -> str:
    digest = hashlib.sha256(METRIC_VERSION.encode())
    for path in [SCHEMA_SQL, COEFFICIENTS_FILE, *sorted(SQL_DIR.glob("*.sql")), *sorted(EVENT_MAPPINGS_DIR.glob("*.sql"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ledger_seen_until(conn: duckdb.DuckDBPyConnection) -> datetime | None:
    """The file ledger's newest last_seen: every file load, reload or withdrawal moves it."""
    return conn.execute("SELECT max(last_seen) FROM raw.file_ledger").fetchall()[0][0]


def record_builds(conn: duckdb.DuckDBPyConnection, mart: str, months: list[date],
                  seen_until: datetime | None = None) -> None:
    now = datetime.now(timezone.utc)
    conn.executemany(
        "INSERT OR REPLACE INTO marts.partition_builds VALUES (?, ?, ?, ?, ?)",
        [(mart, month, build_signature(), now, seen_until) for month in months],
    )


def last_build_seen_until(conn: duckdb.DuckDBPyConnection, mart: str, month: date) -> datetime | None:
    """What the ledger had seen when `mart` last built `month` with the current code (None: never,
    or with other code)."""
    rows = conn.execute(
        "SELECT ledger_seen_until FROM marts.partition_builds WHERE mart = ? AND month = ? AND signature = ?",
        [mart, month, build_signature()]).fetchall()
    return rows[0][0] if rows else None


def stale_months(conn: duckdb.DuckDBPyConnection, marts: list[str], first: date, last: date) -> list[date]:
    """Months in first..last that some monthly mart has not built with the current code."""
    exists = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'partition_builds'"
    ).fetchall()[0][0]
    built = set()
    if exists:
        built = {
            (mart, month) for mart, month in conn.execute(
                "SELECT mart, month FROM marts.partition_builds WHERE signature = ? AND month BETWEEN ? AND ?",
                [build_signature(), first, last],
            ).fetchall()
        }
    months, current = [], first
    while current <= last:
        if any((mart, current) not in built for mart in marts):
            months.append(current)
        current = next_month(current)
    return months
