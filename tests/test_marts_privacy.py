"""Suppression of every published mart (metrics.md, Privacy) and the atomic release, by hand.

Each case says which figure would leak and how: by subtraction (a parent minus its published
cells) or by addition (a withheld parent equal to the sum of its published cells)."""

import itertools
import json
import os
from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.defs.publish import privacy
from pipelines.defs.publish.release import KEEP_RELEASES, Release
from pipelines.defs.publish.suppression import suppressed_units


def test_a_single_withheld_child_would_be_recoverable_by_subtraction():
    # P = 23 people: A 12 + B 8 + C 3. Withholding C alone, C's active users = P's - A's - B's
    # (e.g. 10 - 6 - 3 = 1): a second cell must go, the smallest published one, B.
    headcount = {"P": 23, "A": 12, "B": 8, "C": 3}
    parent = {"P": None, "A": "P", "B": "P", "C": "P"}
    assert suppressed_units(headcount, parent, k=5) == {"C", "B"}


def test_a_withheld_parent_equal_to_its_only_child_takes_the_child_along():
    # M = 20: O1 11 + O2 8 + 1 direct member. The direct member is a withheld cell, so O2 (the
    # smallest published sibling) is withheld too. But O2 = D (its only child, no direct members):
    # publishing D would publish O2, and then the direct member = M - O1 - D. D goes as well.
    headcount = {"M": 20, "O1": 11, "O2": 8, "D": 8, "B": 11}
    parent = {"M": None, "O1": "M", "O2": "M", "D": "O2", "B": "O1"}
    assert suppressed_units(headcount, parent, k=5) == {"O2", "D"}


def test_a_withheld_parent_with_a_withheld_cell_keeps_its_other_children():
    # O2 = D1 6 + D2 3: D2 is withheld, O2 is withheld for M's sake; D1 may stay published because
    # O2 = D1 + D2 has two unknowns.
    headcount = {"M": 21, "O1": 11, "O2": 9, "D1": 6, "D2": 3}
    parent = {"M": None, "O1": "M", "O2": "M", "D1": "O2", "D2": "O2"}
    assert suppressed_units(headcount, parent, k=5) == {"D2", "O2"}


def _determined(withheld: set[str], headcount: dict, parent: dict, k: int) -> list[str]:
    """Cells whose figure follows from the published ones and the tree's sums (linear algebra):
    withheld units, and direct-member cells of 1 .. k-1 people."""
    units = sorted(headcount)
    kids = {u: [c for c in units if parent[c] == u] for u in units}
    direct = {u: headcount[u] - sum(headcount[c] for c in kids[u]) for u in units}
    cells = units + [f"{u}/direct" for u in units if kids[u] and direct[u] > 0]
    index = {c: i for i, c in enumerate(cells)}
    equations = []
    for u in units:
        if kids[u]:  # u - its children - its direct members = 0
            row = np.zeros(len(cells))
            row[index[u]] = 1
            for c in kids[u]:
                row[index[c]] = -1
            if f"{u}/direct" in index:
                row[index[f"{u}/direct"]] = -1
            equations.append(row)
    for u in units:
        if u not in withheld:  # a published figure
            row = np.zeros(len(cells))
            row[index[u]] = 1
            equations.append(row)
    system = np.array(equations)
    rank = np.linalg.matrix_rank(system)
    protected = [u for u in withheld] + [f"{u}/direct" for u in units
                                         if f"{u}/direct" in index and direct[u] < k]
    leaks = []
    for cell in protected:
        probe = np.zeros(len(cells))
        probe[index[cell]] = 1
        if np.linalg.matrix_rank(np.vstack([system, probe])) == rank:
            leaks.append(cell)
    return leaks


def _random_tree(rng: np.random.Generator) -> tuple[dict, dict]:
    parent, direct, next_id = {"U0": None}, {}, 1
    frontier = ["U0"]
    while frontier and next_id < 14:
        unit = frontier.pop(0)
        for _ in range(rng.integers(0, 4) if unit != "U0" else rng.integers(1, 4)):
            child = f"U{next_id}"
            next_id += 1
            parent[child] = unit
            frontier.append(child)
    for unit in parent:
        has_kids = any(p == unit for p in parent.values())
        direct[unit] = int(rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15])) if has_kids else int(rng.integers(1, 16))
    headcount = {}

    def total(unit):
        headcount[unit] = direct[unit] + sum(total(c) for c in parent if parent[c] == unit)
        return headcount[unit]

    total("U0")
    return headcount, parent


