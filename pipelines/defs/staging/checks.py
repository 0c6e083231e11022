"""Blocking checks on the staging layer: nothing downstream runs on data that does not add up."""

import dagster as dg

from pipelines.resources import Warehouse
from pipelines.settings import RETRY_POLICY, WAREHOUSE_POOL


@dg.asset_check(
    asset=dg.AssetKey(["staging", "file_reconciliation"]),
    name="every_file_reconciles",
    description="Per landed file: lines read = loaded + duplicates + quarantined, and the ledger "
    "agrees with what the raw tables and the quarantine hold.",
    blocking=True,
    pool=WAREHOUSE_POOL,  # it opens the warehouse like any writer
    retry_policy=RETRY_POLICY,
)
def every_file_reconciles(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as conn:
        # The file count and the first 20 files that do not add up, in one query.
        files, unbalanced = conn.execute(
            """SELECT count(*),
                      coalesce(list((source, file, lines_read, rows_loaded, rows_duplicate, rows_quarantined)
                                    ORDER BY source, file) FILTER (WHERE NOT reconciles), [])[:20]
               FROM staging.file_reconciliation"""
        ).fetchall()[0]
        unbalanced = [tuple(row) for row in unbalanced]
    return dg.AssetCheckResult(
        passed=not unbalanced,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_checked": files,
            "unbalanced_files": dg.MetadataValue.md(
                "\n".join(f"- {s}/{f}: read {r}, loaded {l}, duplicates {d}, quarantined {q}"
                          for s, f, r, l, d, q in unbalanced) or "none"
            ),
        },
        description=None if not unbalanced else
        f"{len(unbalanced)} file(s) do not reconcile: reload their partitions (see metadata).",
    )


staging_checks = [every_file_reconciles]
