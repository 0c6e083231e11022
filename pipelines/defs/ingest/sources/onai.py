"""onai: the OnAI work-management platform's daily activity export (CSV, Korean headers,
UTF-8 with or without BOM, or CP949 from older export servers)."""

from __future__ import annotations

import re

from pipelines.defs.ingest.sources.base import CsvAdapter

# Korean header -> column name used in the parse SQL.
ONAI_HEADER = {
    "이벤트ID": "event_id",
    "발생일시": "occurred_at",
    "직원번호": "employee_raw",
    "부서코드": "onai_unit_code",
    "기능": "feature",
    "처리결과": "result",
    "소요시간(ms)": "duration_ms",
    "결과활용": "output_kept",
    "입력글자수": "input_chars",
    "출력글자수": "output_chars",
}


class OnaiAdapter(CsvAdapter):
    name = "onai"
    folder = "onai"
    file_pattern = re.compile(r"onai_activity_(?P<date>\d{8})(_\d+)?\.csv")
    raw_table = "raw.onai_events"
    natural_key = "event_id"
    encodings = ("utf-8", "cp949")
    header = ONAI_HEADER


ONAI = OnaiAdapter()
