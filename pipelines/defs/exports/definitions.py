"""The exports domain's Dagster definitions, added to the code location by
pipelines/definitions.py (`with_exports`; resources come from there)."""

import dagster as dg

from pipelines.defs.exports.assets import quarterly_pack, quarterly_pack_job
from pipelines.defs.exports.schedules import quarterly_pack_schedule


def with_exports(defs: dg.Definitions) -> dg.Definitions:
    """`defs` plus the pack's asset and job, and its schedule unless `defs` already schedules a
    job named `quarterly_pack` (one schedule per pack, never two runs per quarter)."""
    scheduled = {getattr(s, "job_name", None) for s in defs.schedules or []}
    names = {getattr(s, "name", None) for s in defs.schedules or []}
    schedules = [] if {quarterly_pack_job.name} & scheduled or quarterly_pack_schedule.name in names \
        else [quarterly_pack_schedule]
    return dg.Definitions.merge(defs, dg.Definitions(assets=[quarterly_pack], jobs=[quarterly_pack_job],
                                                     schedules=schedules))
