"""Project-wide constants and the few settings read from the environment.

Everything that describes *what* is measured (metric version, k, time zone) lives here;
*where* things live is the `AxmeterHome` resource's business (pipelines/resources.py).
"""

from __future__ import annotations

import os
from datetime import date

METRIC_VERSION = "2026.1"
TIMEZONE = "Asia/Seoul"
UNATTRIBUTED = "_UNATTRIBUTED"

# Every asset that writes the DuckDB warehouse runs in this Dagster pool, whose limit is 1:
# DuckDB allows one writing process at a time.
WAREHOUSE_POOL = "warehouse_writer"
OWNERS = ["team:data-engineering"]

SOURCES = ("portal", "onai", "hr", "training", "pioneers", "survey")

# Minimum group size for anything published. Configurable upwards only (metrics.md).
MIN_GROUP_SIZE_FLOOR = 5


def min_group_size() -> int:
    k = int(os.environ.get("AXMETER_MIN_GROUP_SIZE", MIN_GROUP_SIZE_FLOOR))
    if k < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(
            f"AXMETER_MIN_GROUP_SIZE={k} is below the privacy floor of {MIN_GROUP_SIZE_FLOOR}; "
            "set it to 5 or more."
        )
    return k


def data_start() -> date:
    """The configured start of data collection: partitions begin here and older events are
    quarantined. Read at definitions load because Dagster partitions are static."""
    raw = os.environ.get("AXMETER_DATA_START", "2026-01-01")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"AXMETER_DATA_START={raw!r} is not a date (YYYY-MM-DD)") from exc
