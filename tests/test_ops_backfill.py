"""A backfill of 30 daily partitions with Dagster's multiprocess executor, on a real instance
(a temporary DAGSTER_HOME with the dagster.yaml axmeter writes, warehouse pool limit 1); then,
on the warehouse it loaded, archiving, reloads that read the archive, and maintenance."""

import io
import json
import os
import tempfile
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import cli
from pipelines.definitions import defs
from pipelines.defs.ingest.sources import ONAI, PORTAL
from pipelines.defs.ops.housekeeping import ArchiveReport, purge_archive
from pipelines.defs.ops.instance import ensure_pool_limit
from pipelines.resources import AxmeterHome
from pipelines.run import execute
from pipelines.sample import generate
from pipelines.settings import WAREHOUSE_POOL, today_kst

FIRST, LAST = date(2026, 3, 1), date(2026, 3, 30)
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # SQLite instances sync every event
ENV = ("AXMETER_HOME", "AXMETER_PSEUDONYM_KEY", "DAGSTER_HOME", "AXMETER_ARCHIVE_RETENTION_DAYS")


def axmeter(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def backfilled():
    """The 30 days loaded by one `ingest_events` run (single-run backfill policy) with the
    multiprocess executor, as `axmeter backfill --parallel 2` launches it; then `axmeter run`
    computes and publishes the rest in process."""
    scratch = tempfile.TemporaryDirectory(dir=SCRATCH)
    home, dagster_home = Path(scratch.name) / "home", Path(scratch.name) / "dagster"
    generate(home, employees=40, start=FIRST, end=LAST, seed=11)
    old = {key: os.environ.get(key) for key in ENV}
    os.environ.update({"AXMETER_HOME": str(home), "AXMETER_PSEUDONYM_KEY": "backfill-key-0123456789",
                       "DAGSTER_HOME": str(dagster_home)})
    os.environ.pop("AXMETER_ARCHIVE_RETENTION_DAYS", None)
    cli.ensure_dagster_home(home)
    with dg.DagsterInstance.get() as instance:
        ensure_pool_limit(instance)
        result = execute(defs, instance, "ingest_events", parallel=2, tags={
            ASSET_PARTITION_RANGE_START_TAG: FIRST.isoformat(), ASSET_PARTITION_RANGE_END_TAG: LAST.isoformat()})
    code, out = axmeter("run")
    yield home, dagster_home, result, code, out
    for key, value in old.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    scratch.cleanup()


def warehouse_rows(home: Path) -> dict:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return {
            "portal": conn.execute("SELECT file_date, count(*), sum(hash(request_id)) FROM raw.portal_events "
                                   "GROUP BY ALL ORDER BY 1").fetchall(),
            "onai": conn.execute("SELECT file_date, count(*) FROM raw.onai_events GROUP BY ALL ORDER BY 1").fetchall(),
            "ledger": conn.execute("SELECT source, file, sha256, status, rows_loaded FROM raw.file_ledger "
                                   "ORDER BY ALL").fetchall(),
            "ledger_lines": conn.execute("SELECT source, file, sha256, status, lines_read FROM raw.file_ledger "
                                         "ORDER BY ALL").fetchall(),
            "marts": conn.execute("SELECT month, unit_code, headcount, active_users FROM marts.unit_monthly "
                                  "ORDER BY ALL").fetchall(),
        }


def test_backfill_of_30_days_with_the_multiprocess_executor_takes_turns_at_the_warehouse(backfilled):
    home, dagster_home, result, code, out = backfilled
    assert result.success
    assert code == 0, out
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        [run] = instance.get_runs(filters=dg.RunsFilter(run_ids=[result.run_id]))
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.job_name == "ingest_events"
        for key in (["raw", "portal_events"], ["raw", "onai_events"]):
            materialized = instance.get_materialized_partitions(dg.AssetKey(key))
            assert {f"2026-03-{day:02d}" for day in range(1, 31)} <= materialized
        # One "materialization planned" event per asset for the 30-day range, not one per day
        # (settings.PLANNED_EVENTS_ENV), naming all 30 days; still one materialization per day.
        planned = instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        assert sorted(r.asset_key.to_user_string() for r in planned) == ["raw/onai_events", "raw/portal_events"]
        for record in planned:
            data = record.event_log_entry.dagster_event.event_specific_data
            assert data.partition is None and len(data.partitions_subset.get_partition_keys()) == 30
        materialized = instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
        assert len(materialized) == 60
        runs = list(reversed(instance.get_runs()))  # the backfill, then the runs of `axmeter run`
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * len(runs)

        windows, messages = [], []
        for run in runs:
            started = {}
            for entry in instance.all_logs(run.run_id):
                event = entry.dagster_event
                messages.append((event.message if event else entry.user_message) or "")
                if event is None:
                    continue
                assert event.event_type_value not in ("STEP_FAILURE", "STEP_UP_FOR_RETRY"), event.message
                if event.event_type_value == "STEP_START":
                    started[entry.step_key] = entry.timestamp
                elif event.event_type_value == "STEP_SUCCESS":
                    windows.append((started.pop(entry.step_key), entry.timestamp, entry.step_key))
    assert any("multiprocess executor" in m for m in messages)
    # The two raw event assets were ready at once: one waited for the pool's only slot.
    assert any(f"blocked by limit for pool {WAREHOUSE_POOL}" in m for m in messages)
    assert not any("lock" in m.lower() and "duckdb" in m.lower() for m in messages)
    windows.sort()
    overlaps = [(a[2], b[2]) for a, b in zip(windows, windows[1:]) if b[0] < a[1]]
    assert overlaps == [], "two warehouse writers ran at once"

    days_landed = {PORTAL.date_of(p.name) for p in (home / "landing" / "portal").iterdir()} - {None}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        days_read = {d for (d,) in conn.execute(
            "SELECT DISTINCT file_date FROM raw.file_ledger WHERE source = 'portal'").fetchall()}
        days_loaded = {d for (d,) in conn.execute("SELECT DISTINCT file_date FROM raw.portal_events").fetchall()}
    assert days_read == {d for d in days_landed if FIRST <= d <= LAST} and len(days_loaded) >= 28
    assert (home / "published" / "manifest.json").exists()


def test_archived_files_are_read_again_when_their_day_reloads(backfilled):
    home, _, _, code, _ = backfilled
    assert code == 0
    before = warehouse_rows(home)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (home / "landing" / "portal").iterdir()}

    code, out = axmeter("archive")
    assert code == 0, out
    archived = {p.name: p.stat().st_mtime_ns for p in (home / "archive" / "portal").iterdir()}
    assert archived and all(mtimes[name] == mtime for name, mtime in archived.items())  # delivery time kept
    loaded = {(source, file) for source, file, _, status, _ in before["ledger"] if status == "loaded"}
    for source in ("portal", "onai", "hr"):
        left = {p.name for p in (home / "landing" / source).iterdir() if not p.name.endswith(".sha256")}
        assert not {(source, name) for name in left} & loaded  # loaded files left landing/
        assert all((home / "archive" / source / file).exists() for s, file in loaded if s == source)

    code, out = axmeter("backfill", "--start", "2026-03-10", "--end", "2026-03-11")
    assert code == 0, out
    assert warehouse_rows(home) == before


