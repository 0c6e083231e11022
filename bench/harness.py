"""`make bench`: generate sample ministries of several sizes, measure the pipeline and the
bare-DuckDB lower bound side by side on the same files, write bench/results.md.

For each size, every measurement runs in a fresh subprocess (bench/worker.py), so its peak RSS
(`os.wait4`'s rusage of that child) and timings are its own:

    full         run_pipeline: the four Dagster jobs in process, fresh instance (3 times)
    lower-bound  bench/lower_bound.sql on the same landing files (5 times), cross-checked
    incremental  one more day lands; ingest that day, staging, that month's marts, publish
    dashboard    the Adoption page's data through dashboards/data.py, 20 cold + 20 warm loads

then, at ~1 M events, a cProfile'd full run in its own process (profiling slows Python down,
so its times are not the measured ones) and a marts experiment on a copy of the warehouse.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from bench import report

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
RESULTS_MD = BENCH_DIR / "results.md"
CODE_PATHS = ("pipelines", "dashboards", "data_contracts")  # what a snapshot of the code under test holds

# A synthetic ministry only ever gets this key; never use it for real data.
BENCH_KEY = "axmeter-bench-only-pseudonym-key-6f1d2c"

# The period ends on a Friday, which the one-day incremental run lands after the full run.
PERIOD = (date(2026, 1, 1), date(2026, 10, 30))
INCREMENTAL_DAY = date(2026, 10, 30)
SEED = 42
DATE_IN_NAME = re.compile(r"_(\d{8})(?:_\d+)?\.")


@dataclass(frozen=True)
class Size:
    label: str
    employees: int  # events scale with employees x days: these give ~0.1, ~1 and ~10 M events
    large: bool = False
    # A full run at ~10 M events takes minutes: it runs once (and the lower bound twice), and
    # its CPU seconds next to the wall time show how much the rest of the machine disturbed it.
    max_full_reps: int | None = None
    max_lb_reps: int | None = None

    def full_reps(self, asked: int) -> int:
        return min(asked, self.max_full_reps or asked)

    def lb_reps(self, asked: int) -> int:
        return min(asked, self.max_lb_reps or asked)


SIZES = (Size("100k", 155), Size("1M", 1400), Size("10M", 14000, large=True, max_full_reps=1, max_lb_reps=2))
PROFILE_SIZE = "1M"


def log(line: str = "") -> None:
    print(line, flush=True)


# ------------------------------------------------------------------------------ processes


# The code under test: `git archive` of HEAD under bench/out/code/<commit>/ (other engineers
# edit the working tree while the benchmark runs), or the working tree itself.
CODE = REPO


def use_code(mode: str) -> dict:
    """Point the workers at the code to measure; returns what it is."""
    global CODE
    state = code_state()
    if mode == "worktree":
        CODE = REPO
        return {**state, "measured": "worktree"}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.strip()
    snapshot = OUT / "code" / commit[:12]
    if not (snapshot / ".complete").exists():
        shutil.rmtree(snapshot, ignore_errors=True)
        snapshot.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit, *CODE_PATHS], cwd=REPO,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive, check=True)
        (snapshot / ".complete").touch()
    CODE = snapshot
    return {**state, "measured": "head", "snapshot": str(snapshot.relative_to(REPO))}


QUIET_WAIT_SECONDS = 60.0  # set by --quiet-wait


def wait_for_quiet() -> None:
    """On a shared machine, give other work up to QUIET_WAIT_SECONDS to calm down (1-minute load
    average below the core count) before a timed measurement starts; then go on regardless
    (each run's load average is recorded, and results.md says when it was high)."""
    cores = os.cpu_count() or 1
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    announced = False
    while os.getloadavg()[0] >= cores and time.monotonic() < deadline:
        if not announced:
            log(f"   (load average {os.getloadavg()[0]:.1f} on {cores} cores: waiting up to "
                f"{QUIET_WAIT_SECONDS:.0f} s for the machine to calm down)")
            announced = True
        time.sleep(5)


def run_worker(phase: str, label: str, run: Path | None, *extra: str) -> dict:
    """Run `python -m bench.worker` in a fresh process, echo its output indented, and return
    its JSON result with the child's own peak RSS and CPU time from os.wait4."""
    (OUT / "logs").mkdir(parents=True, exist_ok=True)
    out = OUT / "logs" / f"{label}-{phase}.json"
    out.unlink(missing_ok=True)
    # cwd = the code under test, so its `pipelines` comes first on sys.path; bench from REPO.
    env = dict(os.environ, PYTHONUNBUFFERED="1", AXMETER_PSEUDONYM_KEY=BENCH_KEY,
               AXMETER_DATA_START=PERIOD[0].isoformat(),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("AXMETER_MIN_GROUP_SIZE", None)
    if run is not None:
        env.update(AXMETER_HOME=str(run), DAGSTER_HOME=str(run / "dagster"))
    if phase in ("full", "lower-bound", "incremental", "dashboard"):
        wait_for_quiet()
    command = [sys.executable, "-m", "bench.worker", phase, "--out", str(out)]
    command += ["--run", str(run)] if run is not None else []
    command += list(extra)
    started = time.perf_counter()
    with open(OUT / "logs" / f"{label}-{phase}.log", "w", encoding="utf-8") as transcript:
        child = subprocess.Popen(command, cwd=CODE, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, bufsize=1)
        for line in child.stdout:
            transcript.write(line)
            print("    " + _shorten(line.rstrip()), flush=True)
        _, status, rusage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not out.exists():
        raise RuntimeError(f"bench worker '{phase}' for {label} failed (exit {child.returncode}); "
                           f"see {OUT / 'logs' / f'{label}-{phase}.log'}")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["child"] = {"peak_rss_mb": rusage.ru_maxrss / 1024, "cpu_seconds": rusage.ru_utime + rusage.ru_stime,
                       "wall_seconds": time.perf_counter() - started}
    return result


def _shorten(line: str) -> str:
    """Dagster's console lines without the timestamp/run-id prefix."""
    match = re.match(r"^\S+ \S+ [+-]\d{4} - dagster - (\w+) - (\S+) - \S+ - (.*)$", line)
    return f"[dagster {match.group(2)}] {match.group(3)}" if match else line


# ------------------------------------------------------------------------------ data


def generator_fingerprint() -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((CODE / "pipelines" / "sample").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_sample(size: Size) -> tuple[Path, dict]:
    """The generated sample of this size under bench/out/data/<label>/, reused while the
    parameters and the generator's code are unchanged."""
    home = OUT / "data" / size.label
    params = {"employees": size.employees, "start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(),
              "seed": SEED, "generator": generator_fingerprint()}
    marker = home / "bench_params.json"
    if marker.exists() and json.loads(marker.read_text())["params"] == params:
        cached = json.loads(marker.read_text())
        log(f"  sample: reusing {home} ({sum(cached['rows'].values()):,} rows)")
        return home, {**cached, "reused": True}
    needed_gb = GENERATOR_GB_PER_EMPLOYEE * size.employees
    available_gb = available_memory_gb()
    if available_gb is not None and needed_gb > 0.8 * available_gb:
        per_million = GENERATOR_GB_PER_EMPLOYEE * 1400  # 1,400 employees make ~1 M events
        raise RuntimeError(f"generating {size.label} needs about {needed_gb:.0f} GB of memory (the generator peaks at "
                           f"~{per_million:.2f} GB per million events) and only {available_gb:.0f} GB is available; "
                           "refusing rather than pushing a shared machine into swap or the OOM killer")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    log(f"  sample: generating {size.employees} employees, {PERIOD[0]} .. {PERIOD[1]} (seed {SEED})")
    result = run_worker("generate", size.label, None, "--home", str(home), "--employees", str(size.employees),
                        "--start", params["start"], "--end", params["end"], "--seed", str(SEED))
    cached = {"params": params, "rows": result["rows"], "seconds": result["seconds"],
              "files_written": result["files_written"], "peak_rss_mb": result["child"]["peak_rss_mb"]}
    marker.write_text(json.dumps(cached, indent=2), encoding="utf-8")
    return home, {**cached, "reused": False}


# pipelines.sample.generate peaked at 2.36 GB RSS for 14,000 employees (~10 M events); 2.6 leaves a margin.
GENERATOR_GB_PER_EMPLOYEE = 2.6 / 14000


def available_memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def prepare_run(label: str, sample_home: Path, hold_back: date | None) -> Path:
    """A fresh AXMETER_HOME whose landing/ hard-links the sample's files, except the portal and
    OnAI files of `hold_back`, which wait in held_back/ for the incremental run."""
    run = OUT / "runs" / label
    shutil.rmtree(run, ignore_errors=True)
    (run / "dagster").mkdir(parents=True)
    # dagster.yaml: the worker writes the one `axmeter run` writes (pipelines.cli).
    source_root = sample_home / "landing"
    for path in sorted(source_root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(source_root)
        match = DATE_IN_NAME.search(path.name)
        held = (hold_back is not None and relative.parts[0] in ("portal", "onai") and match is not None
                and match.group(1) == hold_back.strftime("%Y%m%d"))
        target = run / ("held_back" if held else "landing") / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)  # same inode, same mtime (the delivery time)
        except OSError:
            shutil.copy2(path, target)
    return run


# ------------------------------------------------------------------------------ context


def machine() -> dict:
    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    cpu_model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": memory_gb, "cpu_model": cpu_model,
            "os": platform.platform(), "python": platform.python_version(),
            "duckdb": version("duckdb"), "dagster": version("dagster"), "polars": version("polars"),
            "pyarrow": version("pyarrow"), "streamlit": version("streamlit")}


def calibration() -> dict:
    """How fast this machine is right now, the fastest of three: a fixed pure-Python loop (one core)
    and a fixed DuckDB aggregate (every core). Shared machines differ from day to day by several
    times; results from different days compare through these, not through wall times alone."""
    import duckdb

    def python_loop() -> None:
        total = 0
        for i in range(10_000_000):
            total += i

    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")

    def duckdb_aggregate() -> None:
        connection.execute("SELECT sum(hash(range)) FROM range(100_000_000)").fetchall()

    def fastest(work) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return round(min(times), 3)

    try:
        return {"python_loop_s": fastest(python_loop), "duckdb_aggregate_s": fastest(duckdb_aggregate)}
    finally:
        connection.close()


def code_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    # Other engineers edit the pipeline while it is measured: say what exactly ran.
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "pipelines", "dashboards").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "subject": git("log", "-1", "--format=%s"),
            "uncommitted": dirty}


