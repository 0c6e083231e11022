"""The `axmeter` command (outputs.md): sample, run, serve, demo, quarantine; for operations:
backfill, archive, maintenance, doctor."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

DEFAULT_HOME = "./data"
KEY_ENV = "AXMETER_PSEUDONYM_KEY"
DAGSTER_YAML = """\
# Written by axmeter for the local instance: runs, event logs and schedules in SQLite files in
# this folder (production: deploy/dagster.yaml, on PostgreSQL). Every asset that writes the
# DuckDB warehouse is in the pool `warehouse_writer` and DuckDB allows one writing process at a
# time: pools get a limit of 1 here, and axmeter also sets that pool's own limit to 1 in the
# instance (as `dagster instance concurrency set warehouse_writer 1` does).
concurrency:
  pools:
    default_limit: 1
    granularity: op
# Dagster's SQLite storage in this folder; its event log writes a step's materializations of
# many days in one go (pipelines/defs/ops/storage.py).
storage:
  custom:
    module: pipelines.defs.ops.storage
    class: AxmeterSqliteStorage
    config:
      base_dir: {base_dir}
telemetry:
  enabled: false
"""


class UsageError(Exception):
    """A problem the user can fix; printed without a traceback."""


def home_path() -> Path:
    home = Path(os.environ.setdefault("AXMETER_HOME", DEFAULT_HOME)).expanduser().resolve()
    os.environ["AXMETER_HOME"] = str(home)
    return home


def local_dagster_yaml(dagster_home: Path) -> str:
    return DAGSTER_YAML.replace("{base_dir}", json.dumps(str(dagster_home)))  # a JSON string is YAML


def ensure_dagster_home(home: Path) -> Path:
    """Use $DAGSTER_HOME if set, else an instance under the axmeter home (SQLite storage)."""
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or home / "dagster").resolve()
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(local_dagster_yaml(dagster_home), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    from pipelines.settings import configure_dagster_events

    configure_dagster_events()
    return dagster_home


def require_key() -> None:
    if not os.environ.get(KEY_ENV):
        raise UsageError(
            f"{KEY_ENV} is not set. axmeter replaces employee numbers with keyed pseudonyms and "
            "needs the secret key (at least 16 random characters, the same key on every run).\n"
            f"  Production: set {KEY_ENV} from your secret store.\n"
            "  Local demo: `axmeter demo` creates one in $AXMETER_HOME/.pseudonym_key; then\n"
            f"  export {KEY_ENV}=$(cat \"$AXMETER_HOME/.pseudonym_key\")"
        )


def ensure_demo_key(home: Path) -> None:
    """For the demo only: reuse or create a local key file (mode 0600) when none is set."""
    if os.environ.get(KEY_ENV):
        return
    key_file = home / ".pseudonym_key"
    if key_file.exists():
        print(f"Using the local demo pseudonym key in {key_file}")
    else:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        print(f"{KEY_ENV} is not set: created a local demo key in {key_file} (mode 0600). "
              "Never use it for real data.")
    os.environ[KEY_ENV] = key_file.read_text(encoding="utf-8").strip()


def cmd_sample(args: argparse.Namespace) -> None:
    from pipelines.sample import generate

    home = home_path()
    summary = generate(
        home, employees=args.employees, start=args.start, end=args.end, seed=args.seed,
        progress=lambda line: print(f"  {line}", flush=True), overwrite=args.overwrite,
    )
    print(f"Wrote a synthetic ministry into {home / 'landing'}: {summary}")


def cmd_run(_: argparse.Namespace) -> None:
    require_key()
    home = home_path()
    ensure_dagster_home(home)
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.ops.instance import ensure_pool_limit
    from pipelines.resources import AxmeterHome
    from pipelines.run import run_pipeline

    with dg.DagsterInstance.get() as instance:
        ensure_pool_limit(instance)
        try:
            summary = run_pipeline(defs, instance, AxmeterHome(home=str(home)), say=lambda s: print(s, flush=True))
        except RuntimeError as exc:
            raise UsageError(str(exc)) from exc
    print(f"Pipeline done in {summary.seconds:.1f} s; published to {home / 'published'}")


def dashboard_command(port: int, address: str) -> list[str]:
    import dashboards

    app = Path(dashboards.__file__).parent / "app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
            "--server.port", str(port), "--server.address", address,
            "--browser.gatherUsageStats", "false"]


def cmd_serve(args: argparse.Namespace) -> None:
    home = home_path()
    if not (home / "published" / "unit_monthly.parquet").exists():
        print(f"Note: nothing published yet under {home / 'published'}; run `axmeter run` first.")
    print(f"Dashboard on http://{args.address}:{args.port} (Ctrl-C to stop)", flush=True)
    try:
        subprocess.run(dashboard_command(args.port, args.address), check=False)
    except KeyboardInterrupt:
        pass


def cmd_demo(args: argparse.Namespace) -> None:
    home = home_path()
    landing = home / "landing"
    if landing.exists() and any(p.is_file() for p in landing.rglob("*")):
        print(f"{landing} already holds files: using them (delete it to generate a new sample).")
    else:
        cmd_sample(argparse.Namespace(employees=args.employees, start=date(2026, 1, 1), end=date(2026, 10, 31),
                                      seed=42, overwrite=False))
    ensure_demo_key(home)
    cmd_run(args)
    if not args.no_serve:
        cmd_serve(args)


def cmd_quarantine(_: argparse.Namespace) -> None:
    import duckdb

    warehouse = home_path() / "warehouse.duckdb"
    if not warehouse.exists():
        raise UsageError(f"No warehouse at {warehouse}: run `axmeter run` first.")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "SELECT source, reason, count(*) AS n, count(DISTINCT file) AS files "
            "FROM raw.quarantine GROUP BY ALL ORDER BY source, n DESC"
        ).fetchall()
    if not rows:
        print("Nothing quarantined.")
    for source, reason, n, files in rows:
        print(f"{source:10} {n:7,} row(s) in {files:4,} file(s)  {reason}")


def cmd_export(args: argparse.Namespace) -> None:
    """The quarter's advisory pack, built from published/ only: no warehouse, no lock, no key."""
    from pipelines.defs.exports.pack import PackError, build_pack
    from pipelines.defs.exports.quarter import Quarter

    try:
        quarter = Quarter.parse(args.quarter)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    home = home_path()
    try:
        result = build_pack(home / "published", home / "exports", quarter)
    except PackError as exc:
        raise UsageError(str(exc)) from exc
    coverage = "whole quarter" if result.complete else "part of the quarter: published data ends before it does"
    print(f"Pack {quarter.key} ({coverage}) from release {result.release}: {len(result.files)} files, "
          f"{result.bytes / 2**20:.1f} MiB in {result.seconds:.1f} s -> {result.directory}")
    for entry in result.files:
        if "/" not in entry["path"]:
            print(f"  {entry['path']:40} {entry['bytes']:>10,} bytes")


