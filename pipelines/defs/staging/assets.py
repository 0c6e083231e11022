"""Staging layer: de-duplicated, conformed views over the raw tables, one SQL file each.

Views cost nothing to refresh and are always consistent with raw; marts read only these. The
one table, `staging.file_reconciliation`, is refreshed by its asset on every run (counting again
only the files that changed)."""

from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.ingest.sources import ADAPTERS, EVENT_ADAPTERS
from pipelines.metadata import markdown_table
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS, RETRY_POLICY, WAREHOUSE_POOL

SQL_DIR = Path(__file__).parent / "sql"

# Each event source's de-duplicated view is named after its raw table (staging.portal_events).
NEWEST_COPY_VIEWS = {adapter.raw_table.split(".")[1]: adapter for adapter in EVENT_ADAPTERS}
# view name -> the raw or staging assets it reads
STAGING_VIEWS: dict[str, list[dg.AssetKey]] = {
    **{view: [dg.AssetKey(adapter.raw_table.split("."))] for view, adapter in NEWEST_COPY_VIEWS.items()},
    "events": [dg.AssetKey(["staging", view]) for view in NEWEST_COPY_VIEWS],
    "hr_roster": [dg.AssetKey(["raw", "hr_roster"])],
    "hr_org_units": [dg.AssetKey(["raw", "hr_org_units"])],
}
# Views that keep one row per natural key of the whole history (ranking the copies of the keys
# delivered more than once): each event source's, and staging.events, their union.
# Each is also a table macro staging.<view>_touching(first_day, last_day, files := NULL), defined
# by the same SQL: the rows of the natural keys with a copy on those KST days or in those files (of
# any event source: names are matched within each source), so that rebuilding one month ranks the
# copies of that month's keys instead of every event ever loaded, and the file reconciliation those
# of the files that changed.
# The event sources' views share sql/newest_copy.sql, filled in with the raw table and natural key
# (code constants of the adapters, never user input): one ranking rule for all.
DEDUPLICATED_VIEWS = {*NEWEST_COPY_VIEWS, "events"}
TOUCHING_PARAMETERS = "first_day, last_day, files := NULL"
# The order that ranks a natural key's copies, winner first (the copy delivered last; same delivery
# time: the later file name, then the later line): sql/newest_copy.sql and the reconciliation's
# recount (`file_row_counts_sql`) must rank alike, so both take it from here.
NEWEST_COPY_FIRST = "delivered_at DESC, file DESC, line DESC"
# staging.events' shape: the first seven from the adapter (`events_sql`), the rest from each event
# source's sql/events/<source>.sql (NULL for what the platform does not have), in any order;
# marts/sql/attributed_events.sql reads them.
EVENT_COLUMNS = (
    "platform", "event_key", "employee_key", "started_at", "event_date", "file_date", "month", "status",
    "blocked", "qualifying", "feature", "model", "provider", "latency_ms", "prompt_tokens",
    "completion_tokens", "cost_usd", "output_kept",
)


def file_row_counts_sql(incremental: bool = False) -> str:
    """Rows per landed file in its raw table, and how many survived de-duplication (for event
    sources, staging.<table> keeps one row per natural key; other files are kept whole).
    Generated from the adapter registry so that a new source needs no change here; the
    table names are code constants, not user input.

    `incremental`: only the natural keys of the files in `$changed_<source>` are ranked again
    (see `changed_event_files`). A file's kept rows are then its rows, less its copies of those
    keys, plus the winners among them that are its own: every other row of it won before and
    still wins, because no copy of its key was added, removed or re-delivered since."""
    parts = []
    for adapter in ADAPTERS.values():
        table = adapter.raw_table.split(".")[1]
        in_raw = f"(SELECT file, count(*) AS in_raw FROM {adapter.raw_table} GROUP BY file)"
        if adapter.natural_key and incremental:
            key, changed = adapter.natural_key, f"$changed_{adapter.folder}::VARCHAR[]"
            # Every copy of the changed files' keys, ranked as staging ranks them (NEWEST_COPY_FIRST:
            # the copy delivered last wins): one pass over the history's keys, where counting the
            # copies and staging.<table>_touching's winners apart took three (10 M events, one-day
            # incremental: the step 1.30 -> 0.82 s).
            parts.append(
                f"SELECT '{adapter.folder}' AS source, file, in_raw, "
                f"in_raw - coalesce(copies, 0) + coalesce(winners, 0) AS kept FROM {in_raw} "
                f"LEFT JOIN (SELECT file, count(*) AS copies, count(*) FILTER (WHERE wins) AS winners FROM "
                f"(SELECT file, row_number() OVER (PARTITION BY {key} ORDER BY {NEWEST_COPY_FIRST}) = 1 AS wins "
                f"FROM {adapter.raw_table} WHERE {key} IN "
                f"(SELECT {key} FROM {adapter.raw_table} WHERE list_contains({changed}, file))) GROUP BY file) "
                f"USING (file)"
            )
        elif adapter.natural_key:
            # Two per-file counts joined on the file: no join of every raw row with its staging copy.
            parts.append(
                f"SELECT '{adapter.folder}' AS source, file, in_raw, coalesce(kept, 0) AS kept FROM {in_raw} "
                f"LEFT JOIN (SELECT file, count(*) AS kept FROM staging.{table} GROUP BY file) USING (file)"
            )
        else:
            parts.append(
                f"SELECT '{adapter.folder}' AS source, file, count(*) AS in_raw, count(*) AS kept "
                f"FROM {adapter.raw_table} GROUP BY file"
            )
    return "\nUNION ALL\n".join(parts)


