"""What a run must recompute: the event days whose files changed and the months they touch.

`axmeter run` (pipelines/run.py) plans with these before it launches the Dagster jobs:

1. Event days to ingest: an event file (portal, OnAI, ...) is new or changed (size or modification time
   differ from the ledger, and its sha256 too). Only those KST days are reloaded.
2. Months to rebuild: the months of the events those days held before and hold after the
   reload (sharing a natural key with them), then every later month up to the last one,
   because a month's history columns (new, returning, resurrected, dormant users) read the
   months before it. A change in any reference file (HR, training, pioneers, survey, closures)
   or in the marts' code (build signature) rebuilds the months it concerns: all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from pipelines.defs.ingest import landing as landing_files
from pipelines.defs.ingest.sources import ADAPTERS_BY_FOLDER, EVENT_ADAPTERS
from pipelines.defs.marts.build import query_sql, stale_months
from pipelines.resources import AxmeterHome
from pipelines.settings import data_start


@dataclass
class Plan:
    first_run: bool
    changed_days: list[date]
    months_before: set[date] = field(default_factory=set)
    reference_before: frozenset = frozenset()


def delivered_files(adapter, home: AxmeterHome) -> list:
    """Every delivered file of an event source: landing/, and archive/ where files are moved
    once loaded (pipelines/defs/ops), so an archived file does not look removed."""
    scan_delivered = getattr(landing_files, "scan_delivered", None)
    if scan_delivered is not None and hasattr(home, "archive"):
        return scan_delivered(adapter.folder, home.landing(adapter.folder), home.archive(adapter.folder),
                              adapter.date_of)
    return landing_files.scan_landing(adapter.folder, home.landing(adapter.folder), adapter.date_of)


def _ledger(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple]:
    return {(source, file): rest for source, file, *rest in conn.execute(query_sql("ledger_files")).fetchall()}


def reference_fingerprint(conn: duckdb.DuckDBPyConnection) -> frozenset:
    event_sources = {adapter.folder for adapter in EVENT_ADAPTERS}
    return frozenset((source, file, rest[-1]) for (source, file), rest in _ledger(conn).items()
                     if source not in event_sources)


def changed_event_days(conn: duckdb.DuckDBPyConnection, home: AxmeterHome, last_day: date) -> tuple[list[date], bool]:
    """KST days (data start .. last_day) with a new or changed event file, and whether the
    ledger knew no event file at all (a first run). A file gone from landing/ (and archive/) is
    not a change: the ledger keeps what was delivered, and the rows stay."""
    ledger = _ledger(conn)
    known = {key: rest for key, rest in ledger.items() if key[0] in {a.folder for a in EVENT_ADAPTERS}}
    days = set()
    for adapter in EVENT_ADAPTERS:
        for landed in delivered_files(adapter, home):
            key = (adapter.folder, landed.name)
            if landed.file_date is None or not data_start() <= landed.file_date <= last_day:
                continue  # no partition takes it; any day's load records it in the quarantine
            previous = known.get(key)
            if previous is not None:
                _, size, delivered_at, sha256 = previous
                if size == landed.size_bytes and delivered_at == landed.delivered_at:
                    continue
                if sha256 == landed.sha256():  # the same bytes delivered again
                    continue
            days.add(landed.file_date)
    return sorted(days), not known


def unchanged_reference_folders(conn: duckdb.DuckDBPyConnection, home: AxmeterHome) -> set[str]:
    """Reference folders (HR, training, pioneers, survey, closures) whose delivered files are
    exactly the ones the ledger loaded: the same names, sizes and modification times, none of
    them quarantined (a quarantined file is retried: a future date may have come). Their raw
    tables, reloaded whole otherwise, need no reload."""
    ledger: dict[str, dict[str, tuple]] = {}
    for source, file, size, delivered_at, status in conn.execute(query_sql("reference_ledger")).fetchall():
        ledger.setdefault(source, {})[file] = (size, delivered_at, status)
    unchanged = set()
    event_folders = {adapter.folder for adapter in EVENT_ADAPTERS}
    for folder, adapters in ADAPTERS_BY_FOLDER.items():
        known = ledger.get(folder)
        if folder in event_folders or not known:
            continue
        delivered = landing_files.scan_delivered(folder, home.landing(folder), home.archive(folder),
                                                 adapters[0].date_of)
        current = {landed.name: (landed.size_bytes, landed.delivered_at) for landed in delivered}
        if current.keys() == known.keys() and all(
                known[name] == (*current[name], "loaded") for name in current):
            unchanged.add(folder)
    return unchanged


def day_ranges(days: list[date], max_ranges: int = 3) -> list[tuple[date, date]]:
    """Contiguous runs of days (one Dagster run each); many scattered runs become one span."""
    ranges: list[list[date]] = []
    for day in days:
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    if len(ranges) > max_ranges:
        return [(days[0], days[-1])]
    return [(first, last) for first, last in ranges]


def event_months_of_days(conn: duckdb.DuckDBPyConnection, days: list[date]) -> set[date]:
    if not days:
        return set()
    return {month for (month,) in conn.execute(query_sql("event_months_of_days"), {"days": days}).fetchall()}


def event_month_range(conn: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last month of staging.events (the de-duplicated events), or (None, None).

    The view de-duplicates the whole history (2.6 s at 10 M events). Its months are among the
    months of the raw copies, and the first and last raw month are its own as soon as one event
    of that month is the only copy of its key, since such an event wins. A sample of each end
    month's keys shows that at once (both ends in one pass over the history's keys, ~0.4 s);
    only when none of a month's sampled keys is a sole copy does the view decide."""
    first, last = conn.execute(query_sql("raw_event_months")).fetchall()[0]
    if first is None:
        return None, None
    if all(conn.execute(query_sql("months_have_sole_copies"), {"first_month": first, "last_month": last}).fetchall()[0]):
        return first, last
    return tuple(conn.execute("SELECT min(month), max(month) FROM staging.events").fetchall()[0])


def plan_before_ingest(conn: duckdb.DuckDBPyConnection, home: AxmeterHome, last_day: date) -> Plan:
    days, first_run = changed_event_days(conn, home, last_day)
    return Plan(first_run=first_run, changed_days=days, months_before=event_months_of_days(conn, days),
                reference_before=reference_fingerprint(conn))


def months_to_build(conn: duckdb.DuckDBPyConnection, plan: Plan, monthly_marts: list[str],
                    first_month: date, last_month: date) -> tuple[date, date] | None:
    """The contiguous month range the monthly marts must recompute, or None."""
    if plan.first_run or reference_fingerprint(conn) != plan.reference_before:
        return first_month, last_month
    touched = plan.months_before | event_months_of_days(conn, plan.changed_days)
    stale = stale_months(conn, monthly_marts, first_month, last_month)
    starts = [m for m in [min(touched, default=None), min(stale, default=None)] if m is not None]
    if not starts:
        return None
    start = max(first_month, min(starts))
    end = last_month if touched else max(stale)
    return (start, end) if start <= end else None
