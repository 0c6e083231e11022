"""What the pack shows: one published release, cut to a quarter.

Everything comes from published/ (release.py): the directory `published/current` resolves to,
read once, each file checked against the release's manifest.json. The pack's tables are the
quarter's rows of every published mart (figures exactly as published, withheld cells still
null) plus three summaries derived from published figures only: sums over the quarter and a
ranking. A sum that would include a withheld figure is withheld itself."""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from pipelines.defs.exports import texts
from pipelines.defs.exports.quarter import Quarter

CURRENT = "current"
PUBLISHED_MANIFEST = "manifest.json"

# Each published mart in the pack: the column holding the quarter's date (or the quarter), and
# the row order (stable, whatever order the Parquet file has).
MART_TABLES: dict[str, tuple[str, list[str]]] = {
    "unit_monthly": ("month", ["month", "unit_code"]),
    "ministry_daily": ("date", ["date"]),
    "feature_monthly": ("month", ["month", "feature"]),
    "model_monthly": ("month", ["month", "model", "provider"]),
    "governance_monthly": ("month", ["month", "_breakdown_order", "item", "vendor"]),
    "pioneers_monthly": ("month", ["month", "_population_order"]),
    "retention_cohorts": ("month", ["_scope_order", "unit_code", "cohort_month", "month"]),
    "training_impact": ("session_date", ["_pooled_last", "session_date", "session_id"]),
    "survey_quarterly": ("quarter", ["_level_order", "unit_code"]),
    "data_quality_daily": ("day", ["source", "day"]),
    "data_quality_quarantine": ("day", ["source", "day", "reason"]),
}
# The pack's tables in workbook order.
TABLE_ORDER = ["adoption_trend", "unit_monthly", "units_ranked", "ministry_daily", "feature_monthly", "assisted_hours_quarter",
               "model_monthly", "governance_monthly", "pioneers_monthly", "retention_cohorts", "training_impact",
               "survey_quarterly", "data_quality_summary", "data_quality_daily", "data_quality_quarantine"]
# The column giving a row's group size (people), where rows describe people.
GROUP_SIZE = {"adoption_trend": "headcount", "unit_monthly": "headcount", "units_ranked": "headcount", "ministry_daily": "headcount",
              "pioneers_monthly": "headcount", "retention_cohorts": "cohort_size", "training_impact": "attendees",
              "survey_quarterly": "respondents"}
POOLED_SESSION = "ALL"
UNATTRIBUTED = "_UNATTRIBUTED"
RANKED_LEVELS = ("office", "bureau", "division")
LEVEL_ORDER = {"ministry": 0, "office": 1, "bureau": 2, "division": 3, "none": 4}

_RATE_NAMES = {"stickiness", "did_estimate", "did_ci_low", "did_ci_high"}


class PackError(RuntimeError):
    """Something the operator can fix (nothing published, a quarter without data)."""


@dataclass(frozen=True)
class Column:
    name: str
    label_ko: str
    definition: str
    kind: str  # int | float | rate | date | month | datetime | bool | text


@dataclass
class PackTable:
    name: str
    title_ko: str
    description: str
    frame: pl.DataFrame
    columns: list[Column]
    # Columns withheld (null, shown as "<k") on a row whose `suppressed` is true.
    figure_columns: frozenset[str] = field(default_factory=frozenset)
    derived: bool = False

    def withheld_rows(self) -> list[bool]:
        if "suppressed" not in self.frame.columns:
            return [False] * self.frame.height
        return [bool(v) for v in self.frame["suppressed"].fill_null(True)]

    def is_withheld(self, row_withheld: bool, column: str) -> bool:
        return row_withheld and column in self.figure_columns


