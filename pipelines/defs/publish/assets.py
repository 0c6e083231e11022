"""Publish: suppressed marts to published/ as Parquet, replaced atomically, with a manifest.

Readers (dashboard, exports) use only these files, so they never touch the warehouse while
a run writes, and never see a small group's figures."""

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.publish.suppression import suppressed_units
from pipelines.metadata import markdown_table
from pipelines.resources import AxmeterHome, Warehouse
from pipelines.settings import METRIC_VERSION, OWNERS, UNATTRIBUTED, WAREHOUSE_POOL, min_group_size

# Columns that identify a unit_monthly row or give its group size: published even when the
# row is withheld. Every other column is nulled (metrics.md, Privacy).
UNIT_MONTHLY_KEPT = ("month", "unit_code", "unit_level", "unit_name_ko", "unit_name_en", "parent_code",
                     "function", "headcount", "metric_version")


def suppress_unit_monthly(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """Add `suppressed` and null every withheld figure, month by month."""
    flags = []
    for (month,), group in frame.group_by(["month"], maintain_order=True):
        tree = group.filter(pl.col("unit_code") != UNATTRIBUTED)
        withheld = suppressed_units(
            dict(zip(tree["unit_code"], tree["headcount"])), dict(zip(tree["unit_code"], tree["parent_code"])), k
        )
        flags.append(pl.DataFrame({"month": [month] * len(withheld), "unit_code": sorted(withheld)},
                                  schema={"month": frame.schema["month"], "unit_code": pl.String}))
    withheld_rows = pl.concat(flags).with_columns(suppressed=pl.lit(True)) if flags else None
    if withheld_rows is None:
        return frame.with_columns(suppressed=pl.lit(False))
    out = frame.join(withheld_rows, on=["month", "unit_code"], how="left").with_columns(
        pl.col("suppressed").fill_null(False)
    )
    figures = [c for c in frame.columns if c not in UNIT_MONTHLY_KEPT]
    return out.with_columns(
        [pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in figures]
    ).select([*frame.columns, "suppressed"])


def write_parquet_atomically(frame: pl.DataFrame, target: Path) -> str:
    """Write next to the target, then rename over it: a reader sees the old file or the new
    one, never half of one. Returns the file's sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    frame.write_parquet(temporary, compression="zstd", statistics=True)
    digest = hashlib.sha256(temporary.read_bytes()).hexdigest()
    os.replace(temporary, target)
    return digest


def write_json_atomically(payload: dict, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(temporary, target)


@dg.asset(
    key=["published", "unit_monthly"],
    deps=[dg.AssetKey(["marts", "unit_monthly"])],
    description="published/unit_monthly.parquet: unit_monthly with small-group suppression, "
    "months from the first to the last with an event.",
    group_name="publish",
    kinds={"parquet", "polars"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
)
def published_unit_monthly(
    context: dg.AssetExecutionContext, home: AxmeterHome, warehouse: Warehouse
) -> dg.MaterializeResult:
    k = min_group_size()
    with warehouse.connect() as conn:
        first, last = conn.execute("SELECT min(event_date), max(event_date) FROM staging.events").fetchall()[0]
        if first is None:
            raise dg.Failure(
                "No events in the warehouse: nothing to publish. Land portal or OnAI files under "
                f"{home.landing('')} (or run `axmeter sample`), then run again."
            )
        mart = pl.from_arrow(conn.sql(
            """SELECT * FROM marts.unit_monthly
               WHERE month BETWEEN date_trunc('month', $first::DATE) AND date_trunc('month', $last::DATE)
               ORDER BY month, unit_code""",
            params={"first": first, "last": last},
        ).to_arrow_table())
    published = suppress_unit_monthly(mart, k)
    sha = write_parquet_atomically(published, home.published / "unit_monthly.parquet")
    manifest = {
        "run_id": context.run_id,
        "metric_version": METRIC_VERSION,
        "k": k,
        "data_window": {"start": first.isoformat(), "end": last.isoformat()},
        "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "marts": [{"name": "unit_monthly", "file": "unit_monthly.parquet", "rows": published.height, "sha256": sha}],
    }
    write_json_atomically(manifest, home.published / "manifest.json")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(published.height),
            "suppressed_rows": int(published["suppressed"].sum()),
            "data_window": f"{first} .. {last}",
            "path": dg.MetadataValue.path(str(home.published / "unit_monthly.parquet")),
            "preview": dg.MetadataValue.md(
                markdown_table(published.filter(pl.col("unit_level").is_in(["ministry", "none"])))
            ),
        }
    )
