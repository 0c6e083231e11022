"""Marts: the metric dictionary's tables (metrics.md), exact figures, one SQL file per mart.

Where each figure is computed:

| mart | file | partitions |
|---|---|---|
| attributed_events (internal) | sql/attributed_events.sql | KST month |
| active_employee_days (internal, with attributed_events) | sql/active_employee_days.sql | KST month |
| active_employee_months (internal, with attributed_events) | sql/active_employee_months.sql | KST month |
| unit_monthly | sql/unit_monthly.sql | KST month |
| ministry_daily | sql/ministry_daily.sql | KST month |
| feature_monthly | sql/feature_monthly.sql | KST month |
| model_monthly | sql/model_monthly.sql | KST month |
| governance_monthly | sql/governance_monthly.sql | KST month |
| pioneers_monthly | sql/pioneers_monthly.sql | KST month |
| retention_cohorts | sql/retention_cohorts.sql | whole history |
| training_impact | sql/training_impact.sql + training_impact.py | whole history |
| survey_quarterly | sql/survey_quarterly.sql | whole history |
| data_quality_daily | sql/data_quality_daily.sql | whole history |
| data_quality_quarantine | sql/data_quality_quarantine.sql | whole history |

Monthly marts write each month idempotently (delete the month, insert it again) for the
months of the run's partition range (single-run backfill), all in one step and transaction. A month's history columns read
earlier months of marts.attributed_events, so `axmeter run` rebuilds from the earliest month
new data touches up to the last (pipelines/run.py). Whole-history marts are replaced whole.
"""

import warnings
from datetime import date, timedelta

import dagster as dg
import polars as pl

from pipelines.defs.ingest.sources import EVENT_ADAPTERS
from pipelines.defs.marts.build import (
    ensure_tables, last_build_seen_until, ledger_seen_until, load_assisted_minutes, mart_sql, next_month,
    query_sql, record_builds,
)
from pipelines.defs.marts.partitions import monthly_partitions
from pipelines.defs.marts.training_impact import training_impact as compute_training_impact
from pipelines.metadata import markdown_table
from pipelines.resources import Warehouse
from pipelines.settings import METRIC_VERSION, OWNERS, WAREHOUSE_POOL


def months_in(window: dg.TimeWindow) -> list[date]:
    months, current = [], window.start.date().replace(day=1)
    while current < window.end.date():
        months.append(current)
        current = next_month(current)
    return months


def consecutive_runs(months: list[date]) -> list[tuple[date, date]]:
    """Ascending first-of-month dates grouped into (first, last) runs of consecutive months."""
    runs: list[list[date]] = []
    for month in months:
        if runs and next_month(runs[-1][1]) == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return [(first, last) for first, last in runs]


def last_day_of(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def _key(*parts: str) -> dg.AssetKey:
    return dg.AssetKey(list(parts))


ORGANISATION = [_key("staging", "org_units_monthly"), _key("staging", "org_subtree_monthly"),
                _key("staging", "roster_monthly")]
EVENTS = _key("marts", "attributed_events")
# Every event source's raw table (daily partitions).
RAW_EVENTS = [dg.AssetKey(adapter.raw_table.split(".")) for adapter in EVENT_ADAPTERS]
# A month of events depends on the KST days of that month in the raw layer (daily partitions):
# Dagster marks the month stale when one of its days is reloaded. (A file can hold an event of the
# next day; `axmeter run` plans from the events themselves, pipelines/defs/marts/incremental.py.)
with warnings.catch_warnings():  # the parameter is beta in Dagster 1.13; the current month's
    # later days do not exist yet as partitions, and that is expected
    warnings.filterwarnings("ignore", message=r"Parameter `allow_nonexistent_upstream_partitions`")
    RAW_EVENTS_BY_MONTH = [
        dg.AssetDep(key, partition_mapping=dg.TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True))
        for key in RAW_EVENTS
    ]
CALENDAR = _key("staging", "calendar")


