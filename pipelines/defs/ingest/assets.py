"""Raw layer: landed files -> raw.* tables in DuckDB, with ledger and quarantine.

Event sources (portal, onai) are partitioned by the KST day in the file name; a partition
write deletes that window's rows, then loads every file of the window again, so re-running a
day is idempotent. HR snapshots are small and reloaded whole."""

from datetime import date, datetime, timedelta, timezone

import dagster as dg

from pipelines.defs.ingest.landing import LandedFile, scan_delivered
from pipelines.defs.ingest.loader import (
    LoadReport, RawWriter, clear_previous_loads, decoded_batches, files_kept_past_retention, mark_pending,
    record_rejected_file, record_withdrawn_files,
)
from pipelines.defs.ingest.partitions import daily_partitions
from pipelines.defs.ingest.sources import ADAPTERS, ADAPTERS_BY_FOLDER, EVENT_ADAPTERS
from pipelines.defs.ingest.sources.base import ParseContext, SourceAdapter
from pipelines.resources import AxmeterHome, PseudonymKey, Warehouse
from pipelines.settings import (
    OWNERS, RETRY_POLICY, WAREHOUSE_POOL, archive_retention_days, data_start, oldest_reloadable_day, today_kst,
)


def _placement_problem(adapter: SourceAdapter, landed: LandedFile, today: date, bounded: bool) -> str | None:
    """Why no load can take this file, or None. Only event files are bounded by the collection
    period; an HR snapshot from before it is still the one in force at its start."""
    if not adapter.claims(landed.path.name):
        names = " or ".join(a.file_pattern.pattern for a in ADAPTERS_BY_FOLDER[adapter.folder])
        return f"unexpected file name (expected {names}); rename it or remove it"
    if adapter.dated_names and landed.file_date is None:
        return "impossible date in the file name; rename it with the right date"
    if bounded and landed.file_date < data_start():
        return f"file dated {landed.file_date}, before the start of data collection ({data_start()})"
    if landed.file_date is not None and landed.file_date > today + timedelta(days=1):
        return f"file dated {landed.file_date}, more than a day after the run"
    return None


def _load(
    context: dg.AssetExecutionContext,
    adapter: SourceAdapter,
    home: AxmeterHome,
    warehouse: Warehouse,
    pseudonym_key: PseudonymKey,
    window: tuple[date, date] | None,
) -> dg.MaterializeResult:
    now = datetime.now(timezone.utc)
    ctx = ParseContext(
        earliest=data_start(), latest=now + timedelta(days=1), pseudonymizer=pseudonym_key.pseudonymizer()
    )
    siblings = ADAPTERS_BY_FOLDER[adapter.folder]
    placed, unplaceable = [], []
    in_folder = scan_delivered(adapter.folder, home.landing(adapter.folder), home.archive(adapter.folder),
                               adapter.date_of)
    for landed in in_folder:
        claimed_by_sibling = any(other.claims(landed.path.name) for other in siblings if other is not adapter)
        # A file another adapter of this folder claims is its business; a file nobody claims is
        # reported once, by the folder's first adapter.
        if claimed_by_sibling or (not adapter.claims(landed.path.name) and siblings[0] is not adapter):
            continue
        problem = _placement_problem(adapter, landed, now.date(), bounded=window is not None)
        if problem:
            unplaceable.append((landed, problem))
        elif window is None or window[0] <= landed.file_date < window[1]:
            placed.append(landed)

    report = LoadReport()
    with warehouse.connect() as conn:
        # First the clean slate, in one transaction: the window's rows go, files no longer
        # delivered are marked withdrawn and the files about to load are marked pending.
        conn.begin()
        delivered = placed + [landed for landed, _ in unplaceable]
        # Event files of days past the archive retention were deleted on purpose: their rows stay.
        kept_before = oldest_reloadable_day(archive_retention_days(), today_kst()) if adapter.natural_key else None
        kept = files_kept_past_retention(conn, adapter, in_folder, window, kept_before)
        clear_previous_loads(conn, adapter, delivered, window, kept_before)
        # Every file of the folder counts as delivered: siblings' files are their business.
        withdrawn = record_withdrawn_files(conn, adapter, in_folder, window, now, kept_before)
        report.files_gone(withdrawn, kept)
        if withdrawn:
            context.log.warning(f"{adapter.name}: {len(withdrawn)} file(s) of the reloaded days are no longer "
                                "delivered; their rows were removed and their ledger entries marked withdrawn")
        if kept:
            context.log.info(f"{adapter.name}: {len(kept)} file(s) of reloaded days before {kept_before} were "
                             "deleted by the archive retention (AXMETER_ARCHIVE_RETENTION_DAYS); their rows are kept")
        mark_pending(conn, adapter, placed, now)
        for landed, why in unplaceable:
            record_rejected_file(conn, adapter.folder, landed, why, now)
            report.file_quarantined(landed.file_date, why)
        conn.commit()
        # Then the rows, in transactions of about a million (`RawWriter`): DuckDB holds a
        # transaction's new rows until it commits, so one transaction for a year of files grew with
        # every batch (1.4 GB at 1 M events). A run that stops half-way leaves its unwritten files
        # pending (they reconcile at zero), and the next run loads their days again.
        done = 0
        writer = RawWriter(conn, adapter, ctx, now, report)
        try:
            for batch, decoded in decoded_batches(adapter, placed):
                writer.add(decoded)
                done += len(batch)
                context.log.info(f"{adapter.name}: {done} of {len(placed)} files read, "
                                 f"{writer.rows_written:,} rows written so far")
            writer.close()
        except BaseException:
            writer.discard()
            raise
        if window is None:
            total_rows = conn.execute(f"SELECT count(*) FROM {adapter.raw_table}").fetchall()[0][0]
            return dg.MaterializeResult(metadata=_load_metadata(report, total_rows))
        rows_by_day = dict(conn.execute(
            f"""SELECT {adapter.date_column}, count(*) FROM {adapter.raw_table}
                WHERE {adapter.date_column} >= $start AND {adapter.date_column} < $end GROUP BY 1""",
            {"start": window[0], "end": window[1]}).fetchall())

    context.log.info(f"{adapter.name}: {report.files_loaded} file(s) loaded, {report.files_quarantined} quarantined, "
                     f"{report.rows_loaded:,} rows loaded, {report.rows_quarantined:,} rows quarantined")
    # A run over a range of days records one materialization per day: each carries its own
    # day's figures, not the run's.
    for key in context.partition_keys:
        day = date.fromisoformat(key)
        context.add_asset_metadata(_load_metadata(report.for_day(day), rows_by_day.get(day, 0)), partition_key=key)
    return dg.MaterializeResult()


