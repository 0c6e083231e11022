"""Schedules, in Korean time (Asia/Seoul).

- `daily_ingest_schedule` (06:30, after the network-link delivery window that ends at 06:00):
  loads yesterday's portal and OnAI files, and any landed day whose files are newer than its
  last load (a late or corrected file the landing sensors missed, e.g. while they were off).
  What follows (reference files, staging, the affected months, publish, archive) is started by
  the `refresh_after_ingest` sensor when the load succeeds.
- `weekly_maintenance_schedule` (Sunday 04:00): CHECKPOINT and VACUUM of the warehouse.

None of them opens the warehouse: they plan from file names and the Dagster instance. The
quarterly pack's schedule belongs to the pack (pipelines/defs/exports/schedules.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.ingest.landing import scan_delivered
from pipelines.defs.ingest.sources import EVENT_ADAPTERS
from pipelines.defs.ops.jobs import WAREHOUSE_MAINTENANCE
from pipelines.defs.ops.windows import day_ranges
from pipelines.resources import AxmeterHome
from pipelines.settings import TIMEZONE, data_start

KST = ZoneInfo(TIMEZONE)
INGEST_JOB = "ingest_events"

DAILY_CRON = "30 6 * * *"
MAINTENANCE_CRON = "0 4 * * 0"


def _asset_key(adapter) -> dg.AssetKey:
    return dg.AssetKey(adapter.raw_table.split("."))


def last_loaded(instance: dg.DagsterInstance, key: dg.AssetKey, day: date) -> float:
    """When the day's partition of `key` was last materialized (epoch seconds), 0 if never."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[day.isoformat()]), limit=1
    ).records
    return records[0].timestamp if records else 0.0


def days_to_load(instance: dg.DagsterInstance, home: AxmeterHome, today: date) -> tuple[list[date], list[str]]:
    """Yesterday and every day with a file still in landing/, kept when one of its files is newer
    (by modification time, which the ledger records as the delivery time) than the day's last
    load. Also returns notes for the log (e.g. yesterday's file has not arrived)."""
    yesterday = today - timedelta(days=1)
    newest: dict[tuple[int, date], float] = {}
    in_landing: set[date] = set()
    for index, adapter in enumerate(EVENT_ADAPTERS):
        landing = home.landing(adapter.folder)
        for landed in scan_delivered(adapter.folder, landing, home.archive(adapter.folder), adapter.date_of):
            day = landed.file_date
            if day is None or not data_start() <= day <= today:
                continue  # no partition takes it (daily partitions end today, KST); a load quarantines it
            newest[(index, day)] = max(newest.get((index, day), 0.0), landed.delivered_at.timestamp())
            if landed.path.is_relative_to(landing):
                in_landing.add(day)
    notes = [f"no {adapter.folder} file for {yesterday} yet" for index, adapter in enumerate(EVENT_ADAPTERS)
             if (index, yesterday) not in newest]
    candidates = sorted({yesterday} | in_landing)
    stale = [day for day in candidates
             if any(newest.get((index, day), 0.0) > last_loaded(instance, _asset_key(adapter), day)
                    for index, adapter in enumerate(EVENT_ADAPTERS))]
    return stale, notes


def range_request(first: date, last: date, run_key: str) -> dg.RunRequest:
    if first == last:
        return dg.RunRequest(run_key=run_key, partition_key=first.isoformat())
    return dg.RunRequest(run_key=run_key, tags={
        ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat(),
    })


@dg.schedule(
    name="daily_ingest_schedule",
    cron_schedule=DAILY_CRON,
    execution_timezone=TIMEZONE,
    job_name=INGEST_JOB,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="06:30 KST: load yesterday's portal and OnAI files and any landed day newer than its "
    "last load; `refresh_after_ingest` then refreshes the affected months and publishes.",
)
def daily_ingest_schedule(context: dg.ScheduleEvaluationContext, home: AxmeterHome):
    today = context.scheduled_execution_time.astimezone(KST).date()
    days, notes = days_to_load(context.instance, home, today)
    for note in notes:
        context.log.warning(f"{note} (delivery window ends 06:00 KST); the landing sensors load it when it arrives")
    if not days:
        return dg.SkipReason(f"every delivered portal/OnAI day up to {today} is loaded"
                             + (f"; {'; '.join(notes)}" if notes else ""))
    return [range_request(first, last, f"daily:{today}:{first}:{last}") for first, last in day_ranges(days)]


weekly_maintenance_schedule = dg.ScheduleDefinition(
    name="weekly_maintenance_schedule",
    cron_schedule=MAINTENANCE_CRON,
    execution_timezone=TIMEZONE,
    job_name=WAREHOUSE_MAINTENANCE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Sunday 04:00 KST: CHECKPOINT and VACUUM the warehouse.",
)


ops_schedules = [daily_ingest_schedule, weekly_maintenance_schedule]
