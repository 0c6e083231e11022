"""hr: monthly roster and organisation snapshots from the HR system (CSV, UTF-8).
A snapshot takes effect on the date in its file name."""

from __future__ import annotations

import re

import pyarrow as pa

from pipelines.defs.ingest.sources.base import SourceAdapter, csv_lines_table

ROSTER_HEADER = {
    "employee_id": "employee_raw",
    "name": None,  # dropped on read (privacy)
    "unit_code": "unit_code",
    "grade": "grade",
    "position_title": "position_title",
    "employment_type": "employment_type",
    "status": "status",
    "hire_date": "hire_date",
}

ORG_UNITS_HEADER = {
    "unit_code": "unit_code",
    "unit_name_ko": "unit_name_ko",
    "unit_name_en": "unit_name_en",
    "parent_code": "parent_code",
    "level": "level",
    "function": "function",
}


class HrRosterAdapter(SourceAdapter):
    name = "hr_roster"
    folder = "hr"
    file_pattern = re.compile(r"roster_(?P<date>\d{8})\.csv")
    raw_table = "raw.hr_roster"
    date_column = "snapshot_date"
    parse_sql = "hr_roster_parse.sql"

    def lines_table(self, text: str) -> tuple[pa.Table, list[tuple[int, str]]]:
        return csv_lines_table(text, ROSTER_HEADER, "HR roster")


class HrOrgUnitsAdapter(SourceAdapter):
    name = "hr_org_units"
    folder = "hr"
    file_pattern = re.compile(r"org_units_(?P<date>\d{8})\.csv")
    raw_table = "raw.hr_org_units"
    date_column = "snapshot_date"
    parse_sql = "hr_org_units_parse.sql"

    def lines_table(self, text: str) -> tuple[pa.Table, list[tuple[int, str]]]:
        return csv_lines_table(text, ORG_UNITS_HEADER, "HR org-units")


HR_ROSTER = HrRosterAdapter()
HR_ORG_UNITS = HrOrgUnitsAdapter()
