"""hr: monthly roster and organisation snapshots from the HR system (CSV, UTF-8).
A snapshot takes effect on the date in its file name."""

from __future__ import annotations

import re

from pipelines.defs.ingest.sources.base import CsvAdapter

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


class HrRosterAdapter(CsvAdapter):
    name = "hr_roster"
    folder = "hr"
    file_pattern = re.compile(r"roster_(?P<date>\d{8})\.csv")
    raw_table = "raw.hr_roster"
    date_column = "snapshot_date"
    header = ROSTER_HEADER


class HrOrgUnitsAdapter(CsvAdapter):
    name = "hr_org_units"
    folder = "hr"
    file_pattern = re.compile(r"org_units_(?P<date>\d{8})\.csv")
    raw_table = "raw.hr_org_units"
    date_column = "snapshot_date"
    header = ORG_UNITS_HEADER


HR_ROSTER = HrRosterAdapter()
HR_ORG_UNITS = HrOrgUnitsAdapter()
