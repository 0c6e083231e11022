"""Operations: the schedules, the follow-up and alert sensors, retries and the warehouse pool,
with Dagster's test utilities (build_schedule_context, build_run_status_sensor_context)."""

import json
import os
import smtplib
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.dependency import NodeHandle
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import cli
from pipelines.definitions import defs
from pipelines.defs.ops.instance import ensure_pool_limit, pool_limit
from pipelines.defs.ops.schedules import daily_ingest_schedule
from pipelines.defs.ops.sensors import alert_on_run_failure, refresh_after_ingest
from pipelines.resources import AxmeterHome
from pipelines.run import CLI_TAGS
from pipelines.settings import RETRY_POLICY, WAREHOUSE_POOL
from tests.handmade import write_handmade_landing

KST = ZoneInfo("Asia/Seoul")
START, END = ASSET_PARTITION_RANGE_START_TAG, ASSET_PARTITION_RANGE_END_TAG
# A SQLite instance syncs every event to disk; on tmpfs, where there is one, the tests run quicker.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@contextmanager
def instance_for_test():
    with tempfile.TemporaryDirectory(dir=SCRATCH) as scratch, dg.instance_for_test(temp_dir=scratch) as instance:
        yield instance


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=KST)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The hand-made ministry landed, and its January and February partitions loaded on an
    instance (in process, the way `axmeter` runs them)."""
    home = tmp_path_factory.mktemp("ops") / "home"
    home.mkdir()
    write_handmade_landing(home)
    env = {"AXMETER_HOME": str(home), "AXMETER_PSEUDONYM_KEY": "ops-test-key-0123456789"}
    old = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    with instance_for_test() as instance:
        result = defs.resolve_job_def("ingest_events").execute_in_process(
            instance=instance, tags={START: "2026-01-01", END: "2026-02-28"}
        )
        assert result.success
        yield home, instance, result
    for key, value in old.items():
        os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)


def schedule_tick(instance, home, when):
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=when, resources={"home": AxmeterHome(home=str(home))}
    )
    return daily_ingest_schedule(context)


def test_definitions_hold_the_operations():
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["weekly_maintenance_schedule"].job_name == "warehouse_maintenance"
    assert schedules["daily_ingest_schedule"].execution_timezone == "Asia/Seoul"
    assert schedules["daily_ingest_schedule"].cron_schedule == "30 6 * * *"
    assert schedules["daily_ingest_schedule"].job_name == "ingest_events"
    assert {"refresh_after_ingest", "alert_on_run_failure"} <= {s.name for s in defs.sensors}
    assert {"refresh_and_publish", "archive_landing", "warehouse_maintenance"} <= {j.name for j in defs.jobs}
    assert defs.resolve_job_def("refresh_and_publish").partitions_def is not None  # months
    assert defs.get_assets_def(dg.AssetKey(["raw", "portal_events"])).op.retry_policy == RETRY_POLICY
    dg.Definitions.validate_loadable(defs)


def test_every_step_that_opens_the_warehouse_is_in_its_pool_and_can_retry():
    nodes = defs.resolve_asset_graph().assets_defs  # asset checks included
    warehouse_users = [node for node in nodes if "warehouse" in node.node_def.required_resource_keys]
    assert "staging__file_reconciliation_every_file_reconciles" in {node.node_def.name for node in warehouse_users}
    for node in warehouse_users:
        assert node.node_def.pool == WAREHOUSE_POOL, node.node_def.name
    job = defs.resolve_job_def("refresh_and_publish")
    assert all(job.get_retry_policy_for_handle(NodeHandle(node.name, None)) is not None for node in job.graph.nodes)


def test_local_instance_limits_the_warehouse_pool_to_one(monkeypatch):
    scratch = tempfile.TemporaryDirectory(dir=SCRATCH)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    dagster_home = cli.ensure_dagster_home(Path(scratch.name))
    config = yaml.safe_load((dagster_home / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 3)  # e.g. changed in the UI
        ensure_pool_limit(instance)
        assert pool_limit(instance) == 1
    scratch.cleanup()


RANGE_DAYS = dg.DailyPartitionsDefinition(start_date="2026-03-01", end_date="2026-03-06")


@dg.asset(partitions_def=RANGE_DAYS, backfill_policy=dg.BackfillPolicy.single_run(), code_version="v7")
def five_days(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


@dg.asset_check(asset=five_days)
def five_days_add_up() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _materializations_of_a_range_run(instance: dg.DagsterInstance) -> dict:
    job = dg.Definitions(assets=[five_days], asset_checks=[five_days_add_up]).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, tags={START: "2026-03-01", END: "2026-03-05"})
    assert result.success
    key = five_days.key
    records = instance.fetch_materializations(key, limit=100, ascending=True).records
    storage = instance.event_log_storage
    return {
        "partitions": [r.partition_key for r in records],
        "ids_ascending": [r.storage_id for r in records] == sorted(r.storage_id for r in records),
        "materialized": sorted(instance.get_materialized_partitions(key)),
        "latest": instance.get_latest_materialization_event(key).dagster_event.partition,
        "asset_record": instance.get_asset_records([key])[0].asset_entry.last_materialization_record.partition_key,
        "tags": [storage.get_event_tags_for_asset(key, filter_event_id=r.storage_id) for r in records],
        "run_events": [e.dagster_event.partition for e in instance.all_logs(
            result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)],
        "check_executions": sorted(((r.partition or "", r.status.value) for r in storage.get_asset_check_execution_history(
            five_days_add_up.check_key, limit=100))),
    }


def test_local_instance_writes_a_range_runs_materializations_in_one_batch(monkeypatch):
    """The dagster.yaml axmeter writes selects its SQLite storage (pipelines/defs/ops/storage.py),
    which stores the five materializations of a five-day run in one batch (no single-event
    write) and leaves the instance exactly as Dagster's own SQLite storage does."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from pipelines.defs.ops.storage import BatchingSqliteEventLogStorage

    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    single_writes = []
    original = SqliteEventLogStorage.store_event

    def store_event(self, event):
        if event.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            single_writes.append((type(self).__name__, event.dagster_event.partition))
        return original(self, event)

    monkeypatch.setattr(SqliteEventLogStorage, "store_event", store_event)
    scratch = tempfile.TemporaryDirectory(dir=SCRATCH)
    monkeypatch.setenv("DAGSTER_HOME", str(Path(scratch.name) / "dagster"))
    dagster_home = cli.ensure_dagster_home(Path(scratch.name))
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        batched = _materializations_of_a_range_run(instance)
    assert single_writes == []
    with instance_for_test() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        one_by_one = _materializations_of_a_range_run(instance)
    assert len(single_writes) == 5  # Dagster's own storage wrote them one at a time
    days = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert batched == one_by_one
    assert batched["partitions"] == batched["materialized"] == batched["run_events"] == days
    assert batched["latest"] == batched["asset_record"] == "2026-03-05" and batched["ids_ascending"]
    # The check was planned for each of the five days (a row per day; Dagster records the
    # evaluation of an unpartitioned check result in a row of its own).
    assert batched["check_executions"] == [("", "SUCCEEDED")] + [(day, "PLANNED") for day in days]
    # Each event's indexed tag (its data version) is stored against its own id.
    assert [sorted(tags) for [tags] in batched["tags"]] == [["dagster/data_version"]] * 5
    scratch.cleanup()


