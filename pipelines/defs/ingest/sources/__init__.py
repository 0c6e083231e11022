"""One adapter module per landing source. Adding a source = one contract in data_contracts/
plus one module here that subclasses `SourceAdapter` and is listed in `ADAPTERS`."""

from pipelines.defs.ingest.sources.hr import HR_ORG_UNITS, HR_ROSTER
from pipelines.defs.ingest.sources.onai import ONAI
from pipelines.defs.ingest.sources.portal import PORTAL
from pipelines.defs.ingest.sources.programs import CLOSURES, PIONEERS, SURVEY, TRAINING

ADAPTERS = {
    adapter.name: adapter
    for adapter in (PORTAL, ONAI, HR_ROSTER, HR_ORG_UNITS, TRAINING, PIONEERS, SURVEY, CLOSURES)
}

ADAPTERS_BY_FOLDER: dict[str, list] = {}
for _adapter in ADAPTERS.values():
    ADAPTERS_BY_FOLDER.setdefault(_adapter.folder, []).append(_adapter)

# Event sources: those with a natural key. Their raw assets are partitioned by KST day, and past
# ingestion they are one `platform` each: their name is their landing folder and the ledger's
# `source`, the `platform` of staging.events and of the marts.
EVENT_ADAPTERS = tuple(adapter for adapter in ADAPTERS.values() if adapter.natural_key)
for _adapter in EVENT_ADAPTERS:
    if _adapter.folder != _adapter.name or len(ADAPTERS_BY_FOLDER[_adapter.folder]) > 1:
        raise ValueError(f"event source {_adapter.name!r}: its name must be its landing folder's, and that "
                         f"folder its alone (found folder {_adapter.folder!r})")


def event_copies_sql() -> str:
    """Every copy of every event in the raw layer, before de-duplication, in one shape:
    `source` (the event source, as in the ledger and staging.events' `platform`), `event_key`
    (its natural key), `file`, `file_date`, `event_date` (KST) and `started_at`. The planner's
    queries and the data-quality mart read it in place of naming each raw table (marts/build.py
    fills in `{raw_event_copies}`); the names are code constants of the adapters, not user input."""
    return "\nUNION ALL\n".join(
        f"SELECT '{adapter.name}' AS source, {adapter.natural_key} AS event_key, file, file_date, event_date, "
        f"started_at FROM {adapter.raw_table}"
        for adapter in EVENT_ADAPTERS)

__all__ = [
    "ADAPTERS", "ADAPTERS_BY_FOLDER", "EVENT_ADAPTERS", "event_copies_sql", "PORTAL", "ONAI", "HR_ROSTER", "HR_ORG_UNITS",
    "TRAINING", "PIONEERS", "SURVEY", "CLOSURES",
]
