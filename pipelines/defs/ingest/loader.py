"""Load landed files into the raw layer in batches, with a ledger and quarantine.

Every file reconciles: lines read = rows loaded + rows quarantined (duplicates of a natural
key are resolved in staging, which keeps the newest delivery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

import pyarrow as pa

from pipelines.defs.ingest.landing import FileRejected, LandedFile
from pipelines.defs.ingest.sources.base import DecodedFile, ParseContext, SourceAdapter, parse_batch

LEDGER_UPSERT = """
INSERT OR REPLACE INTO raw.file_ledger
    (source, file, file_date, size_bytes, sha256, delivered_at, first_seen, last_seen,
     status, reason, encoding, lines_read, rows_loaded, rows_quarantined)
SELECT $source, $file, $file_date, $size_bytes, $sha256, $delivered_at,
       coalesce((SELECT first_seen FROM raw.file_ledger WHERE source = $source AND file = $file), $now),
       $now, $status, $reason, $encoding, $lines_read, $rows_loaded, $rows_quarantined
"""


@dataclass
class LoadReport:
    files_loaded: int = 0
    files_quarantined: int = 0
    lines_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def count_reason(self, reason: str, n: int = 1) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + n

    def as_metadata(self) -> dict[str, int]:
        return {
            "files_loaded": self.files_loaded,
            "files_quarantined": self.files_quarantined,
            "lines_read": self.lines_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
        }


# A batch holds at most this many files or bytes: big enough that per-query overhead
# vanishes, small enough that a backfill of a year streams instead of filling memory.
BATCH_FILES = 64
BATCH_BYTES = 128 * 1024 * 1024


def batches(files: list[LandedFile]) -> list[list[LandedFile]]:
    out: list[list[LandedFile]] = []
    size = 0
    for landed in files:
        if not out or len(out[-1]) >= BATCH_FILES or size + landed.size_bytes > BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(landed)
        size += landed.size_bytes
    return out


def load_batch(
    conn: duckdb.DuckDBPyConnection,
    adapter: SourceAdapter,
    files: list[LandedFile],
    ctx: ParseContext,
    now: datetime,
    report: LoadReport,
) -> None:
    """Load files' rows and quarantine, and record each in the ledger. The caller owns the
    transaction and has already cleared what earlier loads of these files left
    (`clear_previous_loads`)."""
    decoded: list[DecodedFile] = []
    for landed in files:
        try:
            decoded.append(adapter.decode(landed))
        except FileRejected as rejected:
            record_rejected_file(conn, adapter.folder, landed, rejected.reason, now)
            report.files_quarantined += 1
            report.count_reason(rejected.reason)
    if not decoded:
        return

    parsed = parse_batch(adapter, decoded, ctx)
    batch_files = pa.table({
        "file_no": pa.array(range(len(decoded)), pa.int32()),
        "file": [d.landed.name for d in decoded],
        "file_date": pa.array([d.landed.file_date for d in decoded], pa.date32()),
        "delivered_at": pa.array([d.landed.delivered_at for d in decoded], pa.timestamp("us", tz="UTC")),
    })
    conn.register("parsed_batch", parsed.rows)
    conn.register("batch_files", batch_files)
    conn.execute(
        f"""INSERT INTO {adapter.raw_table} BY NAME
            SELECT batch_files.file, batch_files.file_date AS {adapter.date_column},
                   batch_files.delivered_at, parsed_batch.* EXCLUDE (file_no)
            FROM parsed_batch JOIN batch_files USING (file_no)"""
    )
    loaded_per_file = dict(conn.execute(
        "SELECT file_no, count(*) FROM parsed_batch GROUP BY file_no"
    ).fetchall())
    conn.unregister("parsed_batch")
    conn.unregister("batch_files")

    rejected_per_file: dict[int, int] = {}
    quarantine_rows = []
    for file_no, line, reason in parsed.rejects:
        landed = decoded[file_no].landed
        quarantine_rows.append((adapter.folder, landed.name, landed.file_date, line, reason, now))
        rejected_per_file[file_no] = rejected_per_file.get(file_no, 0) + 1
        report.count_reason(reason)
    if quarantine_rows:
        conn.executemany("INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?)", quarantine_rows)

    for file_no, file in enumerate(decoded):
        loaded, rejected = loaded_per_file.get(file_no, 0), rejected_per_file.get(file_no, 0)
        conn.execute(LEDGER_UPSERT, {
            **_ledger_identity(adapter.folder, file.landed, now), "sha256": file.sha256,
            "status": "loaded", "reason": None, "encoding": file.encoding,
            "lines_read": file.lines_read, "rows_loaded": loaded, "rows_quarantined": rejected,
        })
        report.files_loaded += 1
        report.lines_read += file.lines_read
        report.rows_loaded += loaded
        report.rows_quarantined += rejected


def _ledger_identity(source: str, landed: LandedFile, now: datetime) -> dict:
    return {"source": source, "file": landed.name, "file_date": landed.file_date,
            "size_bytes": landed.size_bytes, "delivered_at": landed.delivered_at, "now": now}


def clear_previous_loads(
    conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, files: list[LandedFile], window: tuple | None
) -> None:
    """Delete the rows of the partition window (or the whole table) and the quarantine of
    these files: one statement each, instead of one per file, so a backfill stays linear."""
    if window is None:
        conn.execute(f"DELETE FROM {adapter.raw_table}")
    else:
        conn.execute(
            f"DELETE FROM {adapter.raw_table} WHERE {adapter.date_column} >= ? AND {adapter.date_column} < ?",
            list(window),
        )
    conn.execute(
        "DELETE FROM raw.quarantine WHERE source = ? AND file IN (SELECT unnest(?::VARCHAR[]))",
        [adapter.folder, [landed.name for landed in files]],
    )


def record_rejected_file(
    conn: duckdb.DuckDBPyConnection, source: str, landed: LandedFile, reason: str, now: datetime
) -> None:
    """A file quarantined whole (damaged, or no load can take it): one quarantine row (line 0)
    and its ledger entry with its fingerprint, so it is visible and reconciles (0 loaded)."""
    conn.execute("INSERT INTO raw.quarantine VALUES (?, ?, ?, 0, ?, ?)",
                 [source, landed.name, landed.file_date, reason, now])
    conn.execute(LEDGER_UPSERT, {
        **_ledger_identity(source, landed, now), "sha256": landed.sha256(),
        "status": "quarantined", "reason": reason, "encoding": None,
        "lines_read": 0, "rows_loaded": 0, "rows_quarantined": 0,
    })
