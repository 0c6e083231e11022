"""RawWriter: parsed batches reach the raw table in a few large transactions, each file whole
with its ledger entry and quarantine, and nothing parsed lingers after a write or a failure."""

import gzip
from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from pipelines.defs.ingest import loader
from pipelines.defs.ingest.landing import scan_landing
from pipelines.defs.ingest.loader import LoadReport, RawWriter, decode_files
from pipelines.defs.ingest.sources.base import ParseContext
from pipelines.defs.ingest.sources.portal import PORTAL
from pipelines.resources import Pseudonymizer, Warehouse
from tests.handmade import portal_event

NOT_AN_OBJECT = "not a JSON object (malformed or cut-off line)"


@pytest.fixture
def landed(tmp_path):
    """Four portal files by date: A (05) 2 good lines; B (06) 1 good, 1 cut off; C (07) 1 good;
    D (08) a truncated gzip."""
    folder = tmp_path / "landing" / "portal"
    folder.mkdir(parents=True)
    a = [portal_event("a1", "E1", "2026-01-05T01:00:00Z"), portal_event("a2", "E2", "2026-01-05T02:00:00Z")]
    b = [portal_event("b1", "E1", "2026-01-06T01:00:00Z"), portal_event("b2", "E2", "2026-01-06T02:00:00Z")[:40]]
    c = [portal_event("c1", "E3", "2026-01-07T01:00:00Z")]
    for day, lines in (("05", a), ("06", b), ("07", c)):
        (folder / f"spendlogs_202601{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "spendlogs_20260108.jsonl.gz").write_bytes(gzip.compress(c[0].encode(), mtime=0)[:-12])
    return {f.name[10:18]: f for f in scan_landing("portal", folder, PORTAL.date_of)}


@pytest.fixture
def writer_conn(tmp_path):
    with Warehouse(home=str(tmp_path)).connect() as conn:
        yield conn


def _writer(conn, write_rows):
    now = datetime(2026, 1, 8, tzinfo=timezone.utc)
    ctx = ParseContext(date(2026, 1, 1), now + timedelta(days=1), Pseudonymizer("writer-test-key-0123456789abcdef"))
    return RawWriter(conn, PORTAL, ctx, now, LoadReport(), write_rows=write_rows)


def _state(conn):
    rows = conn.execute("SELECT file, count(*) FROM raw.portal_events GROUP BY 1 ORDER BY 1").fetchall()
    ledger = conn.execute("SELECT file, status, lines_read, rows_loaded, rows_quarantined FROM raw.file_ledger "
                          "ORDER BY file").fetchall()
    quarantine = conn.execute("SELECT file, line, reason FROM raw.quarantine ORDER BY file, line").fetchall()
    return rows, ledger, quarantine


def _parsed_exists(conn) -> bool:
    return conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'parsed'").fetchall()[0][0] > 0


def test_writes_once_enough_rows_are_parsed_and_the_rest_at_close(writer_conn, landed):
    conn, files = writer_conn, landed
    writer = _writer(conn, write_rows=2)
    writer.add(decode_files(PORTAL, [files["20260105"]]))  # 2 lines parsed: written
    assert writer.rows_written == 2 and not _parsed_exists(conn)
    writer.add(decode_files(PORTAL, [files["20260106"], files["20260108"]]))  # 2 lines (1 cut off): written
    rows, ledger, quarantine = _state(conn)
    assert rows == [("spendlogs_20260105.jsonl", 2), ("spendlogs_20260106.jsonl", 1)]
    assert ledger == [("spendlogs_20260105.jsonl", "loaded", 2, 2, 0), ("spendlogs_20260106.jsonl", "loaded", 2, 1, 1),
                      ("spendlogs_20260108.jsonl.gz", "quarantined", 0, 0, 0)]
    assert quarantine[0] == ("spendlogs_20260106.jsonl", 2, NOT_AN_OBJECT)
    assert quarantine[1][:2] == ("spendlogs_20260108.jsonl.gz", 0) and quarantine[1][2].startswith("corrupt gzip")
    writer.add(decode_files(PORTAL, [files["20260107"]]))  # 1 line: fewer than 2, it waits
    assert writer.rows_written == 3 and _parsed_exists(conn)
    assert len(_state(conn)[0]) == 2
    writer.close()
    rows, ledger, _ = _state(conn)
    assert rows[-1] == ("spendlogs_20260107.jsonl", 1)
    assert ledger[2] == ("spendlogs_20260107.jsonl", "loaded", 1, 1, 0)
    assert writer.rows_written == 4 and not _parsed_exists(conn)
    report = writer.report
    assert (report.files_loaded, report.files_quarantined, report.lines_read, report.rows_loaded,
            report.rows_quarantined) == (3, 1, 5, 4, 1)


def test_file_numbers_of_later_batches_follow_on_until_the_write(writer_conn, landed):
    """Three batches parsed before one write: each row keeps its own file and line."""
    conn, files = writer_conn, landed
    writer = _writer(conn, write_rows=100)
    for day in ("20260105", "20260106", "20260107"):
        writer.add(decode_files(PORTAL, [files[day]]))
    assert writer.rows_written == 0 and conn.execute("SELECT count(*) FROM raw.portal_events").fetchall() == [(0,)]
    writer.close()
    assert conn.execute("SELECT file, line, request_id FROM raw.portal_events ORDER BY file, line").fetchall() == [
        ("spendlogs_20260105.jsonl", 1, "a1"), ("spendlogs_20260105.jsonl", 2, "a2"),
        ("spendlogs_20260106.jsonl", 1, "b1"), ("spendlogs_20260107.jsonl", 1, "c1"),
    ]
    assert conn.execute("SELECT file, line FROM raw.quarantine").fetchall() == [("spendlogs_20260106.jsonl", 2)]


def test_a_failed_write_leaves_earlier_writes_and_nothing_parsed(writer_conn, landed, monkeypatch):
    conn, files = writer_conn, landed
    writer = _writer(conn, write_rows=2)
    writer.add(decode_files(PORTAL, [files["20260105"]]))

    def broken(*_args):
        raise duckdb.IOException("disk full (test)")

    monkeypatch.setattr(loader, "_upsert_ledger", broken)
    with pytest.raises(duckdb.IOException, match="disk full"):
        writer.add(decode_files(PORTAL, [files["20260106"]]))
    writer.discard()
    # A's write stands; B's rows and quarantine rolled back with its ledger entry.
    assert _state(conn) == (
        [("spendlogs_20260105.jsonl", 2)], [("spendlogs_20260105.jsonl", "loaded", 2, 2, 0)], [])
    assert not _parsed_exists(conn)
    assert conn.execute("SELECT 1").fetchall() == [(1,)]  # the connection is usable