@dataclass
class Release:
    """One published release, read whole from one directory."""

    directory: Path
    manifest: dict
    manifest_sha256: str
    dictionary: dict
    marts: dict[str, pl.DataFrame]

    @property
    def k(self) -> int:
        return int(self.manifest["k"])

    @property
    def window(self) -> tuple[date, date]:
        window = self.manifest["data_window"]
        return date.fromisoformat(window["start"]), date.fromisoformat(window["end"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_release(published: Path) -> Release:
    """The release `published/current` points to (resolved once, release.py), every file
    verified against its manifest. A flat published/ (before releases) is read in place."""
    current = published / CURRENT
    directory = Path(os.path.realpath(current)) if current.exists() else published
    manifest_path = directory / PUBLISHED_MANIFEST
    if not manifest_path.is_file():
        raise PackError(f"Nothing published under {published}: run `axmeter run` first.")
    manifest_bytes = manifest_path.read_bytes()
    manifest = json.loads(manifest_bytes)
    marts = {}
    for entry in manifest["marts"]:
        path = directory / entry["file"]
        if _sha256(path) != entry["sha256"]:
            raise PackError(f"{path} does not match its release manifest (sha256): the release is damaged.")
        marts[entry["name"]] = pl.read_parquet(path)
    dictionary_entry = manifest.get("metric_dictionary")
    dictionary = {}
    if dictionary_entry:
        path = directory / dictionary_entry["file"]
        if _sha256(path) != dictionary_entry["sha256"]:
            raise PackError(f"{path} does not match its release manifest (sha256): the release is damaged.")
        dictionary = json.loads(path.read_text(encoding="utf-8"))
    return Release(directory=directory, manifest=manifest, manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
                   dictionary=dictionary, marts=marts)


def quarter_coverage(release: Release, quarter: Quarter) -> date:
    """The quarter's last day with published data; PackError when it holds none."""
    start, end = release.window
    if end < quarter.first_day or start > quarter.last_day:
        raise PackError(
            f"No published data for {quarter.key}: the published data window is {start} .. {end}."
        )
    return min(end, quarter.last_day)


def column_kind(name: str, dtype: pl.DataType) -> str:
    if dtype == pl.Date:
        return "month" if name in ("month", "cohort_month") else "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        if name in _RATE_NAMES or "rate" in name or "share" in name or name.startswith("adoption"):
            return "rate"
        return "float"
    return "text"


def _columns(frame: pl.DataFrame, described: dict[str, tuple[str, str]]) -> list[Column]:
    return [Column(name, *described.get(name, (name, "")), column_kind(name, frame.schema[name]))
            for name in frame.columns]


def _mart_columns(release: Release, mart: str) -> dict[str, tuple[str, str]]:
    columns = release.dictionary.get("marts", {}).get(mart, {}).get("columns", {})
    return {name: (spec.get("label_ko", name), spec.get("definition", "")) for name, spec in columns.items()}


def _in_quarter(frame: pl.DataFrame, column: str, quarter: Quarter) -> pl.DataFrame:
    if column == "quarter":
        return frame.filter(pl.col("quarter") == quarter.key)
    return frame.filter(pl.col(column).is_between(quarter.first_day, quarter.last_day))


def _order_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Helper sort keys (dropped after sorting)."""
    extra = []
    if "breakdown" in frame.columns:
        extra.append(pl.col("breakdown").replace_strict({"all": 0, "platform": 1, "vendor": 2, "model": 3},
                                                        default=9, return_dtype=pl.Int8).alias("_breakdown_order"))
    if "population" in frame.columns:
        order = {p: i for i, p in enumerate(texts.POPULATIONS)}
        extra.append(pl.col("population").replace_strict(order, default=99, return_dtype=pl.Int8)
                     .alias("_population_order"))
    if "scope" in frame.columns:
        extra.append((pl.col("scope") != "ministry").cast(pl.Int8).alias("_scope_order"))
    if "session_id" in frame.columns:
        extra.append((pl.col("session_id") == POOLED_SESSION).cast(pl.Int8).alias("_pooled_last"))
    if "unit_level" in frame.columns:
        extra.append(pl.col("unit_level").replace_strict(LEVEL_ORDER, default=9, return_dtype=pl.Int8)
                     .alias("_level_order"))
    return frame.with_columns(extra)


def _sorted(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    helper = _order_columns(frame)
    return helper.sort(keys, nulls_last=True, maintain_order=True).select(frame.columns)


def mart_table(release: Release, name: str, quarter: Quarter) -> PackTable:
    date_column, order = MART_TABLES[name]
    frame = release.marts[name]
    if name == "training_impact":  # the sessions of the quarter and the pooled row (whole history)
        frame = frame.filter((pl.col("session_id") == POOLED_SESSION)
                             | pl.col("session_date").is_between(quarter.first_day, quarter.last_day))
    else:
        frame = _in_quarter(frame, date_column, quarter)
    frame = _sorted(frame, order)
    # The columns publish keeps on a withheld row (identity, group size); read here, not at
    # import, so the code location loads whatever state the publish layer is in.
    from pipelines.defs.publish.privacy import KEPT_COLUMNS

    kept = set(KEPT_COLUMNS.get(name, frame.columns)) | {"suppressed"}
    figures = frozenset(c for c in frame.columns if c not in kept) if "suppressed" in frame.columns else frozenset()
    description = release.dictionary.get("marts", {}).get(name, {}).get("description", "")
    return PackTable(name=name, title_ko=texts.TABLE_TITLES.get(name, name), description=description,
                     frame=frame, columns=_columns(frame, _mart_columns(release, name)), figure_columns=figures)


def _derived(name: str, frame: pl.DataFrame, figures: set[str]) -> PackTable:
    return PackTable(name=name, title_ko=texts.TABLE_TITLES[name], description=texts.DERIVED_DESCRIPTIONS[name],
                     frame=frame, columns=_columns(frame, texts.DERIVED_COLUMNS[name]),
                     figure_columns=frozenset(figures), derived=True)


def adoption_trend(release: Release, unit_monthly: PackTable, quarter: Quarter) -> PackTable:
    """The ministry row of every published month up to the quarter's end (the trend chart)."""
    columns = list(texts.DERIVED_COLUMNS["adoption_trend"])
    frame = (release.marts["unit_monthly"]
             .filter((pl.col("unit_level") == "ministry") & (pl.col("month") <= quarter.last_day))
             .sort("month").select(columns))
    figures = set(columns) & unit_monthly.figure_columns
    return _derived("adoption_trend", frame, figures)


def units_ranked(unit_monthly: PackTable, last_month: date) -> PackTable:
    """The quarter's last month: offices, bureaus and divisions by adoption rate."""
    columns = list(texts.DERIVED_COLUMNS["units_ranked"])
    month = unit_monthly.frame.filter((pl.col("month") == last_month) & pl.col("unit_level").is_in(RANKED_LEVELS))
    month = month.with_columns(pl.col("suppressed").fill_null(True))
    ranked = (month.filter(~pl.col("suppressed") & (pl.col("headcount") > 0) & pl.col("adoption_rate").is_not_null())
              .sort(["adoption_rate", "unit_code"], descending=[True, False])
              .with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64)))
    rest = (month.join(ranked.select("unit_code"), on="unit_code", how="anti")
            .with_columns(_level_order=pl.col("unit_level").replace_strict(LEVEL_ORDER, default=9))
            .sort(["suppressed", "_level_order", "unit_code"]).drop("_level_order")
            .with_columns(rank=pl.lit(None, pl.Int64)))
    frame = pl.concat([ranked.select(columns), rest.select(columns)], how="vertical_relaxed")
    figures = {"active_users", "adoption_rate", "active_days_avg", "assisted_hours_central"}
    return _derived("units_ranked", frame, figures)


