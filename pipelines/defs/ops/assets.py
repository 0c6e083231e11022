"""Housekeeping as assets in the `ops` group: archiving landed files after a successful run,
and warehouse maintenance. Both open the warehouse, so both are in its pool."""

from collections.abc import Sequence

import dagster as dg

from pipelines.defs.ops.housekeeping import (
    archive_loaded, checkpoint, compact, database_bytes, loaded_files, purge_archive,
)
from pipelines.resources import AxmeterHome, Warehouse
from pipelines.settings import OWNERS, RETRY_POLICY, WAREHOUSE_POOL, archive_retention_days, today_kst

ARCHIVE_KEY = dg.AssetKey(["ops", "landing_archive"])
MAINTENANCE_KEY = dg.AssetKey(["ops", "warehouse_maintenance"])


class MaintenanceConfig(dg.Config):
    compact: bool = False
    """Also rewrite the database file without its free blocks (needs free disk the size of the
    warehouse; takes the warehouse pool for as long as the copy lasts)."""


def build_archive_asset(after: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """`after`: the published assets; in a run, archiving waits for them and is skipped when
    they fail, so a file leaves landing/ only once what it fed is published."""

    @dg.asset(
        key=ARCHIVE_KEY,
        deps=list(after),
        description="Moves landed files the ledger holds as loaded (same sha256) to archive/<source>/, "
        "then deletes archived portal/OnAI files older than AXMETER_ARCHIVE_RETENTION_DAYS. Loads read "
        "landing/ and archive/ alike, so a reload still sees every file of its day.",
        group_name="ops",
        kinds={"python"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        retry_policy=RETRY_POLICY,
    )
    def landing_archive(
        context: dg.AssetExecutionContext, home: AxmeterHome, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            loaded = loaded_files(conn)
        report = archive_loaded(home, loaded)
        retention = archive_retention_days()
        purge_archive(home, retention, today_kst(), report)
        context.log.info(
            f"archived {report.moved} file(s), {len(report.waiting)} waiting in landing/, purged {report.purged}"
        )
        waiting = "\n".join(f"- {name}" for name in report.waiting[:50])
        return dg.MaterializeResult(metadata={
            **report.as_metadata(),
            "retention_days": retention if retention is not None else "keep for ever",
            "waiting_in_landing": dg.MetadataValue.md(
                "Not loaded in this version (new, corrected, or quarantined whole):\n" + waiting
                if waiting else "none"
            ),
        })

    return landing_archive


@dg.asset(
    key=MAINTENANCE_KEY,
    description="CHECKPOINT and VACUUM ANALYZE of warehouse.duckdb (config `compact`: also rewrite it "
    "without free blocks).",
    group_name="ops",
    kinds={"duckdb"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
    retry_policy=RETRY_POLICY,
)
def warehouse_maintenance(
    context: dg.AssetExecutionContext, config: MaintenanceConfig, home: AxmeterHome, warehouse: Warehouse
) -> dg.MaterializeResult:
    path = home.warehouse_path
    before = database_bytes(path)
    with warehouse.connect() as conn:
        checkpoint(conn)
    if config.compact:
        warehouse.release()  # the file is replaced: nothing may hold the old one open
        compact(path)
    after = database_bytes(path)
    context.log.info(f"warehouse: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB")
    return dg.MaterializeResult(metadata={
        "bytes_before": before, "bytes_after": after, "compacted": config.compact,
        "path": dg.MetadataValue.path(str(path)),
    })
