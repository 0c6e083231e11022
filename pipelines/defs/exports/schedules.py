"""The pack is built a few days after each quarter ends (KST), once published/ covers it.

The schedule ticks at 07:00 KST on days 5 to 15 of January, April, July and October. Each tick
asks for the previous quarter's pack under the run key `quarterly_pack:<YYYYQn>`, which Dagster
launches once: the 5th normally; a later day when published/ did not yet reach the quarter's
last day (a late delivery or a failed run), the tick saying why it skipped."""

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.defs.exports.assets import quarterly_pack_job
from pipelines.defs.exports.quarter import Quarter
from pipelines.resources import AxmeterHome
from pipelines.settings import TIMEZONE

PACK_CRON = "0 7 5-15 1,4,7,10 *"


def published_through(published: Path) -> date | None:
    """The last day of the published data window (the current release's manifest)."""
    manifest = published / "manifest.json"
    if not manifest.exists():
        return None
    return date.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["data_window"]["end"])


@dg.schedule(
    name="quarterly_pack_schedule",
    cron_schedule=PACK_CRON,
    job=quarterly_pack_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The previous quarter's advisory pack, from the 5th of the quarter's first month (07:00 KST) "
    "once published/ reaches the quarter's last day; once per quarter (run key).",
)
def quarterly_pack_schedule(context: dg.ScheduleEvaluationContext, home: AxmeterHome):
    quarter = Quarter.containing(context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date()).previous()
    through = published_through(home.published)
    if through is None or through < quarter.last_day:
        return dg.SkipReason(f"published/ reaches {through or 'nothing yet'}; {quarter.key} ends {quarter.last_day}")
    return dg.RunRequest(run_key=f"quarterly_pack:{quarter.key}", partition_key=quarter.partition_key,
                         tags={"axmeter/quarter": quarter.key})
