"""Load landed files into the raw layer, one file at a time, with a ledger and quarantine.

Every file reconciles: lines read = rows loaded + rows quarantined (duplicates of a natural
key are resolved in staging, which keeps the newest delivery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from pipelines.defs.ingest.landing import FileRejected, LandedFile
from pipelines.defs.ingest.sources.base import ParseContext, SourceAdapter

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


def load_file(
    conn: duckdb.DuckDBPyConnection,
    adapter: SourceAdapter,
    landed: LandedFile,
    ctx: ParseContext,
    now: datetime,
    report: LoadReport,
) -> None:
    """Load one file's rows and quarantine, and record it in the ledger. The caller owns the
    transaction and has already cleared what earlier loads of these files left
    (`clear_previous_loads`)."""
    ledger = {
        "source": adapter.folder, "file": landed.name, "file_date": landed.file_date,
        "size_bytes": landed.size_bytes, "delivered_at": landed.delivered_at, "now": now,
        "sha256": "", "encoding": None, "lines_read": 0, "rows_loaded": 0, "rows_quarantined": 0,
    }
    try:
        data, ledger["sha256"] = landed.read_bytes()
        parsed = adapter.parse(landed.name, data, ctx)
    except FileRejected as rejected:
        quarantine_file(conn, adapter.folder, landed, rejected.reason, now)
        conn.execute(LEDGER_UPSERT, {**ledger, "status": "quarantined", "reason": rejected.reason})
        report.files_quarantined += 1
        report.count_reason(rejected.reason)
        return

    conn.register("parsed_batch", parsed.rows)
    conn.execute(
        f"""INSERT INTO {adapter.raw_table} BY NAME
            SELECT $file AS file, $file_date AS {adapter.date_column},
                   $delivered_at AS delivered_at, * FROM parsed_batch""",
        {"file": landed.name, "file_date": landed.file_date, "delivered_at": landed.delivered_at},
    )
    conn.unregister("parsed_batch")
    if parsed.rejects:
        conn.executemany(
            "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?)",
            [(adapter.folder, landed.name, landed.file_date, line, reason, now) for line, reason in parsed.rejects],
        )
    for _, reason in parsed.rejects:
        report.count_reason(reason)
    conn.execute(LEDGER_UPSERT, {
        **ledger, "status": "loaded", "reason": None, "encoding": parsed.encoding,
        "lines_read": parsed.lines_read, "rows_loaded": parsed.rows.num_rows,
        "rows_quarantined": len(parsed.rejects),
    })
    report.files_loaded += 1
    report.lines_read += parsed.lines_read
    report.rows_loaded += parsed.rows.num_rows
    report.rows_quarantined += len(parsed.rejects)


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


def quarantine_file(conn: duckdb.DuckDBPyConnection, source: str, landed: LandedFile, reason: str, now: datetime) -> None:
    conn.execute(
        "INSERT INTO raw.quarantine VALUES (?, ?, ?, 0, ?, ?)",
        [source, landed.name, landed.file_date, reason, now],
    )


def record_unplaceable(
    conn: duckdb.DuckDBPyConnection, source: str, landed: LandedFile, reason: str, now: datetime
) -> None:
    """A file no partition can take (unexpected name, date out of range): quarantined whole,
    with its fingerprint, so it is visible and reconciles (0 lines loaded)."""
    quarantine_file(conn, source, landed, reason, now)
    conn.execute(LEDGER_UPSERT, {
        "source": source, "file": landed.name, "file_date": landed.file_date,
        "size_bytes": landed.size_bytes, "sha256": landed.sha256(), "delivered_at": landed.delivered_at,
        "now": now, "status": "quarantined", "reason": reason, "encoding": None,
        "lines_read": 0, "rows_loaded": 0, "rows_quarantined": 0,
    })
