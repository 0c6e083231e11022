"""Housekeeping: archive landed files once loaded, delete archived event files after the
retention, and keep the DuckDB file in shape.

A file is archived only when the warehouse ledger recorded it as loaded with the same sha256
as the bytes in landing/ now: a file delivered (or corrected) since its load, or quarantined
whole, stays where the data engineer looks for it. Archiving moves the file with its sidecar
and keeps its modification time, which the ledger records as the delivery time: a reload
reads landing/ and archive/ alike (`scan_delivered`) and gets the same rows."""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipelines.defs.ingest.landing import SIDECAR_SUFFIX, scan_landing
from pipelines.defs.ingest.sources import ADAPTERS, ADAPTERS_BY_FOLDER
from pipelines.resources import AxmeterHome


@dataclass
class ArchiveReport:
    moved: int = 0
    moved_bytes: int = 0
    waiting: list[str] = field(default_factory=list)  # in landing/, not (or not in this version) loaded
    purged: int = 0
    purged_bytes: int = 0

    def as_metadata(self) -> dict:
        return {"files_archived": self.moved, "bytes_archived": self.moved_bytes,
                "files_waiting_in_landing": len(self.waiting), "files_purged": self.purged,
                "bytes_purged": self.purged_bytes}


def loaded_files(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(landing folder, file name) -> sha256 of every file the ledger holds as loaded."""
    return {(source, file): sha for source, file, sha in conn.execute(
        "SELECT source, file, sha256 FROM raw.file_ledger WHERE status = 'loaded'"
    ).fetchall()}


def _move(source: Path, target: Path) -> None:
    """Rename, or copy (keeping the modification time) and rename into place when the archive
    is on another file system: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".{target.name}.partial")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        source.unlink()


def archive_loaded(home: AxmeterHome, loaded: dict[tuple[str, str], str]) -> ArchiveReport:
    report = ArchiveReport()
    for folder in ADAPTERS_BY_FOLDER:
        landing, archive = home.landing(folder), home.archive(folder)
        for landed in scan_landing(folder, landing, lambda _name: None):
            before = landed.path.stat()
            if loaded.get((folder, landed.name)) != landed.sha256():
                report.waiting.append(f"{folder}/{landed.name}")
                continue
            after = landed.path.stat()
            if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
                report.waiting.append(f"{folder}/{landed.name}")  # being written right now
                continue
            target = archive / landed.name
            _move(landed.path, target)
            sidecar = landed.path.with_name(landed.path.name + SIDECAR_SUFFIX)
            archived_sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
            if sidecar.exists():
                _move(sidecar, archived_sidecar)
            elif archived_sidecar.exists():
                archived_sidecar.unlink()  # it described an earlier delivery of this name
            report.moved += 1
            report.moved_bytes += landed.size_bytes
    return report


def purge_archive(home: AxmeterHome, retention_days: int | None, today: date, report: ArchiveReport) -> None:
    """Delete archived portal and OnAI files whose day is older than the retention. Reference
    files (HR snapshots, training, pioneers, survey, closures) are reloaded whole on every run,
    so they are kept: deleting one would rewrite history."""
    if retention_days is None:
        return
    cutoff = today - timedelta(days=retention_days)
    for adapter in ADAPTERS.values():
        if not adapter.natural_key:
            continue
        for archived in scan_landing(adapter.folder, home.archive(adapter.folder), adapter.date_of):
            if archived.file_date is None or archived.file_date >= cutoff:
                continue
            sidecar = archived.path.with_name(archived.path.name + SIDECAR_SUFFIX)
            archived.path.unlink()
            sidecar.unlink(missing_ok=True)
            report.purged += 1
            report.purged_bytes += archived.size_bytes


@dataclass
class MaintenanceReport:
    bytes_before: int
    bytes_after: int
    compacted: bool


def database_bytes(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    return sum(p.stat().st_size for p in (path, wal) if p.exists())


def checkpoint(conn: duckdb.DuckDBPyConnection) -> None:
    """Write the WAL into the database file, free the blocks of deleted rows for reuse and
    refresh the optimizer's statistics."""
    conn.execute("CHECKPOINT")
    conn.execute("VACUUM ANALYZE")


def compact(path: Path) -> None:
    """Rewrite the database into a new file without free blocks and swap it in. DuckDB reuses
    freed blocks but never gives them back to the file system; after many partition reloads this
    returns the space. The caller holds the warehouse pool and has closed its connection."""
    fresh = path.with_name(f".{path.stem}.compacting.duckdb")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("CHECKPOINT")
        catalog = conn.execute("SELECT current_database()").fetchall()[0][0]
        conn.execute(f"ATTACH '{fresh}' AS compacted")
        conn.execute(f'COPY FROM DATABASE "{catalog}" TO compacted')
        conn.execute("DETACH compacted")
    os.replace(fresh, path)