def test_a_run_opens_the_warehouse_once_and_lets_go_of_it_when_it_ends(tmp_path, monkeypatch):
    """Within a Dagster execution, every `warehouse.connect()` is a cursor on one open database
    (its own connection: TEMP tables are not shared); here (dg.materialize, without run.py's
    step-end listener) the file is opened once and closed at the run's end, so another process
    can take it. Outside a run each connect opens the file."""
    import duckdb
    from dagster_duckdb import DuckDBResource

    from pipelines.resources import Warehouse

    opened = []
    original = DuckDBResource.get_connection

    def counting_get_connection(self):
        opened.append(self.database)
        return original(self)

    monkeypatch.setattr(DuckDBResource, "get_connection", counting_get_connection)

    @dg.asset
    def writes_twice(warehouse: Warehouse) -> None:
        with warehouse.connect() as conn:
            conn.execute("CREATE TABLE t AS SELECT 1 AS x")
            conn.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS y")
        with warehouse.connect() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            # A TEMP table belongs to the connection that made it, not to the next cursor.
            assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchone() == (0,)

    @dg.asset(deps=[writes_twice])
    def reads(warehouse: Warehouse) -> None:
        with warehouse.connect() as conn, warehouse.connect() as nested:
            assert conn.execute("SELECT sum(x) FROM t").fetchone() == (3,)
            assert nested.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)

    warehouse = Warehouse(home=str(tmp_path))
    with instance_for_test() as instance:
        assert dg.materialize([writes_twice, reads], resources={"warehouse": warehouse}, instance=instance).success
    path = str(tmp_path / "warehouse.duckdb")
    assert opened == [path]  # five connects, one open
    with duckdb.connect(path, read_only=True) as reader:  # released: the file is free again
        assert reader.execute("SELECT sum(x) FROM t").fetchone() == (3,)
    with warehouse.connect() as conn, warehouse.connect():
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
    assert opened == [path, path, path]