def _preview(conn, table: str, where: str, params: dict) -> str:
    frame = pl.from_arrow(conn.sql(f"SELECT * FROM marts.{table} WHERE {where} LIMIT 20", params=params)
                          .to_arrow_table())
    return markdown_table(frame)


def new_event_files_only(conn, month: date) -> list[str] | None:
    """The event files (every event source's) delivered since `month`'s attributed events were built, when
    nothing else changed since (queries/event_files_new_since.sql); None when the month must be
    built whole (never built with this code, or a file was delivered again, withdrawn or
    reloaded, or a reference file changed)."""
    since = last_build_seen_until(conn, "attributed_events", month)
    if since is None:
        return None
    other_changes, files = conn.execute(query_sql("event_files_new_since"), {
        "since": since, "event_sources": [adapter.folder for adapter in EVENT_ADAPTERS]}).fetchall()[0]
    return None if other_changes else files


def build_attributed_events(conn, months: list[date]) -> dict:
    """Each month: delete it and insert it again (consecutive months in one statement), or, when
    the month only gained new files since its last build, delete and insert again just the events
    whose key has a copy in them. Every other event of the month keeps its row: all its copies are
    in files that did not change, so it wins (or loses) as before, and its roster unit and
    coefficients did not change either.
    One day's files at 10 M events: October (~1.3 M rows) took 6.6 s whole, 1.4 s by its new keys."""
    version = load_assisted_minutes(conn)
    sql = mart_sql("attributed_events")
    whole: list[date] = []
    new_files_only = 0
    for month in months:
        new_files = new_event_files_only(conn, month)
        if new_files is None:
            whole.append(month)
            continue
        # A list, never NULL: a NULL list with NULL days would select every event.
        files = {"files": list(new_files)}
        conn.execute(query_sql("attributed_events_delete_keys"), {"month": month, **files})
        conn.execute(f"INSERT INTO marts.attributed_events BY NAME {sql}",
                     {"first_month": month, "last_month": month, "first_day": None, "last_day": None, **files})
        new_files_only += 1
    # Months built whole go in one statement per run of consecutive months: staging ranks only
    # the keys with several copies, so one pass over a year needs no more memory than one over a
    # month, and a full build reads the history once instead of once a month (10 M events, ten
    # months: 38.9 s -> 20.5 s, the same rows).
    first_raw, last_raw = conn.execute(query_sql("raw_event_months")).fetchall()[0]
    for first, last in consecutive_runs(whole):
        conn.execute("DELETE FROM marts.attributed_events WHERE month BETWEEN ? AND ?", [first, last])
        # Months that hold every raw copy touch every key: no days (NULL) tells staging so, and
        # spares it matching each key of the history against the keys of those days (10 M events:
        # a semi-join of 6.8 M portal keys with themselves, 3.6 s, and 2.9 M OnAI keys, 1.1 s).
        everything = first_raw is None or (first <= first_raw and last >= last_raw)
        conn.execute(f"INSERT INTO marts.attributed_events BY NAME {sql}", {
            "first_month": first, "last_month": last, "first_day": None if everything else first,
            "last_day": None if everything else last_day_of(last), "files": None})
    # Its companions, the months' active employees by day and by month (and any month they lack,
    # e.g. a warehouse from before them), so that training_impact and later months' history read
    # them, not every event. Months from days: a DISTINCT over ~20x fewer rows than the events.
    window = {"first_month": months[0], "last_month": months[-1]}
    for companion in ("active_employee_days", "active_employee_months"):
        conn.execute(f"DELETE FROM marts.{companion} WHERE month BETWEEN $first_month AND $last_month", window)
        conn.execute(f"INSERT INTO marts.{companion} BY NAME {mart_sql(companion)}", window)
    rows, unattributed = conn.execute(
        """SELECT count(*), count(*) FILTER (WHERE unit_code = '_UNATTRIBUTED')
           FROM marts.attributed_events WHERE month BETWEEN ? AND ?""", [months[0], months[-1]]
    ).fetchall()[0]
    active = conn.execute("SELECT count(*) FROM marts.active_employee_months WHERE month BETWEEN ? AND ?",
                          [months[0], months[-1]]).fetchall()[0][0]
    return {"dagster/row_count": dg.MetadataValue.int(rows), "unattributed_events": unattributed,
            "active_employee_months": active, "coefficients_version": version, "months_built_whole": len(whole),
            "months_given_their_new_files_only": new_files_only}