def _sum_or_null(column: str) -> pl.Expr:
    """Sum, null when every value is null (not 0)."""
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).otherwise(None).alias(column)


def assisted_hours_quarter(feature_monthly: PackTable, quarter: Quarter) -> PackTable:
    figures = ["successful_requests", "assisted_hours_low", "assisted_hours_central", "assisted_hours_high"]
    frame = feature_monthly.frame.with_columns(pl.col("suppressed").fill_null(True))
    schema = {"period": pl.String, "feature": pl.String, **{c: frame.schema[c] for c in figures},
              "suppressed": pl.Boolean}

    def totals(group: pl.DataFrame, period: str, feature: str) -> dict:
        withheld = bool(group["suppressed"].any())
        row = {"period": period, "feature": feature, "suppressed": withheld}
        for c in figures:
            row[c] = None if withheld else group[c].sum()
        return row

    rows = []
    for month in quarter.months:
        group = frame.filter(pl.col("month") == month)
        if group.height:
            rows.append(totals(group, month.strftime("%Y-%m"), texts.ALL_FEATURES))
    if frame.height:
        rows.append(totals(frame, quarter.key, texts.ALL_FEATURES))
        for feature in sorted(frame["feature"].unique().to_list()):
            rows.append(totals(frame.filter(pl.col("feature") == feature), quarter.key, feature))
    out = pl.DataFrame(rows, schema=schema, orient="row")
    return _derived("assisted_hours_quarter", out, set(figures))


