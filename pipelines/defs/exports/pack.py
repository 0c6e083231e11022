"""Build the quarterly advisory pack: `$AXMETER_HOME/exports/<YYYY-Qn>/` (outputs.md).

    manifest.json                       what the pack holds: each file's bytes and sha256, the
                                        source release, metric version, k
    axmeter_<YYYY-Qn>.xlsx              cover sheet + one formatted sheet per table (workbook.py)
    axmeter_<YYYY-Qn>_report_ko.pdf     the Korean report with charts (report.py)
    tables/<table>.csv                  every table, UTF-8 with BOM, stable row order, fixed floats
    charts/<chart>.png                  the report's charts

It reads published/ only (one release, tables.read_release): no warehouse, no lock, no
pseudonym key. Only published, suppressed figures reach it; a withheld cell is "<k".

Determinism: the pack is a function of the release. The CSV files and manifest.json are
byte-identical for the same release; so are the workbook, the PDF and the PNGs as long as the
openpyxl, fpdf2, matplotlib and fontTools versions are the same (their dates are the release's
publish time, zip entries carry a fixed time). No wall-clock time is written anywhere.

The pack is written to a temporary folder next to its final place, then swapped in, so a reader
never sees half a pack."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipelines.defs.exports import texts
from pipelines.defs.exports.charts import render_charts
from pipelines.defs.exports.fonts import KoreanFont, korean_font
from pipelines.defs.exports.quarter import Quarter
from pipelines.defs.exports.report import report_bytes
from pipelines.defs.exports.tables import PackData, PackError, PackTable, pack_data, read_release, table_text
from pipelines.defs.exports.workbook import workbook_bytes

__all__ = ["PackError", "PackResult", "build_pack", "pack_files", "pack_font"]

MANIFEST = "manifest.json"
GENERATOR_PACKAGES = ("openpyxl", "fpdf2", "matplotlib", "fonttools", "polars", "justmytype-intl-cjk")


@dataclass
class PackResult:
    quarter: Quarter
    directory: Path
    files: list[dict]
    seconds: float
    release: str
    complete: bool

    @property
    def bytes(self) -> int:
        return sum(f["bytes"] for f in self.files)


def csv_bytes(table: PackTable, k: int) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), CRLF, a header of column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(table_text(table, k))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _characters(data: PackData) -> str:
    """Every character the report and the charts can draw: the fixed wording, the release's
    facts and every cell of every table (as text)."""
    parts = [texts.all_texts(), json.dumps(data.release.manifest, ensure_ascii=False), data.quarter.label_ko]
    for table in data.ordered():
        parts.append(table.title_ko)
        for row in table_text(table, data.k):
            parts.extend(row)
    return "".join(parts)


def pack_font(data: PackData, cache_dir: Path | None = None) -> KoreanFont:
    """The pack's Korean font: Noto Sans KR cut to the characters the pack can show."""
    return korean_font(_characters(data), cache_dir)


def _versions() -> dict[str, str]:
    versions = {}
    for package in GENERATOR_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack_files(data: PackData, font_cache: Path | None = None) -> dict[str, bytes]:
    """Every file of the pack, by its path inside the pack folder (manifest.json last)."""
    font = pack_font(data, font_cache)
    charts = render_charts(data, font)
    pdf, written = report_bytes(data, charts, font)
    missing = font.missing("".join(written))
    if missing:  # rather no pack than a report with blank text
        raise PackError(f"The report's Korean font cannot draw {''.join(sorted(missing))!r} "
                        f"(U+{', U+'.join(f'{ord(c):04X}' for c in sorted(missing))})")
    folder = data.quarter.folder
    files: dict[str, bytes] = {
        f"axmeter_{folder}.xlsx": workbook_bytes(data),
        f"axmeter_{folder}_report_ko.pdf": pdf,
    }
    for name, chart in charts.items():
        files[f"charts/{name}.png"] = chart.png
    for table in data.ordered():
        files[f"tables/{table.name}.csv"] = csv_bytes(table, data.k)
    files[MANIFEST] = _manifest(data, files)
    return files


def _manifest(data: PackData, files: dict[str, bytes]) -> bytes:
    release = data.release
    manifest = release.manifest
    tables = []
    for table in data.ordered():
        tables.append({
            "name": table.name,
            "title_ko": table.title_ko,
            "file": f"tables/{table.name}.csv",
            "sheet": table.name,
            "rows": table.frame.height,
            "withheld_rows": sum(table.withheld_rows()),
            "derived": table.derived,
        })
    payload = {
        "pack": "axmeter quarterly advisory pack",
        "quarter": data.quarter.key,
        "period": {"start": data.quarter.first_day.isoformat(), "end": data.quarter.last_day.isoformat()},
        "complete_quarter": data.complete,
        "data_through": data.data_through.isoformat(),
        "metric_version": manifest.get("metric_version"),
        "coefficients_version": manifest.get("coefficients_version"),
        "k": data.k,
        "withheld_marker": f"<{data.k}",
        "source": {
            "release": manifest.get("release"),
            "published_at": manifest.get("published_at"),
            "data_window": manifest.get("data_window"),
            "manifest_sha256": release.manifest_sha256,
        },
        "tables": tables,
        "files": [{"path": path, "bytes": len(content), "sha256": _sha256(content)}
                  for path, content in sorted(files.items())],
        "generator": _versions(),
        "determinism": "Built from the source release only, with no wall-clock time: the same release gives "
        "byte-identical CSV files and manifest, and, with the generator versions above, byte-identical xlsx, "
        "pdf and png files.",
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write_folder(exports: Path, folder: str, files: dict[str, bytes]) -> Path:
    exports.mkdir(parents=True, exist_ok=True)
    final = exports / folder
    staging = exports / f".{folder}.{uuid.uuid4().hex[:12]}.tmp"
    staging.mkdir()
    try:
        for path, content in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        old = None
        if final.exists():
            old = exports / f".{folder}.{uuid.uuid4().hex[:12]}.old"
            os.replace(final, old)
        os.replace(staging, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def build_pack(published: Path, exports: Path, quarter: Quarter, font_cache: Path | None = None) -> PackResult:
    """Read the current release under `published`, write `exports/<YYYY-Qn>/`."""
    started = time.perf_counter()
    release = read_release(published)
    data = pack_data(release, quarter)
    files = pack_files(data, font_cache)
    directory = _write_folder(exports, quarter.folder, files)
    listing = json.loads(files[MANIFEST])["files"]
    listing.append({"path": MANIFEST, "bytes": len(files[MANIFEST]), "sha256": _sha256(files[MANIFEST])})
    return PackResult(quarter=quarter, directory=directory, files=listing, seconds=time.perf_counter() - started,
                      release=str(release.manifest.get("release")), complete=data.complete)
