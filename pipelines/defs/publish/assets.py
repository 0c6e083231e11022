"""Publish: every mart, suppressed, to published/ as one release (release.py), with the metric
dictionary and a manifest.

Readers (dashboard, exports) use only these files, so they never touch the warehouse while
a run writes, never see half a publish, and never see a small group's figures (privacy.py)."""

from collections.abc import Callable
from datetime import datetime, timezone

import dagster as dg
import polars as pl
import yaml

from pipelines.defs.marts.build import MARTS_DIR, coefficients
from pipelines.defs.publish import privacy
from pipelines.defs.publish.release import Release, write_json_atomically, write_parquet_atomically
from pipelines.metadata import markdown_table
from pipelines.resources import AxmeterHome, Warehouse
from pipelines.settings import METRIC_VERSION, OWNERS, WAREHOUSE_POOL, min_group_size

__all__ = ["publish_release", "write_json_atomically", "write_parquet_atomically"]

METRIC_DICTIONARY = MARTS_DIR / "metric_dictionary.yaml"

# Published marts in manifest order: (name, ORDER BY, monthly). Monthly marts are cut to the
# months of the data window; whole-history marts are published whole.
PUBLISHED_MARTS: list[tuple[str, str, bool]] = [
    ("unit_monthly", "month, unit_code", True),
    ("ministry_daily", "date", True),
    ("feature_monthly", "month, feature", True),
    ("model_monthly", "month, model, provider", True),
    ("governance_monthly", "month, breakdown, item, vendor", True),
    ("pioneers_monthly", "month, population", True),
    ("retention_cohorts", "scope DESC, unit_code, cohort_month, month", False),
    ("training_impact", "session_date NULLS LAST, session_id", False),
    ("survey_quarterly", "quarter, unit_code", False),
    ("data_quality_daily", "source, day", False),
    ("data_quality_quarantine", "source, day, reason", False),
]


def metric_dictionary(k: int) -> dict:
    """The dictionary as published: definitions, the k in force, and the coefficients."""
    dictionary = yaml.safe_load(METRIC_DICTIONARY.read_text(encoding="utf-8"))
    config = coefficients()
    dictionary["k"] = k
    dictionary["assisted_minutes"] = {
        "version": config["version"], "unit": config["unit"], "default": config["default"],
        "features": config["features"],
    }
    return dictionary


def suppress(name: str, frame: pl.DataFrame, k: int, ministry_headcount: dict) -> pl.DataFrame:
    rules: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
        "unit_monthly": lambda f: privacy.suppress_unit_monthly(f, k),
        "ministry_daily": lambda f: privacy.suppress_ministry_daily(f, k),
        "feature_monthly": lambda f: privacy.suppress_feature_monthly(f, ministry_headcount, k),
        "pioneers_monthly": lambda f: privacy.suppress_pioneers_monthly(f, k),
        "retention_cohorts": lambda f: privacy.suppress_retention_cohorts(f, k),
        "training_impact": lambda f: privacy.suppress_training_impact(f, k),
        "survey_quarterly": lambda f: privacy.suppress_survey_quarterly(f, k),
    }
    return rules[name](frame) if name in rules else frame


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["published", name],
            deps=[dg.AssetKey(["marts", name])],
            description=f"published/{name}.parquet: marts.{name}"
            + (" with small-group suppression" if name in privacy.KEPT_COLUMNS else "")
            + (", months of the data window" if monthly else "") + ".",
            group_name="publish",
            kinds={"parquet", "polars"},
            owners=OWNERS,
        )
        for name, _, monthly in PUBLISHED_MARTS
    ] + [
        dg.AssetSpec(
            key=["published", "metric_dictionary"],
            description="published/metric_dictionary.json: every published column's definition "
            "(pipelines/defs/marts/metric_dictionary.yaml), k and the assisted-minutes coefficients.",
            group_name="publish",
            kinds={"json"},
            owners=OWNERS,
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def publish_release(context: dg.AssetExecutionContext, home: AxmeterHome, warehouse: Warehouse):
    k = min_group_size()
    with warehouse.connect() as conn:
        # The window the marts were computed over (they all read marts.attributed_events).
        first, last = conn.execute("SELECT min(event_date), max(event_date) FROM marts.attributed_events").fetchall()[0]
        if first is None:
            raise dg.Failure(
                "No events in the warehouse: nothing to publish. Land portal or OnAI files under "
                f"{home.landing('')} (or run `axmeter sample`), then run again."
            )
        window = {"first": first.replace(day=1), "last": last.replace(day=1)}
        marts = {}
        for name, order, monthly in PUBLISHED_MARTS:
            where = "WHERE month BETWEEN $first AND $last" if monthly else ""
            marts[name] = pl.from_arrow(conn.sql(
                f"SELECT * FROM marts.{name} {where} ORDER BY {order}", params=window if monthly else None
            ).to_arrow_table())
        freshness = dict(conn.execute(
            """SELECT source, max(newest_event_at) FROM marts.data_quality_daily
               WHERE newest_event_at IS NOT NULL GROUP BY source ORDER BY source"""
        ).fetchall())
        coefficients_version = conn.execute(
            "SELECT any_value(coefficients_version) FROM marts.assisted_minutes").fetchall()[0][0]

    ministry = marts["unit_monthly"].filter(pl.col("unit_level") == "ministry")
    ministry_headcount = dict(zip(ministry["month"], ministry["headcount"]))
    release = Release(home.published, context.run_id)
    entries = []
    for name, _, _ in PUBLISHED_MARTS:
        published = suppress(name, marts[name], k, ministry_headcount)
        entries.append(release.add_parquet(name, published))
    dictionary_entry = release.add_json("metric_dictionary", metric_dictionary(k))
    manifest = {
        "run_id": context.run_id,
        "release": release.name,
        "metric_version": METRIC_VERSION,
        "coefficients_version": coefficients_version,
        "k": k,
        "data_window": {"start": first.isoformat(), "end": last.isoformat()},
        "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "newest_event_at": {source: at.isoformat() for source, at in freshness.items()},
        "marts": entries,
        "metric_dictionary": dictionary_entry,
        "consistency": "Every file of this release was written before `current` pointed to it. Read a "
        "consistent set from the directory published/current resolves to (os.path.realpath).",
    }
    directory = release.publish(manifest)
    context.log.info(f"published release {release.name}: {len(entries)} marts, k = {k}")

    for entry in entries:
        metadata = {"dagster/row_count": dg.MetadataValue.int(entry["rows"]), "sha256": entry["sha256"],
                    "path": dg.MetadataValue.path(str(directory / entry["file"]))}
        if "suppressed_rows" in entry:
            metadata["suppressed_rows"] = entry["suppressed_rows"]
        if entry["name"] == "unit_monthly":
            metadata["data_window"] = f"{first} .. {last}"
            metadata["preview"] = dg.MetadataValue.md(markdown_table(
                pl.read_parquet(directory / entry["file"]).filter(pl.col("unit_level").is_in(["ministry", "none"]))))
        yield dg.MaterializeResult(asset_key=["published", entry["name"]], metadata=metadata)
    yield dg.MaterializeResult(asset_key=["published", "metric_dictionary"],
                               metadata={"sha256": dictionary_entry["sha256"], "release": release.name})