def changed_event_files(conn) -> dict[str, list[str]] | None:
    """Per event source, the files whose kept rows may differ from the last reconciliation:
    files new to the ledger or loaded, withdrawn or re-delivered since (their `last_seen`
    moved), and files that lost a key to another file then (a change elsewhere can give it
    back). None when the table must be built whole: no earlier table (or one from a version
    without `ledger_last_seen`), or a file it holds has left the ledger."""
    # The caller has dropped the view earlier versions made, so any columns found are the table's.
    columns = {row[0] for row in conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'staging' "
        "AND table_name = 'file_reconciliation'").fetchall()}
    if "ledger_last_seen" not in columns:
        return None
    gone = conn.execute("SELECT count(*) FROM staging.file_reconciliation AS r "
                        "ANTI JOIN raw.file_ledger AS l USING (source, file)").fetchall()[0][0]
    if gone:
        return None
    changed: dict[str, list[str]] = {a.folder: [] for a in ADAPTERS.values() if a.natural_key}
    for source, file in conn.execute(
        """SELECT l.source, l.file
           FROM raw.file_ledger AS l LEFT JOIN staging.file_reconciliation AS r USING (source, file)
           WHERE l.source IN (SELECT unnest($sources::VARCHAR[]))
             AND (r.file IS NULL OR r.ledger_last_seen IS DISTINCT FROM l.last_seen OR r.rows_duplicate > 0)""",
        {"sources": list(changed)},
    ).fetchall():
        changed[source].append(file)
    return changed


def view_sql(name: str) -> str:
    """The SQL of staging.<name>: sql/<name>.sql, sql/newest_copy.sql for an event source, or for
    staging.events every event source's sql/events/<source>.sql, by name (`events_sql`)."""
    if name in NEWEST_COPY_VIEWS:
        adapter = NEWEST_COPY_VIEWS[name]
        return (SQL_DIR / "newest_copy.sql").read_text(encoding="utf-8").format(
            raw_table=adapter.raw_table, key=adapter.natural_key, newest_first=NEWEST_COPY_FIRST)
    if name == "events":
        return events_sql()
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def events_sql() -> str:
    """Every event of every event source in one shape (EVENT_COLUMNS). The columns all platforms
    share come from the adapter (its name, natural key and de-duplicated view); the metric
    dictionary's flags (metrics.md: qualifying action, feature, blocked by policy, ...) are each
    source's select list in sql/events/<source>.sql. staging.events_touching passes its parameters
    through to each source's view."""
    parts = []
    for view, adapter in NEWEST_COPY_VIEWS.items():
        mapping = SQL_DIR / "events" / f"{adapter.name}.sql"
        if not mapping.exists():
            raise FileNotFoundError(
                f"event source {adapter.name!r} has no {mapping.relative_to(SQL_DIR.parents[3])}: write it to map "
                "its events to staging.events' columns (what is a qualifying action, which feature); "
                "sql/events/portal.sql is an example")
        parts.append(
            f"(SELECT '{adapter.name}' AS platform, {adapter.natural_key} AS event_key, employee_key, started_at, "
            "event_date, file_date, date_trunc('month', event_date)::DATE AS month,\n"
            f"{mapping.read_text(encoding='utf-8').strip()}\n"
            f"FROM staging.{view}_touching(first_day, last_day, files := files))")
    return "\nUNION ALL BY NAME\n".join(parts)


def _description(name: str, sql: str) -> str:
    """The asset's description: the first line of its SQL, or for an event source its own words."""
    if name in NEWEST_COPY_VIEWS:
        adapter = NEWEST_COPY_VIEWS[name]
        return (f"One row per {adapter.natural_key} of {adapter.raw_table}: the copy delivered last wins "
                "(sql/newest_copy.sql).")
    if name == "events":
        return ("Every de-duplicated event of every platform in one shape, with the metric dictionary's flags "
                "(qualifying action, feature, blocked by policy): sql/events/<platform>.sql.")
    return sql.split("\n", 1)[0].lstrip("- ")


