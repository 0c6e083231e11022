"""portal: the AI portal gateway's spend log (LiteLLM SpendLogs), JSON lines, maybe gzip."""

from __future__ import annotations

import re

import pyarrow as pa

from pipelines.defs.ingest.landing import non_blank
from pipelines.defs.ingest.sources.base import SourceAdapter


class PortalAdapter(SourceAdapter):
    name = "portal"
    folder = "portal"
    file_pattern = re.compile(r"spendlogs_(?P<date>\d{8})(_\d+)?\.jsonl(\.gz)?")
    raw_table = "raw.portal_events"
    natural_key = "request_id"

    def lines_table(self, lines: pa.Table) -> tuple[pa.Table, list[tuple[int, str]]]:
        return non_blank(lines), []


PORTAL = PortalAdapter()
