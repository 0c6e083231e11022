"""The advisory pack is partitioned by calendar quarter (KST).

A time-window partitions definition with a quarterly cron: Dagster adds each quarter as time
passes, a backfill can cover several, and each partition knows its time window. Keys are the
quarter's first day (`2026-07-01` is 2026Q3), as Dagster's time partitions require a
strftime format; `Quarter.parse` reads both spellings."""

import dagster as dg

from pipelines.settings import TIMEZONE, data_start

QUARTER_CRON = "0 0 1 1,4,7,10 *"


def _first_quarter_start() -> str:
    start = data_start()
    return start.replace(month=3 * ((start.month - 1) // 3) + 1, day=1).isoformat()


# end_offset=0: a quarter becomes a partition once it has ended.
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule=QUARTER_CRON,
    start=_first_quarter_start(),
    fmt="%Y-%m-%d",
    timezone=TIMEZONE,
    end_offset=0,
)
