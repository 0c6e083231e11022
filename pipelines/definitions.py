"""The axmeter code location: assembles the domains under pipelines/defs/. Nothing else."""

import dagster as dg

from pipelines.defs.exports.definitions import with_exports
from pipelines.defs.ingest.assets import event_assets, reference_assets
from pipelines.defs.ingest.sensors import landing_sensors
from pipelines.defs.jobs import PIPELINE_JOBS
from pipelines.defs.marts.assets import mart_assets
from pipelines.defs.ops.definitions import with_operations
from pipelines.defs.publish.assets import publish_release
from pipelines.defs.quality.assets import quality_data_docs
from pipelines.defs.quality.checks import with_contract_checks
from pipelines.defs.staging.assets import staging_assets
from pipelines.defs.staging.checks import staging_checks
from pipelines.defs.staging.dimensions import dimension_assets
from pipelines.resources import AxmeterHome, PseudonymKey, Warehouse

defs = dg.Definitions(
    assets=[*event_assets, *reference_assets, *staging_assets, *dimension_assets,
            *mart_assets, publish_release, quality_data_docs],
    asset_checks=[*staging_checks],
    jobs=PIPELINE_JOBS,
    sensors=[*landing_sensors],
    resources={
        "home": AxmeterHome(home=dg.EnvVar("AXMETER_HOME")),
        "warehouse": Warehouse(home=dg.EnvVar("AXMETER_HOME")),
        "pseudonym_key": PseudonymKey(key=dg.EnvVar("AXMETER_PSEUDONYM_KEY")),
    },
)

# Schedules, follow-up and alert sensors, archiving and maintenance (pipelines/defs/ops/).
defs = with_operations(defs)

# The advisory group's quarterly pack: asset, job and schedule (pipelines/defs/exports/).
defs = with_exports(defs)

# Data contracts (data_contracts/*.yaml) as asset checks on their assets (pipelines/defs/quality/).
defs = with_contract_checks(defs)