def build_month_by_month(conn, name: str, months: list[date]) -> dict:
    """sql/<name>.sql for each month ($month, $metric_version): delete the month, insert it."""
    sql = mart_sql(name)
    for month in months:  # ascending: a month's history columns read the months before it
        conn.execute(f"DELETE FROM marts.{name} WHERE month = ?", [month])
        conn.execute(f"INSERT INTO marts.{name} BY NAME {sql}", {"month": month, "metric_version": METRIC_VERSION})
    rows = conn.execute(f"SELECT count(*) FROM marts.{name} WHERE month BETWEEN ? AND ?",
                        [months[0], months[-1]]).fetchall()[0][0]
    return {"dagster/row_count": dg.MetadataValue.int(rows),
            "preview": dg.MetadataValue.md(_preview(conn, name, "month = $month", {"month": months[-1]}))}


def build_whole(conn, name: str) -> dict:
    """sql/<name>.sql over the whole history ($metric_version): replace the table's rows."""
    conn.execute(f"DELETE FROM marts.{name}")
    conn.execute(f"INSERT INTO marts.{name} BY NAME {mart_sql(name)}", {"metric_version": METRIC_VERSION})
    rows = conn.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
    return {"dagster/row_count": dg.MetadataValue.int(rows),
            "preview": dg.MetadataValue.md(_preview(conn, name, "true", {}))}


def build_training_impact(conn) -> dict:
    people = pl.from_arrow(conn.sql(mart_sql("training_impact")).to_arrow_table())
    mart = compute_training_impact(people, METRIC_VERSION)
    conn.execute("DELETE FROM marts.training_impact")
    conn.register("training_impact_frame", mart.to_arrow())
    conn.execute("INSERT INTO marts.training_impact BY NAME SELECT * FROM training_impact_frame")
    conn.unregister("training_impact_frame")
    pooled = mart.filter(pl.col("session_id") == "ALL").select(
        "attendees", "did_treated", "did_controls", "did_estimate", "did_ci_low", "did_ci_high")
    return {"dagster/row_count": dg.MetadataValue.int(mart.height), "pooled": dg.MetadataValue.md(markdown_table(pooled))}


# Monthly marts, in build order: name -> (description, what it reads besides attributed events).
MONTHLY_MARTS_SPEC: dict[str, tuple[str, list[dg.AssetKey]]] = {
    "attributed_events": (
        "Internal: every de-duplicated event with its Roster(M) unit or _UNATTRIBUTED and its assisted "
        "minutes (config/assisted_minutes.yaml), and with it marts.active_employee_days and "
        "marts.active_employee_months (each day's and month's employees with a qualifying action). Read by "
        "every other mart; not published.",
        [_key("staging", "events"), _key("staging", "roster_monthly"), *RAW_EVENTS_BY_MONTH]),
    "unit_monthly": (
        "Adoption, intensity, history, usage, cost and assisted hours per unit (whole subtree) and month "
        "(metrics.md, Monthly unit metrics), exact.", [*ORGANISATION, CALENDAR]),
    "ministry_daily": (
        "Per date: daily active users of Roster(M), requests, tokens and cost, with the workday flag.",
        [_key("staging", "roster_monthly"), CALENDAR]),
    "feature_monthly": ("Per feature and month: requests, active users and assisted hours (low / central / high).", []),
    "model_monthly": (
        "Per portal model and vendor and month: requests, tokens, cost, failure rate, p50 / p95 latency.", []),
    "governance_monthly": (
        "Per month: blocked and failure shares overall, per platform, vendor and model; request and cost shares.", []),
    "pioneers_monthly": (
        "Per month: AI Pioneer Group vs everyone else, units with a pioneer vs without (adoption, active days, "
        "breadth).", [_key("staging", "roster_monthly"), _key("staging", "pioneer_membership")]),
}