def check_event_columns(conn) -> None:
    """staging.events has exactly EVENT_COLUMNS: a misspelt column in one source's mapping would
    otherwise be NULL for that source (UNION ALL BY NAME) and a column of its own for the rest."""
    found = [row[0] for row in conn.execute("DESCRIBE staging.events").fetchall()]
    missing, unknown = set(EVENT_COLUMNS) - set(found), set(found) - set(EVENT_COLUMNS)
    if missing or unknown:
        raise ValueError(
            f"staging.events: the mappings in staging/sql/events/ give unknown columns {sorted(unknown)} and "
            f"lack {sorted(missing)}: each source's file must name exactly these columns: {', '.join(EVENT_COLUMNS)}")


def build_view_asset(name: str, deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    sql = view_sql(name)

    @dg.asset(
        key=["staging", name],
        deps=deps,
        description=_description(name, sql),
        group_name="staging",
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        retry_policy=RETRY_POLICY,
    )
    def view_asset(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            if name in DEDUPLICATED_VIEWS:
                # One transaction: a mapping that fails the column check leaves the last good view.
                conn.begin()
                conn.execute(f"CREATE OR REPLACE MACRO staging.{name}_touching({TOUCHING_PARAMETERS}) AS TABLE {sql}")
                conn.execute(f"CREATE OR REPLACE VIEW staging.{name} AS SELECT * FROM staging.{name}_touching(NULL, NULL)")
                if name == "events":
                    try:
                        check_event_columns(conn)
                    except ValueError:
                        conn.rollback()
                        raise
                conn.commit()
                # Counting would de-duplicate every event of the history once more on every refresh;
                # staging/file_reconciliation counts the kept rows per file and source anyway.
                return dg.MaterializeResult(metadata={"rows": "see staging/file_reconciliation (loaded)"})
            conn.execute(f"CREATE OR REPLACE VIEW staging.{name} AS {sql}")
            rows = conn.execute(f"SELECT count(*) FROM staging.{name}").fetchall()[0][0]
        return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(rows)})

    return view_asset


@dg.asset(
    key=["staging", "file_reconciliation"],
    deps=[dg.AssetKey(adapter.raw_table.split(".")) for adapter in ADAPTERS.values()] + STAGING_VIEWS["events"],
    description="The file ledger reconciled (a table, refreshed on every run): per landed file, lines "
    "read = loaded + duplicates + quarantined; with the quarantine's reasons in the metadata.",
    group_name="staging",
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
    retry_policy=RETRY_POLICY,
)
def file_reconciliation(warehouse: Warehouse) -> dg.MaterializeResult:
    sql = (SQL_DIR / "file_reconciliation.sql").read_text(encoding="utf-8")
    with warehouse.connect() as conn:
        # The whole-history counts, for a data engineer to query; the table below counts again
        # only what changed.
        conn.execute(f"CREATE OR REPLACE VIEW staging.file_row_counts AS {file_row_counts_sql()}")
        # A table, not a view: de-duplicating every event to count the kept rows per file is the
        # costly part (~0.75 s per million events), and its blocking check and the data-quality
        # mart read it too. After the first build, only the keys of changed files are ranked again.
        conn.begin()
        if conn.execute("SELECT 1 FROM duckdb_views() WHERE schema_name = 'staging' "
                        "AND view_name = 'file_reconciliation'").fetchall():
            conn.execute("DROP VIEW staging.file_reconciliation")  # what earlier versions created
        changed = changed_event_files(conn)
        if changed is None:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE file_row_counts_now AS {file_row_counts_sql()}")
        else:
            conn.execute(f"CREATE OR REPLACE TEMP TABLE file_row_counts_now AS {file_row_counts_sql(incremental=True)}",
                         {f"changed_{source}": files for source, files in changed.items()})
        conn.execute(f"CREATE OR REPLACE TABLE staging.file_reconciliation AS {sql}")
        conn.execute("DROP TABLE file_row_counts_now")
        conn.commit()
        recounted = "all" if changed is None else sum(len(files) for files in changed.values())
        by_source = pl.from_arrow(conn.sql(
            """SELECT source, count(*) AS files, count(*) FILTER (WHERE status = 'quarantined') AS files_quarantined,
                      sum(lines_read) AS lines_read, sum(rows_loaded) AS loaded,
                      sum(rows_duplicate) AS duplicates, sum(rows_quarantined) AS quarantined
               FROM staging.file_reconciliation GROUP BY source ORDER BY source"""
        ).to_arrow_table())
        reasons = pl.from_arrow(conn.sql(
            """SELECT source, reason, count(*) AS n FROM raw.quarantine
               GROUP BY ALL ORDER BY n DESC, source, reason LIMIT 25"""
        ).to_arrow_table())
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(int(by_source["files"].sum() or 0)),
        "event_files_recounted": recounted,
        "by_source": dg.MetadataValue.md(markdown_table(by_source)),
        "quarantine_reasons": dg.MetadataValue.md(markdown_table(reasons) if reasons.height else "nothing quarantined"),
    })


staging_assets = [build_view_asset(name, deps) for name, deps in STAGING_VIEWS.items()] + [file_reconciliation]