def test_a_redelivered_file_in_landing_wins_over_its_archived_copy(backfilled):
    home, *_ = backfilled
    ledger = {file: lines_read for source, file, _, status, lines_read in warehouse_rows(home)["ledger_lines"]
              if source == "onai" and status == "loaded" and lines_read > 1}
    archived = home / "archive" / "onai" / sorted(ledger)[len(ledger) // 2]
    lines = archived.read_bytes().splitlines(keepends=True)
    while not lines[-1].strip():
        lines.pop()
    corrected = b"".join(lines[:-1])  # the same file sent again without its last row
    (home / "landing" / "onai" / archived.name).write_bytes(corrected)
    with dg.DagsterInstance.get() as instance:  # the day's partition, as the landing sensor asks for it
        assert execute(defs, instance, "ingest_events", {"dagster/partition": ONAI.date_of(archived.name).isoformat()}
                       ).success
    now = {file: n for source, file, _, _, n in warehouse_rows(home)["ledger_lines"] if source == "onai"}
    assert now[archived.name] == ledger[archived.name] - 1
    code, _ = axmeter("archive")
    assert code == 0 and not (home / "landing" / "onai" / archived.name).exists()
    assert archived.read_bytes() == corrected  # the archive holds the new version


def test_maintenance_compacts_the_warehouse_without_losing_a_row(backfilled):
    home, *_ = backfilled
    before = warehouse_rows(home)
    code, out = axmeter("maintenance", "--compact")
    assert code == 0, out
    assert "MiB ->" in out
    assert warehouse_rows(home) == before


def test_a_late_file_for_a_day_past_the_retention_keeps_the_rows_of_its_deleted_files(backfilled, monkeypatch):
    """The retention deletes the archived files of old days; a late part for such a day then
    reloads it. The deleted files' rows and ledger entries stay (they are not withdrawn), the
    late rows are added, and every file of the day still adds up."""
    home, *_ = backfilled
    day, late_name = date(2026, 3, 12), "spendlogs_20260312_2.jsonl"
    archived = home / "archive" / "portal" / "spendlogs_20260312.jsonl"
    sample = json.loads(next(line for line in archived.read_bytes().splitlines() if line.strip()))
    before = warehouse_rows(home)
    retention = (today_kst() - date(2026, 3, 20)).days  # days before Mar 20 are past it
    monkeypatch.setenv("AXMETER_ARCHIVE_RETENTION_DAYS", str(retention))
    report = ArchiveReport()
    purge_archive(AxmeterHome(home=str(home)), retention, today_kst(), report)
    assert not archived.exists() and not (home / "archive" / "onai" / "onai_activity_20260312.csv").exists()
    assert report.purged >= 2 * 19  # portal and OnAI files of Mar 1 .. 19

    late = [dict(sample, request_id=f"late-request-{n}") for n in range(2)]
    (home / "landing" / "portal" / late_name).write_text("".join(json.dumps(r) + "\n" for r in late))
    with dg.DagsterInstance.get() as instance:  # the day's partition, as the landing sensor asks for it
        result = execute(defs, instance, "ingest_events", {"dagster/partition": day.isoformat()})
    assert result.success
    kept = {event.asset_key.to_user_string():
            event.step_materialization_data.materialization.metadata["files_kept_past_retention"].value
            for event in result.get_asset_materialization_events()}
    assert kept == {"raw/portal_events": 1, "raw/onai_events": 1}

    after = warehouse_rows(home)
    [(_, rows_before, _)] = [row for row in before["portal"] if row[0] == day]
    [(_, rows_after, _)] = [row for row in after["portal"] if row[0] == day]
    assert rows_after == rows_before + 2
    assert [row for row in after["onai"] if row[0] == day] == [row for row in before["onai"] if row[0] == day]
    unchanged = [row for row in before["ledger_lines"] if row[1] != late_name]
    assert [row for row in after["ledger_lines"] if row[1] != late_name] == unchanged  # nothing withdrawn
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        per_file = conn.execute(
            """SELECT l.file, l.status, l.rows_loaded, (SELECT count(*) FROM raw.portal_events p WHERE p.file = l.file)
               FROM raw.file_ledger l WHERE l.source = 'portal' AND l.file_date = ? ORDER BY l.file""", [day]).fetchall()
    assert [(f, status) for f, status, _, _ in per_file] == [(archived.name, "loaded"), (late_name, "loaded")]
    assert all(loaded == in_raw for _, _, loaded, in_raw in per_file) and per_file[1][2] == 2


def test_retention_deletes_old_archived_event_files_only(tmp_path):
    home = AxmeterHome(home=str(tmp_path))
    for folder, name in (("portal", "spendlogs_20260101.jsonl"), ("portal", "spendlogs_20260301.jsonl"),
                         ("onai", "onai_activity_20260102.csv"), ("hr", "roster_20260101.csv")):
        (home.archive(folder)).mkdir(parents=True, exist_ok=True)
        (home.archive(folder) / name).write_text("x")
    (home.archive("portal") / "spendlogs_20260101.jsonl.sha256").write_text("x")
    report = ArchiveReport()
    purge_archive(home, retention_days=30, today=date(2026, 3, 15), report=report)
    left = sorted(p.relative_to(tmp_path / "archive").as_posix() for p in (tmp_path / "archive").rglob("*.*"))
    assert left == ["hr/roster_20260101.csv", "portal/spendlogs_20260301.jsonl"]
    assert report.purged == 2
    purge_archive(home, retention_days=None, today=date(2030, 1, 1), report=report)  # unset: keep for ever
    assert report.purged == 2
