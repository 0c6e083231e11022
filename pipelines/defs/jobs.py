"""Jobs: the pipeline's steps as Dagster runs, in the order data flows.

A run can cover one partitions definition, so a full refresh is five runs: event ingestion
(daily partitions), snapshots and staging, monthly marts (monthly partitions), whole-history
marts, publish."""

import dagster as dg

from pipelines.defs.ingest.assets import event_assets, reference_assets
from pipelines.defs.ingest.partitions import daily_partitions
from pipelines.defs.marts.assets import monthly_mart_assets, whole_history_mart_assets
from pipelines.defs.marts.partitions import monthly_partitions

ingest_events_job = dg.define_asset_job(
    "ingest_events",
    selection=dg.AssetSelection.assets(*event_assets),
    partitions_def=daily_partitions,
    description="Load the portal and OnAI files of the selected KST days into the raw layer.",
)

refresh_reference_job = dg.define_asset_job(
    "refresh_snapshots_and_staging",
    selection=dg.AssetSelection.assets(*reference_assets) | dg.AssetSelection.groups("staging"),
    description="Reload the HR snapshots, training, pioneer, survey and closure files; refresh the staging views.",
)

build_marts_job = dg.define_asset_job(
    "build_marts",
    selection=dg.AssetSelection.assets(*monthly_mart_assets),
    partitions_def=monthly_partitions,
    description="Recompute the monthly marts for the selected months (and attributed events).",
)

build_whole_history_marts_job = dg.define_asset_job(
    "build_whole_history_marts",
    selection=dg.AssetSelection.assets(*whole_history_mart_assets),
    description="Recompute the marts that span the whole history: retention cohorts, training impact, "
    "survey, data quality.",
)

publish_job = dg.define_asset_job(
    "publish",
    selection=dg.AssetSelection.groups("publish"),
    description="Write the suppressed marts to published/ and the manifest.",
)

PIPELINE_JOBS = [ingest_events_job, refresh_reference_job, build_marts_job, build_whole_history_marts_job,
                 publish_job]
