"""Project-wide constants and the few settings read from the environment.

Everything that describes *what* is measured (metric version, k, time zone) lives here;
*where* things live is the `AxmeterHome` resource's business (pipelines/resources.py).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

METRIC_VERSION = "2026.1"
TIMEZONE = "Asia/Seoul"
UNATTRIBUTED = "_UNATTRIBUTED"

# Every asset that writes the DuckDB warehouse runs in this Dagster pool, whose limit is 1:
# DuckDB allows one writing process at a time. One Dagster instance serving several ministries
# (one warehouse each) gives each code location its own pool name.
WAREHOUSE_POOL = os.environ.get("AXMETER_WAREHOUSE_POOL", "warehouse_writer")
WAREHOUSE_POOL_LIMIT = 1

# Transient failures (a network share that hiccups, a lock held a moment too long, a full
# disk being cleaned) are retried 5, 15 and 35 seconds later (exponential, +/- 5 s jitter); a
# real error still fails the run within about a minute, and the run-failure sensor alerts.
RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

OWNERS = ["team:data-engineering"]

# Two of Dagster's switches for a run over a partition range (a single-run backfill, as every
# load of many days is). Processes that create or execute runs need them: `axmeter` sets them,
# `make dev` too; set them for the webserver and daemon services (README, configuration).
# - PLANNED_EVENTS_ENV (dagster PR #29288): one ASSET_MATERIALIZATION_PLANNED event per asset
#   instead of one per partition. On SQLite a first load over ~300 days wrote 604 of them, about
#   7 s of an 18 s ingest job. The price: the days of a *failed* range run show as missing, not
#   failed, in the UI's partition view; the run itself still fails and alerts. "false" restores
#   the per-day events.
# - EVENT_BATCH_ENV: a step's materializations of many partitions are handed to the event log
#   as one batch of up to this many events, which PostgreSQL and axmeter's SQLite storage
#   (pipelines/defs/ops/storage.py) write in one statement. "0" writes them one by one.
PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
EVENT_BATCH_ENV = "DAGSTER_EVENT_BATCH_SIZE"


def configure_dagster_events() -> None:
    os.environ.setdefault(PLANNED_EVENTS_ENV, "true")
    os.environ.setdefault(EVENT_BATCH_ENV, "1000")


# Runs the `axmeter` command starts carry this tag: the `refresh_after_ingest` sensor leaves
# them alone, since the command runs the steps that follow itself.
LAUNCHED_BY_TAG = "axmeter/launched_by"

SOURCES = ("portal", "onai", "hr", "training", "pioneers", "survey")

# Minimum group size for anything published. Configurable upwards only (metrics.md).
MIN_GROUP_SIZE_FLOOR = 5


def min_group_size() -> int:
    k = int(os.environ.get("AXMETER_MIN_GROUP_SIZE", MIN_GROUP_SIZE_FLOOR))
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(
            f"AXMETER_MIN_GROUP_SIZE={k} is below the privacy floor of {MIN_GROUP_SIZE_FLOOR}; "
            "set it to 5 or more."
        )
    return k


def today_kst() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def archive_retention_days() -> int | None:
    """Days an archived landing file is kept (AXMETER_ARCHIVE_RETENTION_DAYS); None keeps
    them for ever. A partition reload re-reads its files, so days older than this can no
    longer be reloaded."""
    raw = os.environ.get("AXMETER_ARCHIVE_RETENTION_DAYS", "").strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError as exc:
        raise ValueError(f"AXMETER_ARCHIVE_RETENTION_DAYS={raw!r} is not a whole number of days") from exc
    if days < 1:
        raise ValueError(f"AXMETER_ARCHIVE_RETENTION_DAYS={days}: use 1 or more (unset keeps files for ever)")
    return days


def oldest_reloadable_day(retention_days: int | None, today: date) -> date | None:
    """Days before this one may have lost archived event files to the retention: a reload of
    such a day keeps the rows of the files it no longer finds. None when nothing is deleted."""
    return None if retention_days is None else today - timedelta(days=retention_days)


def duckdb_memory_limit() -> str:
    """How much memory the warehouse's DuckDB may use before it spills to disk
    (AXMETER_DUCKDB_MEMORY_LIMIT, DuckDB's own syntax: "1GB", "512MB"). DuckDB's default is 80 %
    of the machine; a bound keeps the pipeline's footprint flat as the data grows."""
    return os.environ.get("AXMETER_DUCKDB_MEMORY_LIMIT", "1GB").strip() or "1GB"


def data_start() -> date:
    """The configured start of data collection: partitions begin here and older events are
    quarantined. Read at definitions load because Dagster partitions are static."""
    raw = os.environ.get("AXMETER_DATA_START", "2026-01-01")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"AXMETER_DATA_START={raw!r} is not a date (YYYY-MM-DD)") from exc
