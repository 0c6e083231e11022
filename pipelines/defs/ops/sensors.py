"""Run-status sensors: what follows a successful load, and an alert for every failed run.

- `refresh_after_ingest`: after any successful run that loaded raw data (the daily schedule,
  a landing sensor, a backfill launched from the UI), one `refresh_and_publish` run for the
  months it touched and every later month. Late data for an old day therefore refreshes its
  month. Runs started by the `axmeter` command do their own follow-up and are left alone.
- `alert_on_run_failure`: records the failure in $AXMETER_HOME/alerts/alerts.jsonl and notifies
  the configured webhook and mail relay (pipelines/defs/ops/alerts.py).

Neither opens the warehouse; they read the Dagster instance and file names only."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.defs.marts.partitions import monthly_partitions
from pipelines.defs.ops.alerts import deliver, run_failure_alert
from pipelines.defs.ops.jobs import OPS_JOBS, refresh_and_publish_job
from pipelines.defs.ops.windows import affected_months, delivered_event_days
from pipelines.resources import AxmeterHome
from pipelines.settings import LAUNCHED_BY_TAG

AFTER_RUN_TAG = "axmeter/after_run"
OPS_JOB_NAMES = {job.name for job in OPS_JOBS}
SENSOR_INTERVAL_SECONDS = 30


def raw_loads(instance: dg.DagsterInstance, run_id: str) -> tuple[list[date], bool]:
    """The daily partitions a run materialized in the raw layer, and whether it also (or only)
    reloaded raw reference data (HR, training, pioneers, survey, closures)."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    days, reference = set(), False
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None or event.asset_key is None or event.asset_key.path[0] != "raw":
            continue
        if event.partition:
            days.add(date.fromisoformat(event.partition))
        else:
            reference = True
    return sorted(days), reference


def month_range_tags(first: date, last: date) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="refresh_after_ingest",
    request_job=refresh_and_publish_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a successful load into raw: refresh staging, the months it touched and every "
    "later month, publish and archive (job refresh_and_publish).",
)
def refresh_after_ingest(context: dg.RunStatusSensorContext, home: AxmeterHome):
    run = context.dagster_run
    if run.job_name in OPS_JOB_NAMES or LAUNCHED_BY_TAG in run.tags:
        return dg.SkipReason(f"run {run.run_id} ({run.job_name}) does its own follow-up")
    days, reference = raw_loads(context.instance, run.run_id)
    if not days and not reference:
        return dg.SkipReason(f"run {run.run_id} ({run.job_name}) loaded nothing into raw")
    if days:
        first_day, last_day = days[0], days[-1]
    else:  # a reference file (e.g. an HR snapshot) changed: every month may change
        delivered = delivered_event_days(home)
        if not delivered:
            return dg.SkipReason("no portal or OnAI file delivered yet: no month to compute")
        first_day, last_day = delivered[0], delivered[-1]
    first_month, last_month = affected_months(home, first_day, last_day)
    first_month = max(first_month, date.fromisoformat(monthly_partitions.get_first_partition_key()))
    last_month = min(last_month, date.fromisoformat(monthly_partitions.get_last_partition_key()))
    if first_month > last_month:
        return dg.SkipReason(f"run {run.run_id}: its days fall outside the monthly partitions")
    context.log.info(f"run {run.run_id} loaded {first_day} .. {last_day}: months {first_month} .. {last_month}")
    return dg.RunRequest(
        run_key=f"after:{run.run_id}",
        tags={**month_range_tags(first_month, last_month), AFTER_RUN_TAG: run.run_id},
    )


def failed_steps_and_cause(context: dg.RunFailureSensorContext) -> tuple[list[str], str]:
    steps, causes = [], []
    for event in context.get_step_failure_events():
        steps.append(event.step_key)
        error = event.step_failure_data.error if event.step_failure_data else None
        while error is not None and error.cause is not None:
            error = error.cause
        if error is not None:
            causes.append(error.message.strip())
    return steps, (causes[0] if causes else context.failure_event.message or "")


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every failed run: a line in $AXMETER_HOME/alerts/alerts.jsonl, plus the webhook "
    "(AXMETER_ALERT_WEBHOOK) and mail relay (AXMETER_SMTP_HOST) when configured.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, home: AxmeterHome) -> None:
    run = context.dagster_run
    steps, cause = failed_steps_and_cause(context)
    alert = run_failure_alert(run.run_id, run.job_name, run.tags, cause, steps, os.environ.get("AXMETER_DAGSTER_URL"))
    outcome = deliver(home.root, alert, context.log)
    context.log.info(f"alert for run {run.run_id}: {outcome}")


ops_sensors = [refresh_after_ingest, alert_on_run_failure]
