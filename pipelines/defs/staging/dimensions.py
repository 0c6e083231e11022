"""Dimensions in staging: the organisation over time and the programmes' reference data.

Organisation (metrics.md, Organisation and attribution):

`dim_unit` and `dim_roster` are effective-dated (SCD2: valid_from inclusive, valid_to
exclusive) dimensions built from the HR snapshots; the `*_monthly` views resolve them for each
KST month M: the org units in force on M's last day, their subtree pairs, and Roster(M).
Programmes: training attendance, pioneer membership and survey answers, de-duplicated."""

import dagster as dg

from pipelines.defs.staging.assets import build_view_asset


def _staging(name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", name])


# view name -> the assets it reads; each view's SQL is staging/sql/<name>.sql
ORGANISATION_VIEWS: dict[str, list[dg.AssetKey]] = {
    "dim_unit": [_staging("hr_org_units")],
    "dim_roster": [_staging("hr_roster")],
    "org_units_monthly": [_staging("dim_unit"), _staging("calendar")],
    "org_subtree_monthly": [_staging("org_units_monthly")],
    "roster_monthly": [_staging("dim_roster"), _staging("org_units_monthly"), _staging("calendar")],
}

PROGRAMME_VIEWS: dict[str, list[dg.AssetKey]] = {
    "training_attendance": [dg.AssetKey(["raw", "training_attendance"])],
    "pioneer_membership": [dg.AssetKey(["raw", "pioneer_roster"])],
    "survey_responses": [dg.AssetKey(["raw", "survey_responses"])],
}

dimension_assets = [build_view_asset(name, deps) for name, deps in {**ORGANISATION_VIEWS, **PROGRAMME_VIEWS}.items()]