def _load_metadata(report: LoadReport, rows: int) -> dict:
    """A materialization's metadata: what the load did and the rows the table (or the day) now holds."""
    reasons = "\n".join(f"| {reason} | {n} |" for reason, n in sorted(report.reasons.items(), key=lambda kv: -kv[1]))
    return {
        **report.as_metadata(),
        "dagster/row_count": dg.MetadataValue.int(rows),
        "quarantine_reasons": dg.MetadataValue.md(
            "| reason | count |\n|---|---|\n" + reasons if reasons else "nothing quarantined"
        ),
    }


def build_raw_asset(adapter: SourceAdapter, partitioned: bool) -> dg.AssetsDefinition:
    schema, table = adapter.raw_table.split(".")

    @dg.asset(
        key=[schema, table],
        description=f"Rows of landing/{adapter.folder}/ ({adapter.file_pattern.pattern}), typed and "
        "pseudonymised; bad rows and files go to raw.quarantine with their reason.",
        group_name="ingest",
        kinds={"duckdb", "python"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        retry_policy=RETRY_POLICY,
        partitions_def=daily_partitions if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
    )
    def raw_asset(
        context: dg.AssetExecutionContext, home: AxmeterHome, warehouse: Warehouse, pseudonym_key: PseudonymKey
    ) -> dg.MaterializeResult:
        window = None
        if partitioned:
            time_window = context.partition_time_window
            window = (time_window.start.date(), time_window.end.date())
        return _load(context, adapter, home, warehouse, pseudonym_key, window)

    return raw_asset


# Event sources (a natural key: portal, OnAI) are partitioned by day, from the registry.
event_assets = [build_raw_asset(adapter, partitioned=True) for adapter in EVENT_ADAPTERS]
# Small files, reloaded whole on every run: HR snapshots, training, pioneers, survey, closures.
REFERENCE_ADAPTERS = tuple(adapter for adapter in ADAPTERS.values() if not adapter.natural_key)
reference_assets = [build_raw_asset(adapter, partitioned=False) for adapter in REFERENCE_ADAPTERS]
# Which raw assets a landing folder feeds: `axmeter run` leaves out a folder whose files did not change.
REFERENCE_KEYS_BY_FOLDER: dict[str, list[dg.AssetKey]] = {}
for _adapter, _asset in zip(REFERENCE_ADAPTERS, reference_assets):
    REFERENCE_KEYS_BY_FOLDER.setdefault(_adapter.folder, []).append(_asset.key)
