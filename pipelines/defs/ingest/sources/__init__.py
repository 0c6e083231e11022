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

__all__ = [
    "ADAPTERS", "ADAPTERS_BY_FOLDER", "PORTAL", "ONAI", "HR_ROSTER", "HR_ORG_UNITS",
    "TRAINING", "PIONEERS", "SURVEY", "CLOSURES",
]
