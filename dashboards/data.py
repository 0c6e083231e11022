"""Read-only access to the published marts, for the dashboard.

The dashboard reads ONLY the files under ``$AXMETER_HOME/published/``
(``AXMETER_HOME`` defaults to ``./data``). It never opens the DuckDB warehouse:
the pipeline publishes a complete release directory and then switches the
``published/current`` link to it, so the dashboard keeps working while a run writes.

One release per script run: the entry script calls ``pin_release()`` first, which
resolves ``published/current`` once (``os.path.realpath``); every mart, the manifest
and the metric dictionary of that run are read from that one directory, so a page
never mixes two publishes. A ``published/`` folder without ``current`` (older
layout, hand-made test fixtures) is read as it is.

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
    "function",
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

CURRENT = "current"  # published/current -> releases/<id> (pipelines/defs/publish/release.py)
_RELEASE_KEY = "_axmeter_release"  # st.session_state: the release pinned for this run


def home() -> Path:
    return Path(os.environ.get("AXMETER_HOME") or DEFAULT_HOME)


def published_dir() -> Path:
    return home() / "published"


def resolve_release() -> Path:
    """The directory ``published/current`` points to, resolved now; ``published/`` itself
    when there is no ``current`` link (older layout)."""
    folder = published_dir()
    current = folder / CURRENT
    if current.is_symlink() or current.is_dir():
        resolved = Path(os.path.realpath(current))
        if resolved.is_dir():
            return resolved
    return folder


def pin_release() -> Path:
    """Resolve ``published/current`` once for this script run (call first in every run)."""
    path = resolve_release()
    try:
        st.session_state[_RELEASE_KEY] = str(path)
    except Exception:  # outside a Streamlit run
        pass
    return path


def release_dir() -> Path:
    """The release this run reads: the pinned one while it still exists, else resolved now."""
    try:
        pinned = st.session_state.get(_RELEASE_KEY)
    except Exception:
        pinned = None
    if pinned and Path(pinned).is_dir() and Path(pinned).is_relative_to(published_dir().resolve()):
        return Path(pinned)
    return resolve_release()


def mart_path(name: str) -> Path:
    return release_dir() / f"{name}.parquet"


def _stat_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


# ---------------------------------------------------------------- cached readers


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=64, show_spinner=False)
def _read_parquet_cached(path: str, stat_key: tuple[int, int]) -> pl.DataFrame:
    del stat_key  # part of the cache key only
    return pl.read_parquet(path)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=16, show_spinner=False)
def _read_json_cached(path: str, stat_key: tuple[int, int]) -> object:
    del stat_key
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_mart(name: str) -> pl.DataFrame:
    """Read ``<release>/<name>.parquet``; raise PublishedMissing / PublishedInvalid."""
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


def read_json(name: str) -> dict:
    """Read ``<release>/<name>.json`` (an object); raise PublishedMissing / PublishedInvalid."""
    folder = published_dir()
    if not folder.is_dir():
        raise PublishedMissing(folder)
    path = release_dir() / f"{name}.json"
    if not path.is_file():
        raise PublishedMissing(path)
    try:
        loaded = _read_json_cached(str(path), _stat_key(path))
    except FileNotFoundError as exc:
        raise PublishedMissing(path) from exc
    except Exception as exc:
        raise PublishedInvalid(path, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise PublishedInvalid(path, "not a JSON object")
    return loaded


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

    for optional in ("unit_name_en", "parent_code", "function"):
        if optional not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(optional))

    df = df.with_columns(
        _as_date(df, "month").dt.truncate("1mo").alias("month"),
        pl.col("unit_code").cast(pl.String),
        pl.col("parent_code").cast(pl.String),
        pl.col("function").cast(pl.String),
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


def _as_date(df: pl.DataFrame, column: str) -> pl.Expr:
    dtype = df.schema[column]
    expr = pl.col(column)
    if dtype == pl.String:
        return expr.str.to_date(strict=False)
    if dtype != pl.Date:
        return expr.cast(pl.Date, strict=False)
    return expr


# ---------------------------------------------------------------- the other marts


@dataclass(frozen=True)
class MartSpec:
    """What the dashboard needs of a published mart and how it stays privacy-safe.

    ``required``: columns a page cannot do without (others are tolerated, missing
    optional ones read as null). ``kept``: columns still shown on a withheld row
    (identity and group size, pipelines/defs/publish/privacy.py). ``group_size``: the
    column below k that withholds a row (belt and braces on top of the pipeline's
    ``suppressed``). ``withhold_together``: rows withheld together (pioneers: a month).
    """

    required: tuple[str, ...]
    dates: tuple[str, ...] = ()
    kept: tuple[str, ...] | None = None  # None: the mart counts no people, nothing is withheld
    group_size: str | None = None
    withhold_together: tuple[str, ...] = ()


MARTS: dict[str, MartSpec] = {
    "ministry_daily": MartSpec(
        required=("date", "daily_active_users", "requests", "cost_usd"),
        dates=("date", "month"),
        kept=("date", "month", "is_workday", "holiday_name", "closure_reason", "headcount", "metric_version"),
        group_size="headcount",
    ),
    "feature_monthly": MartSpec(
        required=("month", "feature", "requests", "active_users", "assisted_hours_low",
                  "assisted_hours_central", "assisted_hours_high"),
        dates=("month",),
        kept=("month", "feature", "platform", "feature_mapped", "metric_version"),
    ),
    "model_monthly": MartSpec(
        required=("month", "model", "provider", "requests", "failure_rate", "cost_usd"),
        dates=("month",),
    ),
    "governance_monthly": MartSpec(
        required=("month", "breakdown", "item", "requests", "blocked_share", "failure_share"),
        dates=("month",),
    ),
    "pioneers_monthly": MartSpec(
        required=("month", "population", "headcount", "active_users", "adoption_rate"),
        dates=("month",),
        kept=("month", "population", "units", "headcount", "metric_version"),
        group_size="headcount",
        withhold_together=("month",),
    ),
    "retention_cohorts": MartSpec(
        required=("scope", "unit_code", "cohort_month", "month", "months_since_first", "cohort_size",
                  "retention_rate"),
        dates=("cohort_month", "month"),
        kept=("scope", "unit_code", "unit_name_ko", "unit_name_en", "parent_code", "cohort_month", "month",
              "months_since_first", "cohort_size", "metric_version"),
        group_size="cohort_size",
    ),
    "training_impact": MartSpec(
        required=("session_id", "attendees", "adoption_before", "adoption_after", "did_estimate",
                  "did_ci_low", "did_ci_high"),
        dates=("session_date",),
        kept=("session_id", "session_title", "session_date", "format", "attendees", "metric_version"),
        group_size="attendees",
    ),
    "survey_quarterly": MartSpec(
        required=("quarter", "unit_code", "respondents", "response_rate"),
        kept=("quarter", "unit_code", "unit_level", "unit_name_ko", "unit_name_en", "parent_code",
              "respondents", "headcount", "metric_version"),
        group_size="respondents",
    ),
    "data_quality_daily": MartSpec(
        required=("source", "day", "rows_received", "rows_loaded", "rows_quarantined"),
        dates=("day",),
    ),
    "data_quality_quarantine": MartSpec(
        required=("source", "day", "reason", "files_quarantined", "rows_quarantined"),
        dates=("day",),
    ),
}

# Optional columns pages read; a mart published without them reads them as null.
OPTIONAL_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "ministry_daily": {"is_workday": pl.Boolean, "headcount": pl.Int64, "successful_requests": pl.Int64},
    "feature_monthly": {"platform": pl.String, "feature_mapped": pl.Boolean, "successful_requests": pl.Int64},
    "model_monthly": {"successful_requests": pl.Int64, "failed_requests": pl.Int64, "prompt_tokens": pl.Int64,
                      "completion_tokens": pl.Int64, "latency_p50_ms": pl.Float64, "latency_p95_ms": pl.Float64},
    "governance_monthly": {"vendor": pl.String, "request_share": pl.Float64, "blocked_requests": pl.Int64,
                           "failed_requests": pl.Int64, "cost_usd": pl.Float64, "cost_share": pl.Float64},
    "pioneers_monthly": {"units": pl.Int64, "active_days_avg": pl.Float64, "breadth_avg": pl.Float64},
    "retention_cohorts": {"unit_name_ko": pl.String, "unit_name_en": pl.String, "still_in_roster": pl.Int64,
                          "active_users": pl.Int64},
    "training_impact": {"session_title": pl.String, "session_date": pl.Date, "format": pl.String,
                        "completed": pl.Int64, "active_days_before_avg": pl.Float64,
                        "active_days_after_avg": pl.Float64, "first_time_users": pl.Int64,
                        "days_to_first_use_avg": pl.Float64, "days_to_first_use_median": pl.Float64,
                        "did_treated": pl.Int64, "did_controls": pl.Int64,
                        "treated_rate_before": pl.Float64, "treated_rate_after": pl.Float64,
                        "control_rate_before": pl.Float64, "control_rate_after": pl.Float64},
    "survey_quarterly": {"unit_level": pl.String, "unit_name_ko": pl.String, "unit_name_en": pl.String,
                         "parent_code": pl.String, "headcount": pl.Int64, "agree_rate_faster": pl.Float64,
                         "agree_rate_quality": pl.Float64, "agree_rate_effort": pl.Float64,
                         "agree_rate_productive": pl.Float64, "minutes_saved_per_week_avg": pl.Float64},
    "data_quality_daily": {"files_received": pl.Int64, "files_quarantined": pl.Int64, "rows_duplicate": pl.Int64,
                           "events_with_employee": pl.Int64, "events_matched_to_hr": pl.Int64,
                           "hr_match_rate": pl.Float64, "unmapped_feature_rows": pl.Int64,
                           "unknown_service_rows": pl.Int64,
                           "newest_event_at": pl.Datetime("us", "UTC"),
                           "last_delivered_at": pl.Datetime("us", "UTC"), "delivery_lag_hours": pl.Float64},
}


def prepare_mart(name: str, df: pl.DataFrame, k: int = MIN_K, path: Path | None = None) -> pl.DataFrame:
    """Check a published mart against ``MARTS[name]``, type its dates, add missing optional
    columns as null, and null every figure of a withheld row (a row whose group is 1..k-1
    people counts as withheld even when the pipeline did not flag it)."""
    spec = MARTS[name]
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        raise PublishedInvalid(path or mart_path(name), "missing columns: " + ", ".join(missing),
                               missing_columns=tuple(missing))
    for column, dtype in OPTIONAL_COLUMNS.get(name, {}).items():
        if column not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(column))
    df = df.with_columns(_as_date(df, c).alias(c) for c in spec.dates if c in df.columns)
    if spec.kept is None:
        return df
    flags = pl.col("suppressed").cast(pl.Boolean, strict=False).fill_null(False) if "suppressed" in df.columns \
        else pl.lit(False)
    if spec.group_size:
        flags = flags | pl.col(spec.group_size).cast(pl.Int64, strict=False).is_between(1, k - 1)
    df = df.with_columns(flags.alias("suppressed"))
    if spec.withhold_together:
        df = df.with_columns(pl.col("suppressed").any().over(list(spec.withhold_together)))
    kept = set(spec.kept) | {"suppressed"}
    return df.with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in df.columns if c not in kept
    )


def load_mart(name: str, k: int = MIN_K) -> pl.DataFrame:
    """A published mart other than ``unit_monthly``, checked and privacy-safe (``prepare_mart``)."""
    return prepare_mart(name, read_mart(name), k=k, path=mart_path(name))


def load_metric_dictionary() -> dict:
    return read_json("metric_dictionary")


# Optional, for the data team only: row-level quarantine detail, if the pipeline publishes it
# into the release (source, file, line, reason; employee_key when a pseudonymised key is known).
DATA_TEAM_DETAIL = "quarantine_rows"


def load_data_team_detail() -> pl.DataFrame | None:
    try:
        return read_mart(DATA_TEAM_DETAIL)
    except PublishedMissing:
        return None


def quality_docs_index() -> Path | None:
    """The Great Expectations Data Docs start page under ``$AXMETER_HOME/quality/``, if any."""
    folder = home() / "quality"
    if not folder.is_dir():
        return None
    candidates = sorted(folder.glob("**/index.html"), key=lambda p: (len(p.parts), str(p)))
    return candidates[0] if candidates else None


def check_results(manifest: dict | None = None) -> list[dict] | None:
    """The latest check results, if published: ``manifest["checks"]`` or ``<release>/checks.json``
    (``{"checks": [...]}``); each item a dict with at least ``name`` and ``passed``."""
    items = None
    if isinstance(manifest, dict) and isinstance(manifest.get("checks"), list):
        items = manifest["checks"]
    else:
        try:
            items = read_json("checks").get("checks")
        except PublishedDataError:
            items = None
    if not isinstance(items, list):
        return None
    return [c for c in items if isinstance(c, dict) and "name" in c]



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
    release: str | None = None
    coefficients_version: str | None = None
    newest_event_at: tuple[tuple[str, dt.datetime], ...] = ()  # (source, UTC) per event source
    manifest: dict | None = None


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
    manifest_path = release_dir() / "manifest.json"
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
        candidates = candidates or list(release_dir().glob("*.parquet"))
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
    newest = []
    if isinstance(manifest.get("newest_event_at"), dict):
        for source, value in sorted(manifest["newest_event_at"].items()):
            try:
                parsed = _parse_utc(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                newest.append((str(source), parsed))
    coefficients = manifest.get("coefficients_version")
    release = manifest.get("release")
    return PublishInfo(
        published_at=published_at,
        from_manifest=from_manifest,
        window_start=window_start,
        window_end=window_end,
        metric_version=str(version) if version is not None else None,
        run_id=str(run_id) if run_id is not None else None,
        k=k,
        manifest_error=error,
        release=str(release) if release is not None else None,
        coefficients_version=str(coefficients) if coefficients is not None else None,
        newest_event_at=tuple(newest),
        manifest=manifest or None,
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


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    return _month_end(month)


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


# ---------------------------------------------------------------- drill-down and filters


def ancestors(df: pl.DataFrame, month: dt.date, unit_code: str) -> list[dict]:
    """The path from the root to ``unit_code`` in ``month``'s org chart (root first)."""
    rows = {rec["unit_code"]: rec for rec in df.filter(pl.col("month") == month).iter_rows(named=True)}
    path: list[dict] = []
    code: str | None = unit_code
    while code is not None and code in rows and code not in {r["unit_code"] for r in path}:
        path.append(rows[code])
        code = rows[code].get("parent_code")
    return list(reversed(path))


