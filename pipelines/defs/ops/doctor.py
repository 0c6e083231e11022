"""`axmeter doctor`: is this installation fit to run, and what to fix when it is not.

It never needs the warehouse's write lock: it reads files, file names and modification times,
the Dagster instance, and opens warehouse.duckdb read-only, saying so when a run holds the
lock. Each finding says what is wrong and what to do."""

from __future__ import annotations

import csv
import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import yaml

from pipelines.defs.ingest.landing import scan_delivered
from pipelines.defs.ingest.sources import ADAPTERS_BY_FOLDER, EVENT_ADAPTERS, HR_ROSTER
from pipelines.defs.ops.alerts import alerts_path
from pipelines.resources import MIN_KEY_LENGTH, AxmeterHome, Pseudonymizer
from pipelines.settings import TIMEZONE, WAREHOUSE_POOL, WAREHOUSE_POOL_LIMIT, archive_retention_days

KEY_ENV = "AXMETER_PSEUDONYM_KEY"
KST = ZoneInfo(TIMEZONE)
GIB = 2**30

# How old (days, KST) the newest file of a landing folder may be before the source is stale:
# event sources (portal, OnAI, any added later) deliver every day by 06:00, HR monthly, the
# survey quarterly. A folder whose file names carry no date (training, closures) is judged by
# its files' modification times.
FRESHNESS_DAYS = {**{adapter.folder: 2 for adapter in EVENT_ADAPTERS},
                  "hr": 40, "pioneers": 120, "survey": 200, "training": 200}
# A stale event source stops the figures; a stale reference source only ages them.
CRITICAL_SOURCES = {adapter.folder for adapter in EVENT_ADAPTERS}
DEFAULT_FIX = "check the source system's daily export and its copy into landing/"
SOURCE_FIX = {
    "portal": "check the network-link transfer from the external network and the portal's spend-log export",
    "onai": "check OnAI's daily activity export (Ministry of the Interior and Safety platform) and its copy job",
    "hr": "ask HR for the monthly roster_YYYYMMDD.csv and org_units_YYYYMMDD.csv snapshots",
    "pioneers": "ask the programme office for the current pioneers roster_YYYYMMDD.csv",
    "survey": "ask for the last quarter's survey_YYYYQn.csv",
    "training": "ask the training office for the latest attendance_*.csv",
}


@dataclass(frozen=True)
class Finding:
    level: str  # "ok", "warn" or "fail"
    topic: str
    message: str
    fix: str = ""


def check_key(env: dict[str, str], home: Path) -> list[Finding]:
    key = env.get(KEY_ENV, "")
    demo_file = home / ".pseudonym_key"
    if not key:
        demo = f"; a local demo key exists in {demo_file} (never for real data)" if demo_file.exists() else ""
        return [Finding("fail", "key", f"{KEY_ENV} is not set: no run can pseudonymise employee numbers",
                        f"set {KEY_ENV} from the secret store (the same key as every earlier run){demo}")]
    if len(key) < MIN_KEY_LENGTH:
        return [Finding("fail", "key", f"{KEY_ENV} is {len(key)} characters long; at least {MIN_KEY_LENGTH} are needed",
                        "use the production key from the secret store")]
    if demo_file.exists() and demo_file.read_text(encoding="utf-8").strip() == key:
        return [Finding("warn", "key", f"{KEY_ENV} is the local demo key of {demo_file}",
                        "fine for the sample; real data needs the key from the secret store")]
    return [Finding("ok", "key", f"{KEY_ENV} is set ({len(key)} characters)")]


def check_folders(home: Path) -> list[Finding]:
    if not home.is_dir():
        return [Finding("fail", "folders", f"AXMETER_HOME {home} does not exist",
                        f"create it (mkdir -p {home}) or point AXMETER_HOME at the right folder")]
    findings = []
    if not os.access(home, os.W_OK):
        findings.append(Finding("fail", "folders", f"{home} is not writable by this user",
                                "run as the service account that owns it"))
    missing = [folder for folder in ADAPTERS_BY_FOLDER if not (home / "landing" / folder).is_dir()]
    if missing:
        findings.append(Finding(
            "warn", "folders", f"no landing folder for {', '.join(missing)} under {home / 'landing'}",
            "create them (mkdir -p landing/<source>) and point each delivery at its folder"))
    else:
        findings.append(Finding("ok", "folders", f"{home}: landing folders for {len(ADAPTERS_BY_FOLDER)} sources"))
    return findings


def check_disk(home: Path) -> list[Finding]:
    existing = home if home.exists() else next((p for p in home.parents if p.exists()), Path("/"))
    usage = shutil.disk_usage(existing)
    warehouse = home / "warehouse.duckdb"
    size = warehouse.stat().st_size if warehouse.exists() else 0
    free = f"{usage.free / GIB:.1f} GiB free of {usage.total / GIB:.1f} GiB"
    if usage.free < max(GIB, size):
        return [Finding("fail", "disk", f"{free} at {existing}; the warehouse is {size / GIB:.1f} GiB",
                        "free space or grow the volume: a partition reload needs room for its rows twice")]
    if usage.free < max(0.1 * usage.total, 2 * size):
        return [Finding("warn", "disk", f"{free} at {existing}",
                        "plan more space: compaction copies the warehouse, and archive/ grows daily "
                        "(AXMETER_ARCHIVE_RETENTION_DAYS limits it)")]
    return [Finding("ok", "disk", free)]


