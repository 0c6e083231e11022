"""Event sources are partitioned by the KST day in their file names."""

import dagster as dg

from pipelines.settings import TIMEZONE, data_start

# end_offset=1: today's (KST) partition exists too, for files delivered during the day.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=data_start().isoformat(), timezone=TIMEZONE, end_offset=1
)
