"""Jobs of the operations layer. Every one carries the shared retry policy for its steps."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingest.assets import reference_assets
from pipelines.defs.ops.assets import ARCHIVE_KEY, MAINTENANCE_KEY
from pipelines.settings import RETRY_POLICY

REFRESH_AND_PUBLISH = "refresh_and_publish"
ARCHIVE_LANDING = "archive_landing"
WAREHOUSE_MAINTENANCE = "warehouse_maintenance"

# Everything downstream of the daily event partitions, in one run (monthly partitions; the
# unpartitioned assets run whole): reference files, staging and its blocking check, the
# marts of the requested months, the whole-history marts, publish, then archiving.
refresh_and_publish_job = dg.define_asset_job(
    REFRESH_AND_PUBLISH,
    selection=dg.AssetSelection.assets(*reference_assets)
    | dg.AssetSelection.groups("staging", "marts", "publish")
    | dg.AssetSelection.assets(ARCHIVE_KEY),
    op_retry_policy=RETRY_POLICY,
    description="After an event load: reload the reference files, refresh staging, recompute the "
    "requested months and the whole-history marts, publish, and archive the loaded files.",
)

archive_landing_job = dg.define_asset_job(
    ARCHIVE_LANDING,
    selection=dg.AssetSelection.assets(ARCHIVE_KEY),
    op_retry_policy=RETRY_POLICY,
    description="Move loaded files from landing/ to archive/; delete archived event files past the retention.",
)

warehouse_maintenance_job = dg.define_asset_job(
    WAREHOUSE_MAINTENANCE,
    selection=dg.AssetSelection.assets(MAINTENANCE_KEY),
    op_retry_policy=RETRY_POLICY,
    description="CHECKPOINT and VACUUM the warehouse (config `compact` rewrites it).",
)

OPS_JOBS = [refresh_and_publish_job, archive_landing_job, warehouse_maintenance_job]
