"""Dashboard tests: the Streamlit app run headless with AppTest on a hand-made published mart.

Fixture (two months, Feb and Mar 2026), figures worked out by hand:

    unit           level     Feb: headcount / active / rate    Mar: headcount / active / rate
    MIN            ministry  38 / 19 / 50.0%                   40 / 25 / 62.5%
    O1             office    19 / 11 / 57.9% (11/19)           20 / 14 / 70.0%
    O2             office    17 /  8 / 47.1% (8/17)            18 / 10 / 55.6% (10/18)
    D1 (under O1)  division   3 / withheld                      3 / withheld
    _UNATTRIBUTED  none       0 / null / null                   0 / null / null

Ministry, Mar vs Feb: adoption +12.5 percentage points, active users +6, headcount +2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards import data, views
from dashboards.i18n import LABELS, fmt_datetime_kst, fmt_month, fmt_pct, fmt_pp, t

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
TIMEOUT = 30

FEB, MAR = dt.date(2026, 2, 1), dt.date(2026, 3, 1)
UNITS = {
    # code: (level, name_ko, name_en, parent)
    "MIN": ("ministry", "테스트부", "Ministry of Testing", None),
    "O1": ("office", "기획조정실", "Planning and Coordination Office", "MIN"),
    "O2": ("office", "디지털정책실", "Digital Policy Office", "MIN"),
    "D1": ("division", "혁신행정담당관", "Innovation Division", "O1"),
    "_UNATTRIBUTED": ("none", "미귀속", "Unattributed", None),
}
FIGURES = {
    # (code, month): (headcount, active_users, suppressed)
    ("MIN", FEB): (38, 19, False),
    ("O1", FEB): (19, 11, False),
    ("O2", FEB): (17, 8, False),
    ("D1", FEB): (3, None, True),
    ("_UNATTRIBUTED", FEB): (0, None, False),
    ("MIN", MAR): (40, 25, False),
    ("O1", MAR): (20, 14, False),
    ("O2", MAR): (18, 10, False),
    ("D1", MAR): (3, None, True),
    ("_UNATTRIBUTED", MAR): (0, None, False),
}


def unit_monthly_fixture() -> pl.DataFrame:
    rows = []
    for (code, month), (headcount, active, suppressed) in FIGURES.items():
        level, name_ko, name_en, parent = UNITS[code]
        rows.append(
            {
                "month": month,
                "unit_code": code,
                "unit_level": level,
                "unit_name_ko": name_ko,
                "unit_name_en": name_en,
                "parent_code": parent,
                "headcount": headcount,
                "active_users": active,
                "adoption_rate": active / headcount if active is not None and headcount else None,
                "suppressed": suppressed,
                "metric_version": "2026.1",
                # a column the dashboard does not know yet: must be tolerated
                "requests": None if suppressed else 100,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.Date,
            "unit_code": pl.String,
            "unit_level": pl.String,
            "unit_name_ko": pl.String,
            "unit_name_en": pl.String,
            "parent_code": pl.String,
            "headcount": pl.Int64,
            "active_users": pl.Int64,
            "adoption_rate": pl.Float64,
            "suppressed": pl.Boolean,
            "metric_version": pl.String,
            "requests": pl.Int64,
        },
    )


MANIFEST = {
    "run_id": "run-test-0001",
    "metric_version": "2026.1",
    "data_window": {"start": "2026-02-01", "end": "2026-03-31"},
    "published_at": "2026-04-01T00:30:00Z",
    "marts": ["unit_monthly"],
}


def write_home(root: Path, *, manifest: dict | str | None = MANIFEST, frame: pl.DataFrame | None = None) -> Path:
    published = root / "published"
    published.mkdir(parents=True, exist_ok=True)
    (frame if frame is not None else unit_monthly_fixture()).write_parquet(published / "unit_monthly.parquet")
    if isinstance(manifest, dict):
        (published / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif isinstance(manifest, str):
        (published / "manifest.json").write_text(manifest, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _clear_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    root = write_home(tmp_path / "home")
    monkeypatch.setenv("AXMETER_HOME", str(root))
    return root


def run_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


def all_text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "subheader", "title"):
        parts.extend(str(e.value) for e in at.get(kind))
    return "\n".join(parts)


def table_cells(at: AppTest) -> list[dict[str, str]]:
    """The unit table as the reader sees it: Styler display values, row by row."""
    frame = at.dataframe[0].value
    proto = at.dataframe[0].proto
    display = _styler_display_values(proto)
    if display is None:  # no styler: the raw values are what is shown
        return frame.astype(str).to_dict("records")
    return display


def _styler_display_values(proto) -> list[dict[str, str]] | None:
    import io

    import pyarrow as pa

    arrow = proto.arrow_data if hasattr(proto, "arrow_data") else proto
    if not arrow.HasField("styler") or not arrow.styler.display_values:
        return None
    table = pa.ipc.open_stream(io.BytesIO(arrow.styler.display_values)).read_all()
    return table.to_pandas().to_dict("records")


# ---------------------------------------------------------------- app runs


def test_korean_default_kpis_match_fixture(home):
    at = run_app()
    cards = metrics(at)
    assert cards["도입률"] == ("62.5%", "+12.5%p")
    assert cards["활성 이용자"] == ("25", "+6")
    assert cards["재직 인원"] == ("40", "+2")
    assert at.title[0].value == "AI 활용 개요"
    text = all_text(at)
    assert "2026년 3월" in text


def test_english_via_query_param(home):
    at = run_app({"lang": "en"})
    cards = metrics(at)
    assert cards["Adoption rate"] == ("62.5%", "+12.5 pp")
    assert cards["Active users"] == ("25", "+6")
    assert cards["Headcount"] == ("40", "+2")
    assert at.title[0].value == "AI adoption overview"
    assert "Mar 2026" in all_text(at)
    assert at.query_params.get("lang") == "en"


def test_language_radio_switches_labels_and_url(home):
    at = run_app()
    assert "도입률" in metrics(at)
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert "Adoption rate" in metrics(at)
    assert at.query_params.get("lang") == "en"
    at.sidebar.radio[0].set_value("ko").run()
    assert "도입률" in metrics(at)
    assert "lang" not in at.query_params  # default language stays out of the URL


def test_suppressed_unit_shows_marker_not_zero(home):
    at = run_app()
    cells = table_cells(at)
    by_unit = {row["조직"]: row for row in cells}
    division = by_unit["혁신행정담당관"]
    assert division["활성 이용자"] == "<5"
    assert division["도입률"] == "<5"
    assert division["재직 인원"] == "3"  # group size is published (metrics.md)
    assert "0" not in (division["활성 이용자"], division["도입률"])
    # the underlying numbers are missing (so sorting works), never 0
    raw = at.dataframe[0].value.set_index("조직")
    assert raw.loc["혁신행정담당관", "활성 이용자"] != 0
    assert "5명 미만: 개인 보호를 위해 비공개" in all_text(at)


def test_unattributed_row_is_labelled_and_not_suppressed(home):
    at = run_app()
    by_unit = {row["조직"]: row for row in table_cells(at)}
    assert "미귀속" in by_unit
    assert by_unit["미귀속"]["활성 이용자"] == "–"
    assert by_unit["미귀속"]["재직 인원"] == "0"
    at_en = run_app({"lang": "en"})
    assert "Unattributed" in {row["Unit"] for row in table_cells(at_en)}


def test_table_values_and_order(home):
    at = run_app()
    cells = table_cells(at)
    assert [row["조직"] for row in cells] == ["테스트부", "기획조정실", "혁신행정담당관", "디지털정책실", "미귀속"]
    by_unit = {row["조직"]: row for row in cells}
    assert by_unit["디지털정책실"]["도입률"] == "55.6%"
    assert by_unit["기획조정실"]["활성 이용자"] == "14"


def test_month_range_and_unit_from_url(home):
    at = run_app({"from": "2026-02", "to": "2026-02", "unit": "O1", "lang": "en"})
    cards = metrics(at)
    # Feb is the first month: no previous month, so no delta
    assert cards["Adoption rate"] == (fmt_pct(11 / 19), "")
    assert cards["Active users"] == ("11", "")
    assert at.query_params.get("unit") == "O1"
    assert at.query_params.get("to") == "2026-02"
    # the unit table is O1's subtree only, for Feb
    assert [row["Unit"] for row in table_cells(at)] == [
        "Planning and Coordination Office",
        "Innovation Division",
    ]


def test_sidebar_filters_write_the_url(home):
    at = run_app()
    assert dict(at.query_params) == {}  # defaults stay out of the URL
    at.sidebar.select_slider[0].set_value((FEB, FEB)).run()
    assert at.query_params.get("to") == "2026-02"
    assert "from" not in at.query_params
    assert metrics(at)["도입률"] == ("50.0%", "")
    at.sidebar.selectbox[0].set_value("O2").run()
    assert at.query_params.get("unit") == "O2"
    assert metrics(at)["도입률"][0] == fmt_pct(8 / 17)
    # switching language keeps the filters
    at.sidebar.radio[0].set_value("en").run()
    assert dict(at.query_params) == {"to": "2026-02", "unit": "O2", "lang": "en"}
    assert metrics(at)["Adoption rate"][0] == "47.1%"
    # a URL changed from outside (back button, edited link) wins over the remembered value
    at.query_params["unit"] = "O1"
    at.run()
    assert at.sidebar.selectbox[0].value == "O1"
    assert metrics(at)["Adoption rate"][0] == fmt_pct(11 / 19)


def test_invalid_url_values_fall_back_to_defaults(home):
    at = run_app({"lang": "xx", "unit": "NOPE", "from": "garbage"})
    assert metrics(at)["도입률"] == ("62.5%", "+12.5%p")
    assert "unit" not in at.query_params


def test_suppressed_selected_unit_kpis_show_marker(home):
    at = run_app({"unit": "D1"})
    cards = metrics(at)
    assert cards["도입률"][0] == "<5"
    assert cards["활성 이용자"][0] == "<5"
    assert cards["도입률"][1] == ""  # no delta computed from withheld figures


def test_missing_published_folder_shows_guidance(tmp_path, monkeypatch):
    monkeypatch.setenv("AXMETER_HOME", str(tmp_path / "empty"))
    at = run_app()
    assert len(at.info) == 1
    message = at.info[0].value
    assert "axmeter run" in message
    assert "게시된 데이터가 없습니다" in message
    assert not at.metric


def test_missing_published_file_shows_guidance_in_english(tmp_path, monkeypatch):
    (tmp_path / "home" / "published").mkdir(parents=True)
    monkeypatch.setenv("AXMETER_HOME", str(tmp_path / "home"))
    at = run_app({"lang": "en"})
    message = at.info[0].value
    assert "No published data yet" in message
    assert "unit_monthly.parquet" in message
    assert "axmeter run" in message


def test_empty_published_file_shows_guidance(tmp_path, monkeypatch):
    root = write_home(tmp_path / "home", frame=unit_monthly_fixture().clear())
    monkeypatch.setenv("AXMETER_HOME", str(root))
    at = run_app({"lang": "en"})
    assert "has no rows" in at.info[0].value
    assert not at.metric


def test_unreadable_file_shows_error_not_traceback(tmp_path, monkeypatch):
    published = tmp_path / "home" / "published"
    published.mkdir(parents=True)
    (published / "unit_monthly.parquet").write_bytes(b"not parquet")
    monkeypatch.setenv("AXMETER_HOME", str(tmp_path / "home"))
    at = run_app()
    assert len(at.error) == 1
    assert "axmeter run" in at.error[0].value


def test_missing_required_column_is_reported(tmp_path, monkeypatch):
    root = write_home(tmp_path / "home", frame=unit_monthly_fixture().drop("suppressed"))
    monkeypatch.setenv("AXMETER_HOME", str(root))
    at = run_app({"lang": "en"})
    assert "suppressed" in at.error[0].value


def test_publish_info_from_manifest(home):
    at = run_app()
    sidebar = "\n".join(str(c.value) for c in at.sidebar.caption)
    assert "데이터 기간: 2026년 2월 – 2026년 3월" in sidebar
    # 00:30 UTC is 09:30 in Seoul
    assert "최종 게시: 2026년 4월 1일 09:30 (KST)" in sidebar
    assert "run-test-0001" in sidebar


def test_publish_info_falls_back_to_mtime(tmp_path, monkeypatch):
    root = write_home(tmp_path / "home", manifest="{not json")
    monkeypatch.setenv("AXMETER_HOME", str(root))
    at = run_app({"lang": "en"})
    sidebar = "\n".join(str(c.value) for c in at.sidebar.caption)
    assert "Data window: Feb 2026 – Mar 2026" in sidebar
    assert "(file modification time)" in sidebar
    assert "manifest.json could not be read" in sidebar


def test_manifest_k_changes_marker(tmp_path, monkeypatch):
    root = write_home(tmp_path / "home", manifest={**MANIFEST, "k": 7})
    monkeypatch.setenv("AXMETER_HOME", str(root))
    at = run_app()
    by_unit = {row["조직"]: row for row in table_cells(at)}
    assert by_unit["혁신행정담당관"]["활성 이용자"] == "<7"


def test_heatmap_level_switch(home):
    at = run_app()
    at.switch_page("app_pages/units.py").run()
    level = at.get("button_group")[-2]  # units page: scope, heatmap level, heatmap metric
    level.set_value("division").run()
    assert not at.exception
    at.get("button_group")[-1].set_value("stickiness").run()
    assert not at.exception


# ---------------------------------------------------------------- pure functions


def test_labels_have_the_same_keys_in_both_languages():
    assert set(LABELS["ko"]) == set(LABELS["en"])


def test_formatting():
    assert fmt_month(MAR, "ko") == "2026년 3월"
    assert fmt_month(MAR, "en") == "Mar 2026"
    assert fmt_pct(0.625) == "62.5%"
    assert fmt_pp(0.125, "ko") == "+12.5%p"
    assert fmt_pp(-0.031, "en") == "-3.1 pp"
    when = dt.datetime(2026, 4, 1, 0, 30, tzinfo=dt.timezone.utc)
    assert fmt_datetime_kst(when, "en") == "1 Apr 2026, 09:30 KST"
    assert t("privacy.short", "en", k=5) == "fewer than 5 people: withheld to protect privacy"


def test_prepare_nulls_figures_of_small_groups_even_if_not_flagged():
    frame = unit_monthly_fixture().with_columns(
        # a pipeline bug: D1 (3 people) not flagged and its figures present
        pl.when(pl.col("unit_code") == "D1").then(False).otherwise(pl.col("suppressed")).alias("suppressed"),
        pl.when(pl.col("unit_code") == "D1").then(2).otherwise(pl.col("active_users")).alias("active_users"),
    )
    prepared = data.prepare_unit_monthly(frame)
    d1 = prepared.filter(pl.col("unit_code") == "D1")
    assert d1["suppressed"].all()
    assert d1["active_users"].is_null().all()
    assert d1["requests"].is_null().all()
    assert d1["headcount"].to_list() == [3, 3]
    unattributed = prepared.filter(pl.col("unit_code") == data.UNATTRIBUTED)
    assert not unattributed["suppressed"].any()


def test_csv_export_keeps_markers():
    prepared = data.prepare_unit_monthly(unit_monthly_fixture())
    rows = data.units_for_month(prepared, MAR, "MIN").drop("depth", "order")
    table = views.unit_table(rows, "en", 5)
    csv = table.csv_bytes().decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "Unit,Level,Parent unit,Headcount,Active users,Adoption rate"
    assert "Innovation Division,Division,Planning and Coordination Office,3,<5,<5" in lines
    assert "Unattributed,Unattributed,,0,–,–" in lines
    assert "Ministry of Testing,Ministry,,40,25,62.5%" in lines


def test_complementary_suppression_is_not_called_small():
    frame = unit_monthly_fixture().with_columns(
        pl.when(pl.col("unit_code") == "O2").then(True).otherwise(pl.col("suppressed")).alias("suppressed")
    )
    prepared = data.prepare_unit_monthly(frame)
    rows = data.units_for_month(prepared, MAR, "MIN").drop("depth", "order")
    display = views.unit_table(rows, "ko", 5).display.set_index("조직")
    assert display.loc["디지털정책실", "활성 이용자"] == "비공개"  # 18 people: "<5" would be false
    assert display.loc["혁신행정담당관", "활성 이용자"] == "<5"


def test_subtree_and_heatmap_rows():
    prepared = data.prepare_unit_monthly(unit_monthly_fixture())
    assert data.subtree_codes(prepared.filter(pl.col("month") == MAR), "O1") == {"O1", "D1"}
    heat = data.heatmap_rows(prepared, FEB, MAR, "MIN", "office")
    assert heat.select("unit_code", "month").rows() == [("O1", FEB), ("O1", MAR), ("O2", FEB), ("O2", MAR)]


def test_sublevels_follow_the_selected_unit():
    prepared = data.prepare_unit_monthly(unit_monthly_fixture())
    assert data.sublevels(prepared, FEB, MAR, "MIN") == ["office", "division"]
    assert data.sublevels(prepared, FEB, MAR, "O1") == ["division"]
    assert data.sublevels(prepared, FEB, MAR, "O2") == []


def test_unit_without_sub_units_and_level_filter(home):
    at = run_app({"unit": "O2"})
    at.switch_page("app_pages/units.py").run()
    assert any("하위 조직이 없습니다" in str(i.value) for i in at.info)
    at = run_app()
    at.get("button_group")[0].set_value(["office"]).run()  # table: offices only
    assert not at.exception
    assert [row["조직"] for row in table_cells(at)] == ["기획조정실", "디지털정책실"]
    assert {row["상위 조직"] for row in table_cells(at)} == {"테스트부"}  # parent named though filtered out
    at.sidebar.selectbox[0].set_value("O1").run()  # options shrink: stale choice is dropped
    assert not at.exception
    assert {row["조직"] for row in table_cells(at)} <= {"기획조정실", "혁신행정담당관"}
