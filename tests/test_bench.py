"""The benchmark harness's pure parts (bench/report.py) on numbers worked out by hand, and
bench/lower_bound.sql on the hand-made ministry. The benchmark itself runs only in `make bench`."""

from datetime import date, datetime, timedelta, timezone

import pytest

from bench import report, worker
from tests.handmade import write_handmade_landing


def record(label, events, pipeline, bound, *, rss=None, incremental=None, page_ms=None):
    """A size's measurements as the workers write them, with only what the report reads."""
    return {
        "label": label,
        "employees": events // 700,
        "period": ["2026-01-01", "2026-10-30"],
        "events": events,
        "sample": {"params": {"seed": 42}, "rows": {"portal": events, "onai": 0, "hr": 10}, "reused": True},
        "full": {"seconds": pipeline, "cpu_seconds": pipeline / 2, "import_seconds": 2.0,
                 "stages": {"ingest": pipeline / 2, "reference": 1.0, "staging": 2.0, "marts": 3.0, "publish": 0.5},
                 "steps": [{"name": "ingest", "job": "ingest_events", "seconds": pipeline / 2,
                            "steps": {"raw__portal_events": pipeline / 4}, "materializations": 600}],
                 "files": {"portal": 300, "onai": 300}, "child": {"peak_rss_mb": rss}},
        "lower_bound": {"seconds": bound, "median_seconds": bound * 1.1, "cpu_seconds": bound,
                        "stages": {"ingest": bound / 2, "staging": bound / 4, "marts": bound / 4},
                        "screen": {"seconds": 0.3},
                        "crosscheck": {"rows": 130, "mismatched_rows": 0, "only_one_side": 0, "hours_months": 10,
                                       "hours_mismatched_months": 0, "assisted_hours_central_total": 1234.5},
                        "child": {"peak_rss_mb": 300.0}},
        "incremental": None if incremental is None else {
            "day": "2026-10-30", "files_landed": 3, "events_added": 700, "seconds": incremental,
            "steps": [{"job": "ingest_events", "seconds": incremental}]},
        "dashboard": None if page_ms is None else {
            "cold": [ms / 1000 for ms in page_ms], "warm": [0.01] * len(page_ms), "mart_rows": 130,
            "functions_cold": {"heatmap_rows": 0.02, "load_unit_monthly": 0.003}},
    }


META = {"machine": {"cores": 2, "memory_gb": 24.0, "cpu_model": "Test CPU", "os": "Linux", "python": "3.11",
                    "duckdb": "2.0", "dagster": "1.13", "polars": "2.1", "pyarrow": "26", "streamlit": "1.67"},
        "code": {"commit": "abc1234", "subject": "a commit", "uncommitted": []},
        "started": "2026-11-25T10:00:00+00:00", "finished": "2026-11-25T10:05:00+00:00",
        "loadavg_start": [0.5, 0.5, 0.5], "loadavg_end": [1.0, 1.0, 1.0],
        "incremental_day": "2026-10-30", "lb_reps": 3, "dashboard_reps": 20}

# 0.1 M events: 12 s vs 0.5 s; 1 M events: 48 s vs 3.2 s. Slopes (48-12)/0.9 = 40 and
# (3.2-0.5)/0.9 = 3 s per M events; intercepts 12 - 40 * 0.1 = 8 and 0.5 - 3 * 0.1 = 0.2.
SMALL = record("100k", 100_000, 12.0, 0.5, rss=400.0, incremental=2.4, page_ms=range(1, 21))
LARGE = record("1M", 1_000_000, 48.0, 3.2, rss=1000.0, incremental=6.0, page_ms=range(1, 21))


def test_fit_line_and_percentile():
    assert report.fit_line([(0, 1), (1, 3), (2, 5)]) == pytest.approx((2.0, 1.0))
    assert report.fit_line([(1, 4), (1, 5)]) is None  # one distinct x: no slope
    # least squares through (0, 0), (1, 1), (2, 1): slope 0.5, intercept 1/6
    assert report.fit_line([(0, 0), (1, 1), (2, 1)]) == pytest.approx((0.5, 1 / 6))
    values = list(range(1, 21))
    assert report.percentile(values, 95) == pytest.approx(19.05)  # rank 0.95 * 19 = 18.05
    assert report.percentile(values, 50) == pytest.approx(10.5)
    assert report.percentile([7.0], 95) == 7.0
    assert report.ratio(6.0, 0.0) is None and report.ratio(6.0, 2.0) == 3.0


