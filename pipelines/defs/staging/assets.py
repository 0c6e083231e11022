"""Staging layer: de-duplicated, conformed views over the raw tables, one SQL file each.

Views cost nothing to refresh and are always consistent with raw; marts read only these."""

from pathlib import Path

import dagster as dg

from pipelines.resources import Warehouse
from pipelines.settings import OWNERS, WAREHOUSE_POOL

SQL_DIR = Path(__file__).parent / "sql"

# view name -> the raw or staging assets it reads
STAGING_VIEWS: dict[str, list[dg.AssetKey]] = {
    "portal_events": [dg.AssetKey(["raw", "portal_events"])],
    "onai_events": [dg.AssetKey(["raw", "onai_events"])],
    "events": [dg.AssetKey(["staging", "portal_events"]), dg.AssetKey(["staging", "onai_events"])],
    "hr_roster": [dg.AssetKey(["raw", "hr_roster"])],
    "hr_org_units": [dg.AssetKey(["raw", "hr_org_units"])],
}


def build_view_asset(name: str, deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    sql_file = SQL_DIR / f"{name}.sql"

    @dg.asset(
        key=["staging", name],
        deps=deps,
        description=sql_file.read_text(encoding="utf-8").split("\n", 1)[0].lstrip("- "),
        group_name="staging",
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
    )
    def view_asset(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            conn.execute(f"CREATE OR REPLACE VIEW staging.{name} AS {sql_file.read_text(encoding='utf-8')}")
            rows = conn.execute(f"SELECT count(*) FROM staging.{name}").fetchall()[0][0]
        return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(rows)})

    return view_asset


staging_assets = [build_view_asset(name, deps) for name, deps in STAGING_VIEWS.items()]