def children(df: pl.DataFrame, month: dt.date, unit_code: str) -> pl.DataFrame:
    """The direct child units of ``unit_code`` in ``month`` (org-chart order)."""
    rows = df.filter((pl.col("month") == month) & (pl.col("parent_code") == unit_code))
    if rows.is_empty():
        return rows
    return rows.sort(pl.col("unit_level").replace_strict(LEVEL_ORDER, default=5), "unit_code")


def functions(df: pl.DataFrame) -> list[str]:
    """The unit functions present in the data (org snapshot ``function``), sorted."""
    if "function" not in df.columns:
        return []
    values = df.filter(pl.col("unit_code") != UNATTRIBUTED)["function"].drop_nulls().unique().to_list()
    return sorted(str(v) for v in values if str(v).strip())


def with_function(rows: pl.DataFrame, function: str | None, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Only the units of ``function`` (all when None); the codes in ``keep`` stay regardless."""
    if not function or "function" not in rows.columns:
        return rows
    return rows.filter((pl.col("function") == function) | pl.col("unit_code").is_in(list(keep)))


def in_range(df: pl.DataFrame, start: dt.date | None, end: dt.date | None, column: str = "month") -> pl.DataFrame:
    if start is None or end is None:
        return df
    return df.filter(pl.col(column).is_between(start, _month_end(end) if column != "month" else end))


def quarter_of(month: dt.date) -> str:
    return f"{month.year}Q{(month.month - 1) // 3 + 1}"


def quarter_months(quarter: str) -> tuple[dt.date, dt.date] | None:
    """``2026Q3`` -> (first month, last month) of the quarter; None when not a quarter."""
    try:
        year, q = int(quarter[:4]), int(quarter.strip()[-1])
    except (ValueError, IndexError, TypeError):
        return None
    if not 1 <= q <= 4:
        return None
    return dt.date(year, 3 * q - 2, 1), dt.date(year, 3 * q, 1)


def quarters_in_range(quarters: list[str], start: dt.date | None, end: dt.date | None) -> list[str]:
    """The quarters that overlap the month range (all when no range), in order."""
    out = []
    for quarter in sorted(set(quarters)):
        span = quarter_months(quarter)
        if span is None:
            continue
        if start is None or end is None or (span[0] <= end and span[1] >= start):
            out.append(quarter)
    return out


def latest_by_source(daily: pl.DataFrame) -> pl.DataFrame:
    """Per source: the newest event and the last delivery over every day published."""
    return (
        daily.group_by("source")
        .agg(
            pl.col("newest_event_at").max().alias("newest_event_at"),
            pl.col("last_delivered_at").max().alias("last_delivered_at"),
            pl.col("day").max().alias("last_day"),
        )
        .sort("source")
    )


def with_previous(rows: pl.DataFrame, df: pl.DataFrame, month: dt.date, field: str, alias: str) -> pl.DataFrame:
    """``rows`` (one month) plus ``alias`` = ``field`` now minus ``field`` in the month before,
    per unit (null when either is missing, e.g. withheld)."""
    before = df.filter(pl.col("month") == previous_month(month)).select(
        "unit_code", pl.col(field).alias("_before")
    )
    return (
        rows.join(before, on="unit_code", how="left", maintain_order="left")
        .with_columns((pl.col(field) - pl.col("_before")).alias(alias))
        .drop("_before")
    )
