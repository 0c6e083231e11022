"""What each published mart withholds (metrics.md, Privacy), on top of suppression.py.

A mart row about a group of fewer than k people is withheld: `suppressed` is true and every
figure but the row's identity and its group size is null. Where rows nest (units in a tree,
offices in the ministry, sessions in the pooled row), complementary suppression keeps any
withheld figure from being recovered by subtraction (`suppressed_units`).

| mart | group size | nesting |
|---|---|---|
| unit_monthly | headcount | unit tree per month (`_UNATTRIBUTED` never withheld) |
| ministry_daily | headcount (Roster(M)) | none: one group |
| feature_monthly | the month's ministry headcount | none: one group |
| pioneers_monthly | headcount per population | overlapping populations: all or nothing per month |
| retention_cohorts | cohort_size | offices within the ministry, per cohort month |
| training_impact | attendees | sessions within the pooled row `ALL` |
| survey_quarterly | respondents | unit tree per quarter (`_UNATTRIBUTED`: primary only) |

model_monthly, governance_monthly and the data-quality marts count events and money, not
people, and are published as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from pipelines.defs.publish.suppression import suppressed_units
from pipelines.settings import UNATTRIBUTED

# Columns published even on a withheld row: identity, group size, metric version.
KEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit_monthly": ("month", "unit_code", "unit_level", "unit_name_ko", "unit_name_en", "parent_code",
                     "function", "headcount", "metric_version"),
    "ministry_daily": ("date", "month", "is_workday", "holiday_name", "closure_reason", "headcount",
                       "metric_version"),
    "feature_monthly": ("month", "feature", "platform", "feature_mapped", "metric_version"),
    "pioneers_monthly": ("month", "population", "units", "headcount", "metric_version"),
    "retention_cohorts": ("scope", "unit_code", "unit_name_ko", "unit_name_en", "parent_code", "cohort_month",
                          "month", "months_since_first", "cohort_size", "metric_version"),
    "training_impact": ("session_id", "session_title", "session_date", "format", "attendees", "metric_version"),
    "survey_quarterly": ("quarter", "unit_code", "unit_level", "unit_name_ko", "unit_name_en", "parent_code",
                         "respondents", "headcount", "metric_version"),
}


def withhold(frame: pl.DataFrame, flags: pl.Expr | pl.Series, kept: Iterable[str]) -> pl.DataFrame:
    """Add `suppressed` (from `flags`) and null every column not in `kept` on flagged rows."""
    kept = set(kept)
    out = frame.with_columns(suppressed=flags).with_columns(pl.col("suppressed").fill_null(True))
    return out.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c)
        for c in frame.columns if c not in kept
    )


def _tree_withheld(frame: pl.DataFrame, by: list[str], unit: str, parent: str, size: str, k: int,
                   excluded: Iterable[str] = ()) -> pl.DataFrame:
    """(by..., unit) of the rows to withhold: suppressed_units over each group's tree."""
    keys = []
    excluded = set(excluded)
    for group_key, group in frame.group_by(by, maintain_order=True):
        tree = group.filter(~pl.col(unit).is_in(list(excluded)))
        sizes = dict(zip(tree[unit], tree[size]))
        parents = dict(zip(tree[unit], tree[parent]))
        keys += [(*group_key, u) for u in sorted(suppressed_units(sizes, parents, k))]
    schema = {c: frame.schema[c] for c in [*by, unit]}
    return pl.DataFrame(keys, schema=schema, orient="row").with_columns(withheld=pl.lit(True))


def _flag(frame: pl.DataFrame, withheld: pl.DataFrame, on: list[str]) -> pl.Series:
    return frame.join(withheld, on=on, how="left", maintain_order="left")["withheld"].fill_null(False)


def suppress_unit_monthly(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    withheld = _tree_withheld(frame, ["month"], "unit_code", "parent_code", "headcount", k, [UNATTRIBUTED])
    return withhold(frame, _flag(frame, withheld, ["month", "unit_code"]), KEPT_COLUMNS["unit_monthly"])


def suppress_ministry_daily(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    return withhold(frame, pl.col("headcount") < k, KEPT_COLUMNS["ministry_daily"])


def suppress_feature_monthly(frame: pl.DataFrame, ministry_headcount: dict, k: int) -> pl.DataFrame:
    """Feature rows count the ministry's people: withheld in a month whose Roster(M) is below k."""
    small = [month for month, n in ministry_headcount.items() if n < k]
    return withhold(frame, pl.col("month").is_in(small) | ~pl.col("month").is_in(list(ministry_headcount)),
                    KEPT_COLUMNS["feature_monthly"])


def suppress_pioneers_monthly(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """The populations overlap (pioneers + everyone else = units with + without = Roster(M)),
    so one small population could be recovered from the others: withhold the whole month."""
    small_months = frame.filter(pl.col("headcount").is_between(1, k - 1))["month"].unique().to_list()
    return withhold(frame, pl.col("month").is_in(small_months), KEPT_COLUMNS["pioneers_monthly"])


def suppress_retention_cohorts(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """Per cohort month, the offices' cohorts nest in the ministry's (its own members outside
    any office are the implicit cell): withheld by cohort size, with complementary suppression."""
    cohorts = frame.select("scope", "unit_code", "cohort_month", "cohort_size").unique(maintain_order=True)
    ministry = cohorts.filter(pl.col("scope") == "ministry").select("cohort_month", ministry_code="unit_code")
    cohorts = cohorts.join(ministry, on="cohort_month", how="left").with_columns(
        family_parent=pl.when(pl.col("scope") == "office").then(pl.col("ministry_code")).otherwise(None))
    withheld = _tree_withheld(cohorts, ["cohort_month"], "unit_code", "family_parent", "cohort_size", k)
    return withhold(frame, _flag(frame, withheld, ["cohort_month", "unit_code"]), KEPT_COLUMNS["retention_cohorts"])


def suppress_training_impact(frame: pl.DataFrame, k: int, pooled: str = "ALL") -> pl.DataFrame:
    """Sessions nest in the pooled row: withheld by attendees, with complementary suppression
    (the pooled figures minus the published sessions would otherwise give a withheld one)."""
    sessions = frame.filter(pl.col("session_id") != pooled)
    sizes = {**dict(zip(sessions["session_id"], sessions["attendees"])),
             pooled: int(sessions["attendees"].sum() or 0)}
    parents = {**{s: pooled for s in sessions["session_id"]}, pooled: None}
    withheld = suppressed_units(sizes, parents, k)
    pooled_row = frame.filter(pl.col("session_id") == pooled)
    if pooled_row.height and pooled_row["attendees"][0] < k:
        withheld.add(pooled)
    return withhold(frame, pl.col("session_id").is_in(sorted(withheld)), KEPT_COLUMNS["training_impact"])


def suppress_survey_quarterly(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    withheld = _tree_withheld(frame, ["quarter"], "unit_code", "parent_code", "respondents", k, [UNATTRIBUTED])
    flags = _flag(frame, withheld, ["quarter", "unit_code"]) | (
        (frame["unit_code"] == UNATTRIBUTED) & (frame["respondents"] < k))
    return withhold(frame, flags, KEPT_COLUMNS["survey_quarterly"])
