"""Marts are partitioned by KST calendar month."""

import dagster as dg

from pipelines.settings import TIMEZONE, data_start

# end_offset=1: the current month is a partition too, recomputed as its days arrive.
monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=data_start().replace(day=1).isoformat(), timezone=TIMEZONE, end_offset=1
)
