"""OnAI work-platform export: a daily CSV with Korean headers, UTF-8 or CP949."""

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from pipelines.sample import faults
from pipelines.sample.activity import Activity, event_seconds
from pipelines.sample.delivery import LandedFile
from pipelines.sample.faults import SourceOutput
from pipelines.sample.ids import hex_ids
from pipelines.sample.workdays import KST, KST_OFFSET_MS, Calendar
from pipelines.sample.workforce import Workforce

SOURCE = "onai"
HEADER = "이벤트ID,발생일시,직원번호,부서코드,기능,처리결과,소요시간(ms),결과활용,입력글자수,출력글자수"
FEATURES = ("보고서초안", "회의록요약", "문서검색", "번역", "보도자료초안", "민원답변초안", "데이터분석")
FEATURE_SHARE = (0.20, 0.15, 0.30, 0.08, 0.07, 0.10, 0.10)
SEARCH = FEATURES.index("문서검색")
DURATION_MEDIAN_MS = (9000, 12000, 1500, 4000, 8000, 7000, 15000)
INPUT_CHARS = (800, 6000, 40, 1200, 700, 500, 300)
OUTPUT_CHARS = (2500, 900, 600, 1200, 2000, 900, 700)
FAILURE_SHARE = 0.03
KEPT_SHARE = (0.55, 0.25, 0.20)  # Y, N, unknown
SYSTEM_JOB_SHARE = 0.015  # nightly indexing jobs without an employee number
STALE_DAYS = 14  # OnAI learns about moves and the reorganisation two weeks late
CP949_SHARE, BOM_SHARE = 0.15, 0.3
DELIVERY_TIME, LATE_DAYS = (2, 30), 3

FILE_FAULTS = {"duplicate_key_identical": 2, "duplicate_key_changed": 1, "late_file": 1,
               "cut_last_line": 1}
ROW_FAULTS = {"unknown_employee": 15, "unknown_feature": 10, "future_timestamp": 2,
              "before_start_timestamp": 2, "bad_timestamp": 2, "non_numeric_duration": 2,
              "missing_event_id": 2}
UNKNOWN_FEATURE = "음성회의록"
DEFAULT_EVENTS = 300_000  # about what the default size produces; row-fault counts scale from it


def build_onai(activity: Activity, staff: Workforce, cal: Calendar,
               rng: np.random.Generator) -> SourceOutput:
    table = _events(activity, staff, cal, rng)
    total = table.height
    fault_days = faults.pick_fault_days(np.bincount(table["day"].to_numpy(), minlength=cal.n_days),
                                        FILE_FAULTS, rng, with_next_day=faults.DUPLICATE_KEY)
    table, specs, expected = _plan_files(table, cal, fault_days, rng)
    table, copies = _inject_row_faults(table, fault_days, cal, total, rng)
    table = faults.number_lines(table, copies, header_lines=1)
    hr_unit = _units_in_force(staff, cal, table)
    truth = {
        "faults": faults.merge_truth(faults.file_fault_truth(SOURCE, specs, table, expected, utf8_only=False),
                                     faults.row_fault_truth(SOURCE, table),
                                     {"duplicate_key": faults.duplicate_key_truth(SOURCE, table, specs)}),
        "counts": {"events_simulated": total, "files": len(specs),
                   **faults.load_expectation(table, specs, set())},
        "encodings": {enc: sorted(n for n, s in specs.items() if s.encoding == enc)
                      for enc in ("cp949", "utf-8-sig")},
        "cp949_files_use_crlf": True,
        "system_job_rows": int((table["employee"] == "").sum()),
        "stale_unit_code_rows": int(((table["unit"] != hr_unit) & (table["employee"] != "")).sum()),
    }
    return SourceOutput(table, specs, truth, _lines)


def _events(activity: Activity, staff: Workforce, cal: Calendar, rng: np.random.Generator) -> pl.DataFrame:
    # Two steps, so the per-event arrays of the first are freed before the second draws its own.
    return _attributes(_requests(activity, staff, cal, rng), rng)


