"""training, pioneers, survey and the ministry's closure-day calendar: small reference files
(CSV, UTF-8), each reloaded whole on every run."""

from __future__ import annotations

import re
from datetime import date

from pipelines.defs.ingest.sources.base import CsvAdapter

class TrainingAdapter(CsvAdapter):
    name = "training"
    folder = "training"
    file_pattern = re.compile(r"attendance_(?P<label>[^/]+)\.csv")
    raw_table = "raw.training_attendance"
    dated_names = False
    header = {
        "session_id": "session_id", "session_title": "session_title", "session_date": "session_date",
        "format": "format", "hours": "hours", "employee_id": "employee_raw", "completed": "completed",
    }


class PioneersAdapter(CsvAdapter):
    name = "pioneers"
    folder = "pioneers"
    file_pattern = re.compile(r"roster_(?P<date>\d{8})\.csv")
    raw_table = "raw.pioneer_roster"
    date_column = "snapshot_date"
    header = {"employee_id": "employee_raw", "role": "role", "joined_on": "joined_on", "left_on": "left_on"}


class SurveyAdapter(CsvAdapter):
    name = "survey"
    folder = "survey"
    file_pattern = re.compile(r"survey_(?P<year>\d{4})Q(?P<quarter>[1-4])\.csv")
    raw_table = "raw.survey_responses"
    header = {
        "response_id": "response_id", "quarter": "quarter", "unit_code": "unit_code",
        "q_faster": "q_faster", "q_quality": "q_quality", "q_effort": "q_effort",
        "q_productive": "q_productive", "minutes_saved_per_week": "minutes_saved_per_week",
        "comment": None,  # free text: dropped on read (privacy)
    }

    def file_date(self, match: re.Match[str]) -> date | None:
        return date(int(match.group("year")), 3 * int(match.group("quarter")) - 2, 1)


class ClosuresAdapter(CsvAdapter):
    name = "calendar"
    folder = "calendar"
    file_pattern = re.compile(r"closures\.csv")
    raw_table = "raw.calendar_closures"
    dated_names = False
    header = {"date": "closure_date", "reason": "closure_reason"}


TRAINING = TrainingAdapter()
PIONEERS = PioneersAdapter()
SURVEY = SurveyAdapter()
CLOSURES = ClosuresAdapter()
