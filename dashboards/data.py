"""Read-only access to the published marts, for the dashboard.

The dashboard reads ONLY the Parquet files under ``$AXMETER_HOME/published/``
(``AXMETER_HOME`` defaults to ``./data``). It never opens the DuckDB warehouse:
the pipeline replaces ``published/`` atomically after a run whose blocking
checks passed, so the dashboard keeps working while a run writes.

Reads are cached with ``st.cache_data``; the cache key includes the file's
modification time and size, so a new publish is picked up on the next rerun and
the TTL only bounds memory. Transformations below are plain polars functions
(no Streamlit) so they can be tested directly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st

DEFAULT_HOME = "./data"
CACHE_TTL_SECONDS = 600

UNIT_MONTHLY = "unit_monthly"
UNATTRIBUTED = "_UNATTRIBUTED"
MIN_K = 5  # metrics.md: k = 5, configurable upwards, never below 5

LEVEL_ORDER = {"ministry": 0, "office": 1, "bureau": 2, "division": 3, "none": 9}

# Columns the dashboard needs in unit_monthly. Any other column is tolerated.
REQUIRED_COLUMNS = (
    "month",
    "unit_code",
    "unit_level",
    "unit_name_ko",
    "headcount",
    "active_users",
    "adoption_rate",
    "suppressed",
)
# Columns that stay visible on a suppressed row (metrics.md, Privacy): the unit's
# identity, its group size and the metric version. Everything else is a figure.
IDENTITY_COLUMNS = (
    "month",
    "unit_code",
    "unit_level",
    "unit_name_ko",
    "unit_name_en",
    "parent_code",
    "headcount",
    "suppressed",
    "metric_version",
)


class PublishedDataError(Exception):
    """Base class of the errors a page turns into a message instead of a traceback."""

    def __init__(self, path: Path, reason: str = "") -> None:
        super().__init__(f"{path}: {reason}" if reason else str(path))
        self.path = path
        self.reason = reason


class PublishedMissing(PublishedDataError):
    """The published folder or one of its files does not exist (no run yet)."""

    @property
    def is_folder(self) -> bool:
        return not self.path.suffix


class PublishedInvalid(PublishedDataError):
    """A published file exists but cannot be used (unreadable, columns missing)."""

    def __init__(self, path: Path, reason: str = "", missing_columns: tuple[str, ...] = ()) -> None:
        super().__init__(path, reason)
        self.missing_columns = missing_columns


# ---------------------------------------------------------------- locations


def home() -> Path:
    return Path(os.environ.get("AXMETER_HOME") or DEFAULT_HOME)


def published_dir() -> Path:
    return home() / "published"


def mart_path(name: str) -> Path:
    return published_dir() / f"{name}.parquet"


def _stat_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


# ---------------------------------------------------------------- cached readers


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def _read_parquet_cached(path: str, stat_key: tuple[int, int]) -> pl.DataFrame:
    del stat_key  # part of the cache key only
    return pl.read_parquet(path)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def _read_json_cached(path: str, stat_key: tuple[int, int]) -> object:
    del stat_key
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_mart(name: str) -> pl.DataFrame:
    """Read ``published/<name>.parquet``; raise PublishedMissing / PublishedInvalid."""
    folder = published_dir()
    if not folder.is_dir():
        raise PublishedMissing(folder)
    path = mart_path(name)
    if not path.is_file():
        raise PublishedMissing(path)
    try:
        return _read_parquet_cached(str(path), _stat_key(path))
    except FileNotFoundError as exc:  # replaced between the check and the read
        raise PublishedMissing(path) from exc
    except Exception as exc:  # corrupt or not Parquet
        raise PublishedInvalid(path, f"{type(exc).__name__}: {exc}") from exc


def load_unit_monthly(k: int = MIN_K) -> pl.DataFrame:
    """The ``unit_monthly`` mart, typed and privacy-safe for display."""
    path = mart_path(UNIT_MONTHLY)
    return prepare_unit_monthly(read_mart(UNIT_MONTHLY), k=k, path=path)


def prepare_unit_monthly(df: pl.DataFrame, k: int = MIN_K, path: Path | None = None) -> pl.DataFrame:
    """Check and normalise a raw ``unit_monthly`` frame.

    - required columns must exist (extra columns are kept as they are);
    - ``month`` becomes a Date (first of month), ``unit_name_en`` falls back to Korean;
    - privacy belt and braces: a row about 1..k-1 people is treated as suppressed
      even if the pipeline did not flag it, and every figure of a suppressed row
      is nulled, so no page can show it by mistake. ``_UNATTRIBUTED`` is never
      suppressed (metrics.md).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise PublishedInvalid(
            path or mart_path(UNIT_MONTHLY),
            "missing columns: " + ", ".join(missing),
            missing_columns=tuple(missing),
        )

    if "unit_name_en" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("unit_name_en"))
    if "parent_code" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("parent_code"))

    month = pl.col("month")
    month_dtype = df.schema["month"]
    if month_dtype == pl.String:
        month = month.str.to_date(strict=False)
    elif month_dtype != pl.Date:
        month = month.cast(pl.Date, strict=False)

    df = df.with_columns(
        month.dt.truncate("1mo").alias("month"),
        pl.col("unit_code").cast(pl.String),
        pl.col("parent_code").cast(pl.String),
        pl.col("unit_level").cast(pl.String).fill_null("none"),
        pl.col("unit_name_ko").cast(pl.String),
        pl.coalesce(pl.col("unit_name_en").cast(pl.String), pl.col("unit_name_ko").cast(pl.String)).alias(
            "unit_name_en"
        ),
        pl.col("headcount").cast(pl.Int64, strict=False),
        pl.col("active_users").cast(pl.Int64, strict=False),
        pl.col("adoption_rate").cast(pl.Float64, strict=False),
        pl.col("suppressed").cast(pl.Boolean, strict=False).fill_null(False),
    )

    unattributed = pl.col("unit_code") == UNATTRIBUTED
    small_group = pl.col("headcount").is_between(1, k - 1) & ~unattributed
    suppressed = (pl.col("suppressed") | small_group) & ~unattributed
    df = df.with_columns(suppressed.alias("suppressed"))
    figures = [c for c in df.columns if c not in IDENTITY_COLUMNS]
    df = df.with_columns(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in figures)
    return df.sort("month", "unit_code")