def _requests(activity: Activity, staff: Workforce, cal: Calendar, rng: np.random.Generator) -> pl.DataFrame:
    """Who uses which feature when, in time order: staff, and nightly system jobs."""
    cells = np.flatnonzero(activity.n_onai > 0)
    cell_of_event = np.repeat(np.arange(len(cells)), activity.n_onai[cells])
    seconds, _ = event_seconds(rng, cell_of_event, len(cells), cal.workday[activity.cell_day[cells]])
    person = activity.cell_person[cells][cell_of_event]
    day = activity.cell_day[cells][cell_of_event]
    stale_snapshot = np.array([staff.snapshot_index(cal.days[max(0, d - STALE_DAYS)])
                               for d in range(cal.n_days)])
    users = pl.DataFrame({
        "day": day.astype(np.int64), "ms_of_day": (seconds * 1000).astype(np.int64),
        "employee": staff.ids[person], "unit": staff.unit_at[person, stale_snapshot[day]],
        "feature": rng.choice(len(FEATURES), size=len(person), p=FEATURE_SHARE).astype(np.int64),
    })
    n_jobs = rng.poisson(SYSTEM_JOB_SHARE * len(person) / max(1, cal.n_days), size=cal.n_days)
    jobs = pl.DataFrame({
        "day": np.repeat(np.arange(cal.n_days), n_jobs).astype(np.int64),
        "ms_of_day": rng.integers(2 * 3_600_000, 5 * 3_600_000, size=int(n_jobs.sum())),
        "employee": "", "unit": "", "feature": SEARCH,
    }, schema_overrides={"ms_of_day": pl.Int64, "feature": pl.Int64})
    table = pl.concat([users, jobs])
    day_start = cal.day_start_utc_ms()
    table = table.with_columns(t_ms=pl.Series(day_start[table["day"].to_numpy()]) + pl.col("ms_of_day"))
    return table.sort("t_ms").drop("ms_of_day")