def data_quality_summary(daily: PackTable) -> PackTable:
    sums = ["files_received", "files_quarantined", "rows_received", "rows_loaded", "rows_duplicate",
            "rows_quarantined", "events_with_employee", "events_matched_to_hr", "unmapped_feature_rows",
            "unknown_service_rows"]
    frame = daily.frame
    if frame.is_empty():
        out = pl.DataFrame(schema={"source": pl.String, "days": pl.Int64, **{c: pl.Int64 for c in sums},
                                   "quarantine_rate": pl.Float64, "hr_match_rate": pl.Float64,
                                   "delivery_lag_hours_max": pl.Float64})
    else:
        out = (frame.group_by("source").agg(pl.len().cast(pl.Int64).alias("days"), *[_sum_or_null(c) for c in sums],
                                            pl.col("delivery_lag_hours").max().alias("delivery_lag_hours_max"))
               .with_columns(
                   quarantine_rate=pl.when(pl.col("rows_received") > 0)
                   .then(pl.col("rows_quarantined") / pl.col("rows_received")).otherwise(None),
                   hr_match_rate=pl.when(pl.col("events_with_employee") > 0)
                   .then(pl.col("events_matched_to_hr") / pl.col("events_with_employee")).otherwise(None))
               .sort("source"))
    order = list(texts.DERIVED_COLUMNS["data_quality_summary"])
    return _derived("data_quality_summary", out.select(order), set())


@dataclass
class PackData:
    quarter: Quarter
    release: Release
    data_through: date
    tables: dict[str, PackTable]

    @property
    def k(self) -> int:
        return self.release.k

    @property
    def complete(self) -> bool:
        return self.data_through >= self.quarter.last_day

    @property
    def last_month(self) -> date:
        return self.data_through.replace(day=1)

    def ordered(self) -> list[PackTable]:
        return [self.tables[name] for name in TABLE_ORDER if name in self.tables]


def pack_data(release: Release, quarter: Quarter) -> PackData:
    data_through = quarter_coverage(release, quarter)
    tables = {name: mart_table(release, name, quarter) for name in MART_TABLES if name in release.marts}
    missing = [name for name in ("unit_monthly", "feature_monthly", "data_quality_daily") if name not in tables]
    if missing:
        raise PackError(f"The published release lacks {', '.join(missing)}: publish again with `axmeter run`.")
    tables["adoption_trend"] = adoption_trend(release, tables["unit_monthly"], quarter)
    tables["units_ranked"] = units_ranked(tables["unit_monthly"], data_through.replace(day=1))
    tables["assisted_hours_quarter"] = assisted_hours_quarter(tables["feature_monthly"], quarter)
    tables["data_quality_summary"] = data_quality_summary(tables["data_quality_daily"])
    return PackData(quarter=quarter, release=release, data_through=data_through, tables=tables)


# Cell rendering shared by the CSV files, the workbook and the report.

def withheld_text(k: int) -> str:
    return f"<{k}"


def csv_value(value, kind: str) -> str:
    """Fixed text for a CSV cell: integers as they are, every float with 6 decimals, ISO dates."""
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("float", "rate"):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        text = f"{value:.6f}"
        return "0.000000" if text == "-0.000000" else text
    if kind == "int":
        return str(int(value))
    if kind in ("date", "month"):
        return value.isoformat()
    if kind == "datetime":
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + "Z"
    return str(value)


def table_text(table: PackTable, k: int) -> list[list[str]]:
    """Every row as CSV text, withheld cells as "<k"."""
    kinds = [c.kind for c in table.columns]
    names = [c.name for c in table.columns]
    rows = []
    for withheld, values in zip(table.withheld_rows(), table.frame.iter_rows()):
        rows.append([withheld_text(k) if table.is_withheld(withheld, name) else csv_value(value, kind)
                     for name, kind, value in zip(names, kinds, values)])
    return rows