def check_instance(dagster_home: Path) -> list[Finding]:
    """The Dagster instance: its storage answers, and the warehouse pool is limited to 1."""
    import dagster as dg

    from pipelines.defs.ops.instance import pool_limit

    config_file = dagster_home / "dagster.yaml"
    if not config_file.exists():
        return [Finding("warn", "instance", f"no Dagster instance at {dagster_home} yet",
                        "`axmeter run` or `make dev` creates the local one; production: deploy/dagster.yaml")]
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        return [Finding("fail", "instance", f"{config_file} is not valid YAML: {exc}", "fix the file")]
    storage = config.get("storage") or {"sqlite": None}
    kind = next(iter(storage))
    if kind == "custom":  # axmeter's local SQLite storage (pipelines/defs/ops/storage.py) or another class
        kind = "sqlite" if storage["custom"].get("class") == "AxmeterSqliteStorage" else storage["custom"].get("class")
    try:
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            runs = instance.get_runs_count()
            limit = pool_limit(instance)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the storage is the finding
        return [Finding("fail", "instance", f"the Dagster instance at {dagster_home} ({kind} storage) does not "
                        f"answer: {str(exc).splitlines()[0]}",
                        "check the database server, the credentials in the environment and dagster.yaml")]
    findings = [Finding("ok", "instance", f"{kind} storage at {dagster_home}: {runs} run(s)")]
    if limit != WAREHOUSE_POOL_LIMIT:
        findings.append(Finding(
            "fail", "instance", f"pool {WAREHOUSE_POOL} has limit {limit}: runs could write the warehouse at once",
            f"`dagster instance concurrency set {WAREHOUSE_POOL} {WAREHOUSE_POOL_LIMIT}` (any axmeter run also "
            "sets it), and keep `concurrency: pools: default_limit: 1` in dagster.yaml"))
    else:
        findings.append(Finding("ok", "instance", f"pool {WAREHOUSE_POOL}: limit {limit}"))
    return findings


def _newest(home: AxmeterHome, folder: str) -> tuple[date | None, str]:
    """The newest date a folder's files carry (in their names, else their modification time,
    KST), over landing/ and archive/, with the file's name."""
    newest, name = None, ""
    for adapter in ADAPTERS_BY_FOLDER[folder]:
        for landed in scan_delivered(folder, home.landing(folder), home.archive(folder), adapter.date_of):
            if not adapter.claims(landed.path.name):
                continue
            day = landed.file_date or landed.delivered_at.astimezone(KST).date()
            if newest is None or day > newest:
                newest, name = day, landed.name
    return newest, name


def check_freshness(home: AxmeterHome, today: date) -> list[Finding]:
    findings = []
    for folder, max_age in FRESHNESS_DAYS.items():
        critical = folder in CRITICAL_SOURCES
        newest, name = _newest(home, folder)
        if newest is None:
            findings.append(Finding("fail" if critical else "warn", "freshness",
                                    f"{folder}: no file has ever been delivered to landing/{folder}/",
                                    SOURCE_FIX.get(folder, DEFAULT_FIX)))
            continue
        age = (today - newest).days
        if age > max_age:
            findings.append(Finding(
                "fail" if critical else "warn", "freshness",
                f"{folder} is stale: its newest file ({name}) is for {newest}, {age} days before today "
                f"({today}, KST); expected within {max_age} days", SOURCE_FIX.get(folder, DEFAULT_FIX)))
        else:
            findings.append(Finding("ok", "freshness", f"{folder}: newest file {name} ({newest}, {age} day(s) old)"))
    return findings


def check_warehouse(home: AxmeterHome, env: dict[str, str]) -> list[Finding]:
    path = home.warehouse_path
    if not path.exists():
        return [Finding("warn", "warehouse", f"no warehouse at {path} yet", "`axmeter run` creates and fills it")]
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        if "lock" in str(exc).lower():
            return [Finding("ok", "warehouse", f"{path} is being written by a run right now; its checks were "
                            "skipped (run doctor again when it has finished)")]
        return [Finding("fail", "warehouse", f"cannot open {path}: {str(exc).splitlines()[0]}",
                        "restore the file from backup, or rebuild it with a full reload (`axmeter run`)")]
    findings = []
    with conn:
        try:
            files, last_load = conn.execute("SELECT count(*), max(last_seen) FROM raw.file_ledger").fetchall()[0]
            stuck = conn.execute(
                """SELECT source, file, reason FROM raw.file_ledger WHERE status = 'quarantined'
                   ORDER BY source, file"""
            ).fetchall()
        except duckdb.CatalogException:
            return [Finding("warn", "warehouse", f"{path} has no ledger yet", "`axmeter run` loads it")]
        findings.append(Finding("ok", "warehouse", f"{files} file(s) in the ledger, last load {last_load}"))
        in_landing = [(s, f, r) for s, f, r in stuck if (home.landing(s) / f).exists()]
        if in_landing:
            listed = "; ".join(f"{s}/{f} ({r})" for s, f, r in in_landing[:5])
            findings.append(Finding(
                "warn", "quarantine", f"{len(in_landing)} file(s) in landing/ quarantined whole: {listed}",
                "put a good copy under the same name in landing/<source>/ (its day reloads), or delete it"))
        findings.extend(_check_key_matches(home, conn, env.get(KEY_ENV, "")))
    return findings