WHOLE_HISTORY_MARTS_SPEC: dict[str, tuple[str, list[dg.AssetKey]]] = {
    "retention_cohorts": (
        "Cohorts by month of first qualifying action, ministry-wide and per office: share still in the roster "
        "active in each later month.", [EVENTS, *ORGANISATION]),
    "training_impact": (
        "Per training session and overall: attendees' adoption and active days 28 days before vs after, days "
        "to first use, and a difference-in-differences estimate against not-yet-trained employees with a 95% "
        "bootstrap interval.",
        [EVENTS, _key("staging", "training_attendance"), _key("staging", "dim_roster"), CALENDAR]),
    "survey_quarterly": (
        "Survey per unit (subtree) and quarter: respondents, response rate, % agree per statement, minutes saved.",
        [_key("staging", "survey_responses"), *ORGANISATION]),
    "data_quality_daily": (
        "Per source and day: rows received, loaded, duplicate, quarantined; HR match rate; unmapped features; "
        "freshness.",
        [_key("staging", "file_reconciliation"), *RAW_EVENTS, EVENTS]),
    "data_quality_quarantine": (
        "Per source, day and reason: files and rows quarantined.",
        RAW_EVENTS),
}


def _spec(name: str, description: str, deps: list[dg.AssetKey], kinds: set[str]) -> dg.AssetSpec:
    return dg.AssetSpec(key=["marts", name], deps=deps, description=description, group_name="marts",
                        kinds=kinds, owners=OWNERS, skippable=True)


@dg.multi_asset(
    specs=[_spec(name, description, deps if name == "attributed_events" else [EVENTS, *deps], {"duckdb", "sql"})
           for name, (description, deps) in MONTHLY_MARTS_SPEC.items()],
    pool=WAREHOUSE_POOL,
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
)
def monthly_marts(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The monthly marts for the run's months, one transaction: all of them or none."""
    months = months_in(context.partition_time_window)
    selected = {key.path[-1] for key in context.selected_asset_keys}
    results = []
    with warehouse.connect() as conn:
        conn.begin()
        ensure_tables(conn)
        seen_until = ledger_seen_until(conn)  # before reading any event, in the same transaction
        for name in MONTHLY_MARTS_SPEC:
            if name not in selected:
                continue
            metadata = (build_attributed_events(conn, months) if name == "attributed_events"
                        else build_month_by_month(conn, name, months))
            record_builds(conn, name, months, seen_until)
            results.append(dg.MaterializeResult(asset_key=["marts", name], metadata={"months": len(months), **metadata}))
        conn.commit()
    context.log.info(f"monthly marts {months[0]:%Y-%m} .. {months[-1]:%Y-%m}: {', '.join(sorted(selected))}")
    yield from results


@dg.multi_asset(
    specs=[_spec(name, description, deps, {"duckdb", "sql", "python"} if name == "training_impact" else {"duckdb", "sql"})
           for name, (description, deps) in WHOLE_HISTORY_MARTS_SPEC.items()],
    pool=WAREHOUSE_POOL,
    can_subset=True,
)
def whole_history_marts(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The marts that span the whole history, replaced whole, one transaction."""
    selected = {key.path[-1] for key in context.selected_asset_keys}
    results = []
    with warehouse.connect() as conn:
        conn.begin()
        ensure_tables(conn)
        for name in WHOLE_HISTORY_MARTS_SPEC:
            if name in selected:
                metadata = build_training_impact(conn) if name == "training_impact" else build_whole(conn, name)
                results.append(dg.MaterializeResult(asset_key=["marts", name], metadata=metadata))
        conn.commit()
    yield from results


monthly_mart_assets = [monthly_marts]
whole_history_mart_assets = [whole_history_marts]
mart_assets = [*monthly_mart_assets, *whole_history_mart_assets]
MONTHLY_MARTS = list(MONTHLY_MARTS_SPEC)