def test_marginal_and_fixed_cost_by_hand():
    summary = report.summarise([LARGE, SMALL])  # any order: sorted by events
    assert [r["label"] for r in summary.rows] == ["100k", "1M"]
    m = summary.marginal
    assert m["pipeline"] == pytest.approx(40.0)
    assert m["lower_bound"] == pytest.approx(3.0)
    assert m["ratio"] == pytest.approx(40 / 3)
    assert m["intercept_pipeline"] == pytest.approx(8.0)
    assert m["intercept_lower_bound"] == pytest.approx(0.2)
    assert summary.fixed == {"label": "100k", "events": 100_000, "pipeline": 12.0, "lower_bound": 0.5,
                             "ratio": pytest.approx(24.0)}
    assert summary.rows[1]["ratio"] == pytest.approx(15.0)  # 48 / 3.2
    ingest = summary.rows[1]["stages"][0]
    assert (ingest["stage"], ingest["pipeline"], ingest["lower_bound"]) == ("ingest", 24.0, 1.6)
    assert ingest["ratio"] == pytest.approx(15.0)
    assert summary.rows[1]["stages"][1]["lower_bound"] is None  # reference loads: no counterpart


def test_targets_by_hand():
    targets = {t.name: t for t in report.summarise([SMALL, LARGE]).targets}
    assert targets["Marginal cost"].status == "not met"  # 13.3x > 3x
    assert "13.3x" in targets["Marginal cost"].measured
    assert targets["Fixed cost"].status == "met"  # 12 s <= 20 s
    assert targets["One-day incremental"].status == "not met"  # judged at 1M: 6 / 48 = 12.5% > 10%
    assert "100k: 2.4 s = 20%" in targets["One-day incremental"].measured
    assert targets["Dashboard page data"].status == "met"  # p95 19.05 ms
    assert "p95 19 ms" in targets["Dashboard page data"].measured
    # No 10 M size: not measured, with the straight lines' estimates at 10 M events:
    # pipeline 40 * 10 + 8 = 408 s, bound 3 * 10 + 0.2 = 30.2 s; RSS 400 + 9.9 M * 600 / 0.9 M = 7000 MB.
    assert targets["Whole run at 10 M events"].status == "not measured"
    assert "408 s vs 30.2 s = 13.5x" in targets["Whole run at 10 M events"].measured
    assert targets["Peak RSS"].status == "not measured"
    assert "7000 MB" in targets["Peak RSS"].measured

    huge = record("10M", 10_000_000, 90.0, 31.0, rss=1900.0, incremental=4.0, page_ms=[5] * 20)
    targets = {t.name: t for t in report.summarise([SMALL, LARGE, huge]).targets}
    assert targets["Whole run at 10 M events"].status == "met"  # 90 / 31 = 2.9x
    assert targets["Peak RSS"].status == "met"  # 1900 MB < 2048 MB
    assert targets["One-day incremental"].status == "met"  # 4 / 90 = 4.4%


def test_results_markdown_renders_the_numbers():
    summary = report.summarise([SMALL, LARGE])
    text = report.render(META, [SMALL, LARGE], summary, profile=None)
    assert text.startswith("# Benchmark")
    assert "| Marginal cost | <= 3x the lower bound's slope | 40.0 vs 3.00 s per M events = 13.3x | **not met** |" in text
    assert "| Fixed cost | <= 20 s (whole run on the smallest sample) | 12.0 s at 100 k events (lower bound 0.50 s) | **met** |" in text
    assert "| 40.0 s per M events | 3.00 s per M events | 13.3x |" in text
    assert "2 cores, 24 GB RAM, Test CPU" in text
    assert "| 1M | 1,000,000 | 48.0 s | 48.0 | 3.20 s | 3.52 s | 15.0x |" in text
    # 1M stages minus the bound's: ingest 24 - 1.6, marts 3 - 0.8, staging 2 - 0.8, reference 1, publish 0.5;
    # the run's 48 s less its stages' 30.5 s were spent between the jobs
    assert ("extra 44.8 s over the lower bound goes (pipeline minus bound, by stage): ingest 22.4 s, "
            "planning between jobs 17.5 s, marts 2.20 s, staging 1.20 s, reference 1.00 s, publish 0.50 s.") in text
    lines = report.ratio_lines(summary)
    assert any(line.startswith("marginal cost: 40.0 s per M events vs lower bound 3.00 = 13.3x") for line in lines)


def test_stage_times_split_reference_loads_from_staging():
    steps = [{"name": "a", "stage": "ingest", "seconds": 10.0},
             {"name": "b", "stage": "staging", "seconds": 5.0,
              "steps": {"raw__hr_roster": 1.0, "raw__hr_org_units": 0.5, "staging__events": 2.0}},
             {"name": "c", "stage": "marts", "seconds": 3.0}]
    assert worker.stage_times(steps) == {"ingest": 10.0, "reference": 1.5, "staging": 3.5, "marts": 3.0}


def test_lower_bound_sections():
    sections = worker.lower_bound_sections()
    assert [stage for stage, _ in sections] == ["ingest", "staging", "marts"]
    assert "SET TimeZone = 'UTC'" in sections[0][1]