def _check_key_matches(home: AxmeterHome, conn: duckdb.DuckDBPyConnection, key: str) -> list[Finding]:
    """Whether the configured key is the one the warehouse was loaded with: pseudonyms of the
    newest roster's first employees must be in raw.hr_roster. The numbers stay in memory."""
    if len(key) < MIN_KEY_LENGTH:
        return []
    rosters = [f for f in scan_delivered("hr", home.landing("hr"), home.archive("hr"), HR_ROSTER.date_of)
               if HR_ROSTER.claims(f.path.name)]
    if not rosters:
        return []
    newest = max(rosters, key=lambda f: (f.file_date or date.min, f.name))
    with open(newest.path, encoding="utf-8-sig", newline="") as handle:
        numbers = [row.get("employee_id") for _, row in zip(range(50), csv.DictReader(handle))]
    pseudonymizer = Pseudonymizer(key)
    keys = [k for k in (pseudonymizer.pseudonym(n) for n in numbers) if k]
    if not keys:
        return []
    found = conn.execute("SELECT count(*) FROM raw.hr_roster WHERE employee_key IN (SELECT unnest(?))",
                         [keys]).fetchall()[0][0]
    if found:
        return [Finding("ok", "key", "the key matches the warehouse's pseudonyms")]
    loaded = conn.execute("SELECT count(*) FROM raw.hr_roster").fetchall()[0][0]
    if not loaded:
        return []
    return [Finding("fail", "key", f"{KEY_ENV} is not the key the warehouse was loaded with: no pseudonym "
                    f"of {newest.name} is in raw.hr_roster",
                    "use the original key; if the key was rotated on purpose, do a full reload "
                    "(README: rotating the pseudonym key)")]


def check_published(home: AxmeterHome, now: datetime) -> list[Finding]:
    manifest = home.published / "manifest.json"
    if not manifest.exists():
        return [Finding("warn", "published", f"nothing published yet in {home.published}", "`axmeter run`")]
    try:
        published_at = datetime.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["published_at"])
    except (ValueError, KeyError, TypeError) as exc:
        return [Finding("warn", "published", f"{manifest} is unreadable ({exc})", "publish again")]
    age = now - published_at
    if age > timedelta(days=2):
        return [Finding("warn", "published", f"last published {published_at:%Y-%m-%d %H:%M} UTC, {age.days} days ago",
                        "see the daily runs in Dagster and alerts/alerts.jsonl")]
    return [Finding("ok", "published", f"last published {published_at:%Y-%m-%d %H:%M} UTC")]


def check_alerts(home: Path, now: datetime) -> list[Finding]:
    path = alerts_path(home)
    if not path.exists():
        return [Finding("ok", "alerts", "no run has failed")]
    recent = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            alert = json.loads(line)
            if now - datetime.fromisoformat(alert["at"]) <= timedelta(days=7):
                recent.append(alert)
        except (ValueError, KeyError):
            continue
    if recent:
        return [Finding("warn", "alerts", f"{len(recent)} failed run(s) in the last 7 days; last: "
                        f"{recent[-1].get('text', '')}", f"see {path} and the runs in Dagster")]
    return [Finding("ok", "alerts", "no failed run in the last 7 days")]


def check_retention() -> list[Finding]:
    try:
        days = archive_retention_days()
    except ValueError as exc:
        return [Finding("fail", "archive", str(exc), "fix AXMETER_ARCHIVE_RETENTION_DAYS")]
    if days is None:
        return [Finding("ok", "archive", "archived files are kept for ever (AXMETER_ARCHIVE_RETENTION_DAYS unset)")]
    return [Finding("ok", "archive", f"archived portal/OnAI files are deleted after {days} days; older days "
                    "can no longer be reloaded")]


def run_checks(home_root: Path, dagster_home: Path, today: date, env: dict[str, str] | None = None) -> list[Finding]:
    env = dict(os.environ if env is None else env)
    now = datetime.now(timezone.utc)
    home = AxmeterHome(home=str(home_root))
    findings = [*check_key(env, home_root), *check_folders(home_root), *check_disk(home_root)]
    findings += check_instance(dagster_home)
    if home_root.is_dir():
        findings += [*check_freshness(home, today), *check_warehouse(home, env), *check_published(home, now),
                     *check_alerts(home_root, now)]
    return findings + check_retention()


def render(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        label = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[finding.level]
        lines.append(f"  {label}  {finding.topic:10} {finding.message}")
        if finding.fix and finding.level != "ok":
            lines.append(f"        {'':10} -> {finding.fix}")
    return "\n".join(lines)