def cmd_backfill(args: argparse.Namespace) -> None:
    require_key()
    from pipelines.settings import archive_retention_days, oldest_reloadable_day, today_kst

    oldest = oldest_reloadable_day(archive_retention_days(), today_kst())
    if oldest is not None and args.start < oldest:
        print(f"Days before {oldest} are past AXMETER_ARCHIVE_RETENTION_DAYS: the files the retention deleted "
              "keep their rows as loaded; only files still in landing/ or archive/ are read again.")
    home = home_path()
    ensure_dagster_home(home)
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.ops.instance import ensure_pool_limit
    from pipelines.resources import AxmeterHome
    from pipelines.run import run_backfill

    with dg.DagsterInstance.get() as instance:
        ensure_pool_limit(instance)
        try:
            summary = run_backfill(defs, instance, AxmeterHome(home=str(home)), args.start, args.end,
                                   say=lambda s: print(s, flush=True), parallel=args.parallel)
        except RuntimeError as exc:
            raise UsageError(str(exc)) from exc
    print(f"Backfill {args.start} .. {args.end} done in {summary.seconds:.1f} s; published to {home / 'published'}")


def _ops_job(job_name: str, title: str, run_config: dict | None = None) -> dict:
    """Run an operations job in process; returns its asset's materialization metadata."""
    home = home_path()
    ensure_dagster_home(home)
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.ops.instance import ensure_pool_limit
    from pipelines.run import RunSummary, run_step

    with dg.DagsterInstance.get() as instance:
        ensure_pool_limit(instance)
        try:
            result = run_step(defs, instance, RunSummary(), title, job_name, say=lambda s: print(s, flush=True),
                              run_config=run_config)
        except RuntimeError as exc:
            raise UsageError(str(exc)) from exc
    events = result.get_asset_materialization_events()
    return {k: v.value for k, v in events[0].materialization.metadata.items()} if events else {}