# tests/handmade.py's figures (test_slice.py): (headcount, active users, requests); assisted
# hours (central) by hand: Jan M000 = r01, r02, r12 chat 3 + r04 translate 10 + A1 보고서초안 20
# = 39 min; Jan _UNATTRIBUTED = r07, r09 chat 3 + 3 = 6 min; Feb M000 = r20, r21 chat 3 + 3 +
# A3 회의록요약 15 = 21 min; Feb _UNATTRIBUTED = r22 chat 3 min.
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
HANDMADE = {
    (JAN, "M000"): (13, 4, 9), (JAN, "O100"): (8, 3, 5), (JAN, "B110"): (8, 3, 5), (JAN, "D111"): (5, 2, 3),
    (JAN, "D112"): (2, 0, 1), (JAN, "O200"): (4, 1, 4), (JAN, "D210"): (4, 1, 4), (JAN, "_UNATTRIBUTED"): (0, None, 3),
    (FEB, "M000"): (13, 3, 3), (FEB, "O100"): (8, 2, 2), (FEB, "B110"): (8, 2, 2), (FEB, "D111"): (6, 2, 2),
    (FEB, "D112"): (1, 0, 0), (FEB, "O200"): (4, 0, 0), (FEB, "D210"): (4, 0, 0), (FEB, "_UNATTRIBUTED"): (0, None, 1),
}
HOURS_CENTRAL = {(JAN, "M000"): 39 / 60, (JAN, "_UNATTRIBUTED"): 6 / 60, (FEB, "M000"): 21 / 60,
                 (FEB, "_UNATTRIBUTED"): 3 / 60, (JAN, "D111"): 9 / 60}


def test_lower_bound_sql_on_the_handmade_ministry(tmp_path):
    write_handmade_landing(tmp_path)
    earliest = date(2026, 1, 1)
    files = worker.screen_landing(tmp_path / "landing", tmp_path / "utf8", earliest, datetime.now(timezone.utc).date())
    assert files["transcoded"] == 1  # the CP949 OnAI file, read through a UTF-8 copy
    files["roster_files"] = sorted(str(p) for p in (tmp_path / "landing" / "hr").glob("roster_*.csv"))
    files["org_files"] = sorted(str(p) for p in (tmp_path / "landing" / "hr").glob("org_units_*.csv"))
    conn = worker.lower_bound_connection(files, earliest, datetime.now(timezone.utc) + timedelta(days=1))
    for _, sql in worker.lower_bound_sections():
        conn.execute(sql)
    rows = conn.execute("""SELECT month, unit_code, headcount, active_users, requests, assisted_hours_central
                           FROM lower_bound""").fetchall()
    assert {(m, u): (h, a, r) for m, u, h, a, r, _ in rows} == HANDMADE
    hours = {(m, u): x for m, u, *_, x in rows}
    for key, expected in HOURS_CENTRAL.items():
        assert hours[key] == pytest.approx(expected), key


def test_profile_section_renders_the_experiments():
    load = {"function": "pipelines/defs/ingest/loader.py:68(load_batch)", "calls": 16, "tottime": 6.0, "cumtime": 9.0}
    profile = {
        "label": "1M", "profiled_seconds": 100.0, "text": "profile.txt", "pstats": "profile.pstats",
        "summary": {"total_seconds": 100.0,
                    "by_package": [{"package": "sqlite3 C calls (Dagster's run and event-log storage)", "seconds": 45.0}],
                    "top_project_tottime": [load], "top_project_cumtime": [load], "top_tottime": [load]},
        "storage_experiment": {"days": "2026-01-01 .. 2026-10-29",
                               "sqlite_on_disk": {"seconds": 60.0, "steps": {"raw__portal_events": 20.0}, "events": 1221},
                               "in_memory": {"seconds": 15.0, "steps": {"raw__portal_events": 7.0}, "events": 1221}},
        "marts_experiment": {"months": 10, "as_is_seconds": 6.0, "materialise_seconds": 1.0, "over_table_seconds": 1.5,
                             "same_result": True, "one_view_scan_seconds": 0.5},
    }
    text = report.render(META, [SMALL, LARGE], report.summarise([SMALL, LARGE]), profile)
    # LARGE's stages: ingest 24 of 24 + 1 + 2 + 3 + 0.5 = 30.5 s
    assert "Costliest stage (measured run): **ingest**, 24.0 s of 30.5 s (79%)." in text
    assert "**`pipelines/defs/ingest/loader.py:68(load_batch)`**, 6.00 s over 16 calls (6% of the profile)" in text
    assert "| sqlite3 C calls (Dagster's run and event-log storage) | 45.0 s | 45% |" in text
    assert "60.0 s on a fresh SQLite-on-disk instance" in text and "**45.0 s** is Dagster" in text
    assert "Saving: **3.50 s**" in text  # 6 - 1 - 1.5
