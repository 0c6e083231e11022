"""`axmeter run`: materialize everything for all landed data, in process, through Dagster.

The runs go through the same jobs a data engineer launches from the Dagster UI, on the
instance under $DAGSTER_HOME, so they appear in `dagster dev`'s run history."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.ingest.landing import scan_landing
from pipelines.defs.ingest.sources import ONAI, PORTAL
from pipelines.defs.marts import incremental
from pipelines.defs.marts.assets import MONTHLY_MARTS
from pipelines.resources import AxmeterHome, Warehouse
from pipelines.settings import data_start


# Progress lines (INFO) on the console; Dagster's DEBUG event stream stays in the run's logs.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class RunSummary:
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.steps)


def landed_event_days(home: AxmeterHome) -> tuple[date, date] | None:
    """First and last KST day with a portal or OnAI file that a partition can take."""
    days = [
        landed.file_date
        for adapter in (PORTAL, ONAI)
        for landed in scan_landing(adapter.folder, home.landing(adapter.folder), adapter.date_of)
        if landed.file_date is not None and landed.file_date >= data_start()
    ]
    return (min(days), max(days)) if days else None


def _root_cause(error) -> str:
    """The innermost error of a Dagster step failure: the one that says what went wrong."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def _range_tags(first: str, last: str) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


def run_pipeline(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    home: AxmeterHome,
    say: Callable[[str], None] = print,
    full: bool = False,
) -> RunSummary:
    """Ingest what changed, refresh staging, rebuild the months it touches, publish.
    `full` rebuilds every month of the monthly marts (ingestion still skips unchanged days)."""
    summary = RunSummary()

    def step(name: str, job_name: str, tags: dict[str, str] | None = None) -> None:
        say(f"[{len(summary.steps) + 1}] {name} ...")
        started = time.perf_counter()
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, tags=tags, raise_on_error=False, run_config=QUIET_CONSOLE
        )
        if not result.success:
            failures = [
                f"{event.step_key}: {_root_cause(event.step_failure_data.error)}"
                for event in result.all_events
                if event.is_step_failure
            ]
            raise RuntimeError(
                f"step '{name}' (Dagster job {job_name}, run {result.run_id}) failed:\n  "
                + "\n  ".join(failures or ["see the run's logs in `dagster dev`"])
            )
        failed_checks = [
            f"{evaluation.asset_check_key.asset_key.to_user_string()}:{evaluation.check_name}"
            f" ({evaluation.description or 'see its metadata in Dagster'})"
            for evaluation in result.get_asset_check_evaluations()
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
        ]
        if failed_checks:
            raise RuntimeError(
                f"step '{name}' (run {result.run_id}): blocking check failed, nothing downstream "
                "was computed or published:\n  " + "\n  ".join(failed_checks)
            )
        summary.steps.append((name, time.perf_counter() - started))
        say(f"      done in {summary.steps[-1][1]:.1f} s")

    days = landed_event_days(home)
    if days is None:
        raise RuntimeError(
            f"No portal or OnAI files under {home.root / 'landing'}. "
            "Deliver files there, or run `axmeter sample` for a synthetic ministry."
        )
    daily = defs.resolve_job_def("ingest_events").partitions_def
    last_day = min(days[1], date.fromisoformat(daily.get_last_partition_key()))
    # Only the days whose files are new, changed or gone are reloaded (pipelines/defs/marts/incremental.py).
    with Warehouse(home=str(home.root)).connect() as conn:
        plan = incremental.plan_before_ingest(conn, home, last_day)
    if full:
        plan.first_run = True
    ranges = incremental.day_ranges(plan.changed_days, max_ranges=1 if plan.first_run else 3)
    for first_day, end_day in ranges:
        step(f"ingest portal and OnAI files, {first_day} .. {end_day}", "ingest_events",
             _range_tags(first_day.isoformat(), end_day.isoformat()))
    if not plan.changed_days:
        say("      no new or changed portal or OnAI file: nothing to ingest")
    step("load HR, training, pioneer, survey and closure files; refresh staging", "refresh_snapshots_and_staging")

    with Warehouse(home=str(home.root)).connect() as conn:
        first_month, last_month = conn.execute(
            "SELECT min(month), max(month) FROM staging.events"
        ).fetchall()[0]
        if first_month is None:
            raise RuntimeError("Every event was quarantined: see `axmeter quarantine` or raw.quarantine.")
        months = incremental.months_to_build(conn, plan, MONTHLY_MARTS, first_month, last_month)
    if months is not None:
        step(f"compute monthly marts, {months[0]:%Y-%m} .. {months[1]:%Y-%m}", "build_marts",
             _range_tags(months[0].isoformat(), months[1].isoformat()))
    else:
        say("      no month touched: monthly marts are up to date")
    step("compute retention, training, survey and data-quality marts", "build_whole_history_marts")
    step("publish", "publish")
    return summary
