"""One measurement in a fresh process, so its peak RSS and timings are its own.

    python -m bench.worker <phase> --run RUN_DIR --out RESULT.json [options]

Phases: generate, full, lower-bound, incremental, dashboard, profile. The harness
(bench/harness.py) prepares RUN_DIR (landing/ as hard links to the generated sample,
held_back/ with the day the incremental run lands) and sets AXMETER_HOME, DAGSTER_HOME and a
benchmark pseudonym key in the environment. Each phase writes one JSON object to --out.
Nothing here changes pipeline code: it only calls it.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import sys
import time
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
LOWER_BOUND_SQL = BENCH_DIR / "lower_bound.sql"

# File names of the two event sources (sources.md); the pipeline's adapters use the same.
PORTAL_NAME = re.compile(r"spendlogs_(?P<date>\d{8})(_\d+)?\.jsonl(\.gz)?")
ONAI_NAME = re.compile(r"onai_activity_(?P<date>\d{8})(_\d+)?\.csv")
UTF8_BOM = b"\xef\xbb\xbf"

# metrics.md, assisted-hours coefficients (central): only for the lower bound's cross-check.
CENTRAL_MINUTES = {
    "portal:chat": 3, "portal:translate": 10, "portal:summarize": 6, "portal:draft": 15,
    "portal:code": 10, "portal:search": 3, "portal:image": 5, "onai:보고서초안": 20,
    "onai:회의록요약": 15, "onai:문서검색": 3, "onai:번역": 10, "onai:보도자료초안": 20,
    "onai:민원답변초안": 15, "onai:데이터분석": 12,
}
CROSSCHECK_COLUMNS = ("headcount", "active_users", "requests", "prompt_tokens", "completion_tokens")

# The jobs of a run, in order, and the stage of issue 9 each one is.
STAGE_OF_JOB = {"ingest_events": "ingest", "refresh_snapshots_and_staging": "staging",
                "build_marts": "marts", "build_whole_history_marts": "history_marts", "publish": "publish"}


def say(line: str) -> None:
    print(line, flush=True)


def code_root() -> Path:
    """Where the pipeline under test lives: the harness runs workers in a snapshot of the
    commit being measured (or in the working tree with --code worktree)."""
    import pipelines

    return Path(pipelines.__file__).resolve().parent.parent


def usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of this process so far, DuckDB's threads included."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def cpu_now() -> float:
    return usage()[0]


# ------------------------------------------------------------------------------ generate


def phase_generate(args) -> dict:
    from pipelines.sample import generate

    started = time.perf_counter()
    summary = generate(Path(args.home), employees=args.employees, start=date.fromisoformat(args.start),
                       end=date.fromisoformat(args.end), seed=args.seed, overwrite=True,
                       progress=lambda line: say(f"sample: {line}"))
    return {"seconds": time.perf_counter() - started, "rows": summary.events,
            "files_written": summary.files_written}


# ------------------------------------------------------------------------------ Dagster helpers


def dagster_runs(instance, since: float | None = None) -> list[dict]:
    """Every run of the instance (oldest first) with its wall time and per-step durations,
    from the event log. `since`: only runs created after this epoch time."""
    out = []
    for run in reversed(instance.get_runs()):
        entries = [e for e in instance.all_logs(run.run_id) if e.dagster_event is not None]
        if not entries or (since is not None and entries[0].timestamp < since):
            continue
        started: dict[str, float] = {}
        steps: dict[str, float] = {}
        run_start = run_end = None
        materializations = 0
        for entry in entries:
            kind = entry.dagster_event.event_type_value
            if kind in ("PIPELINE_START", "RUN_START"):
                run_start = entry.timestamp
            elif kind in ("PIPELINE_SUCCESS", "RUN_SUCCESS", "PIPELINE_FAILURE", "RUN_FAILURE"):
                run_end = entry.timestamp
            elif kind == "STEP_START":
                started[entry.step_key] = entry.timestamp
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in started:
                steps[entry.step_key] = entry.timestamp - started[entry.step_key]
            elif kind == "ASSET_MATERIALIZATION":
                materializations += 1
        out.append({
            "job": run.job_name,
            "run_seconds": (run_end - run_start) if run_start and run_end else None,
            "steps": steps,
            "events": len(entries),
            "materializations": materializations,
        })
    return out


def warehouse_counts(home: Path) -> dict:
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        # The kept (de-duplicated) events per platform from the reconciliation the run built, not
        # a count over the staging.events view: that de-duplicates every event once more, in this
        # process and under DuckDB's default memory limit, and at 10 M events it set the full run's
        # peak RSS after the run had ended (2,158 MB against ~1.6 GB during the run).
        by_platform = dict(conn.execute(
            "SELECT source, sum(rows_loaded)::BIGINT FROM staging.file_reconciliation "
            "WHERE source IN ('portal', 'onai') GROUP BY source").fetchall())
        raw = {table: conn.execute(f"SELECT count(*) FROM raw.{table}").fetchall()[0][0]
               for table in ("portal_events", "onai_events")}
        mart_rows = conn.execute("SELECT count(*) FROM marts.unit_monthly").fetchall()[0][0]
        files = dict(conn.execute(
            "SELECT source, count(*) FROM raw.file_ledger WHERE source IN ('portal', 'onai') GROUP BY ALL"
        ).fetchall())
    return {"events": sum(by_platform.values()), "events_by_platform": by_platform, "raw_rows": raw,
            "mart_rows": mart_rows, "files": files}


def _import_pipeline():
    import dagster as dg

    from pipelines.cli import ensure_dagster_home
    from pipelines.definitions import defs
    from pipelines.resources import AxmeterHome
    from pipelines.run import QUIET_CONSOLE, run_pipeline
    ensure_dagster_home(Path(os.environ["AXMETER_HOME"]))  # the instance `axmeter run` creates (dagster.yaml)
    return dg, defs, AxmeterHome, run_pipeline, QUIET_CONSOLE


# ------------------------------------------------------------------------------ full run


def phase_full(args) -> dict:
    run = Path(args.run)
    began = time.perf_counter()
    dg, defs, AxmeterHome, run_pipeline, _ = _import_pipeline()
    import_seconds = time.perf_counter() - began
    with dg.DagsterInstance.get() as instance:
        created = time.time()
        cpu0 = cpu_now()
        started = time.perf_counter()
        summary = run_pipeline(defs, instance, AxmeterHome(home=str(run)), say=say)
        wall = time.perf_counter() - started
        cpu = cpu_now() - cpu0
        peak_at_run_end = usage()[1]
        runs = dagster_runs(instance, since=created - 1)
        checks = sum(len(instance.all_logs(r.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION))
                     for r in instance.get_runs())  # a fresh instance per measured run
    # "The whole pipeline (ingest, validate, marts, publish)": a run that validated nothing
    # (e.g. a snapshot without data_contracts/) would flatter the pipeline.
    if checks == 0:
        raise RuntimeError("the full run evaluated no asset check: is data_contracts/ in the code under test?")
    steps = [{"name": name, "seconds": seconds} for name, seconds in summary.steps]
    if len(runs) == len(steps):  # run_pipeline launches one Dagster run per step, in order
        for step, dagster_run in zip(steps, runs):
            step.update(dagster_run)
            step["stage"] = STAGE_OF_JOB.get(dagster_run["job"], dagster_run["job"])
    # The run's wall time, as `axmeter run`'s user waits for it: its jobs and the planning between
    # them (which files changed, which months to build). jobs_seconds: the jobs alone.
    return {"seconds": wall, "jobs_seconds": summary.seconds, "cpu_seconds": cpu,
            "import_seconds": import_seconds, "steps": steps, "stages": stage_times(steps),
            "check_evaluations": checks,
            **warehouse_counts(run), "peak_rss_at_run_end_mb": peak_at_run_end}


def stage_times(steps: list[dict]) -> dict[str, float]:
    """Seconds per stage of issue 9. The snapshots-and-staging job is split in two: its raw__
    steps (HR, training, pioneers, survey, closures) are `reference`, the rest `staging`."""
    stages: dict[str, float] = {}
    for step in steps:
        stage = step.get("stage", step["name"])
        seconds = step["seconds"]
        if stage == "staging":
            reference = sum(s for key, s in step.get("steps", {}).items() if key.startswith("raw__"))
            stages["reference"] = stages.get("reference", 0.0) + reference
            seconds -= reference
        stages[stage] = stages.get(stage, 0.0) + seconds
    return stages


# ------------------------------------------------------------------------------ lower bound


def screen_landing(landing: Path, scratch: Path, earliest: date, today: date) -> dict:
    """The files the lower bound reads: what the pipeline would reject whole (sidecar mismatch,
    corrupt gzip, undecodable bytes, name or date out of range) is left out, and CP949 OnAI
    files are decoded to UTF-8 copies (DuckDB reads CP949 only with an extension this machine
    does not have). Done before the clock starts; its time is reported on its own."""
    out = {"portal_files": [], "onai_files": [], "rejected": {}, "transcoded": 0}
    scratch.mkdir(parents=True, exist_ok=True)
    for folder, pattern, encodings in (("portal", PORTAL_NAME, ("utf-8",)), ("onai", ONAI_NAME, ("utf-8", "cp949"))):
        for path in sorted((landing / folder).rglob("*")):
            if not path.is_file() or path.name.endswith(".sha256") or path.name.startswith("."):
                continue
            reason = None
            match = pattern.fullmatch(path.name)
            try:
                day = datetime.strptime(match.group("date"), "%Y%m%d").date() if match else None
            except ValueError:
                day = None
            data = path.read_bytes()
            sidecar = path.with_name(path.name + ".sha256")
            if day is None:
                reason = "unexpected name"
            elif not earliest <= day <= today + timedelta(days=1):
                reason = "file date out of range"
            elif sidecar.exists() and sidecar.read_text(errors="replace").split()[:1] != [hashlib.sha256(data).hexdigest()]:
                reason = "sidecar mismatch"
            else:
                if path.name.endswith(".gz"):
                    try:
                        data = gzip.decompress(data)
                    except (OSError, EOFError, zlib.error):
                        reason = "corrupt gzip"
                if reason is None:
                    data = data[len(UTF8_BOM):] if data.startswith(UTF8_BOM) else data
                    for encoding in encodings:
                        try:
                            text = data.decode(encoding)
                        except UnicodeDecodeError:
                            continue
                        if encoding != "utf-8":
                            copy = scratch / folder / path.name
                            copy.parent.mkdir(parents=True, exist_ok=True)
                            copy.write_text(text, encoding="utf-8")
                            shutil.copystat(path, copy)  # same mtime: the delivery time
                            path = copy
                            out["transcoded"] += 1
                        break
                    else:
                        reason = "undecodable"
            if reason:
                out["rejected"][reason] = out["rejected"].get(reason, 0) + 1
            else:
                out[f"{folder}_files"].append(str(path))
    return out


def lower_bound_sections() -> list[tuple[str, str]]:
    """(stage, SQL) for each numbered section of lower_bound.sql; the preamble goes with the first."""
    text = LOWER_BOUND_SQL.read_text(encoding="utf-8")
    parts = re.split(r"\n(?=-- \d+\. )", text)
    sections = []
    for part in parts[1:]:
        stage = re.match(r"-- \d+\. (\w+)", part).group(1)
        sections.append((stage, part))
    sections[0] = (sections[0][0], parts[0] + "\n" + sections[0][1])
    return sections


def lower_bound_connection(files: dict, earliest: date, latest: datetime):
    import duckdb

    conn = duckdb.connect(":memory:")
    for name in ("portal_files", "onai_files", "roster_files", "org_files"):
        conn.execute(f"SET VARIABLE {name} = $1::VARCHAR[]", [files[name]])
    conn.execute("SET VARIABLE earliest = $1::DATE", [earliest])
    conn.execute("SET VARIABLE latest = $1::TIMESTAMPTZ", [latest])
    return conn


def phase_lower_bound(args) -> dict:
    run = Path(args.run)
    from pipelines.settings import data_start  # no Dagster import: this process is DuckDB only

    earliest = data_start()
    now = datetime.now(timezone.utc)
    began = time.perf_counter()
    cpu0 = cpu_now()
    files = screen_landing(run / "landing", run / "lower_bound_utf8", earliest, now.date())
    files["roster_files"] = [str(p) for p in sorted((run / "landing" / "hr").glob("roster_*.csv"))]
    files["org_files"] = [str(p) for p in sorted((run / "landing" / "hr").glob("org_units_*.csv"))]
    screen = {"seconds": time.perf_counter() - began, "cpu_seconds": cpu_now() - cpu0,
              "rejected": files["rejected"], "transcoded": files["transcoded"],
              "files": {"portal": len(files["portal_files"]), "onai": len(files["onai_files"])}}
    say(f"lower bound: screened {screen['files']} files in {screen['seconds']:.1f} s "
        f"(left out {files['rejected']}, {files['transcoded']} CP949 file(s) decoded)")

    sections = lower_bound_sections()
    runs = []
    conn = None
    for rep in range(args.reps):
        if conn is not None:
            conn.close()
        conn = lower_bound_connection(files, earliest, now + timedelta(days=1))
        cpu0 = cpu_now()
        started = time.perf_counter()
        stages = {}
        for stage, sql in sections:
            t0 = time.perf_counter()
            conn.execute(sql)
            stages[stage] = time.perf_counter() - t0
        seconds = time.perf_counter() - started
        runs.append({"seconds": seconds, "cpu_seconds": cpu_now() - cpu0, "stages": stages})
        say(f"lower bound: run {rep + 1}/{args.reps}: {seconds:.2f} s "
            + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    check = crosscheck(conn, run)
    rows = conn.execute("SELECT count(*) FROM lb_events").fetchall()[0][0]
    conn.close()
    say(f"lower bound: {check['rows']} rows, {check['mismatched_rows']} differ from marts.unit_monthly")
    best = min(runs, key=lambda r: r["seconds"])  # least disturbed by the rest of the machine
    return {"seconds": best["seconds"], "median_seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": min(r["cpu_seconds"] for r in runs), "stages": best["stages"], "runs": runs,
            "screen": screen, "events": rows, "crosscheck": check}


def crosscheck(conn, run: Path) -> dict:
    """The lower bound's figures against the pipeline's marts.unit_monthly (same files): every
    column both have, assisted hours included once the mart has them (to 1e-6 h). While it has
    not, the bound's assisted hours are checked against staging.events and metrics.md's
    coefficients, per month over the ministry and _UNATTRIBUTED rows."""
    conn.execute(f"ATTACH '{run / 'warehouse.duckdb'}' AS wh (READ_ONLY)")
    try:
        mart_columns = {name for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'wh' AND schema_name = 'marts' "
            "AND table_name = 'unit_monthly'").fetchall()}
        exact = [c for c in CROSSCHECK_COLUMNS if c in mart_columns]
        hours = [c for c in ("assisted_hours_low", "assisted_hours_central", "assisted_hours_high") if c in mart_columns]
        differs = " OR ".join([f"l.{c} IS DISTINCT FROM m.{c}" for c in exact]
                              + [f"abs(coalesce(l.{c}, 0) - coalesce(m.{c}, 0)) > 1e-6" for c in hours] or ["false"])
        rows, only_one_side, mismatched = conn.execute(f"""
            SELECT count(*), count(*) FILTER (WHERE l.unit_code IS NULL OR m.unit_code IS NULL),
                   count(*) FILTER (WHERE {differs})
            FROM lower_bound l FULL JOIN wh.marts.unit_monthly m USING (month, unit_code)""").fetchall()[0]
        total_hours = conn.execute("""
            SELECT sum(l.assisted_hours_central) FROM lower_bound l JOIN wh.marts.unit_monthly m USING (month, unit_code)
            WHERE m.unit_level IN ('ministry', 'none')""").fetchall()[0][0]
        hours_months = hours_mismatched = None
        event_columns = {name for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'wh' AND schema_name = 'staging' "
            "AND table_name = 'events'").fetchall()}
        if not hours and {"month", "feature", "qualifying"} <= event_columns:
            conn.register("coefficients", _coefficients_table())
            hours_months, hours_mismatched = conn.execute("""
                WITH pipeline AS (
                    SELECT e.month, sum(coalesce(c.central, 0)) / 60 AS hours
                    FROM wh.staging.events e LEFT JOIN coefficients c USING (feature)
                    WHERE e.qualifying GROUP BY ALL
                ),
                bound AS (
                    SELECT l.month, sum(l.assisted_hours_central) AS hours
                    FROM lower_bound l JOIN wh.marts.unit_monthly m USING (month, unit_code)
                    WHERE m.unit_level IN ('ministry', 'none') GROUP BY ALL
                )
                SELECT count(*), count(*) FILTER (WHERE abs(p.hours - b.hours) > 1e-6)
                FROM pipeline p FULL JOIN bound b USING (month)""").fetchall()[0]
    finally:
        conn.execute("DETACH wh")
    return {"rows": rows, "only_one_side": only_one_side, "mismatched_rows": mismatched,
            "columns": exact + hours, "hours_months": hours_months, "hours_mismatched_months": hours_mismatched,
            "assisted_hours_central_total": total_hours}


def _coefficients_table():
    import pyarrow as pa

    return pa.table({"feature": list(CENTRAL_MINUTES), "central": list(CENTRAL_MINUTES.values())})


# ------------------------------------------------------------------------------ incremental


def phase_incremental(args) -> dict:
    """One more day lands after the full run; then only what it needs runs. When run_pipeline
    plans that itself (it takes `full`: it reloads changed days and rebuilds the months they
    touch), the incremental run is run_pipeline again, as `axmeter run` does; otherwise the
    jobs the day needs, explicitly: ingest_events for its partition, snapshots and staging,
    build_marts for its month, publish."""
    import inspect

    run = Path(args.run)
    held = run / "held_back"
    landed = 0
    for path in sorted(held.rglob("*")):  # the day's files arrive (not timed)
        if path.is_file():
            target = run / "landing" / path.relative_to(held)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            landed += 1
    say(f"incremental: landed {landed} file(s) of {args.day}")
    before = warehouse_counts(run)["events"]
    dg, defs, AxmeterHome, run_pipeline, quiet = _import_pipeline()
    day = date.fromisoformat(args.day)
    planned = "full" in inspect.signature(run_pipeline).parameters
    with dg.DagsterInstance.get() as instance:
        created = time.time()
        cpu0 = cpu_now()
        started = time.perf_counter()
        if planned:
            summary = run_pipeline(defs, instance, AxmeterHome(home=str(run)), say=say)
            steps = [{"name": name, "seconds": seconds} for name, seconds in summary.steps]
        else:
            steps = []
            plan = [("ingest_events", {"partition_key": day.isoformat()}),
                    ("refresh_snapshots_and_staging", {}),
                    ("build_marts", {"partition_key": day.replace(day=1).isoformat()}),
                    ("publish", {})]
            for job, kwargs in plan:
                say(f"incremental: {job} {kwargs.get('partition_key', '')}".rstrip())
                started = time.perf_counter()
                result = defs.resolve_job_def(job).execute_in_process(
                    instance=instance, run_config=quiet, raise_on_error=False, **kwargs)
                seconds = time.perf_counter() - started
                failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
                if not result.success or failed_checks:
                    raise RuntimeError(f"incremental {job} failed (run {result.run_id})")
                steps.append({"name": f"{job} {kwargs.get('partition_key', '')}".rstrip(), "seconds": seconds})
                say(f"      done in {seconds:.1f} s")
        wall = time.perf_counter() - started  # the jobs and run_pipeline's planning between them
        cpu = cpu_now() - cpu0
        runs = dagster_runs(instance, since=created - 1)
    if len(runs) == len(steps):
        for step, dagster_run in zip(steps, runs):
            step.update(dagster_run)
            step["stage"] = STAGE_OF_JOB.get(dagster_run["job"], dagster_run["job"])
    after = warehouse_counts(run)["events"]
    return {"day": args.day, "files_landed": landed, "seconds": wall,
            "jobs_seconds": sum(s["seconds"] for s in steps),
            "mode": "run_pipeline (plans the changed days and months itself)" if planned else "explicit jobs",
            "cpu_seconds": cpu, "steps": steps, "events_before": before, "events_after": after,
            "events_added": after - before}


# ------------------------------------------------------------------------------ dashboard


PAGE_MART = re.compile(r"""(?:components\.load|data\.load_mart)\(\s*["'](\w+)["']""")


def dashboard_pages(pages_dir: Path) -> dict[str, dict]:
    """What each page of the dashboard loads from published/, read from its source: the marts it
    passes to components.load / data.load_mart, and the other data.load_* calls it makes."""
    pages = {}
    for page in sorted(pages_dir.glob("*.py")) if pages_dir.is_dir() else []:
        source = page.read_text(encoding="utf-8")
        pages[page.stem] = {"marts": sorted(set(PAGE_MART.findall(source))),
                            "unit_monthly": "load_unit_monthly(" in source,
                            "dictionary": "load_metric_dictionary(" in source,
                            "detail": "load_data_team_detail(" in source}
    return pages or {"adoption": {"marts": [], "unit_monthly": True, "dictionary": False, "detail": False}}


def phase_dashboard(args) -> dict:
    """Each page's data, through dashboards/data.py on the published marts, as a rerun of that
    page computes it: the sidebar's (privacy k, unit_monthly, publish info), the marts the page
    loads and, for pages over unit_monthly, the unit transforms (catalog, unit rows, series,
    table, heatmap). Cold = st.cache_data cleared before each page; warm = kept."""
    import streamlit as st
    import streamlit.logger

    from dashboards import data

    # Outside `streamlit run` every cached call warns "No runtime found": not news here.
    streamlit.logger.set_log_level("error")
    pages = dashboard_pages(Path(data.__file__).parent / "app_pages")
    missing: set[str] = set()

    def page_load(page: dict, timings: dict[str, list[float]]) -> float:
        def timed(name, *fn_args, fn=None):
            fn = fn or getattr(data, name.split(":")[0], None)
            if fn is None:  # the dashboard moved on: time what is still there, say what is not
                missing.add(name)
                return None
            t0 = time.perf_counter()
            try:
                value = fn(*fn_args)
            except data.PublishedDataError:
                missing.add(name)
                value = None
            timings.setdefault(name, []).append(time.perf_counter() - t0)
            return value

        started = time.perf_counter()
        k = timed("privacy_k")
        df = timed("load_unit_monthly", *([k] if k is not None else []))
        timed("load_publish_info", df)
        for mart in page["marts"]:
            timed(f"load_mart:{mart}", mart, *([k] if k is not None else []))
        if page["dictionary"]:
            timed("load_metric_dictionary")
        if page["detail"]:
            timed("load_data_team_detail")
        if page["unit_monthly"] and df is not None and df.height:
            months = data.months(df) if hasattr(data, "months") else df["month"].unique().sort().to_list()
            start, end = months[0], months[-1]
            unit = timed("default_unit", df)
            timed("unit_catalog", df)
            timed("unit_row", df, unit, end)
            if hasattr(data, "previous_month"):
                timed("unit_row", df, unit, data.previous_month(end))
            timed("unit_series", df, unit)
            timed("units_for_month", df, end, unit)
            levels = timed("sublevels", df, start, end, unit)
            if levels:
                timed("heatmap_rows", df, start, end, unit, "office" if "office" in levels else levels[0])
        return time.perf_counter() - started

    cold_timings: dict[str, list[float]] = {}
    warm_timings: dict[str, list[float]] = {}
    by_page = {name: {"cold": [], "warm": []} for name in pages}
    for _ in range(args.reps):
        for name, page in pages.items():
            st.cache_data.clear()
            by_page[name]["cold"].append(page_load(page, cold_timings))
    for _ in range(args.reps):
        for name, page in pages.items():
            by_page[name]["warm"].append(page_load(page, warm_timings))
    rows = data.load_unit_monthly().height
    return {"reps": args.reps, "pages": {name: {**pages[name], **times} for name, times in by_page.items()},
            "cold": [x for times in by_page.values() for x in times["cold"]],
            "warm": [x for times in by_page.values() for x in times["warm"]],
            "mart_rows": rows, "missing": sorted(missing),
            "functions_cold": {name: statistics.median(v) for name, v in cold_timings.items()},
            "functions_warm": {name: statistics.median(v) for name, v in warm_timings.items()}}


# ------------------------------------------------------------------------------ profile


def _label(key: tuple) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    path = Path(filename)
    for anchor in ("site-packages", str(code_root())):
        if anchor in filename:
            rel = filename.split(anchor, 1)[1].lstrip("/")
            return f"{rel}:{line}({name})"
    return f"{path.name}:{line}({name})"


def _package(key: tuple, root: Path) -> str:
    """Who owns a profiled function's own time. DuckDB's methods are pybind11 functions, which
    cProfile does not see as calls: their time is the own time of the axmeter function calling them."""
    filename, _, name = key
    if filename == "~":
        return "sqlite3 C calls (Dagster's run and event-log storage)" if "sqlite3" in name else "other C builtins"
    if str(root) in filename:
        return "axmeter code, DuckDB calls included"
    if "site-packages" in filename:
        return filename.split("site-packages", 1)[1].strip("/").split("/")[0].removesuffix(".py")
    return "Python standard library"


def _entry(key: tuple, value: tuple) -> dict:
    return {"function": _label(key), "calls": value[1], "tottime": value[2], "cumtime": value[3]}


def summarise_profile(stats: pstats.Stats, top: int = 15) -> dict:
    raw = stats.stats  # key -> (primitive calls, calls, tottime, cumtime, callers)
    root = code_root()
    total = sum(v[2] for v in raw.values())
    packages: dict[str, float] = {}
    for key, value in raw.items():
        name = _package(key, root)
        packages[name] = packages.get(name, 0.0) + value[2]
    project = [(k, v) for k, v in raw.items() if str(root / "pipelines") in k[0] or str(root / "dashboards") in k[0]]
    return {
        "total_seconds": total,
        "by_package": sorted(({"package": k, "seconds": v} for k, v in packages.items()), key=lambda d: -d["seconds"]),
        "top_tottime": [_entry(k, v) for k, v in sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]],
        "top_project_tottime": [_entry(k, v) for k, v in sorted(project, key=lambda kv: -kv[1][2])[:top]],
        "top_project_cumtime": [_entry(k, v) for k, v in sorted(project, key=lambda kv: -kv[1][3])[:top + 10]],
    }


def marts_experiment(run: Path) -> dict | None:
    """unit_monthly's SQL as the marts asset runs it (one query per month over the staging
    views) against the same SQL over staging.events materialised once, on a copy of the
    warehouse. Measures what materialising staging would save; pipeline code is untouched."""
    import duckdb

    marts_sql = code_root() / "pipelines" / "defs" / "marts" / "sql" / "unit_monthly.sql"
    sql = marts_sql.read_text(encoding="utf-8") if marts_sql.exists() else ""
    if "staging.events" not in sql:
        return None
    copy = run / "experiment.duckdb"
    shutil.copyfile(run / "warehouse.duckdb", copy)
    try:
        with duckdb.connect(str(copy)) as conn:
            conn.execute("SET TimeZone = 'UTC'")
            months = [m for (m,) in conn.execute("SELECT DISTINCT month FROM staging.events ORDER BY 1").fetchall()]
            params = {"month": None, "metric_version": "2026.1"}

            def per_month(query: str) -> tuple[float, list]:
                started = time.perf_counter()
                totals = []
                for month in months:
                    used = {k: (month if k == "month" else v) for k, v in params.items() if f"${k}" in query}
                    conn.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS {query}", used)
                    totals.append(conn.execute("SELECT count(*), sum(requests) FROM bench_out").fetchall()[0])
                return time.perf_counter() - started, totals

            t0 = time.perf_counter()
            conn.execute("SELECT count(*) FROM staging.events").fetchall()
            one_view_scan = time.perf_counter() - t0
            as_is, expected = per_month(sql)
            t0 = time.perf_counter()
            conn.execute("CREATE TABLE main.bench_events AS SELECT * FROM staging.events")
            materialise = time.perf_counter() - t0
            over_table, got = per_month(sql.replace("staging.events", "main.bench_events"))
    finally:
        copy.unlink(missing_ok=True)
    return {"months": len(months), "one_view_scan_seconds": one_view_scan, "as_is_seconds": as_is,
            "materialise_seconds": materialise, "over_table_seconds": over_table, "same_result": expected == got}


def storage_experiment(run: Path) -> dict | None:
    """The ingest job over the same days on two fresh Dagster instances: SQLite files on disk
    (the dagster.yaml `axmeter run` writes, as the measured runs use) and in memory. Same code,
    same files, same warehouse state (a partition load is idempotent), so the difference is
    what Dagster's run and event-log storage costs for the ~600 partition events of a backfill."""
    dg, defs, AxmeterHome, _, quiet = _import_pipeline()
    try:
        from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

        from pipelines.run import landed_event_days
        days = landed_event_days(AxmeterHome(home=str(run)))
        job = defs.resolve_job_def("ingest_events")
        last = min(days[1], date.fromisoformat(job.partitions_def.get_last_partition_key()))
    except Exception as exc:  # the pipeline moved on: skip the experiment, say why
        return {"skipped": f"{type(exc).__name__}: {exc}"}
    tags = {ASSET_PARTITION_RANGE_START_TAG: days[0].isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}
    scratch = run / "dagster_experiment"
    out = {"days": f"{days[0]} .. {last}"}
    try:  # the dagster.yaml `axmeter run` writes (its SQLite storage), where the code has one
        from pipelines.cli import local_dagster_yaml
    except ImportError:
        def local_dagster_yaml(_):
            return "telemetry:\n  enabled: false\n"
    for name, factory in (("sqlite_on_disk", lambda: dg.DagsterInstance.from_config(str(scratch))),
                          ("in_memory", dg.DagsterInstance.ephemeral)):
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        (scratch / "dagster.yaml").write_text(local_dagster_yaml(scratch), encoding="utf-8")
        with factory() as instance:
            say(f"storage experiment: ingest_events {out['days']} on a {name.replace('_', ' ')} instance")
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, tags=tags, run_config=quiet, raise_on_error=False)
            seconds = time.perf_counter() - started
            runs = dagster_runs(instance)
        out[name] = {"seconds": seconds, "success": result.success,
                     "steps": runs[-1]["steps"] if runs else {}, "events": runs[-1]["events"] if runs else None}
        say(f"      {seconds:.1f} s")
    shutil.rmtree(scratch, ignore_errors=True)
    return out