def test_no_withheld_figure_follows_from_the_published_ones_on_random_trees():
    """200 random org trees: after suppression no withheld unit and no small direct-members cell is
    determined by the published figures and the subtree sums."""
    rng = np.random.default_rng(7)
    for case in range(200):
        headcount, parent = _random_tree(rng)
        withheld = suppressed_units(headcount, parent, 5)
        assert {u for u, n in headcount.items() if n < 5} <= withheld
        assert _determined(withheld, headcount, parent, 5) == [], (case, headcount, parent, withheld)


def test_retention_offices_are_protected_inside_the_ministry_cohort():
    # Cohort of March: ministry 12 = office A 7 + office B 3 + 2 in neither (the ministry's own
    # members): B and the implicit cell are both withheld, nothing more. April cohort: ministry 9 =
    # A 6 + B 3, no implicit cell: B alone would be ministry - A, so A goes too.
    rows = [("ministry", "M", None, date(2026, 3, 1), 12), ("office", "A", "M", date(2026, 3, 1), 7),
            ("office", "B", "M", date(2026, 3, 1), 3), ("ministry", "M", None, date(2026, 4, 1), 9),
            ("office", "A", "M", date(2026, 4, 1), 6), ("office", "B", "M", date(2026, 4, 1), 3)]
    frame = pl.DataFrame([{"scope": s, "unit_code": u, "unit_name_ko": u, "unit_name_en": u, "parent_code": p,
                           "cohort_month": c, "month": c, "months_since_first": 0, "cohort_size": n,
                           "still_in_roster": n, "active_users": n, "retention_rate": 1.0, "metric_version": "2026.1"}
                          for s, u, p, c, n in rows])
    out = privacy.suppress_retention_cohorts(frame, 5)
    withheld = {(r["unit_code"], r["cohort_month"].month) for r in out.filter(pl.col("suppressed")).iter_rows(named=True)}
    assert withheld == {("B", 3), ("B", 4), ("A", 4)}
    assert out.filter(pl.col("suppressed"))["active_users"].null_count() == 3
    assert out.filter(pl.col("suppressed"))["cohort_size"].to_list() == [3, 6, 3]  # the group size stays


def test_training_sessions_are_protected_inside_the_pooled_row():
    # ALL pools S1 (12 attendees), S2 (8) and S3 (3): S3's adoption would be ALL's minus S1's and S2's
    # weighted by attendees, so S2 (the smallest published) is withheld with it.
    frame = pl.DataFrame({"session_id": ["S1", "S2", "S3", "ALL"], "session_title": ["a", "b", "c", None],
                          "session_date": [date(2026, 4, d) for d in (1, 2, 3)] + [None],
                          "format": ["online"] * 3 + [None], "attendees": [12, 8, 3, 23],
                          "adoption_after": [0.5, 0.25, 1.0, 0.5], "metric_version": ["2026.1"] * 4})
    out = privacy.suppress_training_impact(frame, 5)
    assert out.filter(pl.col("suppressed"))["session_id"].to_list() == ["S2", "S3"]
    assert out.filter(pl.col("session_id") == "ALL")["adoption_after"][0] == 0.5
    small = frame.with_columns(attendees=pl.Series([3, 1, 0, 4]))
    assert privacy.suppress_training_impact(small, 5)["suppressed"].all()


def test_pioneer_populations_are_withheld_month_by_month():
    # April: 3 pioneers would be Roster(M) - everyone else, whatever else is published: the whole
    # month goes. May: every population has 5 or more.
    populations = ["pioneers", "everyone_else", "units_with_pioneer", "units_without_pioneer", "colleagues_of_pioneers"]
    frame = pl.DataFrame({"month": [date(2026, 4, 1)] * 5 + [date(2026, 5, 1)] * 5, "population": populations * 2,
                          "units": [None, None, 2, 8, 2] * 2, "headcount": [3, 40, 12, 31, 9, 6, 37, 15, 28, 9],
                          "active_users": [3, 20, 8, 15, 5, 6, 20, 10, 16, 4], "metric_version": ["2026.1"] * 10})
    out = privacy.suppress_pioneers_monthly(frame, 5)
    assert out["suppressed"].to_list() == [True] * 5 + [False] * 5
    assert out["active_users"].to_list()[:5] == [None] * 5 and out["headcount"].to_list() == frame["headcount"].to_list()