def cmd_archive(_: argparse.Namespace) -> None:
    from pipelines.defs.ops.jobs import ARCHIVE_LANDING

    print("Archiving loaded files ...", flush=True)
    meta = _ops_job(ARCHIVE_LANDING, "archive")
    print(f"{meta.get('files_archived', 0)} file(s) moved to {home_path() / 'archive'}, "
          f"{meta.get('files_waiting_in_landing', 0)} not loaded in their current version stay in landing/, "
          f"{meta.get('files_purged', 0)} deleted after the retention ({meta.get('retention_days')})")


def cmd_maintenance(args: argparse.Namespace) -> None:
    from pipelines.defs.ops.jobs import WAREHOUSE_MAINTENANCE

    print("Warehouse maintenance (CHECKPOINT, VACUUM ANALYZE" + (", compaction" if args.compact else "") + ") ...",
          flush=True)
    config = {"ops": {"ops__warehouse_maintenance": {"config": {"compact": args.compact}}}}
    meta = _ops_job(WAREHOUSE_MAINTENANCE, "maintenance", config)
    before, after = meta.get("bytes_before", 0) / 2**20, meta.get("bytes_after", 0) / 2**20
    print(f"warehouse.duckdb: {before:.1f} MiB -> {after:.1f} MiB")


def cmd_doctor(_: argparse.Namespace) -> int:
    from pipelines.defs.ops.doctor import render, run_checks
    from pipelines.settings import today_kst

    home = home_path()
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or home / "dagster").resolve()
    today = today_kst()
    findings = run_checks(home, dagster_home, today)
    print(f"axmeter doctor: {home} (instance {dagster_home}, today {today} KST)")
    print(render(findings))
    problems = sum(f.level == "fail" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    print(f"{problems} problem(s) to fix, {warnings} warning(s)" if problems or warnings else "All good.")
    return 1 if problems else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="axmeter", description="AI adoption analytics for a ministry.")
    sub = top.add_subparsers(dest="command", required=True)

    sample = sub.add_parser("sample", help="write a synthetic ministry into $AXMETER_HOME/landing")
    sample.add_argument("--employees", type=int, default=1500)
    sample.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 1))
    sample.add_argument("--end", type=date.fromisoformat, default=date(2026, 10, 31))
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--overwrite", action="store_true", help="replace the landing folders' files")
    sample.set_defaults(func=cmd_sample)

    sub.add_parser("run", help="ingest, compute and publish everything landed").set_defaults(func=cmd_run)

    for name, func, helptext in (("serve", cmd_serve, "start the dashboard on published/"),
                                 ("demo", cmd_demo, "sample + run + serve")):
        command = sub.add_parser(name, help=helptext)
        command.add_argument("--port", type=int, default=8501)
        command.add_argument("--address", default="127.0.0.1", help="bind address (default: localhost only)")
        if name == "demo":
            command.add_argument("--employees", type=int, default=1500)
            command.add_argument("--no-serve", action="store_true", help="stop after publishing")
        command.set_defaults(func=func)

    sub.add_parser("quarantine", help="list quarantined rows and files by reason").set_defaults(func=cmd_quarantine)
    export = sub.add_parser("export", help="build a quarter's advisory pack in $AXMETER_HOME/exports from published/")
    export.add_argument("--quarter", required=True, help="the quarter, e.g. 2026Q3")
    export.set_defaults(func=cmd_export)

    backfill = sub.add_parser("backfill", help="reload KST days start..end and recompute the months they affect")
    backfill.add_argument("--start", type=date.fromisoformat, required=True, help="first day (YYYY-MM-DD, KST)")
    backfill.add_argument("--end", type=date.fromisoformat, required=True, help="last day, included")
    backfill.add_argument("--parallel", type=int, default=None, metavar="N",
                          help="run up to N steps at once with Dagster's multiprocess executor")
    backfill.set_defaults(func=cmd_backfill)
    sub.add_parser("archive", help="move loaded files from landing/ to archive/, delete those past the retention"
                   ).set_defaults(func=cmd_archive)
    maintenance = sub.add_parser("maintenance", help="CHECKPOINT and VACUUM the warehouse")
    maintenance.add_argument("--compact", action="store_true", help="also rewrite the file without free blocks")
    maintenance.set_defaults(func=cmd_maintenance)
    sub.add_parser("doctor", help="check key, folders, disk, instance and the freshness of every source"
                   ).set_defaults(func=cmd_doctor)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except UsageError as exc:
        print(f"axmeter: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
