"""Load landed files into the raw layer in batches, with a ledger and quarantine.

Every file reconciles: lines read = rows loaded + rows quarantined (duplicates of a natural
key are resolved in staging, which keeps the newest delivery)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

import pyarrow as pa

from pipelines.defs.ingest.landing import FileRejected, LandedFile
from pipelines.defs.ingest.sources.base import (
    DecodedFile, ParseContext, ParsedFile, SourceAdapter, drop_parsed, parse_files, parsed_rows,
)

# One statement per batch: `ledger_batch` holds the batch's files; a file seen before keeps
# its first_seen.
LEDGER_UPSERT = """
INSERT OR REPLACE INTO raw.file_ledger
    (source, file, file_date, size_bytes, sha256, delivered_at, first_seen, last_seen,
     status, reason, encoding, lines_read, rows_loaded, rows_quarantined)
SELECT b.source, b.file, b.file_date, b.size_bytes, b.sha256, b.delivered_at,
       coalesce(l.first_seen, b.now), b.now, b.status, b.reason, b.encoding,
       b.lines_read, b.rows_loaded, b.rows_quarantined
FROM ledger_batch AS b LEFT JOIN raw.file_ledger AS l USING (source, file)
"""
LEDGER_SCHEMA = pa.schema([
    ("source", pa.string()), ("file", pa.string()), ("file_date", pa.date32()), ("size_bytes", pa.int64()),
    ("sha256", pa.string()), ("delivered_at", pa.timestamp("us", tz="UTC")), ("now", pa.timestamp("us", tz="UTC")),
    ("status", pa.string()), ("reason", pa.string()), ("encoding", pa.string()), ("lines_read", pa.int64()),
    ("rows_loaded", pa.int64()), ("rows_quarantined", pa.int64()),
])
QUARANTINE_SCHEMA = pa.schema([
    ("source", pa.string()), ("file", pa.string()), ("file_date", pa.date32()), ("line", pa.int64()),
    ("reason", pa.string()), ("recorded_at", pa.timestamp("us", tz="UTC")),
])


@dataclass
class LoadReport:
    """What a load did, in total and per file date (a daily partition's own figures)."""
    files_loaded: int = 0
    files_quarantined: int = 0
    files_withdrawn: int = 0
    files_kept_past_retention: int = 0
    lines_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    by_day: dict[date, LoadReport] = field(default_factory=dict)

    def _reports(self, file_date: date | None) -> tuple[LoadReport, ...]:
        """This report and, for a dated file, its day's."""
        if file_date is None:
            return (self,)
        return self, self.by_day.setdefault(file_date, LoadReport())

    def file_quarantined(self, file_date: date | None, reason: str) -> None:
        for report in self._reports(file_date):
            report.files_quarantined += 1
            report.reasons[reason] = report.reasons.get(reason, 0) + 1

    def row_quarantined(self, file_date: date | None, reason: str) -> None:
        for report in self._reports(file_date):
            report.reasons[reason] = report.reasons.get(reason, 0) + 1

    def file_loaded(self, file_date: date | None, lines_read: int, rows_quarantined: int) -> None:
        for report in self._reports(file_date):
            report.files_loaded += 1
            report.lines_read += lines_read
            report.rows_loaded += lines_read - rows_quarantined
            report.rows_quarantined += rows_quarantined

    def files_gone(self, withdrawn: list[date | None], kept: list[date | None]) -> None:
        """Files no longer delivered: withdrawn (their rows removed) or kept past the retention."""
        for file_date in withdrawn:
            for report in self._reports(file_date):
                report.files_withdrawn += 1
        for file_date in kept:
            for report in self._reports(file_date):
                report.files_kept_past_retention += 1

    def for_day(self, day: date) -> LoadReport:
        return self.by_day.get(day) or LoadReport()

    def as_metadata(self) -> dict[str, int]:
        return {
            "files_loaded": self.files_loaded,
            "files_quarantined": self.files_quarantined,
            "files_withdrawn": self.files_withdrawn,
            "files_kept_past_retention": self.files_kept_past_retention,
            "lines_read": self.lines_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
        }


# A batch holds at most this many files or bytes: big enough that per-query overhead
# vanishes, small enough that a backfill of a year streams instead of filling memory.
BATCH_FILES = 64
BATCH_BYTES = 128 * 1024 * 1024
# The first batch is an eighth of that: nothing overlaps its decoding (`decoded_batches` has no
# batch to load beside it yet), so DuckDB waits for all of it.
FIRST_BATCH_SHARE = 8


def batches(files: list[LandedFile]) -> list[list[LandedFile]]:
    out: list[list[LandedFile]] = []
    size = 0
    for landed in files:
        share = FIRST_BATCH_SHARE if len(out) == 1 else 1
        if not out or len(out[-1]) >= BATCH_FILES // share or size + landed.size_bytes > BATCH_BYTES // share:
            out.append([])
            size = 0
        out[-1].append(landed)
        size += landed.size_bytes
    return out


Decoded = list[DecodedFile | tuple[LandedFile, str]]  # a file read, or (file, why rejected)


def decode_files(adapter: SourceAdapter, files: list[LandedFile]) -> Decoded:
    """Read, check and split files; a file that cannot be read becomes (file, reason)."""
    out: Decoded = []
    for landed in files:
        try:
            out.append(adapter.decode(landed))
        except FileRejected as rejected:
            out.append((landed, rejected.reason))
    return out


def decoded_batches(adapter: SourceAdapter, files: list[LandedFile]) -> Iterator[tuple[list[LandedFile], Decoded]]:
    """The batches of `files`, decoded one batch ahead in a background thread: reading,
    hashing, gunzip and line splitting release the GIL, so they overlap DuckDB's parse and
    insert of the batch before (at most two batches are in memory)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"decode-{adapter.name}") as pool:
        pending = None
        for batch in batches(files):
            ahead = pool.submit(decode_files, adapter, batch)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = (batch, ahead)
        if pending is not None:
            yield pending[0], pending[1].result()


# Parsed rows are written to the raw table once at least this many have gathered (and at the
# end). DuckDB writes a large insert straight into the database file as whole row groups (122,880
# rows), while a commit of fewer rows goes through the write-ahead log first. The portal's 6.87 M
# rows of the 10 M sample loaded in 57.1 s with a commit per decoded batch (~120 k rows; insert
# 11.7 s, commits 13.1 s) and in 40.9 s with writes of 1 M (insert 6.5 s, commits 0.5 s); peak
# RSS 1.20 -> 1.31 GB, as the parsed rows wait in a TEMP table (DuckDB keeps them compressed,
# ~200 bytes a row).
WRITE_ROWS = 1_000_000


class RawWriter:
    """Parses decoded batches into the TEMP table `parsed` and writes the rows, the quarantine
    and the ledger entries of every file parsed so far in one transaction once `WRITE_ROWS` have
    gathered, and at the end (`close`). A file is written whole or not at all: its ledger entry
    says `loaded` in the transaction that holds its rows. Until then it stays `pending`
    (`mark_pending`), so a run that stops half-way leaves it for the next to load again."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, ctx: ParseContext,
                 now: datetime, report: LoadReport, write_rows: int | None = None):
        self.conn, self.adapter, self.ctx, self.now, self.report = conn, adapter, ctx, now, report
        self.write_rows = WRITE_ROWS if write_rows is None else write_rows
        self.parsed: list[ParsedFile] = []  # in `parsed`, file_no = index
        self.rejected: list[tuple[LandedFile, str]] = []  # files quarantined whole
        self.rows_parsed = 0
        self.rows_written = 0

    def add(self, files: Decoded) -> None:
        """Parse a decoded batch; write everything parsed so far when it is enough."""
        decoded: list[DecodedFile] = []
        for item in files:
            if isinstance(item, DecodedFile):
                decoded.append(item)
            else:
                self.rejected.append(item)
        if decoded:
            parse_files(self.conn, self.adapter, decoded, self.ctx, first_file_no=len(self.parsed))
            self.parsed += [file.parsed() for file in decoded]
            self.rows_parsed += sum(file.lines.num_rows for file in decoded)
        if self.rows_parsed >= self.write_rows:
            self.write()

    def write(self) -> None:
        """One transaction: the parsed files' rows into the raw table, their rejected lines into
        the quarantine and every file's ledger entry."""
        if not self.parsed and not self.rejected:
            return
        conn, report, now = self.conn, self.report, self.now
        conn.begin()
        try:
            for landed, reason in self.rejected:
                record_rejected_file(conn, self.adapter.folder, landed, reason, now)
                report.file_quarantined(landed.file_date, reason)
            if self.parsed:
                self._write_parsed()
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        self.rejected, self.parsed, self.rows_parsed = [], [], 0

    def _write_parsed(self) -> None:
        conn, adapter, report, files = self.conn, self.adapter, self.report, self.parsed
        batch_files = pa.table({
            "file_no": pa.array(range(len(files)), pa.int32()),
            "file": [d.landed.name for d in files],
            "file_date": pa.array([d.landed.file_date for d in files], pa.date32()),
            "delivered_at": pa.array([d.landed.delivered_at for d in files], pa.timestamp("us", tz="UTC")),
        })
        conn.register("batch_files", batch_files)
        try:
            with parsed_rows(conn, files, self.ctx) as rejects:
                conn.execute(
                    f"""INSERT INTO {adapter.raw_table} BY NAME
                        SELECT batch_files.file, batch_files.file_date AS {adapter.date_column},
                               batch_files.delivered_at, parsed_rows.* EXCLUDE (file_no)
                        FROM parsed_rows JOIN batch_files USING (file_no)"""
                )
        finally:
            conn.unregister("batch_files")

        rejected_per_file: dict[int, int] = {}
        for file_no, _line, reason in rejects:
            rejected_per_file[file_no] = rejected_per_file.get(file_no, 0) + 1
            report.row_quarantined(files[file_no].landed.file_date, reason)
        _insert_quarantine(conn, [
            (adapter.folder, files[file_no].landed.name, files[file_no].landed.file_date, line, reason, self.now)
            for file_no, line, reason in rejects
        ])

        ledger_rows = []
        for file_no, file in enumerate(files):
            rejected = rejected_per_file.get(file_no, 0)
            # Every line the parse SQL saw either loaded or was rejected.
            loaded = file.lines_read - rejected
            ledger_rows.append(_ledger_row(adapter.folder, file.landed, self.now, file.sha256, "loaded", None,
                                           file.encoding, file.lines_read, loaded, rejected))
            report.file_loaded(file.landed.file_date, file.lines_read, rejected)
            self.rows_written += loaded
        _upsert_ledger(conn, ledger_rows)

    def close(self) -> None:
        """Write what is left."""
        self.write()

    def discard(self) -> None:
        """Drop what was parsed and not written (a load that failed)."""
        drop_parsed(self.conn)
        self.rejected, self.parsed, self.rows_parsed = [], [], 0


