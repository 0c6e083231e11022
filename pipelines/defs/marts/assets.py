"""Marts: the metric dictionary's tables (metrics.md), one SQL file per mart, exact figures.

Each monthly partition is written idempotently: delete the month, insert it again."""

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.marts.partitions import monthly_partitions
from pipelines.metadata import markdown_table
from pipelines.resources import Warehouse
from pipelines.settings import METRIC_VERSION, OWNERS, WAREHOUSE_POOL

SQL_DIR = Path(__file__).parent / "sql"


def months_in(window: dg.TimeWindow) -> list[date]:
    months, current = [], window.start.date().replace(day=1)
    while current < window.end.date():
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


@dg.asset(
    key=["marts", "unit_monthly"],
    deps=[
        dg.AssetKey(["staging", "events"]),
        dg.AssetKey(["staging", "hr_roster"]),
        dg.AssetKey(["staging", "hr_org_units"]),
    ],
    description="Adoption and usage per unit and month (metrics.md, Monthly unit metrics), exact.",
    group_name="marts",
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def unit_monthly(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    sql = (SQL_DIR / "unit_monthly.sql").read_text(encoding="utf-8")
    months = months_in(context.partition_time_window)
    with warehouse.connect() as conn:
        conn.begin()
        for month in months:
            conn.execute("DELETE FROM marts.unit_monthly WHERE month = ?", [month])
            conn.execute(
                f"INSERT INTO marts.unit_monthly BY NAME {sql}",
                {"month": month, "metric_version": METRIC_VERSION},
            )
        rows = conn.execute(
            "SELECT count(*) FROM marts.unit_monthly WHERE month BETWEEN ? AND ?", [months[0], months[-1]]
        ).fetchall()[0][0]
        preview = pl.from_arrow(conn.sql(
            """SELECT month, unit_code, headcount, active_users, round(adoption_rate, 3) AS adoption_rate
               FROM marts.unit_monthly WHERE month = $month AND unit_level IN ('ministry', 'none')""",
            params={"month": months[-1]},
        ).to_arrow_table())
        conn.commit()
    context.log.info(f"unit_monthly: {len(months)} month(s), {rows:,} rows")
    return dg.MaterializeResult(
        metadata={
            "months": len(months),
            "dagster/row_count": dg.MetadataValue.int(rows),
            "preview": dg.MetadataValue.md(markdown_table(preview)),
        }
    )