def test_a_new_runs_event_database_is_the_one_dagster_makes(tmp_path, monkeypatch):
    """The batching event log copies an empty run database instead of initialising each new one:
    the copy has Dagster's own tables, indexes, alembic stamp and WAL mode, and takes events."""
    import sqlite3
    import uuid

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from pipelines.defs.ops.storage import BatchingSqliteEventLogStorage

    initialised = []
    dagsters_initdb = SqliteEventLogStorage._initdb
    monkeypatch.setattr(SqliteEventLogStorage, "_initdb",
                        lambda self, engine, for_index_shard=False: initialised.append(str(engine.url.database))
                        or dagsters_initdb(self, engine, for_index_shard))

    def described(path):
        with sqlite3.connect(path) as conn:
            return (sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()),
                    conn.execute("PRAGMA journal_mode").fetchall(), conn.execute("SELECT * FROM alembic_version").fetchall())

    ours, dagsters = BatchingSqliteEventLogStorage(str(tmp_path / "ours")), SqliteEventLogStorage(str(tmp_path / "dagster"))
    runs = [str(uuid.uuid4()) for _ in range(2)]
    for run_id in runs:
        with ours.run_connection(run_id):
            pass
    # Dagster's own code made the index and (once per process) the empty run database, no run's.
    assert not [path for path in initialised if any(run_id in path for run_id in runs)]
    with dagsters.run_connection(runs[0]):
        pass
    expected = described(tmp_path / "dagster" / f"{runs[0]}.db")
    assert len(expected[0]) > 10 and expected[1] == [("wal",)]
    for run_id in runs:
        assert described(tmp_path / "ours" / f"{run_id}.db") == expected
    assert [p.name for p in (tmp_path / "ours").iterdir() if p.suffix == ".new"] == []
    ours.store_event(dg.EventLogEntry(error_info=None, level="INFO", user_message="hello", run_id=runs[1],
                                      timestamp=1.0, step_key=None, job_name=None, dagster_event=None))
    assert [e.user_message for e in ours.get_logs_for_run(runs[1])] == ["hello"]
    ours.dispose()


def test_between_the_steps_of_an_in_process_run_other_processes_can_take_the_warehouse(tmp_path):
    """An in-process run (axmeter run) closes the warehouse after each step, so a step of a run in
    another process, which takes its turn through the pool, finds the file free; within a step
    the two connects share one open."""
    import subprocess
    import sys

    from dagster_duckdb import DuckDBResource

    from pipelines.resources import Warehouse
    from pipelines.run import execute

    path = tmp_path / "warehouse.duckdb"
    reader = ("import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
              "print(c.execute('SELECT count(*) FROM t').fetchall()[0][0])")

    @dg.asset
    def first(warehouse: Warehouse) -> None:
        with warehouse.connect() as conn:
            conn.execute("CREATE TABLE t AS SELECT 1 AS x")
        with warehouse.connect() as conn:
            conn.execute("INSERT INTO t VALUES (2)")

    @dg.asset(deps=[first])
    def second(warehouse: Warehouse) -> None:
        # What a step of another run would do now: open the file from another process.
        other = subprocess.run([sys.executable, "-c", reader, str(path)], capture_output=True, text=True)
        assert other.returncode == 0 and other.stdout.strip() == "2", other.stderr[-500:]
        with warehouse.connect() as conn:
            conn.execute("INSERT INTO t VALUES (3)")

    opened = []
    original = DuckDBResource.get_connection

    def counting(self):
        opened.append(1)
        return original(self)

    defs = dg.Definitions(assets=[first, second], jobs=[dg.define_asset_job("two_steps", [first, second])],
                          resources={"warehouse": Warehouse(home=str(tmp_path))})
    with instance_for_test() as instance:
        DuckDBResource.get_connection = counting
        try:
            result = execute(defs, instance, "two_steps")
        finally:
            DuckDBResource.get_connection = original
    assert result.success
    assert len(opened) == 2  # one open per step, three connects
    assert subprocess.run([sys.executable, "-c", reader, str(path)], capture_output=True, text=True).stdout.strip() == "3"


