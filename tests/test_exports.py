"""The quarterly advisory pack (issue 7): built from a hand-made published/ release.

The fixture is a "warehouse": exact mart frames for a small ministry, every figure a number
that occurs once in the whole fixture. The project's own publish code (publish.assets.suppress,
release.Release) turns them into a published release, so the withheld rows' true figures exist
only in the warehouse frames. The pack must contain none of them, anywhere: CSV, workbook cells
and XML, PDF text, chart texts, manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import openpyxl
import polars as pl
import pytest
from pypdf import PdfReader

from pipelines import cli
from pipelines.defs.exports import texts
from pipelines.defs.exports.assets import quarterly_pack
from pipelines.defs.exports.charts import render_charts
from pipelines.defs.exports.pack import build_pack, pack_files, pack_font
from pipelines.defs.exports.quarter import Quarter
from pipelines.defs.exports.schedules import quarterly_pack_schedule
from pipelines.defs.exports.tables import GROUP_SIZE, MART_TABLES, PackError, pack_data, read_release
from pipelines.defs.publish.assets import PUBLISHED_MARTS, metric_dictionary, suppress
from pipelines.defs.publish.privacy import KEPT_COLUMNS
from pipelines.defs.publish.release import Release
from pipelines.resources import AxmeterHome

K = 5
Q3 = Quarter(2026, 3)
MONTHS = [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
FIRST_DAY, LAST_DAY = date(2026, 6, 1), date(2026, 9, 30)
PUBLISHED_AT = "2026-10-02T21:00:00+00:00"
DISTINCTIVE_REQUESTS = 918273  # D112 (3 people) in 2026-08: only ever in the warehouse fixture

# ministry M000 (60) > O100 (30) > B110 (20) > D111 (17), D112 (3); O100 > D120 (8);
#                      O200 (30) > D210 (25), D220 (5)
UNITS = [  # code, level, name_ko, name_en, parent, headcount
    ("M000", "ministry", "산업통상부", "Ministry", None, 60),
    ("O100", "office", "산업정책실", "Industrial Policy Office", "M000", 30),
    ("B110", "bureau", "산업기반국", "Industrial Base Bureau", "O100", 20),
    ("D111", "division", "산업정책과", "Industrial Policy Division", "B110", 17),
    ("D112", "division", "산업분석과", "Industrial Analysis Division", "B110", 3),
    ("D120", "division", "산업협력과", "Industrial Cooperation Division", "O100", 8),
    ("O200", "office", "통상교섭실", "Trade Negotiations Office", "M000", 30),
    ("D210", "division", "통상정책과", "Trade Policy Division", "O200", 25),
    ("D220", "division", "통상협력과", "Trade Cooperation Division", "O200", 5),
]

DATES = {"month", "cohort_month", "date", "day", "session_date"}
DATETIMES = {"newest_event_at", "last_delivered_at"}
BOOLS = {"is_workday", "feature_mapped"}
STRINGS = {"unit_code", "unit_level", "unit_name_ko", "unit_name_en", "parent_code", "function", "feature",
           "platform", "model", "provider", "breakdown", "item", "vendor", "population", "scope", "session_id",
           "session_title", "format", "quarter", "source", "reason", "holiday_name", "closure_reason",
           "metric_version"}
FLOATS = {"active_days_avg", "breadth_avg", "cost_usd", "assisted_hours_low", "assisted_hours_central",
          "assisted_hours_high", "latency_p50_ms", "latency_p95_ms", "active_days_before_avg",
          "active_days_after_avg", "days_to_first_use_avg", "days_to_first_use_median",
          "minutes_saved_per_week_avg", "delivery_lag_hours"}


def is_rate(column: str) -> bool:
    return ("rate" in column or "share" in column or column.startswith("adoption") or column == "stickiness"
            or column.startswith("did_ci") or column == "did_estimate")


class Unique:
    """Numbers that occur once in the fixture (as integers, and as floats to 6 decimals)."""

    def __init__(self):
        self.n = 0

    def __call__(self, column: str):
        self.n += 1
        if is_rate(column):
            return 0.2 + self.n * 1.3e-5
        if column in FLOATS:
            return 1000 + self.n * 0.137
        return 100_000 + 7919 * self.n


def dtype(column: str) -> pl.DataType:
    if column in DATES:
        return pl.Date
    if column in DATETIMES:
        return pl.Datetime("us", "UTC")
    if column in BOOLS:
        return pl.Boolean
    if column in STRINGS:
        return pl.String
    if column == "months_since_first":
        return pl.Int32
    if is_rate(column) or column in FLOATS:
        return pl.Float64
    return pl.Int64


def frame(name: str, rows: list[dict], columns: list[str], unique: Unique) -> pl.DataFrame:
    """Rows with every dictionary column: given values kept, the rest unique numbers."""
    full = []
    for row in rows:
        out = {}
        for column in columns:
            if column in row:
                out[column] = row[column]
            elif column == "metric_version":
                out[column] = "2026.1"
            elif dtype(column) in (pl.Int64, pl.Float64):
                out[column] = unique(column)
            else:
                raise AssertionError(f"{name}.{column}: the fixture needs a value for this column")
        for low, central, high in (("assisted_hours_low", "assisted_hours_central", "assisted_hours_high"),
                                   ("did_ci_low", "did_estimate", "did_ci_high")):
            if central in out and out[central] is not None and low not in row:
                out[low], out[high] = out[central] - 0.1 - unique.n * 1e-6, out[central] + 0.1 + unique.n * 1e-6
        full.append(out)
    return pl.DataFrame(full, schema={c: dtype(c) for c in columns}, orient="row")


def warehouse(columns: dict[str, list[str]]) -> dict[str, pl.DataFrame]:
    """The exact marts ("warehouse") of the hand-made ministry."""
    u = Unique()
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    marts = {}

    unit_rows = []
    for month in MONTHS:
        for code, level, ko, en, parent, headcount in UNITS:
            unit_rows.append({"month": month, "unit_code": code, "unit_level": level, "unit_name_ko": ko,
                              "unit_name_en": en, "parent_code": parent, "function": "planning",
                              "headcount": headcount})
        unattributed = {"month": month, "unit_code": "_UNATTRIBUTED", "unit_level": "none", "unit_name_ko": "미귀속",
                        "unit_name_en": "Unattributed", "parent_code": None, "function": None, "headcount": 0}
        for person in ("active_users", "adoption_rate", "active_days_avg", "power_users", "regular_users",
                       "light_users", "new_users", "returning_users", "resurrected_users", "dormant_users",
                       "stickiness", "breadth_avg"):
            unattributed[person] = None
        unit_rows.append(unattributed)
    for row in unit_rows:
        if row["unit_code"] == "D112" and row["month"] == date(2026, 8, 1):
            row["requests"] = DISTINCTIVE_REQUESTS
    marts["unit_monthly"] = frame("unit_monthly", unit_rows, columns["unit_monthly"], u)

    marts["ministry_daily"] = frame("ministry_daily", [
        {"date": d, "month": d.replace(day=1), "is_workday": d.weekday() < 5, "holiday_name": None,
         "closure_reason": None, "headcount": 60} for d in days], columns["ministry_daily"], u)

    features = [("portal:chat", "portal", True), ("portal:draft", "portal", True),
                ("onai:보고서초안", "onai", True), ("portal:legal_qa", "portal", False)]
    marts["feature_monthly"] = frame("feature_monthly", [
        {"month": m, "feature": f, "platform": p, "feature_mapped": mapped} for m in MONTHS
        for f, p, mapped in features], columns["feature_monthly"], u)

    marts["model_monthly"] = frame("model_monthly", [
        {"month": m, "model": model, "provider": vendor} for m in MONTHS
        for model, vendor in (("gpt-4.1", "azure"), ("claude-sonnet", "anthropic"))], columns["model_monthly"], u)

    marts["governance_monthly"] = frame("governance_monthly", [
        {"month": m, "breakdown": b, "item": i, "vendor": v} for m in MONTHS
        for b, i, v in (("all", "all", None), ("platform", "portal", None), ("platform", "onai", None),
                        ("vendor", "azure", "azure"), ("model", "gpt-4.1", "azure"))],
        columns["governance_monthly"], u)

    sizes = {"pioneers": 6, "everyone_else": 54, "units_with_pioneer": 20, "units_without_pioneer": 40,
             "colleagues_of_pioneers": 14}
    pioneer_rows = []
    for m in MONTHS:
        for population, size in sizes.items():
            if m == date(2026, 8, 1) and population in ("pioneers", "everyone_else"):
                size = 3 if population == "pioneers" else 57  # a month with a population below k
            pioneer_rows.append({"month": m, "population": population, "headcount": size,
                                 "units": None if population in ("pioneers", "everyone_else") else 400_000 + size})
    marts["pioneers_monthly"] = frame("pioneers_monthly", pioneer_rows, columns["pioneers_monthly"], u)

    cohort_sizes = {"M000": [20, 12, 9, 7], "O100": [10, 6, 2, 3], "O200": [10, 6, 7, 4]}
    cohort_rows = []
    for code, sizes_by_month in cohort_sizes.items():
        unit = next(x for x in UNITS if x[0] == code)
        for cohort_month, size in zip(MONTHS, sizes_by_month):
            for month in MONTHS:
                if month < cohort_month:
                    continue
                cohort_rows.append({
                    "scope": unit[1], "unit_code": code, "unit_name_ko": unit[2], "unit_name_en": unit[3],
                    "parent_code": unit[4], "cohort_month": cohort_month, "month": month,
                    "months_since_first": (month.month - cohort_month.month), "cohort_size": size})
    marts["retention_cohorts"] = frame("retention_cohorts", cohort_rows, columns["retention_cohorts"], u)

    sessions = [("TR-001", "보고서 초안 작성 AI 실습", date(2026, 6, 15), "hands_on", 20),
                ("TR-002", "AI 데이터분석 실습", date(2026, 7, 10), "hands_on", 15),
                ("TR-003", "프롬프트 작성 실습", date(2026, 8, 20), "online", 3),
                ("TR-004", "공공분야 AI 윤리와 보안", date(2026, 9, 5), "lecture", 12)]
    training_rows = [{"session_id": s, "session_title": t, "session_date": d, "format": f, "attendees": n}
                     for s, t, d, f, n in sessions]
    training_rows.append({"session_id": "ALL", "session_title": None, "session_date": None, "format": None,
                          "attendees": 50})
    marts["training_impact"] = frame("training_impact", training_rows, columns["training_impact"], u)

    respondents = {"M000": 40, "O100": 15, "B110": 10, "D111": 8, "D112": 2, "D120": 5, "O200": 25, "D210": 20,
                   "D220": 5}
    survey_rows = []
    for quarter in ("2026Q2", "2026Q3"):
        for code, level, ko, en, parent, headcount in UNITS:
            survey_rows.append({"quarter": quarter, "unit_code": code, "unit_level": level, "unit_name_ko": ko,
                                "unit_name_en": en, "parent_code": parent, "respondents": respondents[code],
                                "headcount": headcount})
        survey_rows.append({"quarter": quarter, "unit_code": "_UNATTRIBUTED", "unit_level": "none",
                            "unit_name_ko": "미귀속", "unit_name_en": "Unattributed", "parent_code": None,
                            "respondents": 1, "headcount": 0})
    marts["survey_quarterly"] = frame("survey_quarterly", survey_rows, columns["survey_quarterly"], u)

    quality_rows = []
    for d in days:
        for source in ("portal", "onai"):
            quality_rows.append({"source": source, "day": d,
                                 "newest_event_at": datetime(d.year, d.month, d.day, 14, 0, tzinfo=timezone.utc),
                                 "last_delivered_at": datetime(d.year, d.month, d.day, 21, 0, tzinfo=timezone.utc)})
        if d.day == 1:
            quality_rows.append({"source": "hr", "day": d, "events_with_employee": None, "events_matched_to_hr": None,
                                 "hr_match_rate": None, "unmapped_feature_rows": None, "unknown_service_rows": None,
                                 "newest_event_at": None, "delivery_lag_hours": None,
                                 "last_delivered_at": datetime(d.year, d.month, d.day, 0, 0, tzinfo=timezone.utc)})
    marts["data_quality_daily"] = frame("data_quality_daily", quality_rows, columns["data_quality_daily"], u)
    marts["data_quality_quarantine"] = frame("data_quality_quarantine", [
        {"source": "portal", "day": date(2026, 7, 3), "reason": "malformed startTime"},
        {"source": "onai", "day": date(2026, 8, 12), "reason": "missing 이벤트ID"}],
        columns["data_quality_quarantine"], u)
    return marts


def publish_fixture(home: Path) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """Write the fixture's release under home/published with the project's own publish code."""
    dictionary = metric_dictionary(K)
    columns = {name: [c for c in spec["columns"] if c != "suppressed"] for name, spec in dictionary["marts"].items()}
    exact = warehouse(columns)
    assert set(exact) == {name for name, _, _ in PUBLISHED_MARTS}, "a published mart is missing from the fixture"
    ministry = exact["unit_monthly"].filter(pl.col("unit_level") == "ministry")
    headcount = dict(zip(ministry["month"], ministry["headcount"]))
    release = Release(home / "published", "fixture0-run")
    published, entries = {}, []
    for name, _, _ in PUBLISHED_MARTS:
        published[name] = suppress(name, exact[name], K, headcount)
        entries.append(release.add_parquet(name, published[name]))
    dictionary_entry = release.add_json("metric_dictionary", dictionary)
    release.publish({
        "run_id": "fixture0-run", "release": release.name, "metric_version": "2026.1",
        "coefficients_version": "2026.1-defaults", "k": K,
        "data_window": {"start": FIRST_DAY.isoformat(), "end": LAST_DAY.isoformat()},
        "published_at": PUBLISHED_AT, "newest_event_at": {}, "marts": entries, "metric_dictionary": dictionary_entry,
    })
    return exact, published


@pytest.fixture(scope="module")
def fixture_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("exports")
    exact, published = publish_fixture(home)
    return home, exact, published


@pytest.fixture(scope="module")
def pack(fixture_home):
    home, exact, published = fixture_home
    result = build_pack(home / "published", home / "exports", Q3)
    return result, {f["path"]: (result.directory / f["path"]).read_bytes() for f in result.files}


def secret_numbers(exact: dict[str, pl.DataFrame], published: dict[str, pl.DataFrame]) -> tuple[set[int], set[float]]:
    """The true figures of every withheld row (present in the warehouse fixture only)."""
    ints, floats = set(), set()
    for name, frame in published.items():
        if "suppressed" not in frame.columns:
            continue
        kept = set(KEPT_COLUMNS[name])
        for truth, shown in zip(exact[name].iter_rows(named=True), frame.iter_rows(named=True)):
            if not shown["suppressed"]:
                continue
            for column, value in truth.items():
                if column in kept or value is None or isinstance(value, bool):
                    continue
                assert shown[column] is None, f"published {name}.{column} of a withheld row is not null"
                if isinstance(value, int):
                    ints.add(value)
                elif isinstance(value, float):
                    floats.add(value)
    return ints, floats


def int_pattern(value: int) -> re.Pattern:
    """The integer as such or with thousands separators, not inside a longer number."""
    return re.compile(rf"(?<![\d.])(?<!\d,)(?:{value}|{value:,})(?!\d)(?!,\d{{3}})")


# --- the pack's contents -------------------------------------------------------------------


def test_pack_layout_and_manifest(pack, fixture_home):
    result, files = pack
    home, _, _ = fixture_home
    assert result.directory == home / "exports" / "2026-Q3"
    assert result.complete
    expected_tables = {"adoption_trend", "unit_monthly", "units_ranked", "ministry_daily", "feature_monthly",
                       "assisted_hours_quarter", "model_monthly", "governance_monthly", "pioneers_monthly",
                       "retention_cohorts", "training_impact", "survey_quarterly", "data_quality_summary",
                       "data_quality_daily", "data_quality_quarantine"}
    assert {p for p in files if p.startswith("tables/")} == {f"tables/{t}.csv" for t in expected_tables}
    assert {"axmeter_2026-Q3.xlsx", "axmeter_2026-Q3_report_ko.pdf", "manifest.json"} <= set(files)
    assert {p for p in files if p.startswith("charts/")} == {
        "charts/adoption_trend.png", "charts/units_ranked.png", "charts/assisted_hours.png",
        "charts/training_impact.png", "charts/pioneers.png", "charts/data_quality.png"}
    assert set(MART_TABLES) == {name for name, _, _ in PUBLISHED_MARTS}  # every published mart is in the pack
    manifest = json.loads(files["manifest.json"])
    assert manifest["quarter"] == "2026Q3" and manifest["k"] == K and manifest["withheld_marker"] == "<5"
    assert manifest["metric_version"] == "2026.1"
    assert manifest["source"]["published_at"] == PUBLISHED_AT
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert entry["bytes"] == len(files[path])
    # Only the pack folder under exports/ (the temporary folder was swapped in and is gone).
    assert [p.name for p in (home / "exports").iterdir()] == ["2026-Q3"]


def test_csv_files_are_utf8_with_bom_and_show_withheld_cells_as_below_k(pack, fixture_home):
    _, files = pack
    _, _, published = fixture_home
    data = files["tables/unit_monthly.csv"]
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    quarter = published["unit_monthly"].filter(pl.col("month").is_between(Q3.first_day, Q3.last_day))
    assert [(r["month"], r["unit_code"]) for r in rows] == sorted(
        (m.isoformat(), u) for m, u in zip(quarter["month"], quarter["unit_code"]))
    d112 = next(r for r in rows if r["unit_code"] == "D112" and r["month"] == "2026-08-01")
    assert d112["suppressed"] == "true" and d112["headcount"] == "3"
    assert d112["requests"] == "<5" and d112["active_users"] == "<5" and d112["adoption_rate"] == "<5"
    ministry = next(r for r in rows if r["unit_code"] == "M000" and r["month"] == "2026-07-01")
    truth = quarter.filter((pl.col("unit_code") == "M000") & (pl.col("month") == date(2026, 7, 1))).row(0, named=True)
    assert ministry["requests"] == str(truth["requests"])
    assert ministry["adoption_rate"] == f"{truth['adoption_rate']:.6f}"  # fixed float formatting
    unattributed = next(r for r in rows if r["unit_code"] == "_UNATTRIBUTED" and r["month"] == "2026-07-01")
    assert unattributed["active_users"] == "" and unattributed["requests"] != "<5"  # n/a is empty, never "<5"


def test_workbook_sheets_and_key_values_match_the_published_marts(pack, fixture_home):
    _, files = pack
    _, _, published = fixture_home
    book = openpyxl.load_workbook(io.BytesIO(files["axmeter_2026-Q3.xlsx"]))
    assert book.sheetnames[0] == "표지"
    assert set(book.sheetnames[1:]) == {p[len("tables/"):-len(".csv")] for p in files if p.startswith("tables/")}
    cover = {row[0]: row[1] for row in book["표지"].iter_rows(min_row=1, max_row=14, max_col=2, values_only=True)
             if row[0]}
    assert cover["지표 버전"] == "2026.1" and cover["최소 집단 크기(k)"] == K
    assert cover["공개 데이터 기간"] == "2026-06-01 ~ 2026-09-30" and cover["분기"] == "2026Q3"
    cover_text = "\n".join(str(c) for row in book["표지"].iter_rows(values_only=True) for c in row if c)
    assert "\"<5\"" in cover_text
    assert "adoption_rate" in cover_text  # column definitions are listed

    for name in ("unit_monthly", "training_impact", "survey_quarterly", "pioneers_monthly", "model_monthly"):
        sheet = book[name]
        assert sheet.freeze_panes.startswith(("B4", "C4", "D4", "E4", "F4"))
        header = [c.value for c in sheet[3]]
        truth = published[name]
        assert header == truth.columns
        values = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
        date_column = {"unit_monthly": "month", "pioneers_monthly": "month", "model_monthly": "month"}.get(name)
        if date_column:
            truth = truth.filter(pl.col(date_column).is_between(Q3.first_day, Q3.last_day))
        elif name == "survey_quarterly":
            truth = truth.filter(pl.col("quarter") == "2026Q3")
        else:
            truth = truth.filter((pl.col("session_id") == "ALL") | pl.col("session_date").is_between(Q3.first_day,
                                                                                                      Q3.last_day))
        assert len(values) == truth.height
        keys = [c for c in ("month", "unit_code", "population", "model", "session_id") if c in header]
        by_key = {tuple(r[c] for c in keys): r for r in truth.iter_rows(named=True)}
        for row in values:
            cells = dict(zip(header, row))
            key = tuple(cells[c].date() if isinstance(cells[c], datetime) else cells[c] for c in keys)
            expected = by_key[key]
            for column, value in cells.items():
                want = expected[column]
                if expected.get("suppressed") and column not in KEPT_COLUMNS.get(name, ()) and column != "suppressed":
                    assert value == "<5", (name, key, column, value)
                elif isinstance(want, date) and not isinstance(want, datetime):
                    assert value.date() == want
                elif isinstance(want, float):
                    assert value == pytest.approx(want, rel=1e-12)
                else:
                    assert value == want, (name, key, column)
    unit = book["unit_monthly"]
    assert unit.cell(row=4, column=header_index(unit, "adoption_rate")).number_format == "0.0%"
    assert unit.cell(row=4, column=header_index(unit, "requests")).number_format == "#,##0"


def header_index(sheet, column: str) -> int:
    return [c.value for c in sheet[3]].index(column) + 1


def test_pdf_is_korean_with_every_section_and_the_embedded_font(pack):
    _, files = pack
    reader = PdfReader(io.BytesIO(files["axmeter_2026-Q3_report_ko.pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in texts.SECTIONS.values():
        assert title in text, title
    assert "2026년 3분기" in text and "<5" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert fonts and all("NotoSansKR" in f for f in fonts), fonts
    assert reader.metadata["/CreationDate"].startswith("D:20261002")


def test_no_figure_of_a_group_below_k_appears_anywhere_in_the_pack(pack, fixture_home):
    _, files = pack
    home, exact, published = fixture_home
    ints, floats = secret_numbers(exact, published)
    assert DISTINCTIVE_REQUESTS in ints and len(ints) > 100 and floats
    patterns = [int_pattern(v) for v in ints]
    float_texts = {f"{v:.6f}" for v in floats}

    def scan(where: str, text: str) -> None:
        for pattern in patterns:
            assert not pattern.search(text), f"{where}: a withheld figure {pattern.pattern}"
        for token in float_texts:
            assert token not in text, f"{where}: a withheld figure {token}"

    int_texts = {str(v) for v in ints} | {f"{v:,}" for v in ints}
    for path, data in files.items():
        if path.endswith(".csv"):  # cell by cell: a field boundary is a comma
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                for cell in row:
                    assert cell not in int_texts and cell not in float_texts, f"{path}: withheld figure {cell}"
                    scan(path, cell)
        elif path.endswith(".json"):
            scan(path, data.decode("utf-8"))
    with zipfile.ZipFile(io.BytesIO(files["axmeter_2026-Q3.xlsx"])) as archive:
        for member in archive.namelist():
            scan(f"xlsx:{member}", archive.read(member).decode("utf-8"))
    book = openpyxl.load_workbook(io.BytesIO(files["axmeter_2026-Q3.xlsx"]))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    assert value not in ints and not any(abs(value - f) < 1e-9 for f in floats), (sheet.title, value)
    reader = PdfReader(io.BytesIO(files["axmeter_2026-Q3_report_ko.pdf"]))
    scan("pdf", "\n".join(page.extract_text() for page in reader.pages))
    data = pack_data(read_release(home / "published"), Q3)
    charts = render_charts(data, pack_font(data))
    for chart in charts.values():
        scan(f"chart {chart.name}", "\n".join(chart.texts))


def test_every_row_of_a_group_below_k_carries_no_figures(pack):
    _, files = pack
    checked = 0
    for path, data in files.items():
        name = path[len("tables/"):-len(".csv")] if path.startswith("tables/") else None
        if name not in GROUP_SIZE:
            continue
        size_column = GROUP_SIZE[name]
        kept = set(KEPT_COLUMNS.get(name, ())) | {"suppressed", "rank", "unit_code", "month", "unit_level",
                                                  "unit_name_ko", "unit_name_en", "parent_code", "metric_version",
                                                  size_column}
        for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
            if row.get("unit_code") == "_UNATTRIBUTED" and name != "survey_quarterly":
                continue  # metrics.md: never withheld, headcount 0, person columns empty, events exact
            size = int(row[size_column])
            if size < K:
                checked += 1
                assert row["suppressed"] == "true", (name, row)
                figures = {c: v for c, v in row.items() if c not in kept}
                assert all(v in ("<5", "") for v in figures.values()), (name, figures)
                assert any(v == "<5" for v in figures.values()), (name, "withheld cells show <5, not blanks")
    assert checked >= 10


def test_same_release_gives_byte_identical_files(pack, fixture_home, tmp_path):
    _, files = pack
    home, _, _ = fixture_home
    again = build_pack(home / "published", tmp_path / "exports", Q3, font_cache=tmp_path / "fonts")
    rebuilt = {f["path"]: (again.directory / f["path"]).read_bytes() for f in again.files}
    assert set(rebuilt) == set(files)
    for path in files:  # CSV and manifest always; xlsx, pdf and png with the same library versions
        assert rebuilt[path] == files[path], path


def test_partial_and_empty_quarters(fixture_home):
    home, _, _ = fixture_home
    release = read_release(home / "published")
    with pytest.raises(PackError, match="No published data for 2026Q4"):
        pack_data(release, Quarter(2026, 4))
    release.manifest["data_window"]["end"] = "2026-08-15"  # published data ending mid-quarter
    data = pack_data(release, Q3)
    assert not data.complete and data.last_month == date(2026, 8, 1)
    assert data.tables["units_ranked"].frame["month"].unique().to_list() == [date(2026, 8, 1)]


# --- the command line and Dagster -----------------------------------------------------------


def test_axmeter_export_needs_no_key_and_no_warehouse(fixture_home, monkeypatch, tmp_path, capsys):
    home, _, _ = fixture_home
    copy = tmp_path / "home"
    (copy / "published").mkdir(parents=True)
    for path in (home / "published").rglob("*"):  # the same release, in a home of its own
        target = copy / "published" / path.relative_to(home / "published")
        if path.is_symlink():
            target.symlink_to(path.readlink())
        elif path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    monkeypatch.setenv("AXMETER_HOME", str(copy))
    monkeypatch.delenv("AXMETER_PSEUDONYM_KEY", raising=False)
    assert cli.main(["export", "--quarter", "2026Q3"]) == 0
    assert "Pack 2026Q3 (whole quarter)" in capsys.readouterr().out
    assert (copy / "exports" / "2026-Q3" / "manifest.json").is_file()
    assert not (copy / "warehouse.duckdb").exists()
    assert cli.main(["export", "--quarter", "2026Q4"]) == 2
    assert "No published data for 2026Q4" in capsys.readouterr().err
    assert cli.main(["export", "--quarter", "Q3-2026"]) == 2


def test_dagster_asset_job_and_schedule(fixture_home):
    from pipelines.definitions import defs

    home, _, _ = fixture_home
    job = defs.resolve_job_def("quarterly_pack")
    assert "2026-07-01" in job.partitions_def.get_partition_keys(current_time=datetime(2026, 10, 5))
    schedule = defs.resolve_schedule_def("quarterly_pack_schedule")
    assert schedule.execution_timezone == "Asia/Seoul" and schedule.job_name == "quarterly_pack"

    resources = {"home": AxmeterHome(home=str(home))}
    kst = timezone(timedelta(hours=9))
    with dg.build_schedule_context(scheduled_execution_time=datetime(2026, 10, 5, 7, tzinfo=kst),
                                   resources=resources) as context:
        request = quarterly_pack_schedule(context)
    assert isinstance(request, dg.RunRequest) and request.partition_key == "2026-07-01"
    assert request.run_key == "quarterly_pack:2026Q3"
    with dg.build_schedule_context(scheduled_execution_time=datetime(2027, 1, 5, 7, tzinfo=kst),
                                   resources=resources) as context:
        assert isinstance(quarterly_pack_schedule(context), dg.SkipReason)  # published/ ends 2026-09-30

    with dg.instance_for_test() as instance:  # explicit: see tests/test_staging_dedup.py
        result = dg.materialize([quarterly_pack], partition_key="2026-07-01",
                                resources={"home": AxmeterHome(home=str(home))}, instance=instance)
        assert result.success
        metadata = result.asset_materializations_for_node("exports__quarterly_pack")[0].metadata
    assert metadata["quarter"].value == "2026Q3" and metadata["complete_quarter"].value is True
    assert (home / "exports" / "2026-Q3" / "manifest.json").is_file()


def test_pack_files_are_a_function_of_the_release(fixture_home):
    """pack_files (no I/O) gives the same CSV bytes as the written pack."""
    home, _, _ = fixture_home
    data = pack_data(read_release(home / "published"), Q3)
    files = pack_files(data)
    written = home / "exports" / "2026-Q3"
    for path, content in files.items():
        if path.endswith(".csv"):
            assert (written / path).read_bytes() == content
