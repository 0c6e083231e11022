"""Adds the operations layer to the pipeline's definitions (pipelines/definitions.py)."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ops.assets import build_archive_asset, warehouse_maintenance
from pipelines.defs.ops.jobs import OPS_JOBS
from pipelines.defs.ops.schedules import ops_schedules
from pipelines.defs.ops.sensors import ops_sensors


def _published_keys(defs: dg.Definitions) -> list[dg.AssetKey]:
    return sorted(
        (key for asset in defs.assets or [] if isinstance(asset, dg.AssetsDefinition)
         for key, group in asset.group_names_by_key.items() if group == "publish"),
        key=lambda key: key.to_user_string(),
    )


def with_operations(defs: dg.Definitions) -> dg.Definitions:
    """The pipeline plus archiving and maintenance assets and jobs, the daily and weekly
    schedules, and the follow-up and alert sensors."""
    return dg.Definitions.merge(defs, dg.Definitions(
        assets=[build_archive_asset(after=_published_keys(defs)), warehouse_maintenance],
        jobs=OPS_JOBS,
        schedules=ops_schedules,
        sensors=ops_sensors,
    ))
