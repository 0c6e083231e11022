"""staging.calendar: the ministry's workdays (metrics.md, Conventions), as a table.

Korean public holidays come from the `holidays` package (KR, substitute holidays included);
closure days from landing/calendar/closures.csv (raw.calendar_closures). The table covers
whole years, from the start of data collection (or the earliest event) to the end of the
current year (or the latest event), so every month the marts compute is complete.
Built by the staging dimensions asset (dimensions.py)."""

from datetime import date
from pathlib import Path

import duckdb
import holidays

from pipelines.settings import data_start

CALENDAR_SQL = Path(__file__).parent / "sql" / "calendar.sql"


def calendar_years(earliest: date | None, latest: date | None, today: date) -> range:
    first = min(data_start().year, earliest.year if earliest else today.year)
    last = max(today.year, latest.year if latest else today.year)
    return range(first, last + 1)


def korean_public_holidays(years: range) -> dict[date, str]:
    """Public holidays of South Korea, substitute ("alternative") holidays included."""
    return dict(sorted(holidays.country_holidays("KR", years=list(years)).items()))


def build_calendar(conn: duckdb.DuckDBPyConnection, today: date | None = None) -> dict:
    """(Re)create staging.calendar; returns figures for the asset's metadata."""
    earliest, latest = conn.execute(
        """SELECT min(event_date), max(event_date) FROM (
               SELECT event_date FROM raw.portal_events UNION ALL SELECT event_date FROM raw.onai_events)"""
    ).fetchall()[0]
    years = calendar_years(earliest, latest, today or date.today())
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
    return {"dagster/row_count": days, "years": f"{years[0]} .. {years[-1]}", "workdays": workdays,
            "public_holidays": len(public_holidays), "closure_days": closures}