# ------------------------------------------------------------------------------ main


def best_of(results: list[dict]) -> dict:
    """The fastest of repeated full runs (the one least disturbed by the rest of the machine),
    with every run's time and the highest peak RSS of them all."""
    best = dict(min(results, key=lambda r: r["seconds"]))
    best["all_seconds"] = [r["seconds"] for r in results]
    best["all_cpu_seconds"] = [r["cpu_seconds"] for r in results]
    best["median_seconds"] = sorted(best["all_seconds"])[len(results) // 2]
    best["child"] = {**best["child"], "peak_rss_mb": max(r["child"]["peak_rss_mb"] for r in results)}
    best["loadavg"] = [r["process"]["loadavg_before"] for r in results]
    return best


def full_runs(sizes: list[Size], samples: dict[str, Path], reps: int) -> dict[str, list[dict]]:
    """Repeated full runs, round robin over the sizes (100k, 1M, 100k, 1M, ...), so a busy spell
    on the shared machine does not land on one size only. Each in a fresh process and home."""
    results: dict[str, list[dict]] = {s.label: [] for s in sizes}
    for rep in range(reps):
        for size in sizes:
            if rep >= size.full_reps(reps):
                continue
            log(f"\n== full run {rep + 1}/{size.full_reps(reps)} at {size.label}: run_pipeline on a fresh Dagster instance and "
                f"warehouse, without {INCREMENTAL_DAY}")
            run = prepare_run(size.label, samples[size.label], INCREMENTAL_DAY)
            result = run_worker("full", size.label, run)
            results[size.label].append(result)
            log(f"   {result['seconds']:.1f} s for {result['events']:,} events (CPU {result['cpu_seconds']:.1f} s), "
                f"peak RSS {result['child']['peak_rss_mb']:.0f} MB, load average "
                f"{result['process']['loadavg_before']:.1f}")
    return results


def measure_rest(size: Size, record: dict, lb_reps: int, dashboard_reps: int) -> None:
    """Lower bound, incremental run and dashboard on the last full run's home of this size."""
    run = OUT / "runs" / size.label
    lb_reps = size.lb_reps(lb_reps)
    log(f"\n== {size.label}: lower bound (bench/lower_bound.sql on the same files, {lb_reps} runs)")
    record["lower_bound"] = run_worker("lower-bound", size.label, run, "--reps", str(lb_reps))
    log(f"   {record['lower_bound']['seconds']:.2f} s (fastest), "
        f"pipeline / lower bound = {record['full']['seconds'] / record['lower_bound']['seconds']:.1f}x")
    log(f"\n== {size.label}: one-day incremental run ({INCREMENTAL_DAY} arrives)")
    record["incremental"] = run_worker("incremental", size.label, run, "--day", INCREMENTAL_DAY.isoformat())
    log(f"   {record['incremental']['seconds']:.1f} s "
        f"({100 * record['incremental']['seconds'] / record['full']['seconds']:.0f}% of the full run)")
    log(f"\n== {size.label}: dashboard page data ({dashboard_reps} cold + {dashboard_reps} warm loads)")
    record["dashboard"] = run_worker("dashboard", size.label, run, "--reps", str(dashboard_reps))
    log(f"   cold p95 {report.percentile(record['dashboard']['cold'], 95) * 1000:.0f} ms")


def main(argv: list[str] | None = None) -> int:
    global QUIET_WAIT_SECONDS
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also ~10 M events (LARGE=1)")
    parser.add_argument("--sizes", help="comma-separated labels to measure, e.g. 100k (default: all)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument("--profile-size", default=PROFILE_SIZE, help=f"size to profile (default {PROFILE_SIZE})")
    parser.add_argument("--full-reps", type=int, default=3, help="full runs per size (the fastest counts)")
    parser.add_argument("--lb-reps", type=int, default=5, help="lower-bound runs per size (the fastest counts)")
    parser.add_argument("--dashboard-reps", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS_MD)
    parser.add_argument("--code", choices=("head", "worktree"), default="head",
                        help="measure the last commit (default; a clean snapshot) or the working tree as it is")
    parser.add_argument("--quiet-wait", type=float, default=QUIET_WAIT_SECONDS,
                        help="seconds to wait for a load average below the core count before each timed "
                             "measurement (default %(default)s; 0: never wait)")
    parser.add_argument("--render-only", action="store_true",
                        help="re-render results.md from bench/out/results.json without measuring")
    args = parser.parse_args(argv)
    QUIET_WAIT_SECONDS = args.quiet_wait
    if args.render_only:
        saved = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
        return write_results(saved["meta"], saved["sizes"], saved.get("profile"), args.output)

    sizes = [s for s in SIZES if args.large or not s.large]
    if args.sizes:
        wanted = args.sizes.split(",")
        sizes = [s for s in SIZES if s.label in wanted]
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"machine": machine(), "code": use_code(args.code), "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "loadavg_start": os.getloadavg(), "calibration_start": calibration(),
            "incremental_day": INCREMENTAL_DAY.isoformat(),
            "full_reps": args.full_reps, "lb_reps": args.lb_reps, "dashboard_reps": args.dashboard_reps}
    log(f"axmeter bench: sizes {', '.join(s.label for s in sizes)} on {meta['machine']['cores']} cores; "
        + ("measuring the working tree" if args.code == "worktree" else f"measuring commit {meta['code']['commit']} "
           f"({meta['code']['subject']}) from a clean snapshot in {meta['code']['snapshot']}"))
    samples, records = {}, []
    for size in sizes:
        log(f"\n== sample {size.label}: {size.employees} employees")
        samples[size.label], sample = ensure_sample(size)
        records.append({"label": size.label, "employees": size.employees,
                        "period": [d.isoformat() for d in PERIOD], "sample": sample})
    fulls = full_runs(sizes, samples, args.full_reps)
    for size, record in zip(sizes, records):
        record["full"] = best_of(fulls[size.label])
        record["events"] = record["full"]["events"]
        measure_rest(size, record, args.lb_reps, args.dashboard_reps)
        (OUT / "results.json").write_text(json.dumps({"meta": meta, "sizes": records}, indent=2, default=str))

    profile = None
    if not args.no_profile and any(s.label == args.profile_size for s in sizes):
        log(f"\n== profile: cProfile'd full run at {args.profile_size} (slower than the measured run)")
        size = next(s for s in sizes if s.label == args.profile_size)
        run = prepare_run(f"{size.label}-profile", samples[size.label], INCREMENTAL_DAY)
        profile = run_worker("profile", f"{size.label}-profile", run)
        profile["label"] = size.label

    meta["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta["loadavg_end"] = os.getloadavg()
    meta["calibration_end"] = calibration()
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "sizes": records, "profile": profile},
                                                 indent=2, default=str))
    return write_results(meta, records, profile, args.output)


def write_results(meta: dict, records: list[dict], profile: dict | None, output: Path) -> int:
    summary = report.summarise(records)
    output.write_text(report.render(meta, records, summary, profile), encoding="utf-8")
    log("\n== results (" + str(output.relative_to(REPO) if output.is_relative_to(REPO) else output) + ")")
    for line in report.ratio_lines(summary):
        log("  " + line)
    return 0