# ---------------------------------------------------------------- publish info


@dataclass(frozen=True)
class PublishInfo:
    """What the sidebar says about the data: its window and when it was published."""

    published_at: dt.datetime | None  # UTC, aware
    from_manifest: bool
    window_start: dt.date | None
    window_end: dt.date | None
    metric_version: str | None = None
    run_id: str | None = None
    k: int = MIN_K
    manifest_error: str | None = None


def _parse_utc(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def _parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return dt.date.fromisoformat(value.strip()[:10])


def _file_mtime_utc(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
    except OSError:
        return None


def load_publish_info(unit_monthly: pl.DataFrame | None = None) -> PublishInfo | None:
    """Read ``published/manifest.json``; fall back to file times and the data itself.

    Returns None when nothing has been published. Manifest keys used (all
    optional): ``published_at`` (ISO-8601 UTC), ``data_window`` {start, end},
    ``metric_version``, ``run_id``, ``k``.
    """
    folder = published_dir()
    if not folder.is_dir():
        return None
    manifest_path = folder / "manifest.json"
    manifest: dict = {}
    error = None
    if manifest_path.is_file():
        try:
            loaded = _read_json_cached(str(manifest_path), _stat_key(manifest_path))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            manifest = loaded
        except Exception as exc:  # unreadable manifest: fall back, but say so
            error = f"{type(exc).__name__}: {exc}"

    published_at = None
    window_start = window_end = None
    try:
        published_at = _parse_utc(manifest.get("published_at"))
    except ValueError as exc:
        error = error or f"published_at: {exc}"
    window = manifest.get("data_window")
    if isinstance(window, dict):
        try:
            window_start = _parse_date(window.get("start"))
            window_end = _parse_date(window.get("end"))
        except ValueError as exc:
            error = error or f"data_window: {exc}"

    from_manifest = published_at is not None
    if published_at is None:
        candidates = [p for p in (mart_path(UNIT_MONTHLY), manifest_path) if p.is_file()]
        candidates = candidates or list(folder.glob("*.parquet"))
        times = [t for t in (_file_mtime_utc(p) for p in candidates) if t is not None]
        published_at = max(times) if times else None

    if (window_start is None or window_end is None) and unit_monthly is not None and unit_monthly.height:
        window_start = window_start or unit_monthly["month"].min()
        last = unit_monthly["month"].max()
        window_end = window_end or (last and _month_end(last))

    k = manifest.get("k", MIN_K)
    k = max(int(k), MIN_K) if isinstance(k, (int, float)) and not isinstance(k, bool) else MIN_K
    version = manifest.get("metric_version")
    if version is None and unit_monthly is not None and "metric_version" in unit_monthly.columns:
        versions = unit_monthly["metric_version"].drop_nulls().unique().sort()
        version = versions[-1] if len(versions) else None
    run_id = manifest.get("run_id")
    return PublishInfo(
        published_at=published_at,
        from_manifest=from_manifest,
        window_start=window_start,
        window_end=window_end,
        metric_version=str(version) if version is not None else None,
        run_id=str(run_id) if run_id is not None else None,
        k=k,
        manifest_error=error,
    )


def privacy_k() -> int:
    """Minimum group size from the manifest (``k``), never below 5."""
    try:
        info = load_publish_info()
    except Exception:
        return MIN_K
    return info.k if info else MIN_K


# ---------------------------------------------------------------- transforms


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def months(df: pl.DataFrame) -> list[dt.date]:
    return df["month"].drop_nulls().unique().sort().to_list()


def ordered_units(rows: pl.DataFrame) -> pl.DataFrame:
    """Units of ``rows`` (one row per unit) in org-chart order, with ``depth``.

    Depth-first from the roots (units without a known parent); children sorted by
    level then code; ``_UNATTRIBUTED`` last.
    """
    rows = rows.unique("unit_code", keep="last", maintain_order=True)
    codes = set(rows["unit_code"].to_list())
    children: dict[str | None, list[dict]] = {}
    for rec in rows.iter_rows(named=True):
        if rec["unit_code"] == UNATTRIBUTED:
            continue
        parent = rec["parent_code"] if rec["parent_code"] in codes else None
        children.setdefault(parent, []).append(rec)
    for kids in children.values():
        kids.sort(key=lambda r: (LEVEL_ORDER.get(r["unit_level"], 5), r["unit_code"]))

    order: list[tuple[str, int]] = []
    seen: set[str] = set()
    stack = [(rec, 0) for rec in reversed(children.get(None, []))]
    while stack:
        rec, depth = stack.pop()
        if rec["unit_code"] in seen:  # defensive: a cycle in parent codes
            continue
        seen.add(rec["unit_code"])
        order.append((rec["unit_code"], depth))
        stack.extend((kid, depth + 1) for kid in reversed(children.get(rec["unit_code"], [])))
    # anything unreachable (cycles) and the unattributed row go last
    order.extend((c, 0) for c in rows["unit_code"].to_list() if c not in seen and c != UNATTRIBUTED)
    if UNATTRIBUTED in codes:
        order.append((UNATTRIBUTED, 0))

    position = pl.DataFrame(
        {
            "unit_code": [c for c, _ in order],
            "depth": [d for _, d in order],
            "order": list(range(len(order))),
        },
        schema={"unit_code": pl.String, "depth": pl.Int64, "order": pl.Int64},
    )
    return rows.join(position, on="unit_code", how="inner").sort("order")


def unit_catalog(df: pl.DataFrame) -> pl.DataFrame:
    """Every unit that appears in ``df`` (its latest name and parent), in org-chart order."""
    latest = df.sort("month").unique("unit_code", keep="last", maintain_order=True)
    return ordered_units(latest)


def default_unit(df: pl.DataFrame) -> str | None:
    """The ministry row's code in the latest month, else the first root."""
    if df.is_empty():
        return None
    last = df.filter(pl.col("month") == pl.col("month").max())
    ministry = last.filter(pl.col("unit_level") == "ministry")
    if ministry.height:
        return ministry["unit_code"][0]
    catalog = unit_catalog(df).filter(pl.col("unit_code") != UNATTRIBUTED)
    return catalog["unit_code"][0] if catalog.height else None


def subtree_codes(rows: pl.DataFrame, root: str) -> set[str]:
    """``root`` and every unit below it, following ``parent_code`` within ``rows``."""
    children: dict[str, list[str]] = {}
    for code, parent in rows.select("unit_code", "parent_code").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found = {root}
    frontier = [root]
    while frontier:
        for kid in children.get(frontier.pop(), []):
            if kid not in found:
                found.add(kid)
                frontier.append(kid)
    return found


def unit_series(df: pl.DataFrame, unit_code: str) -> pl.DataFrame:
    """One unit's rows, by month."""
    return df.filter(pl.col("unit_code") == unit_code).sort("month")


def unit_row(df: pl.DataFrame, unit_code: str, month: dt.date) -> dict | None:
    rows = df.filter((pl.col("unit_code") == unit_code) & (pl.col("month") == month))
    return rows.row(0, named=True) if rows.height else None


def units_for_month(
    df: pl.DataFrame,
    month: dt.date,
    root: str | None,
    levels: list[str] | None = None,
) -> pl.DataFrame:
    """The month's rows for ``root``'s subtree (plus ``_UNATTRIBUTED`` when the root is
    the ministry), optionally only some levels, in org-chart order with ``depth``."""
    rows = df.filter(pl.col("month") == month)
    if rows.is_empty():
        return rows.with_columns(pl.lit(0).alias("depth"), pl.lit(0).alias("order"))
    keep = set(rows["unit_code"].to_list())
    root_level = None
    if root is not None and root in keep:
        keep = subtree_codes(rows, root)
        root_level = rows.filter(pl.col("unit_code") == root)["unit_level"][0]
        if root_level == "ministry":
            keep.add(UNATTRIBUTED)
    rows = rows.filter(pl.col("unit_code").is_in(sorted(keep)))
    if levels is not None:
        rows = rows.filter(pl.col("unit_level").is_in(levels))
    return ordered_units(rows)


def sublevels(df: pl.DataFrame, start: dt.date, end: dt.date, root: str | None) -> list[str]:
    """Levels below ``root`` that have units in its subtree in the range (for the heatmap)."""
    in_range = df.filter(pl.col("month").is_between(start, end))
    if root is None or in_range.is_empty():
        return []
    root_rows = in_range.filter(pl.col("unit_code") == root)
    root_rank = LEVEL_ORDER.get(root_rows["unit_level"][-1], 0) if root_rows.height else 0
    codes: set[str] = set()
    for month in months(in_range):
        codes |= subtree_codes(in_range.filter(pl.col("month") == month), root)
    levels = in_range.filter(pl.col("unit_code").is_in(sorted(codes)))["unit_level"].unique().to_list()
    return sorted(
        (lv for lv in levels if lv != "none" and LEVEL_ORDER.get(lv, 5) > root_rank),
        key=lambda lv: LEVEL_ORDER.get(lv, 5),
    )


def heatmap_rows(
    df: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    root: str | None,
    level: str,
) -> pl.DataFrame:
    """Unit x month rows of one level inside ``root``'s subtree (by each month's org chart)."""
    parts = []
    for month in months(df.filter(pl.col("month").is_between(start, end))):
        part = units_for_month(df, month, root, [level])
        if part.height:
            parts.append(part.drop("depth", "order"))
    if not parts:
        return df.clear()
    out = pl.concat(parts, how="diagonal_relaxed")
    # org-chart order of the whole data set, so units sit under their parents' order
    catalog = unit_catalog(df).select("unit_code", "order")
    return out.join(catalog, on="unit_code", how="left").sort("order", "month")