def test_ministry_level_marts_are_withheld_only_when_the_ministry_is_small():
    daily = pl.DataFrame({"date": [date(2026, 4, 1), date(2026, 4, 2)], "headcount": [4, 30],
                          "daily_active_users": [2, 12], "requests": [5, 40]})
    out = privacy.suppress_ministry_daily(daily, 5)
    assert out["suppressed"].to_list() == [True, False] and out["requests"].to_list() == [None, 40]
    features = pl.DataFrame({"month": [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)],
                             "feature": ["portal:chat"] * 3, "active_users": [1, 2, 3], "requests": [4, 5, 6]})
    out = privacy.suppress_feature_monthly(features, {date(2026, 3, 1): 4, date(2026, 4, 1): 20}, 5)
    # March: a ministry of 4; May: no ministry row to judge by, so withheld.
    assert out["suppressed"].to_list() == [True, False, True] and out["active_users"].to_list() == [None, 2, None]


def test_survey_unattributed_answers_are_withheld_when_few():
    frame = pl.DataFrame({"quarter": ["2026Q1"] * 4, "unit_code": ["M", "A", "B", "_UNATTRIBUTED"],
                          "unit_level": ["ministry", "division", "division", "none"],
                          "unit_name_ko": ["m", "a", "b", "미귀속"], "unit_name_en": ["m", "a", "b", "u"],
                          "parent_code": [None, "M", "M", None], "respondents": [20, 10, 10, 2],
                          "headcount": [40, 20, 20, 0], "agree_rate_faster": [0.5, 0.4, 0.6, 1.0],
                          "metric_version": ["2026.1"] * 4})
    out = privacy.suppress_survey_quarterly(frame, 5)
    assert out["suppressed"].to_list() == [False, False, False, True]
    assert out["agree_rate_faster"].to_list() == [0.5, 0.4, 0.6, None] and out["respondents"][3] == 2


def test_k_above_five_is_honoured():
    daily = pl.DataFrame({"date": [date(2026, 4, 1)], "headcount": [8], "requests": [5]})
    assert privacy.suppress_ministry_daily(daily, 10)["suppressed"].to_list() == [True]


def test_a_release_switches_every_file_at_once_and_keeps_older_ones_for_readers(tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    (published / "unit_monthly.parquet").write_bytes(b"an old regular file")  # the layout before releases
    releases = []
    for number in range(KEEP_RELEASES + 2):
        release = Release(published, f"run{number:04d}-0000")
        release.add_parquet("unit_monthly", pl.DataFrame({"n": [number]}))
        release.add_parquet("ministry_daily", pl.DataFrame({"n": [number, number]}))
        release.publish({"release": release.name})
        releases.append(release.directory)
        if number == 0:  # a reader resolves `current` once and reads that release
            reader_view = os.path.realpath(published / "current")
        current = os.path.realpath(published / "current")
        assert current == str(release.directory)
        assert pl.read_parquet(published / "unit_monthly.parquet")["n"].to_list() == [number]
        assert pl.read_parquet(published / "ministry_daily.parquet").height == 2
        assert json.loads((published / "manifest.json").read_text())["release"] == release.name
    assert not os.path.exists(reader_view)  # pruned after KEEP_RELEASES newer releases
    kept = sorted(p.name for p in (published / "releases").iterdir())
    assert kept == [d.name for d in releases[-KEEP_RELEASES:]]
    assert sorted(p.name for p in published.iterdir() if not p.is_symlink()) == ["releases"]
    # A mart no longer published loses its stable name instead of pointing at nothing.
    last = Release(published, "runlast-0000")
    last.add_parquet("unit_monthly", pl.DataFrame({"n": [9]}))
    last.publish({"release": last.name})
    assert not (published / "ministry_daily.parquet").is_symlink()


@pytest.mark.parametrize("k", [5, 7])
def test_unit_monthly_suppression_keeps_identity_and_headcount(k):
    frame = pl.DataFrame({"month": [date(2026, 3, 1)] * 4, "unit_code": ["M", "A", "B", "_UNATTRIBUTED"],
                          "unit_level": ["ministry", "division", "division", "none"],
                          "unit_name_ko": ["m", "a", "b", "u"], "unit_name_en": ["m", "a", "b", "u"],
                          "parent_code": [None, "M", "M", None], "function": [None] * 4,
                          "headcount": [16, 10, 6, 0], "active_users": [8, 5, 3, None], "requests": [20, 12, 8, 3],
                          "metric_version": ["2026.1"] * 4})
    out = privacy.suppress_unit_monthly(frame, k)
    expected = {5: [False, False, False, False], 7: [False, True, True, False]}[k]
    assert out["suppressed"].to_list() == expected  # k = 7: B (6) and then A, its only sibling
    assert out["headcount"].to_list() == [16, 10, 6, 0] and out["requests"][3] == 3
    assert list(itertools.compress(out["active_users"].to_list(), expected)) == [None] * sum(expected)