def test_the_local_event_log_keeps_its_connections_and_commits_without_a_sync_each(tmp_path, monkeypatch):
    """WAL (Dagster's own choice) with synchronous=NORMAL (axmeter's): no fsync per commit; and
    one SQLite connection serves use after use (closing one checkpoints the WAL) until the
    instance closes."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    with dg.DagsterInstance.from_config(str(cli.ensure_dagster_home(tmp_path))) as instance:
        storage = instance.event_log_storage
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
            first = conn.connection.dbapi_connection
        with storage.index_connection() as conn:
            assert conn.connection.dbapi_connection is first
        pool = storage._engine("index").pool
        assert pool.checkedin() == 1
    assert pool.checkedin() == 0  # closed with the instance


def test_daily_schedule_on_a_fresh_instance_loads_yesterday_and_every_waiting_day(tmp_path):
    home = tmp_path / "home"
    write_handmade_landing(home)
    with instance_for_test() as instance:
        requests = schedule_tick(instance, home, kst(2026, 2, 11, 6, 30))
    # yesterday (Feb 10) and the landed Jan 5, 6, 8 and 31: four scattered ranges -> one span
    assert len(requests) == 1
    assert requests[0].tags[START] == "2026-01-05" and requests[0].tags[END] == "2026-02-10"


def test_daily_schedule_skips_what_is_loaded_and_reloads_a_late_correction(loaded):
    home, instance, _ = loaded
    skipped = schedule_tick(instance, home, kst(2026, 3, 2, 6, 30))
    assert isinstance(skipped, dg.SkipReason)
    assert "no portal file for 2026-03-01" in skipped.skip_message
    corrected = home / "landing" / "portal" / "spendlogs_20260106.jsonl"
    corrected.write_bytes(corrected.read_bytes())  # delivered again after its load
    requests = schedule_tick(instance, home, kst(2026, 3, 2, 6, 30))
    assert [(r.partition_key, r.tags.get(START)) for r in requests] == [("2026-01-06", None)]


def test_refresh_after_ingest_requests_the_touched_and_later_months(loaded):
    home, instance, result = loaded
    run = instance.get_run_by_id(result.run_id)
    context = dg.build_run_status_sensor_context(
        sensor_name="refresh_after_ingest", dagster_event=result.get_run_success_event(),
        dagster_instance=instance, dagster_run=run, resources={"home": AxmeterHome(home=str(home))},
    )
    request = refresh_after_ingest(context)
    assert request.run_key == f"after:{run.run_id}"
    assert (request.tags[START], request.tags[END]) == ("2026-01-01", "2026-02-01")

    # a run the `axmeter` command started does its own follow-up
    cli_run = run.with_tags({**run.tags, **CLI_TAGS})
    context = dg.build_run_status_sensor_context(
        sensor_name="refresh_after_ingest", dagster_event=result.get_run_success_event(),
        dagster_instance=instance, dagster_run=cli_run, resources={"home": AxmeterHome(home=str(home))},
    )
    assert isinstance(refresh_after_ingest(context), dg.SkipReason)


def test_one_quarterly_pack_schedule_a_few_days_after_each_quarter_in_kst():
    # The pack (pipelines/defs/exports/) brings its job and schedule; operations add none.
    [schedule] = [s for s in defs.schedules if s.job_name == "quarterly_pack"]
    assert schedule.execution_timezone == "Asia/Seoul"
    minute, hour, days, months, _ = schedule.cron_schedule.split()
    assert months == "1,4,7,10" and days.startswith("5") and (hour, minute) == ("7", "0")


@dg.op
def load_something():
    raise OSError("No space left on device")


@dg.job
def failing_job():
    load_something()


class Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        Webhook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), Webhook)
    Webhook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Webhook.received
    server.shutdown()


def failure_context(instance, home):
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False,
                                            tags={"dagster/partition": "2026-03-14"})
    assert not result.success
    return dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure", dagster_event=result.get_run_failure_event(),
        dagster_instance=instance, dagster_run=instance.get_run_by_id(result.run_id),
        resources={"home": AxmeterHome(home=str(home))},
    ).for_run_failure()


def test_a_failed_run_is_recorded_and_posted_to_the_webhook(tmp_path, monkeypatch, webhook):
    url, received = webhook
    monkeypatch.setenv("AXMETER_ALERT_WEBHOOK", url)
    monkeypatch.delenv("AXMETER_SMTP_HOST", raising=False)
    with instance_for_test() as instance:
        alert_on_run_failure(failure_context(instance, tmp_path))
    recorded = [json.loads(line) for line in (tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()]
    assert len(recorded) == 1 and len(received) == 1
    alert = recorded[0]
    assert alert["job"] == "failing_job" and alert["partitions"] == "2026-03-14"
    assert alert["failed_steps"] == ["load_something"]
    assert "No space left on device" in alert["message"] and "No space left on device" in alert["text"]
    assert received[0]["run_id"] == alert["run_id"]


def test_a_dead_webhook_and_mail_relay_are_logged_not_raised(tmp_path, monkeypatch):
    sent = []

    class Relay:
        def __init__(self, host, port, timeout):
            assert (host, port) == ("mail.internal", 25) and timeout <= 10

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setenv("AXMETER_ALERT_WEBHOOK", "http://127.0.0.1:9/nobody-listens")
    monkeypatch.setenv("AXMETER_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("AXMETER_ALERT_MAIL_TO", "data-team@ministry.go.kr")
    monkeypatch.setattr(smtplib, "SMTP", Relay)
    with instance_for_test() as instance:
        alert_on_run_failure(failure_context(instance, tmp_path))  # must not raise
    assert (tmp_path / "alerts" / "alerts.jsonl").exists()
    assert len(sent) == 1 and sent[0]["To"] == "data-team@ministry.go.kr"
    assert "failing_job" in sent[0]["Subject"]


def test_backfill_past_the_retention_says_what_happens_to_the_deleted_files(monkeypatch, capsys):
    """Reloading days past the retention keeps the rows of the files it deleted
    (test_ops_backfill.py loads one); the command says so before it starts."""
    monkeypatch.setenv("AXMETER_PSEUDONYM_KEY", "ops-test-key-0123456789")
    monkeypatch.setenv("AXMETER_ARCHIVE_RETENTION_DAYS", "30")
    assert cli.main(["backfill", "--start", "2020-01-01", "--end", "2020-01-31"]) == 2  # before any partition
    out, err = capsys.readouterr()
    assert "past AXMETER_ARCHIVE_RETENTION_DAYS: the files the retention deleted keep their rows" in out
    assert "2020-01-01 .. 2020-01-31 holds no daily partition" in err


def test_a_run_collects_garbage_less_often_and_restores_the_thresholds(tmp_path, monkeypatch):
    """run_pipeline runs with RUN_GC_THRESHOLDS (the defaults swept the whole heap of Dagster's
    and GX's objects again and again) and gives the process its own back, also when it fails."""
    import gc

    from pipelines import run

    seen = []
    monkeypatch.setattr(run, "landed_event_days", lambda home: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="No portal or OnAI files"):
        run.run_pipeline(defs, None, AxmeterHome(home=str(tmp_path)), say=lambda _: None)
    assert seen == [(50_000, 20, 20)] == [run.RUN_GC_THRESHOLDS]
    assert gc.get_threshold() == before != run.RUN_GC_THRESHOLDS
