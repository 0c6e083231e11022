"""`axmeter run`: materialize everything for all landed data, in process, through Dagster.

The runs go through the same jobs a data engineer launches from the Dagster UI, on the
instance under $DAGSTER_HOME, so they appear in `dagster dev`'s run history."""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.ingest.assets import REFERENCE_KEYS_BY_FOLDER
from pipelines.defs.ingest.landing import scan_delivered
from pipelines.defs.ingest.sources import EVENT_ADAPTERS
from pipelines.defs.marts import incremental
from pipelines.defs.marts.assets import MONTHLY_MARTS
from pipelines.defs.ops.windows import affected_months
from pipelines.defs.quality.validation import import_in_background
from pipelines.resources import AxmeterHome, Warehouse, release_held_warehouses
from pipelines.settings import LAUNCHED_BY_TAG, configure_dagster_events, data_start


# Progress lines (INFO) on the console; Dagster's DEBUG event stream stays in the run's logs.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


# Python's cyclic garbage collector during a run: a young collection every 50,000 allocations
# instead of 700, and the older ones rarer. Dagster's events and GX's results allocate millions of
# small objects that live on, so the default thresholds swept the whole heap again and again: 3.1 s
# in collections during a run on the 100 k sample (8 full ones at ~0.27 s), 1.2 s with these; the
# CLI's run, best of 3: 26.1 -> 22.3 s, its CPU 33.0 -> 29.2 s. Memory is freed by reference
# counting as before; only reference cycles wait longer.
RUN_GC_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def fewer_garbage_collections() -> Iterator[None]:
    """RUN_GC_THRESHOLDS while the block runs; the previous thresholds afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class RunSummary:
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.steps)


def landed_event_days(home: AxmeterHome) -> tuple[date, date] | None:
    """First and last KST day with an event file (portal, OnAI, ...; landed or archived) that a partition can take."""
    days = [
        landed.file_date
        for adapter in EVENT_ADAPTERS
        for landed in scan_delivered(adapter.folder, home.landing(adapter.folder), home.archive(adapter.folder),
                                     adapter.date_of)
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


# Runs started here are tagged so that the `refresh_after_ingest` sensor leaves them alone.
CLI_TAGS = {LAUNCHED_BY_TAG: "axmeter"}


# Imported once by the fork server, not by every step process: the definitions and the instance's
# storage (SQLite or PostgreSQL; a module that is not installed is skipped).
FORKSERVER_PRELOAD = [
    "dagster", "pipelines.definitions", "dagster._core.instance.factory", "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.runs.sqlite", "dagster._core.storage.event_log.sqlite",
    "dagster._core.storage.schedules.sqlite", "dagster._core.remote_representation", "alembic.command",
    "dagster_postgres",
]


def multiprocess_run_config(max_concurrent: int) -> dict:
    """Dagster's multiprocess executor: up to `max_concurrent` steps at once, each in a process
    forked from a server that has imported the definitions (a spawned process would spend seconds
    importing them for every step). Warehouse writers still take turns: they share the warehouse
    pool, whose limit is 1 (dagster.yaml). The fork server keeps the environment of the first
    parallel run in a process; `axmeter` is one process per command."""
    return {**QUIET_CONSOLE, "execution": {"config": {"multiprocess": {
        "max_concurrent": max_concurrent,
        "start_method": {"forkserver": {"preload_modules": FORKSERVER_PRELOAD}},
    }}}}


def definitions_job(job_name: str) -> dg.JobDefinition:
    """A job of pipelines.definitions by name: how each step process rebuilds it."""
    from pipelines.definitions import defs

    return defs.resolve_job_def(job_name)


STEP_ENDS = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_UP_FOR_RETRY}


def _release_warehouse_when_a_step_ends(event: dg.EventLogEntry) -> None:
    if event.is_dagster_event and event.dagster_event_type in STEP_ENDS:
        release_held_warehouses()


def execute(
    defs: dg.Definitions, instance: dg.DagsterInstance, job_name: str, tags: dict[str, str] | None = None,
    parallel: int | None = None, run_config: dict | None = None, asset_selection: list[dg.AssetKey] | None = None,
):
    """One Dagster run of a job (or of `asset_selection`, some of its assets, with their checks):
    in process, or with the multiprocess executor when `parallel` is set (then the job comes
    from pipelines.definitions, rebuilt in every step process)."""
    tags = {**CLI_TAGS, **(tags or {})}
    configure_dagster_events()
    if not parallel:
        # Each step closes the warehouse it opened when it ends, so runs in other processes can
        # take their turn at it between this run's steps (resources.Warehouse). An event listener,
        # not a hook: Dagster's hooks cost ~1.3 s of events per 100k run.
        run_id = str(uuid.uuid4())
        instance.add_event_listener(run_id, _release_warehouse_when_a_step_ends)
        return defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, tags=tags, raise_on_error=False, run_config={**QUIET_CONSOLE, **(run_config or {})},
            asset_selection=asset_selection, run_id=run_id,
        )
    job = dg.build_reconstructable_job("pipelines.run", "definitions_job", reconstructable_args=(job_name,))
    return dg.execute_job(job, instance=instance, tags=tags, raise_on_error=False,
                          run_config={**multiprocess_run_config(parallel), **(run_config or {})},
                          asset_selection=asset_selection)


def run_step(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    summary: RunSummary,
    name: str,
    job_name: str,
    tags: dict[str, str] | None = None,
    say: Callable[[str], None] = print,
    parallel: int | None = None,
    run_config: dict | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
):
    """Run a job and return its result; stop with what went wrong when a step fails or a blocking
    check does not pass."""
    started = time.perf_counter()
    result = execute(defs, instance, job_name, tags, parallel, run_config, asset_selection)
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
    return result


@fewer_garbage_collections()
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
    import_in_background()  # the contract checks need it; planning and loading hide part of it

    def step(name: str, job_name: str, tags: dict[str, str] | None = None,
             asset_selection: list[dg.AssetKey] | None = None) -> None:
        say(f"[{len(summary.steps) + 1}] {name} ...")
        run_step(defs, instance, summary, name, job_name, tags, say, asset_selection=asset_selection)

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
        unchanged_folders = incremental.unchanged_reference_folders(conn, home)
    if full:
        plan.first_run = True
        unchanged_folders = set()
    ranges = incremental.day_ranges(plan.changed_days, max_ranges=1 if plan.first_run else 3)
    for first_day, end_day in ranges:
        step(f"ingest portal and OnAI files, {first_day} .. {end_day}", "ingest_events",
             _range_tags(first_day.isoformat(), end_day.isoformat()))
    if not plan.changed_days:
        say("      no new or changed portal or OnAI file: nothing to ingest")
    refresh = defs.resolve_job_def("refresh_snapshots_and_staging")
    skipped = {key for folder in unchanged_folders for key in REFERENCE_KEYS_BY_FOLDER.get(folder, [])}
    selection = None
    if skipped:
        selection = sorted(refresh.asset_layer.executable_asset_keys - skipped)
        say(f"      unchanged since the last load, not reloaded: {', '.join(sorted(unchanged_folders))}")
    step("load HR, training, pioneer, survey and closure files; refresh staging", "refresh_snapshots_and_staging",
         asset_selection=selection)

    with Warehouse(home=str(home.root)).connect() as conn:
        first_month, last_month = incremental.event_month_range(conn)
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


def backfill_window(defs: dg.Definitions, start: date, end: date) -> tuple[date, date]:
    """start .. end clipped to the daily partitions (data start .. today, KST)."""
    if start > end:
        raise RuntimeError(f"--start {start} is after --end {end}")
    daily = defs.resolve_job_def("ingest_events").partitions_def
    first = max(start, date.fromisoformat(daily.get_first_partition_key()))
    last = min(end, date.fromisoformat(daily.get_last_partition_key()))
    if first > last:
        raise RuntimeError(
            f"{start} .. {end} holds no daily partition: partitions run from {daily.get_first_partition_key()} "
            f"(AXMETER_DATA_START) to {daily.get_last_partition_key()} (today, KST)"
        )
    return first, last


@fewer_garbage_collections()
def run_backfill(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    home: AxmeterHome,
    start: date,
    end: date,
    say: Callable[[str], None] = print,
    parallel: int | None = None,
) -> RunSummary:
    """Reload the KST days start .. end and recompute what they affect, through the pipeline's
    jobs in the order data flows (pipelines/defs/jobs.py): the daily job gets the day range, a
    monthly job the affected months (those of the days and every later month with events, since
    history columns read earlier months), an unpartitioned job runs whole. `parallel`: steps at
    once with the multiprocess executor."""
    from pipelines.defs.jobs import PIPELINE_JOBS

    first_day, last_day = backfill_window(defs, start, end)
    if (first_day, last_day) != (start, end):
        say(f"      {start} .. {end} clipped to the partitions: {first_day} .. {last_day}")
    first_month, last_month = affected_months(home, first_day, last_day)
    summary = RunSummary()
    for number, job in enumerate(PIPELINE_JOBS, start=1):
        partitions = defs.resolve_job_def(job.name).partitions_def
        if partitions is None:
            window, tags = "", None
        elif job.name == "ingest_events":
            window, tags = f", {first_day} .. {last_day}", _range_tags(first_day.isoformat(), last_day.isoformat())
        else:
            last_key = date.fromisoformat(partitions.get_last_partition_key())
            months = (first_month, min(last_month, last_key))
            window = f", {months[0]:%Y-%m} .. {months[1]:%Y-%m}"
            tags = _range_tags(months[0].isoformat(), months[1].isoformat())
        say(f"[{number}/{len(PIPELINE_JOBS)}] {job.name}{window} ...")
        run_step(defs, instance, summary, job.name, job.name, tags, say, parallel)
    return summary

