"""staging.calendar: the ministry's workdays (metrics.md, Conventions), as a table.

Korean public holidays come from the `holidays` package (KR, substitute holidays included);
closure days from landing/calendar/closures.csv (raw.calendar_closures). The table covers
whole years, from the start of data collection (or the earliest event) to the end of the
current year (or the latest event), so every month the marts compute is complete."""

from datetime import date
from pathlib import Path

import dagster as dg
import holidays

from pipelines.resources import Warehouse
from pipelines.settings import OWNERS, WAREHOUSE_POOL, data_start

CALENDAR_SQL = Path(__file__).parent / "sql" / "calendar.sql"


def calendar_years(earliest: date | None, latest: date | None, today: date) -> range:
    first = min(data_start().year, earliest.year if earliest else today.year)
    last = max(today.year, latest.year if latest else today.year)
    return range(first, last + 1)


def korean_public_holidays(years: range) -> dict[date, str]:
    """Public holidays of South Korea, substitute ("alternative") holidays included."""
    return dict(sorted(holidays.country_holidays("KR", years=list(years)).items()))


@dg.asset(
    key=["staging", "calendar"],
    deps=[dg.AssetKey(["raw", "calendar_closures"]), dg.AssetKey(["raw", "portal_events"]),
          dg.AssetKey(["raw", "onai_events"])],
    description="Every date with its month, quarter, Korean public holiday, ministry closure and workday flag.",
    group_name="staging",
    kinds={"duckdb", "python"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
)
def calendar(warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        earliest, latest = conn.execute(
            """SELECT min(event_date), max(event_date) FROM (
                   SELECT event_date FROM raw.portal_events UNION ALL SELECT event_date FROM raw.onai_events)"""
        ).fetchall()[0]
        years = calendar_years(earliest, latest, date.today())
        public_holidays = korean_public_holidays(years)
        conn.execute(
            f"CREATE OR REPLACE TABLE staging.calendar AS {CALENDAR_SQL.read_text(encoding='utf-8')}",
            {
                "first_date": date(years[0], 1, 1),
                "last_date": date(years[-1], 12, 31),
                "holiday_dates": list(public_holidays),
                "holiday_names": list(public_holidays.values()),
            },
        )
        days, workdays, closures = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_workday), count(closure_reason) FROM staging.calendar"
        ).fetchall()[0]
    return dg.MaterializeResult(metadata={
        "dagster/row_count": dg.MetadataValue.int(days),
        "years": f"{years[0]} .. {years[-1]}",
        "workdays": workdays,
        "public_holidays": len(public_holidays),
        "closure_days": closures,
    })