def phase_profile(args) -> dict:
    run = Path(args.run)
    dg, defs, AxmeterHome, run_pipeline, _ = _import_pipeline()
    profiler = cProfile.Profile()
    with dg.DagsterInstance.get() as instance:
        created = time.time()
        started = time.perf_counter()
        profiler.enable()
        summary = run_pipeline(defs, instance, AxmeterHome(home=str(run)), say=say)
        profiler.disable()
        wall = time.perf_counter() - started
        runs = dagster_runs(instance, since=created - 1)
    profiler.dump_stats(str(run / "profile.pstats"))
    stats = pstats.Stats(profiler)
    with open(run / "profile.txt", "w", encoding="utf-8") as handle:
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=handle).sort_stats(order).print_stats(60)
    say("profile: written; now the marts and storage experiments (not profiled)")
    steps = [{"name": n, "seconds": s} for n, s in summary.steps]
    if len(runs) == len(steps):
        for step, dagster_run in zip(steps, runs):
            step.update(dagster_run)
            step["stage"] = STAGE_OF_JOB.get(dagster_run["job"], dagster_run["job"])
    return {"profiled_seconds": summary.seconds, "wall_seconds": wall, "steps": steps,
            "stages": stage_times(steps), "pstats": str(run / "profile.pstats"),
            "text": str(run / "profile.txt"), "summary": summarise_profile(stats),
            "marts_experiment": marts_experiment(run), "storage_experiment": storage_experiment(run)}


# ------------------------------------------------------------------------------ main

PHASES = {"generate": phase_generate, "full": phase_full, "lower-bound": phase_lower_bound,
          "incremental": phase_incremental, "dashboard": phase_dashboard, "profile": phase_profile}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--out", required=True)
    parser.add_argument("--run", help="the run folder (AXMETER_HOME of this measurement)")
    parser.add_argument("--home", help="generate: the sample's home folder")
    parser.add_argument("--employees", type=int)
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--day", help="incremental: the KST day that arrives")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = PHASES[args.phase](args)
    cpu, rss = usage()
    result["process"] = {"wall_seconds": time.perf_counter() - started, "cpu_seconds": cpu, "peak_rss_mb": rss,
                         "loadavg_before": load_before, "loadavg_after": os.getloadavg()[0]}
    Path(args.out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