def _attributes(table: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = table.height
    feature = table["feature"].to_numpy()
    system = (table["employee"] == "").to_numpy()
    failed = rng.random(n) < FAILURE_SHARE
    kept = np.where(system | failed, 2, rng.choice(3, size=n, p=KEPT_SHARE))
    duration = np.array(DURATION_MEDIAN_MS)[feature] * rng.lognormal(0, 0.5, size=n)
    chars_in = np.array(INPUT_CHARS)[feature] * rng.lognormal(0, 0.7, size=n)
    chars_out = np.where(failed, 0, np.array(OUTPUT_CHARS)[feature] * rng.lognormal(0, 0.6, size=n))
    return table.with_columns(
        key=pl.Series(np.char.add("OA", np.char.upper(hex_ids(rng, n, 16)))),
        feature=pl.Series(list(FEATURES)).gather(table["feature"]),
        result=pl.Series(np.where(failed, "실패", "성공")),
        duration=pl.Series(np.rint(duration).astype(np.int64)),
        kept=pl.Series(["Y", "N", ""]).gather(kept),
        chars_in=pl.Series(np.maximum(1, np.rint(chars_in)).astype(np.int64)),
        chars_out=pl.Series(np.rint(chars_out).astype(np.int64)),
        fault=faults.fault_text(None), fault_detail=faults.fault_text(None),
    )


def _plan_files(table: pl.DataFrame, cal: Calendar, fault_days: dict[str, list[int]],
                rng: np.random.Generator):
    day = table["day"].to_numpy()
    per_day = np.bincount(day, minlength=cal.n_days)
    rank = np.arange(len(day)) - np.concatenate([[0], np.cumsum(per_day)])[day]
    encoding = rng.choice(3, size=cal.n_days, p=[CP949_SHARE, BOM_SHARE * (1 - CP949_SHARE),
                                                 (1 - BOM_SHARE) * (1 - CP949_SHARE)])
    jitter = rng.integers(0, 15 * 60, size=cal.n_days)
    specs: dict[str, LandedFile] = {}
    expected: dict[str, datetime] = {}
    names = [_file_name(d) for d in cal.days]
    for d, when in enumerate(cal.days):
        delivered = (datetime(when.year, when.month, when.day, *DELIVERY_TIME, tzinfo=KST)
                     + timedelta(days=1, seconds=int(jitter[d])))
        enc = ("cp949", "utf-8-sig", "utf-8")[encoding[d]]
        specs[names[d]] = LandedFile(SOURCE, names[d], delivered, encoding=enc,
                                     newline="\r\n" if enc == "cp949" else "\n")
        expected[names[d]] = delivered
    for d in fault_days["late_file"]:
        specs[names[d]].delivered += timedelta(days=LATE_DAYS)
    for d in fault_days["cut_last_line"]:
        specs[names[d]].damage = "cut_last_line"
    table = table.with_columns(file=pl.Series(names).gather(table["day"]), pos=pl.Series(rank))
    return table, specs, expected


def _file_name(day) -> str:
    return f"onai_activity_{day:%Y%m%d}.csv"


def _inject_row_faults(table: pl.DataFrame, fault_days: dict[str, list[int]], cal: Calendar,
                       total: int, rng: np.random.Generator) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    names = [_file_name(d) for d in cal.days]
    copies = faults.duplicate_key_copies(table, names, fault_days, _correct_kept)
    touched = {d + step for days in fault_days.values() for d in days for step in (0, 1)}
    clean = faults.rows_outside(table, {names[d] for d in touched if d < cal.n_days})
    count = {fault: faults.fault_count(base, total / DEFAULT_EVENTS) for fault, base in ROW_FAULTS.items()}
    is_user = (table["employee"] != "").to_numpy()
    table = faults.mark_unknown_employees(table, clean & is_user, count["unknown_employee"],
                                          "employee", 2, rng)
    rows = faults.pick_rows(table, clean & is_user, count["unknown_feature"], rng)
    table = faults.mark(table, rows, "unknown_feature", UNKNOWN_FEATURE, feature=UNKNOWN_FEATURE)
    table = faults.mark_out_of_range_times(table, clean, count, cal.start, rng)
    return faults.mark_malformed(table, clean, count, rng), copies


def _correct_kept(copy: pl.DataFrame) -> pl.DataFrame:
    """The re-exported copy carries the user's later verdict on the output."""
    before = copy["kept"][0]
    after = "N" if before == "Y" else "Y"
    detail = f"결과활용 corrected from '{before}' to '{after}'"
    return copy.with_columns(kept=pl.lit(after), fault_detail=faults.fault_text(detail))


def _lines(rows: pl.DataFrame) -> pl.Series:
    return faults.render_lines(rows, _render(), _break_line)


def _render() -> pl.Expr:
    kst = pl.from_epoch(pl.col("t_ms") + KST_OFFSET_MS, time_unit="ms").dt.strftime("%Y-%m-%d %H:%M:%S")
    fields = [pl.col("key"), kst, pl.col("employee"), pl.col("unit"), pl.col("feature"), pl.col("result"),
              pl.col("duration").cast(pl.String), pl.col("kept"), pl.col("chars_in").cast(pl.String),
              pl.col("chars_out").cast(pl.String)]
    return pl.concat_str(fields, separator=",")


def _break_line(line: str, fault: str) -> str:
    fields = line.split(",")
    if fault == "bad_timestamp":
        fields[1] = "2026/03/05 오후 3:12"
    elif fault == "non_numeric_duration":
        fields[6] = "N/A"
    else:
        fields[0] = ""
    return ",".join(fields)


def _units_in_force(staff: Workforce, cal: Calendar, table: pl.DataFrame) -> pl.Series:
    """The HR unit of each row's employee on the row's date (empty for unknown numbers)."""
    position = {eid: i for i, eid in enumerate(staff.ids.tolist())}
    snapshot = np.array([staff.snapshot_index(d) for d in cal.days])
    person = np.array([position.get(e, -1) for e in table["employee"].to_list()])
    day = table["day"].to_numpy()
    unit = staff.unit_at[np.maximum(person, 0), snapshot[day]]
    return pl.Series(np.where(person >= 0, unit, ""))
