"""Every dashboard page, in both languages, on a hand-made published release of all marts.

The release (published/releases/R1, ``current`` -> it, stable names as links, like
pipelines/defs/publish/release.py writes it) holds two months, Feb and Mar 2026, of the small
ministry of tests/test_dashboard.py (MIN > O1 > D1, MIN > O2; D1 has 3 people and is withheld),
and every other mart with figures chosen by hand. The figures the pages must show, worked out:

Overview (MIN, Mar vs Feb)
    adoption 25/40 = 62.5% (+12.5%p), active users 25 (+6), assisted hours central 100 h (+20),
    range 50 h - 150 h, cost $60.00 (+$10.00), headcount 40 (+2), requests 500 (+100),
    new users 7 (no delta: Feb is the first month, null), stickiness 35.0% (+5.0%p).
Productivity (MIN, Feb..Mar)
    total central 80 + 100 = 180 h, range 40+50 = 90 h .. 120+150 = 270 h; per month 90 h;
    per active user in Mar 100 / 25 = 4.0 h. Survey 2026Q1, MIN: 20 respondents, 50.0%.
Features (Mar)
    portal:chat 300 requests, 20 active users, reach 20 / 40 = 50.0%; portal:legal_qa unmapped.
Training
    pooled DiD +5.2%p, 95% interval [+1.1, +9.3]%p; use after 75.0% (+50.0%p vs 25.0% before);
    session S2 has 3 attendees: withheld, "<5".
Pioneers (Mar)
    pioneers 6/6 = 100.0%, everyone else 19/34 = 55.9%: +44.1%p. Feb: pioneers 3 people, so the
    whole month is withheld (populations overlap).
Governance (Mar vs Feb, breakdown all)
    blocked 5/500 = 1.0% (Feb 8/400 = 2.0%: -1.0%p), failed 10/500 = 2.0% (Feb 4/400: +1.0%p).
Data quality (published 2026-04-01 00:30 UTC)
    portal newest event 2026-03-31 14:00 UTC: 10.5 h old -> fresh; onai 2026-03-29 00:00 UTC:
    72.5 h -> late; hr delivered 2026-02-28 22:00 UTC: 31 days -> fresh (monthly snapshot).
    Quarantine: portal "malformed startTime" 2 rows; onai "corrupt gzip" 1 file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards import access, data, views
from dashboards.i18n import LABELS
from tests.test_dashboard import FEB, MAR, MANIFEST, unit_monthly_fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
TIMEOUT = 30
PAGES = ("overview", "units", "features", "productivity", "training", "governance", "quality", "definitions")
TITLES = {
    "overview": ("AI 활용 개요", "AI adoption overview"),
    "units": ("조직별 현황", "Units"),
    "features": ("기능·모델", "Features and models"),
    "productivity": ("생산성", "Productivity"),
    "training": ("교육·AI 선도그룹", "Training and Pioneers"),
    "governance": ("거버넌스", "Governance"),
    "quality": ("데이터 품질", "Data quality"),
    "definitions": ("지표 정의", "Definitions"),
}
UTC = dt.timezone.utc

# ---------------------------------------------------------------- the hand-made release

# unit_monthly figures beyond tests/test_dashboard.py's: (code, month) -> values
EXTRA = {
    ("MIN", FEB): dict(assisted_hours_low=40.0, assisted_hours_central=80.0, assisted_hours_high=120.0,
                       cost_usd=50.0, requests=400, new_users=None, stickiness=0.30, power_users=4,
                       regular_users=8, light_users=7, active_days_avg=5.0, breadth_avg=2.0,
                       blocked_requests=8, failed_requests=4),
    ("MIN", MAR): dict(assisted_hours_low=50.0, assisted_hours_central=100.0, assisted_hours_high=150.0,
                       cost_usd=60.0, requests=500, new_users=7, stickiness=0.35, power_users=6,
                       regular_users=10, light_users=9, active_days_avg=6.0, breadth_avg=2.5,
                       blocked_requests=5, failed_requests=10),
    ("O1", FEB): dict(assisted_hours_low=20.0, assisted_hours_central=40.0, assisted_hours_high=60.0,
                      cost_usd=25.0, requests=200, stickiness=0.32, active_days_avg=5.5),
    ("O1", MAR): dict(assisted_hours_low=25.0, assisted_hours_central=50.0, assisted_hours_high=75.0,
                      cost_usd=30.0, requests=250, new_users=4, stickiness=0.40, active_days_avg=6.5),
    ("O2", FEB): dict(assisted_hours_low=15.0, assisted_hours_central=30.0, assisted_hours_high=45.0,
                      cost_usd=20.0, requests=150, stickiness=0.25, active_days_avg=4.0),
    ("O2", MAR): dict(assisted_hours_low=20.0, assisted_hours_central=40.0, assisted_hours_high=60.0,
                      cost_usd=25.0, requests=200, new_users=3, stickiness=0.30, active_days_avg=5.0),
    ("_UNATTRIBUTED", FEB): dict(assisted_hours_low=1.0, assisted_hours_central=2.0, assisted_hours_high=3.0,
                                 cost_usd=2.0, requests=30),
    ("_UNATTRIBUTED", MAR): dict(assisted_hours_low=1.0, assisted_hours_central=2.0, assisted_hours_high=3.0,
                                 cost_usd=2.0, requests=30),
}
FUNCTIONS = {"MIN": "support", "O1": "planning", "D1": "planning", "O2": "trade", "_UNATTRIBUTED": None}
UNIT_COLUMNS = ("assisted_hours_low", "assisted_hours_central", "assisted_hours_high", "cost_usd", "new_users",
                "stickiness", "power_users", "regular_users", "light_users", "active_days_avg", "breadth_avg",
                "blocked_requests", "failed_requests")


def full_unit_monthly() -> pl.DataFrame:
    base = unit_monthly_fixture()
    rows = []
    for rec in base.iter_rows(named=True):
        extra = EXTRA.get((rec["unit_code"], rec["month"]), {})
        rec = {**rec, **{c: None for c in UNIT_COLUMNS}, **extra, "function": FUNCTIONS[rec["unit_code"]]}
        if rec["suppressed"]:
            rec.update({c: None for c in (*UNIT_COLUMNS, "requests")})
        rows.append(rec)
    schema = {**base.schema, "function": pl.String}
    for column in UNIT_COLUMNS:
        schema[column] = pl.Float64 if column in ("stickiness", "active_days_avg", "breadth_avg", "cost_usd") \
            or column.startswith("assisted") else pl.Int64
    return pl.DataFrame(rows, schema=schema)


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows and isinstance(rows[0], tuple) \
        else pl.DataFrame(rows, schema=schema)


def ministry_daily() -> pl.DataFrame:
    days = [(dt.date(2026, 3, 1), False, 2), (dt.date(2026, 3, 2), True, 20), (dt.date(2026, 3, 3), True, 22)]
    return pl.DataFrame(
        [{"date": d, "month": MAR, "is_workday": w, "holiday_name": None, "closure_reason": None, "headcount": 40,
          "daily_active_users": n, "requests": n * 10, "successful_requests": n * 9, "blocked_requests": 0,
          "failed_requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": n * 0.5,
          "metric_version": "2026.1", "suppressed": False} for d, w, n in days],
        schema={"date": pl.Date, "month": pl.Date, "is_workday": pl.Boolean, "holiday_name": pl.String,
                "closure_reason": pl.String, "headcount": pl.Int64, "daily_active_users": pl.Int64,
                "requests": pl.Int64, "successful_requests": pl.Int64, "blocked_requests": pl.Int64,
                "failed_requests": pl.Int64, "prompt_tokens": pl.Int64, "completion_tokens": pl.Int64,
                "cost_usd": pl.Float64, "metric_version": pl.String, "suppressed": pl.Boolean},
    )


def feature_monthly() -> pl.DataFrame:
    rows = []
    for month, scale in ((FEB, 0.8), (MAR, 1.0)):
        for feature, platform, mapped, requests, active, hours in (
            ("portal:chat", "portal", True, 300, 20, (5.0, 15.0, 25.0)),
            ("onai:보고서초안", "onai", True, 100, 10, (30.0, 60.0, 90.0)),
            ("portal:legal_qa", "portal", False, 5, 1, (0.0, 0.0, 0.0)),
        ):
            rows.append({"month": month, "feature": feature, "platform": platform, "feature_mapped": mapped,
                         "requests": int(requests * scale), "successful_requests": int(requests * scale * 0.9),
                         "active_users": active if month == MAR else active - 2,
                         "assisted_hours_low": hours[0] * scale, "assisted_hours_central": hours[1] * scale,
                         "assisted_hours_high": hours[2] * scale, "metric_version": "2026.1", "suppressed": False})
    return pl.DataFrame(rows)


def model_monthly() -> pl.DataFrame:
    rows = []
    for month in (FEB, MAR):
        for model, provider, requests, failed, cost in (("gpt-4.1", "azure", 250, 5, 40.0),
                                                         ("claude-sonnet", "anthropic", 55, 0, 20.0)):
            rows.append({"month": month, "model": model, "provider": provider, "requests": requests,
                         "successful_requests": requests - failed, "failed_requests": failed,
                         "failure_rate": failed / requests, "prompt_tokens": requests * 1000,
                         "completion_tokens": requests * 500, "cost_usd": cost, "latency_p50_ms": 1200.0,
                         "latency_p95_ms": 4000.0, "metric_version": "2026.1"})
    return pl.DataFrame(rows)


def governance_monthly() -> pl.DataFrame:
    rows = []
    for month, total, blocked, failed, cost in ((FEB, 400, 8, 4, 52.0), (MAR, 500, 5, 10, 62.0)):
        items = [("all", "all", None, total, blocked, failed, cost),
                 ("platform", "portal", None, total - 100, blocked, failed - 2, cost),
                 ("platform", "onai", None, 100, 0, 2, 0.0),
                 ("vendor", "azure", "azure", total - 155, blocked, failed - 2, cost - 20),
                 ("vendor", "anthropic", "anthropic", 55, 0, 0, 20.0),
                 ("model", "gpt-4.1", "azure", total - 155, blocked, failed - 2, cost - 20),
                 ("model", "claude-sonnet", "anthropic", 55, 0, 0, 20.0)]
        for breakdown, item, vendor, requests, b, f, c in items:
            rows.append({"month": month, "breakdown": breakdown, "item": item, "vendor": vendor,
                         "requests": requests, "request_share": requests / total, "blocked_requests": b,
                         "blocked_share": b / requests, "failed_requests": f, "failure_share": f / requests,
                         "cost_usd": c, "cost_share": c / cost, "metric_version": "2026.1"})
    return pl.DataFrame(rows, schema_overrides={"vendor": pl.String})


def pioneers_monthly() -> pl.DataFrame:
    rows = []
    for month, populations in (
        (FEB, (("pioneers", None, 3, 3), ("everyone_else", None, 35, 16), ("units_with_pioneer", 1, 19, 11),
               ("units_without_pioneer", 2, 19, 8), ("colleagues_of_pioneers", 1, 16, 8))),
        (MAR, (("pioneers", None, 6, 6), ("everyone_else", None, 34, 19), ("units_with_pioneer", 1, 20, 14),
               ("units_without_pioneer", 2, 20, 11), ("colleagues_of_pioneers", 1, 14, 8))),
    ):
        small = any(0 < n < 5 for _, _, n, _ in populations)
        for population, units, headcount, active in populations:
            rows.append({"month": month, "population": population, "units": units, "headcount": headcount,
                         "active_users": None if small else active,
                         "adoption_rate": None if small else active / headcount,
                         "active_days_avg": None if small else 6.0, "breadth_avg": None if small else 2.0,
                         "metric_version": "2026.1", "suppressed": small})
    return pl.DataFrame(rows, schema_overrides={"units": pl.Int64, "active_users": pl.Int64,
                                                "adoption_rate": pl.Float64, "active_days_avg": pl.Float64,
                                                "breadth_avg": pl.Float64})


def retention_cohorts() -> pl.DataFrame:
    rows = []
    for scope, code, name_ko, name_en, parent, cohort, month, size, still, active, suppressed in (
        ("ministry", "MIN", "테스트부", "Ministry of Testing", None, FEB, FEB, 19, 19, 19, False),
        ("ministry", "MIN", "테스트부", "Ministry of Testing", None, FEB, MAR, 19, 18, 12, False),
        ("ministry", "MIN", "테스트부", "Ministry of Testing", None, MAR, MAR, 7, 7, 7, False),
        ("office", "O1", "기획조정실", "Planning and Coordination Office", "MIN", FEB, FEB, 11, 11, 11, True),
        ("office", "O2", "디지털정책실", "Digital Policy Office", "MIN", FEB, FEB, 3, 3, 3, True),
    ):
        rows.append({"scope": scope, "unit_code": code, "unit_name_ko": name_ko, "unit_name_en": name_en,
                     "parent_code": parent, "cohort_month": cohort, "month": month,
                     "months_since_first": (month.month - cohort.month), "cohort_size": size,
                     "still_in_roster": None if suppressed else still, "active_users": None if suppressed else active,
                     "retention_rate": None if suppressed else active / still, "metric_version": "2026.1",
                     "suppressed": suppressed})
    return pl.DataFrame(rows, schema_overrides={"parent_code": pl.String, "still_in_roster": pl.Int64,
                                                "active_users": pl.Int64, "retention_rate": pl.Float64,
                                                "months_since_first": pl.Int32})


TRAINING_COLUMNS = ("completed", "adoption_before", "adoption_after", "active_days_before_avg", "active_days_after_avg",
                    "first_time_users", "days_to_first_use_avg", "days_to_first_use_median", "did_treated",
                    "did_controls", "treated_rate_before", "treated_rate_after", "control_rate_before",
                    "control_rate_after", "did_estimate", "did_ci_low", "did_ci_high")


def training_impact() -> pl.DataFrame:
    rows = [
        ("S1", "보고서 초안 작성 AI 실습", dt.date(2026, 2, 10), "hands_on", 12,
         (11, 0.25, 0.75, 1.0, 3.0, 6, 9.0, 7.0, 11, 30, 0.05, 0.20, 0.06, 0.15, 0.06, -0.01, 0.13), False),
        ("S2", "AI 윤리 특강", dt.date(2026, 3, 5), "lecture", 3, None, True),
        ("ALL", None, None, None, 15,
         (14, 0.25, 0.75, 1.2, 3.2, 7, 10.0, 8.0, 14, 60, 0.05, 0.18, 0.06, 0.142, 0.052, 0.011, 0.093), False),
    ]
    out = []
    for session_id, title, date, fmt, attendees, figures, suppressed in rows:
        rec = {"session_id": session_id, "session_title": title, "session_date": date, "format": fmt,
               "attendees": attendees}
        rec.update(dict(zip(TRAINING_COLUMNS, figures or [None] * len(TRAINING_COLUMNS), strict=True)))
        rec.update({"metric_version": "2026.1", "suppressed": suppressed})
        out.append(rec)
    schema = {"session_id": pl.String, "session_title": pl.String, "session_date": pl.Date, "format": pl.String,
              "attendees": pl.Int64}
    schema.update({c: pl.Int64 if c in ("completed", "first_time_users", "did_treated", "did_controls")
                   else pl.Float64 for c in TRAINING_COLUMNS})
    schema.update({"metric_version": pl.String, "suppressed": pl.Boolean})
    return pl.DataFrame(out, schema=schema)


def survey_quarterly() -> pl.DataFrame:
    rows = []
    for code, level, name_ko, name_en, parent, respondents, headcount, suppressed in (
        ("MIN", "ministry", "테스트부", "Ministry of Testing", None, 20, 40, False),
        ("O1", "office", "기획조정실", "Planning and Coordination Office", "MIN", 12, 20, False),
        ("D1", "division", "혁신행정담당관", "Innovation Division", "O1", 2, 3, True),
        ("O2", "office", "디지털정책실", "Digital Policy Office", "MIN", 4, 18, True),
        ("_UNATTRIBUTED", "none", "미귀속", "Unattributed", None, 0, 0, False),
    ):
        shown = not suppressed and respondents > 0
        rows.append({"quarter": "2026Q1", "unit_code": code, "unit_level": level, "unit_name_ko": name_ko,
                     "unit_name_en": name_en, "parent_code": parent, "respondents": respondents,
                     "headcount": headcount, "response_rate": respondents / headcount if headcount and not suppressed
                     else None,
                     "agree_rate_faster": 0.6 if shown else None, "agree_rate_quality": 0.4 if shown else None,
                     "agree_rate_effort": 0.5 if shown else None, "agree_rate_productive": 0.55 if shown else None,
                     "minutes_saved_per_week_avg": 45.5 if shown else None, "metric_version": "2026.1",
                     "suppressed": suppressed})
    return pl.DataFrame(rows, schema_overrides={"parent_code": pl.String, "response_rate": pl.Float64,
                                                "agree_rate_faster": pl.Float64, "agree_rate_quality": pl.Float64,
                                                "agree_rate_effort": pl.Float64,
                                                "agree_rate_productive": pl.Float64,
                                                "minutes_saved_per_week_avg": pl.Float64})


def data_quality_daily() -> pl.DataFrame:
    def at(text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)

    rows = [
        ("portal", dt.date(2026, 3, 31), 1, 0, 100, 97, 1, 2, 95, 94, 1, 0, at("2026-03-31T14:00"), at("2026-03-31T20:00")),
        ("onai", dt.date(2026, 3, 28), 1, 0, 50, 50, 0, 0, 50, 50, 0, None, at("2026-03-29T00:00"), at("2026-03-29T02:00")),
        ("onai", dt.date(2026, 3, 15), 1, 1, 0, 0, 0, 0, None, None, None, None, None, at("2026-03-15T02:00")),
        ("hr", dt.date(2026, 3, 1), 2, 0, 80, 80, 0, 0, None, None, None, None, None, at("2026-02-28T22:00")),
    ]
    columns = ("source", "day", "files_received", "files_quarantined", "rows_received", "rows_loaded",
               "rows_duplicate", "rows_quarantined", "events_with_employee", "events_matched_to_hr",
               "unmapped_feature_rows", "unknown_service_rows", "newest_event_at", "last_delivered_at")
    frame = pl.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], schema={
        "source": pl.String, "day": pl.Date, **{c: pl.Int64 for c in columns[2:12]},
        "newest_event_at": pl.Datetime("us", "UTC"), "last_delivered_at": pl.Datetime("us", "UTC")})
    return frame.with_columns(
        (pl.col("events_matched_to_hr") / pl.col("events_with_employee")).alias("hr_match_rate"),
        ((pl.col("last_delivered_at") - pl.col("newest_event_at")).dt.total_seconds() / 3600).alias(
            "delivery_lag_hours"),
        pl.lit("2026.1").alias("metric_version"),
    )


def data_quality_quarantine() -> pl.DataFrame:
    return pl.DataFrame({
        "source": ["onai", "portal"], "day": [dt.date(2026, 3, 15), dt.date(2026, 3, 31)],
        "reason": ["corrupt gzip", "malformed startTime"], "files_quarantined": [1, 0], "rows_quarantined": [0, 2],
        "metric_version": ["2026.1", "2026.1"]})


DICTIONARY = {
    "metric_version": "2026.1",
    "k": 5,
    "conventions": {"time_zone": "Asia/Seoul.", "privacy": "k = 5: a row about fewer than k people is withheld."},
    "marts": {
        "unit_monthly": {
            "description": "Adoption per unit and month.", "grain": "month x unit", "group_size": "headcount",
            "columns": {"adoption_rate": {"label_ko": "도입률", "definition": "active_users / headcount."},
                        "headcount": {"label_ko": "인원", "definition": "Employees of Roster(M) in the subtree."}},
        },
        "training_impact": {
            "description": "Whether training changed use.", "grain": "session", "group_size": "attendees",
            "columns": {"did_estimate": {"label_ko": "이중차분 추정치", "definition": "(treated after - before) "
                                                                                "- (controls after - before)."}},
        },
    },
    "assisted_minutes": {"version": "2026.1-defaults", "unit": "minutes per qualifying action",
                         "default": {"low": 0, "central": 0, "high": 0, "source": "anything else"},
                         "features": {"portal:chat": {"low": 1, "central": 3, "high": 5, "source": "default"}}},
}

FULL_MANIFEST = {
    **MANIFEST,
    "release": "R1",
    "k": 5,
    "coefficients_version": "2026.1-defaults",
    "newest_event_at": {"portal": "2026-03-31T14:00:00+00:00", "onai": "2026-03-29T00:00:00+00:00"},
}

MARTS = {
    "unit_monthly": full_unit_monthly,
    "ministry_daily": ministry_daily,
    "feature_monthly": feature_monthly,
    "model_monthly": model_monthly,
    "governance_monthly": governance_monthly,
    "pioneers_monthly": pioneers_monthly,
    "retention_cohorts": retention_cohorts,
    "training_impact": training_impact,
    "survey_quarterly": survey_quarterly,
    "data_quality_daily": data_quality_daily,
    "data_quality_quarantine": data_quality_quarantine,
}


def write_release(root: Path, name: str = "R1", manifest: dict | None = None,
                  marts: dict | None = None, extra: dict | None = None) -> Path:
    """published/releases/<name>/ with every mart, then ``current`` and the stable names point to it."""
    published = root / "published"
    release = published / "releases" / name
    release.mkdir(parents=True)
    for mart, build in (marts or MARTS).items():
        build().write_parquet(release / f"{mart}.parquet")
    for mart, frame in (extra or {}).items():
        frame.write_parquet(release / f"{mart}.parquet")
    (release / "metric_dictionary.json").write_text(json.dumps(DICTIONARY, ensure_ascii=False), encoding="utf-8")
    (release / "manifest.json").write_text(json.dumps({**FULL_MANIFEST, "release": name, **(manifest or {})}),
                                           encoding="utf-8")
    current = published / "current"
    if current.is_symlink():
        current.unlink()
    os.symlink(f"releases/{name}", current)
    for file in release.iterdir():
        link = published / file.name
        if link.is_symlink():
            link.unlink()
        os.symlink(f"current/{file.name}", link)
    return root


@pytest.fixture(autouse=True)
def _clear_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    root = write_release(tmp_path / "home")
    monkeypatch.setenv("AXMETER_HOME", str(root))
    return root


# ---------------------------------------------------------------- helpers


def open_page(page: str, lang: str = "ko", query: dict | None = None, secrets: dict | None = None,
              user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def text_of(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header"):
        parts.extend(str(e.value) for e in at.get(kind))
    return "\n".join(parts)


def shown(at: AppTest, index: int) -> list[dict[str, str]]:
    """Table ``index`` as the reader sees it (Styler display values)."""
    import io

    import pyarrow as pa

    proto = at.dataframe[index].proto
    arrow = proto.arrow_data if hasattr(proto, "arrow_data") else proto
    if arrow.HasField("styler") and arrow.styler.display_values:
        table = pa.ipc.open_stream(io.BytesIO(arrow.styler.display_values)).read_all()
        return table.to_pandas().to_dict("records")
    return at.dataframe[index].value.astype(str).to_dict("records")


def table_with(at: AppTest, *columns: str) -> list[dict[str, str]]:
    """The first table that has all ``columns``."""
    for i in range(len(at.dataframe)):
        rows = shown(at, i)
        if rows and all(column in rows[0] for column in columns):
            return rows
    raise AssertionError(f"no table with the columns {columns!r}")


def assert_no_withheld_figure_shows_as_a_number(at: AppTest, page: str) -> None:
    """Every missing figure of every table shows a marker ("<5", withheld, "–"), never 0 or blank."""
    markers = {"<5", "비공개", "withheld", "–"}
    for i in range(len(at.dataframe)):
        frame = at.dataframe[i].value
        for record, numbers in zip(shown(at, i), frame.to_dict("records"), strict=True):
            for column, text in record.items():
                value = numbers.get(column)
                if isinstance(value, float) and (value != value or value == views.SENTINEL):
                    assert text in markers, (page, column, text)


RAW_KEY = re.compile(r"\b(?:col|help|kpi|overview|units|features|productivity|training|governance|quality|"
                     r"definitions|population|format|platform|source|function|mart|convention|level|scope|"
                     r"filter|info|auth|privacy|page|nav)\.[a-z_]+")


# ---------------------------------------------------------------- every page, both languages


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_page_opens_without_exception_in_both_languages(home, lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for page in PAGES:
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py")
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title[0].value == TITLES[page][0 if lang == "ko" else 1]
        visible = text_of(at) + "\n".join(m.label for m in at.metric)
        assert not RAW_KEY.findall(visible), (page, RAW_KEY.findall(visible))  # no label key left untranslated
        # every table can be downloaded as CSV
        assert len(at.get("download_button")) >= len(at.dataframe), page
        assert seconds < 3.0, (page, seconds)  # generous for CI; measured times are in the report
        assert_no_withheld_figure_shows_as_a_number(at, page)


def test_an_old_adoption_link_lands_on_overview(home):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"unit": "O1", "lang": "en"})
    at.run()
    at.switch_page("app_pages/adoption.py").run()  # /adoption?unit=O1&lang=en
    assert not at.exception
    assert at.title[0].value == "AI adoption overview"
    assert cards(at)["Active users"][0] == "14"  # O1 in Mar: the link's filters survive the forward
    assert dict(at.query_params) == {"unit": "O1", "lang": "en"}


def test_sidebar_shows_window_publish_time_and_versions(home):
    at = open_page("governance")
    sidebar = "\n".join(str(c.value) for c in at.sidebar.caption)
    assert "데이터 기간: 2026년 2월 – 2026년 3월" in sidebar
    assert "최종 게시: 2026년 4월 1일 09:30 (KST)" in sidebar
    assert "절감시간 계수 버전: 2026.1-defaults" in sidebar


# ---------------------------------------------------------------- key figures per page


def test_overview_cards_equal_the_published_marts(home):
    got = cards(open_page("overview"))
    assert got["도입률"] == ("62.5%", "+12.5%p")
    assert got["활성 이용자"] == ("25", "+6")
    assert got["절감 시간(중앙값)"] == ("100시간", "+20")
    assert got["비용"] == ("$60.00", "+$10.00")
    assert got["재직 인원"] == ("40", "+2")
    assert got["요청 수"] == ("500", "+100")
    assert got["신규 이용자"] == ("7", "")  # Feb is the first month: no history, no delta
    assert got["고착도"] == ("35.0%", "+5.0%p")
    at = open_page("overview")
    assert "범위 50시간 – 150시간" in text_of(at)
    en = cards(open_page("overview", "en"))
    assert en["Assisted hours (central)"] == ("100 h", "+20")
    assert en["Adoption rate"] == ("62.5%", "+12.5 pp")
    assert "range 50 h – 150 h" in text_of(open_page("overview", "en"))


def test_overview_unit_table_and_markers(home):
    rows = {r["조직"]: r for r in shown(open_page("overview"), 0)}
    assert rows["테스트부"]["절감 시간 중앙"] == "100.0"
    assert rows["테스트부"]["비용(USD)"] == "60.00"
    assert rows["혁신행정담당관"]["활성 이용자"] == "<5"
    assert rows["혁신행정담당관"]["비용(USD)"] == "<5"
    assert rows["미귀속"]["활성 이용자"] == "–"
    assert rows["미귀속"]["비용(USD)"] == "2.00"


def test_units_page_drills_down_and_back(home):
    at = open_page("units")
    rows = {r["조직"]: r for r in table_with(at, "도입률 전월 대비")}
    assert set(rows) == {"테스트부", "기획조정실", "디지털정책실"}  # the ministry and the units directly below
    assert rows["기획조정실"]["도입률 전월 대비"] == "+12.1%p"  # 14/20 - 11/19
    assert rows["디지털정책실"]["기능"] == "통상"
    at.selectbox(key="units_drill").set_value("O1").run()  # drill down
    assert at.query_params.get("unit") == "O1"
    rows = {r["조직"]: r for r in table_with(at, "도입률 전월 대비")}
    assert set(rows) == {"기획조정실", "혁신행정담당관"}
    assert rows["혁신행정담당관"]["도입률"] == "<5"
    at.button(key="units_crumb_MIN").click().run()  # back up through the path
    assert "unit" not in at.query_params
    assert {r["조직"] for r in table_with(at, "도입률 전월 대비")} == {"테스트부", "기획조정실", "디지털정책실"}


def test_function_filter_lives_in_the_url_and_narrows_lists(home):
    at = open_page("units", query={"fn": "trade"})
    assert {r["조직"] for r in table_with(at, "도입률 전월 대비")} == {"테스트부", "디지털정책실"}
    assert set(at.sidebar.selectbox[1].options) == {"테스트부", "\u00a0\u00a0디지털정책실"}
    at.switch_page("app_pages/overview.py").run()  # carried across pages
    assert at.query_params.get("fn") == "trade"
    assert {r["조직"] for r in shown(at, 0)} == {"테스트부", "디지털정책실", "미귀속"}
    at.sidebar.selectbox[0].set_value("").run()
    assert "fn" not in at.query_params


def test_features_page(home):
    at = open_page("features")
    rows = {r["기능"]: r for r in table_with(at, "부처 인원 대비 이용률")}
    assert rows["포털 · 채팅"]["요청 수"] == "300"
    assert rows["포털 · 채팅"]["활성 이용자"] == "20"
    assert rows["포털 · 채팅"]["부처 인원 대비 이용률"] == "50.0%"
    assert rows["OnAI · 보고서초안"]["절감 시간 중앙"] == "60.0"
    assert rows["portal:legal_qa"]["계수 있음"] == "아니오"
    models = {r["모델"]: r for r in table_with(at, "응답시간 중앙값(ms)")}
    assert models["gpt-4.1"]["실패율"] == "2.0%"
    en = open_page("features", "en")
    assert "OnAI · report draft" in {r["Feature"] for r in table_with(en, "Reach (of headcount)")}


def test_productivity_page(home):
    at = open_page("productivity")
    got = cards(at)
    assert got["조회 기간 합계"][0] == "180시간"
    assert got["월평균"][0] == "90시간"
    assert got["활성 이용자 1인당 (2026년 3월)"][0] == "4.0시간"
    assert "범위 90시간 – 270시간" in text_of(at)
    assert got["응답자"][0] == "20"
    assert got["응답률"][0] == "50.0%"
    assert got["'더 빠르다' 동의"][0] == "60.0%"
    survey = {r["조직"]: r for r in table_with(at, "응답자")}
    assert survey["디지털정책실"]["응답률"] == "<5"  # 4 respondents
    assert survey["기획조정실"]["응답률"] == "60.0%"


def test_training_and_pioneers_page(home):
    at = open_page("training")
    got = cards(at)
    assert got["교육 효과 (이중차분)"][0] == "+5.2%p"
    assert got["교육 후 사용률"] == ("75.0%", "+50.0%p")
    assert "95% 신뢰구간 [+1.1, +9.3]%p" in text_of(at)
    sessions = {r["교육 ID"]: r for r in table_with(at, "이중차분 추정치")}
    assert sessions["S1"]["이중차분 추정치"] == "+6.0%p"
    assert sessions["S2"]["참석"] == "3"
    assert sessions["S2"]["교육 후 사용률"] == "<5"
    assert sessions["전체(종합)"]["95% 구간 하한"] == "+1.1%p"
    assert got["AI 선도그룹"] == ("100.0%", "+44.1%p")
    pioneers = table_with(at, "집단")
    feb = {r["집단"]: r for r in pioneers if r["월"] == "2026년 2월"}
    # Feb: a population of 3, so the whole month is withheld; the others only to protect it
    assert feb["AI 선도그룹"]["도입률"] == "<5"
    assert {feb[p]["도입률"] for p in feb if p != "AI 선도그룹"} == {"비공개"}
    assert feb["AI 선도그룹"]["과 수"] == "–"  # not applicable, not withheld
    en = cards(open_page("training", "en"))
    assert en["Training effect (DiD)"][0] == "+5.2 pp"


def test_governance_page(home):
    at = open_page("governance")
    got = cards(at)
    assert got["차단 비율"] == ("1.0%", "-1.0%p")
    assert got["실패 비율"] == ("2.0%", "+1.0%p")
    assert got["요청 수"] == ("500", "+100")
    models = {r["모델"]: r for r in table_with(at, "모델")}
    assert models["claude-sonnet"]["비용 비중"] == "32.3%"  # 20 / 62
    units = {r["조직"]: r for r in table_with(at, "조직", "차단 비율")}
    assert units["혁신행정담당관"]["차단 비율"] == "<5"


def test_quality_page(home):
    at = open_page("quality")
    text = text_of(at)
    badges = [str(m.value) for m in at.markdown if "badge[" in str(m.value)]
    assert len(badges) == 3  # portal, onai, hr
    assert sum("최신" in b for b in badges) == 2 and sum("지연" in b for b in badges) == 1  # onai: 72.5 h
    assert "최신 이벤트: 2026년 3월 31일 23:00 (KST)" in text  # 14:00 UTC
    sources = {r["원천"]: r for r in table_with(at, "인사 매칭률")}
    assert sources["AI 포털"]["인사 매칭률"] == "98.9%"  # 94 / 95
    assert sources["인사 명부"]["인사 매칭률"] == "–"
    reasons = {r["사유"]: r for r in table_with(at, "사유")}
    assert reasons["malformed startTime"]["격리 행"] == "2"
    assert reasons["corrupt gzip"]["격리 파일"] == "1"
    assert "로그인이 설정되지 않아 행 단위 상세는 표시하지 않습니다" in text


def test_definitions_page(home):
    at = open_page("definitions")
    rows = [r for table in at.table for r in table.value.to_dict("records")]  # static tables: texts wrap
    assert {"열": "adoption_rate", "한글명": "도입률", "정의": "active_users / headcount."} in rows
    assert {"용어": "개인 보호", "정의": "k = 5: a row about fewer than k people is withheld."} in rows
    assert len(at.get("download_button")) >= len(at.table)
    assert "지표 버전 2026.1 · 비공개 기준 k = 5" in text_of(at)
    at.selectbox(key="definitions_mart").set_value("training_impact").run()
    assert any(r.get("열") == "did_estimate" for t in at.table for r in t.value.to_dict("records"))
    at.text_input(key="definitions_search").set_value("도입률").run()  # search every mart
    found = [r for t in at.table for r in t.value.to_dict("records") if "마트" in r]
    assert found == [{"마트": "unit_monthly", "열": "adoption_rate", "한글명": "도입률",
                      "정의": "active_users / headcount."}]


# ---------------------------------------------------------------- privacy


def test_manifest_k_is_the_marker_everywhere(tmp_path, monkeypatch):
    root = write_release(tmp_path / "home", manifest={"k": 7})
    monkeypatch.setenv("AXMETER_HOME", str(root))
    at = open_page("training")
    sessions = {r["교육 ID"]: r for r in table_with(at, "이중차분 추정치")}
    assert sessions["S2"]["교육 후 사용률"] == "<7"
    pioneers = table_with(at, "집단")
    assert pioneers and all(r["도입률"] == "<7" for r in pioneers if r["집단"] == "AI 선도그룹")  # 3 and 6 < 7


def test_a_small_group_is_withheld_even_if_the_pipeline_forgot(tmp_path, monkeypatch):
    leaky = survey_quarterly().with_columns(
        pl.when(pl.col("unit_code") == "O2").then(False).otherwise(pl.col("suppressed")).alias("suppressed"),
        pl.when(pl.col("unit_code") == "O2").then(0.75).otherwise(pl.col("response_rate")).alias("response_rate"),
    )
    prepared = data.prepare_mart("survey_quarterly", leaky)
    o2 = prepared.filter(pl.col("unit_code") == "O2").row(0, named=True)
    assert o2["suppressed"] and o2["response_rate"] is None and o2["respondents"] == 4


def test_the_grid_shows_the_marker_a_null_cell_stands_for(home):
    """The browser grid draws every null cell with one placeholder: only "<k" cells are null."""
    at = open_page("overview")
    assert at.dataframe[0].proto.placeholder == "<5"
    for record, numbers in zip(shown(at, 0), at.dataframe[0].value.to_dict("records"), strict=True):
        for column, text in record.items():
            value = numbers.get(column)
            if isinstance(value, float) and value != value:
                assert text == "<5", (column, text)


# ---------------------------------------------------------------- one release per run


def test_reads_one_release_and_follows_current(home):
    at = open_page("overview")
    assert cards(at)["도입률"][0] == "62.5%"
    # a new release: Mar adoption 30/40
    newer = full_unit_monthly().with_columns(
        pl.when((pl.col("unit_code") == "MIN") & (pl.col("month") == MAR)).then(30)
        .otherwise(pl.col("active_users")).alias("active_users")
    ).with_columns((pl.col("active_users") / pl.col("headcount")).alias("adoption_rate"))
    write_release(home, "R2", marts={k: v for k, v in MARTS.items() if k != "unit_monthly"},
                  extra={"unit_monthly": newer})
    at.run()
    assert cards(at)["도입률"][0] == "75.0%"
    assert Path(at.session_state["_axmeter_release"]).name == "R2"


# ---------------------------------------------------------------- access


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://sso.example/.well-known/openid-configuration"}
TEAM = {"data_team_emails": ["Data.Eng@ministry.go.kr"], "data_team_claim": "groups",
        "data_team_values": ["axmeter-data"]}


def test_without_auth_no_sign_in_and_no_row_level_detail(home):
    at = open_page("quality")
    assert not [b for b in at.sidebar.button if b.key == "axmeter_logout"]
    assert "로그인이 설정되지 않아" in text_of(at)


def test_auth_configured_asks_to_sign_in_and_shows_no_data(home):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert at.title[0].value == "로그인이 필요합니다"
    assert not at.metric and not at.dataframe


def test_data_team_sees_row_level_detail_readers_do_not(home):
    reader = open_page("quality", secrets={"auth": AUTH, "axmeter": TEAM},
                       user={"is_logged_in": True, "email": "reader@ministry.go.kr", "name": "Reader"})
    assert "행 단위 상세는 데이터팀만 볼 수 있습니다." in text_of(reader)
    assert "로그인: Reader · 열람자" in "\n".join(str(c.value) for c in reader.sidebar.caption)
    team = open_page("quality", secrets={"auth": AUTH, "axmeter": TEAM},
                     user={"is_logged_in": True, "email": "data.eng@ministry.go.kr", "name": "Kim"})
    assert "파일 일자·원천·사유별 격리 건수" in text_of(team)
    detail = table_with(team, "파일 일자")
    assert {r["사유"] for r in detail} == {"malformed startTime", "corrupt gzip"}


def test_data_team_role_rules():
    assert access.is_data_team_user({"email": "DATA.eng@ministry.go.kr"}, TEAM)
    assert not access.is_data_team_user({"email": "data.eng@ministry.go.kr", "email_verified": False}, TEAM)
    assert access.is_data_team_user({"email": "x@y", "groups": ["staff", "axmeter-data"]}, TEAM)
    assert not access.is_data_team_user({"email": "x@y", "groups": "staff"}, TEAM)
    assert not access.is_data_team_user({"email": "data.eng@ministry.go.kr"}, None)


def test_published_row_level_detail_for_the_data_team(tmp_path, monkeypatch):
    rows = pl.DataFrame({"source": ["portal"], "file": ["portal_20260331.jsonl.gz"], "line": [17],
                         "reason": ["malformed startTime"], "employee_key": ["k_3f9a"]})
    root = write_release(tmp_path / "home", extra={data.DATA_TEAM_DETAIL: rows})
    monkeypatch.setenv("AXMETER_HOME", str(root))
    team = open_page("quality", secrets={"auth": AUTH, "axmeter": TEAM},
                     user={"is_logged_in": True, "email": "data.eng@ministry.go.kr"})
    detail = team.dataframe[-1].value
    assert detail["employee_key"].tolist() == ["k_3f9a"] and detail["line"].tolist() == [17]


# ---------------------------------------------------------------- labels


def test_every_label_key_used_in_the_code_exists_in_both_languages():
    import ast

    assert set(LABELS["ko"]) == set(LABELS["en"])
    prefixes = {key.split(".")[0] for key in LABELS["ko"]}
    pattern = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")
    missing = []
    for path in (Path(__file__).resolve().parents[1] / "dashboards").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value):
                key = node.value
                if key.split(".")[0] in prefixes and not key.endswith(".py") and key not in LABELS["ko"]:
                    missing.append((path.name, key))
    assert not missing
    # keys built at run time from published values
    for key in ("population.pioneers", "population.everyone_else", "population.units_with_pioneer",
                "population.units_without_pioneer", "population.colleagues_of_pioneers",
                "format.lecture", "format.hands_on", "format.online", "platform.portal", "platform.onai",
                "units.scope.children", "units.scope.subtree", "help.population.pioneers",
                "help.population.units_with_pioneer", *(f"mart.{m}" for m in MARTS),
                *(f"col.{c}" for c in ("power_users", "regular_users", "light_users", "stickiness",
                                       "agree_rate_faster", "agree_rate_quality", "agree_rate_effort",
                                       "agree_rate_productive", "adoption_before", "adoption_after"))):
        assert key in LABELS["ko"], key