def _ledger_row(source: str, landed: LandedFile, now: datetime, sha256: str, status: str, reason: str | None,
                encoding: str | None, lines_read: int, rows_loaded: int, rows_quarantined: int) -> dict:
    return {"source": source, "file": landed.name, "file_date": landed.file_date,
            "size_bytes": landed.size_bytes, "sha256": sha256, "delivered_at": landed.delivered_at, "now": now,
            "status": status, "reason": reason, "encoding": encoding, "lines_read": lines_read,
            "rows_loaded": rows_loaded, "rows_quarantined": rows_quarantined}


def _upsert_ledger(conn: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    conn.register("ledger_batch", pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA))
    try:
        conn.execute(LEDGER_UPSERT)
    finally:
        conn.unregister("ledger_batch")


def _insert_quarantine(conn: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if not rows:
        return
    conn.register("quarantine_batch", pa.Table.from_pylist(
        [dict(zip(QUARANTINE_SCHEMA.names, row)) for row in rows], schema=QUARANTINE_SCHEMA))
    try:
        conn.execute("INSERT INTO raw.quarantine SELECT * FROM quarantine_batch")
    finally:
        conn.unregister("quarantine_batch")


def clear_previous_loads(
    conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, files: list[LandedFile], window: tuple | None,
    kept_before: date | None = None,
) -> None:
    """Delete the rows of the partition window (or the whole table) and the quarantine of
    these files: one statement each, instead of one per file, so a backfill stays linear.
    Days before `kept_before` (the archive retention's cutoff) lose only the rows of the files
    delivered now: the retention deleted the others' files, and their rows are all that is left."""
    names = [landed.name for landed in files]
    where, params = [], {}
    if window is not None:
        where.append(f"{adapter.date_column} >= $start AND {adapter.date_column} < $end")
        params |= {"start": window[0], "end": window[1]}
    if kept_before is not None:
        where.append(f"({adapter.date_column} >= $kept_before OR list_contains($names::VARCHAR[], file))")
        params |= {"kept_before": kept_before, "names": names}
    conn.execute(f"DELETE FROM {adapter.raw_table}" + (" WHERE " + " AND ".join(where) if where else ""), params)
    conn.execute(
        "DELETE FROM raw.quarantine WHERE source = ? AND file IN (SELECT unnest(?::VARCHAR[]))",
        [adapter.folder, names],
    )


WITHDRAWN_REASON = ("no longer in landing/ or archive/ when its day was loaded again, so its rows were "
                    "removed with the day; deliver it again to restore them")


def _undelivered_entries(adapter: SourceAdapter, delivered: list[LandedFile], window: tuple | None) -> tuple[str, dict]:
    """SQL filter (and its parameters) on raw.file_ledger: the adapter's entries, in the window
    when there is one, whose file is not among `delivered` (withdrawn ones excluded)."""
    sql = "source = $source AND status <> 'withdrawn' AND NOT list_contains($names::VARCHAR[], file)"
    params = {"source": adapter.folder, "names": [landed.name for landed in delivered]}
    if window is not None:
        sql += " AND file_date >= $start AND file_date < $end"
        params |= {"start": window[0], "end": window[1]}
    return sql, params


def record_withdrawn_files(
    conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, delivered: list[LandedFile],
    window: tuple | None, now: datetime, kept_before: date | None = None,
) -> list[date | None]:
    """A file in the ledger whose day (or whole table) was just cleared but that is delivered no
    more: its rows are gone, so its entry says so (status `withdrawn`, nothing read or loaded)
    and it still reconciles. Returns the file dates of the entries that changed. Files of days
    before `kept_before` kept their rows (`clear_previous_loads`), and their entries stay as they are."""
    gone, params = _undelivered_entries(adapter, delivered, window)
    if kept_before is not None:
        gone += " AND file_date >= $kept_before"
        params["kept_before"] = kept_before
    conn.execute(f"DELETE FROM raw.quarantine WHERE source = $source "
                 f"AND file IN (SELECT file FROM raw.file_ledger WHERE {gone})", params)
    changed = conn.execute(
        f"""UPDATE raw.file_ledger
            SET status = 'withdrawn', reason = $reason, last_seen = $now,
                lines_read = 0, rows_loaded = 0, rows_quarantined = 0
            WHERE {gone}
            RETURNING file_date""", params | {"now": now, "reason": WITHDRAWN_REASON}).fetchall()
    return [file_date for (file_date,) in changed]


def files_kept_past_retention(
    conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, delivered: list[LandedFile],
    window: tuple | None, kept_before: date | None,
) -> list[date]:
    """The file dates of the loaded files of the window's days before `kept_before` that are gone
    from landing/ and archive/ (deleted by the retention) and kept their rows."""
    if kept_before is None:
        return []
    kept, params = _undelivered_entries(adapter, delivered, window)
    return [file_date for (file_date,) in conn.execute(
        f"SELECT file_date FROM raw.file_ledger WHERE {kept} AND file_date < $kept_before",
        params | {"kept_before": kept_before}).fetchall()]


def mark_pending(conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, files: list[LandedFile],
                 now: datetime) -> None:
    """The ledger entries of files about to be loaded again: `pending`, nothing loaded yet (their
    rows were just cleared), until the `RawWriter` write that holds their rows records them
    `loaded`. The planner treats a pending file as new, so a run that stopped half-way is
    completed by the next."""
    conn.execute(
        """UPDATE raw.file_ledger
           SET status = 'pending', reason = 'being loaded again', last_seen = $now,
               lines_read = 0, rows_loaded = 0, rows_quarantined = 0
           WHERE source = $source AND list_contains($names::VARCHAR[], file)""",
        {"source": adapter.folder, "names": [landed.name for landed in files], "now": now},
    )


def record_rejected_file(
    conn: duckdb.DuckDBPyConnection, source: str, landed: LandedFile, reason: str, now: datetime
) -> None:
    """A file quarantined whole (damaged, or no load can take it): one quarantine row (line 0)
    and its ledger entry with its fingerprint, so it is visible and reconciles (0 loaded)."""
    _insert_quarantine(conn, [(source, landed.name, landed.file_date, 0, reason, now)])
    _upsert_ledger(conn, [_ledger_row(source, landed, now, landed.sha256(), "quarantined", reason, None, 0, 0, 0)])
