"""Staging dimensions: the calendar, the organisation over time and the programmes' reference data.

- `calendar` (table, calendar.py): every date with its workday flag.
- `dim_unit`, `dim_roster`: effective-dated (SCD2: valid_from inclusive, valid_to exclusive)
  dimensions built from the HR snapshots (metrics.md, Organisation and attribution).
- `org_units_monthly`, `org_subtree_monthly`, `roster_monthly`: those dimensions resolved for
  each KST month M: the org units in force on M's last day, their subtree pairs, Roster(M).
- `training_attendance`, `pioneer_membership`, `survey_responses`: de-duplicated programmes.

Each one's SQL is staging/sql/<name>.sql. They are built in one Dagster step (one asset per
table or view in the graph): one step instead of ten saves a run seconds."""

from pathlib import Path

import dagster as dg

from pipelines.defs.staging.calendar import build_calendar
from pipelines.resources import Warehouse
from pipelines.settings import OWNERS, WAREHOUSE_POOL

SQL_DIR = Path(__file__).parent / "sql"


def _key(*parts: str) -> dg.AssetKey:
    return dg.AssetKey(list(parts))


# name -> what it reads, in build order (a view is created after the views it reads).
DIMENSIONS: dict[str, list[dg.AssetKey]] = {
    "calendar": [_key("raw", "calendar_closures"), _key("raw", "portal_events"), _key("raw", "onai_events")],
    "dim_unit": [_key("staging", "hr_org_units")],
    "dim_roster": [_key("staging", "hr_roster")],
    "org_units_monthly": [_key("staging", "dim_unit"), _key("staging", "calendar")],
    "org_subtree_monthly": [_key("staging", "org_units_monthly")],
    "roster_monthly": [_key("staging", "dim_roster"), _key("staging", "org_units_monthly"),
                       _key("staging", "calendar")],
    "training_attendance": [_key("raw", "training_attendance")],
    "pioneer_membership": [_key("raw", "pioneer_roster")],
    "survey_responses": [_key("raw", "survey_responses")],
}


def _description(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").split("\n", 1)[0].lstrip("- ")


# Read for every month of every mart: stored as tables, rebuilt here on every refresh (after the
# HR snapshots they come from are reloaded, in the same job). The programme views stay views.
TABLES = {"dim_unit", "dim_roster", "org_units_monthly", "org_subtree_monthly", "roster_monthly"}


def _replace(conn, name: str, sql: str) -> None:
    """Create staging.<name> as a table or a view, whatever it was before."""
    kind = "TABLE" if name in TABLES else "VIEW"
    existing = conn.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'staging' AND table_name = ?", [name]
    ).fetchall()
    if existing and (existing[0][0] == "VIEW") != (kind == "VIEW"):
        conn.execute(f"DROP {'VIEW' if existing[0][0] == 'VIEW' else 'TABLE'} staging.{name}")
    conn.execute(f"CREATE OR REPLACE {kind} staging.{name} AS {sql}")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key=["staging", name], deps=deps, description=_description(name), group_name="staging",
                     kinds={"duckdb", "sql"} if name != "calendar" else {"duckdb", "python"}, owners=OWNERS)
        for name, deps in DIMENSIONS.items()
    ],
    pool=WAREHOUSE_POOL,
)
def staging_dimensions(warehouse: Warehouse):
    with warehouse.connect() as conn:
        for name in DIMENSIONS:
            if name == "calendar":
                metadata = build_calendar(conn)
            else:
                _replace(conn, name, (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
                metadata = {"dagster/row_count": conn.execute(f"SELECT count(*) FROM staging.{name}").fetchall()[0][0]}
            yield dg.MaterializeResult(asset_key=["staging", name], metadata=metadata)


dimension_assets = [staging_dimensions]
