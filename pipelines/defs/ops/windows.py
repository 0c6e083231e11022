"""Which event days and months a load touches, from file names alone.

Schedules and sensors must not open the warehouse (DuckDB allows one writer or readers, never
both), so they plan from what is delivered: the KST date in each portal/OnAI file name, in
landing/ and in archive/."""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.defs.ingest.landing import scan_delivered
from pipelines.defs.ingest.sources import EVENT_ADAPTERS
from pipelines.resources import AxmeterHome
from pipelines.settings import data_start


def month_of(day: date) -> date:
    return day.replace(day=1)


def delivered_event_days(home: AxmeterHome) -> list[date]:
    """Every KST day from the start of data collection with a portal or OnAI file, landed or archived."""
    days = {
        landed.file_date
        for adapter in EVENT_ADAPTERS
        for landed in scan_delivered(adapter.folder, home.landing(adapter.folder), home.archive(adapter.folder),
                                     adapter.date_of)
        if landed.file_date is not None and landed.file_date >= data_start()
    }
    return sorted(days)


def affected_months(home: AxmeterHome, first_day: date, last_day: date) -> tuple[date, date]:
    """The months to recompute after the days first_day .. last_day were (re)loaded: their months
    and every later month up to the last one with events, because a month's history columns
    (new, returning, resurrected users) read the months before it."""
    days = delivered_event_days(home)
    last = max([last_day, *days[-1:]])
    return month_of(first_day), month_of(last)


def day_ranges(days: list[date], max_ranges: int = 3) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges, one run each; more than `max_ranges` scattered
    ranges become one span (one run re-reading the days between costs less than many runs)."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    if len(ranges) > max_ranges:
        return [(ranges[0][0], ranges[-1][1])]
    return [(first, last) for first, last in ranges]
