"""The quarterly advisory pack as a Dagster asset, one partition per quarter (KST).

It reads published/ only (the release `published/current` points to), so it needs neither the
warehouse nor its pool nor the pseudonym key, and can run while a pipeline run writes.
`axmeter export --quarter 2026Q3` builds the same pack without Dagster (pack.build_pack)."""

import dagster as dg

from pipelines.defs.exports.partitions import quarterly_partitions
from pipelines.defs.exports.quarter import Quarter
from pipelines.defs.exports.tables import MART_TABLES, PackError
from pipelines.resources import AxmeterHome
from pipelines.settings import OWNERS

# What the pack reads: every published mart it shows, and the metric dictionary.
PUBLISHED_INPUTS = [dg.AssetKey(["published", name]) for name in MART_TABLES] + [
    dg.AssetKey(["published", "metric_dictionary"])
]


@dg.asset(
    key=["exports", "quarterly_pack"],
    deps=PUBLISHED_INPUTS,
    partitions_def=quarterly_partitions,
    group_name="exports",
    kinds={"xlsx", "pdf", "csv"},
    owners=OWNERS,
    description="exports/<YYYY-Qn>/: the advisory group's quarterly pack, built from published/ only: "
    "an Excel workbook (cover sheet with metric version, data window, definitions and the suppression note; "
    "one sheet per table), a Korean PDF report with charts, every table as CSV (UTF-8 with BOM) and a "
    "manifest with each file's sha256. Withheld figures show as \"<k\".",
)
def quarterly_pack(context: dg.AssetExecutionContext, home: AxmeterHome) -> dg.MaterializeResult:
    # Imported here: the PDF and chart libraries take ~1.5 s to import, which every process that
    # loads the definitions (each `axmeter` command, each run) would pay otherwise.
    from pipelines.defs.exports.pack import build_pack

    quarter = Quarter.parse(context.partition_key)
    try:
        result = build_pack(home.published, home.root / "exports", quarter)
    except PackError as exc:
        raise dg.Failure(str(exc)) from exc
    context.log.info(f"pack {quarter.key}: {len(result.files)} files, {result.bytes:,} bytes in "
                     f"{result.seconds:.1f} s from release {result.release}")
    return dg.MaterializeResult(metadata={
        "quarter": quarter.key,
        "path": dg.MetadataValue.path(str(result.directory)),
        "release": result.release,
        "complete_quarter": result.complete,
        "files": len(result.files),
        "bytes": dg.MetadataValue.int(result.bytes),
        "build_seconds": dg.MetadataValue.float(round(result.seconds, 2)),
        "manifest_sha256": next(f["sha256"] for f in result.files if f["path"] == "manifest.json"),
    })


quarterly_pack_job = dg.define_asset_job(
    "quarterly_pack",
    selection=dg.AssetSelection.assets(quarterly_pack),  # partitioned like the asset: by quarter
    description="Build the advisory group's pack for the selected quarter(s) from published/.",
)
