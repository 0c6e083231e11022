"""Delivery faults of sources.md: a damaged file is quarantined whole with its reason, a bad
row alone, and the good files and rows still load."""

import gzip
import hashlib

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from tests.conftest import module_home
from tests.handmade import ONAI_HEADER, portal_event, write_handmade_landing


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    """The faulty landing run through the pipeline once for the module (its tests only read):
    the home, and each daily partition's materialization metadata of the two event sources."""
    with module_home(tmp_path_factory, "faults") as axmeter_home:
        yield _run_faulty_landing(axmeter_home)


def _run_faulty_landing(axmeter_home):
    write_handmade_landing(axmeter_home)
    portal = axmeter_home / "landing" / "portal"
    onai = axmeter_home / "landing" / "onai"
    good = (portal_event("g1", "E100003", "2026-01-09T01:00:00Z") + "\n").encode()
    (portal / "spendlogs_20260109.jsonl.gz").write_bytes(gzip.compress(good, mtime=0))
    (portal / "spendlogs_20260110.jsonl.gz").write_bytes(gzip.compress(good, mtime=0)[:-12])  # truncated
    (portal / "spendlogs_20260111.jsonl").write_bytes(good)
    (portal / "spendlogs_20260111.jsonl.sha256").write_text("0" * 64 + "  spendlogs_20260111.jsonl\n")
    (portal / "spendlogs_20260112.jsonl").write_bytes(good.replace(b"g1", b"g2"))
    digest = hashlib.sha256(good.replace(b"g1", b"g2")).hexdigest()
    (portal / "spendlogs_20260112.jsonl.sha256").write_text(f"{digest}  spendlogs_20260112.jsonl\n")
    (portal / "spendlogs_20260113.jsonl").write_bytes(b'{"request_id": "\xff\xfe"}\n')  # not UTF-8
    (portal / "notes.txt").write_text("delivered by mistake")
    (onai / "onai_activity_20260114.csv").write_bytes(b"\xff\xff\xff,\x80\n")  # neither UTF-8 nor CP949
    (onai / "onai_activity_20260115.csv").write_text("id,when\n1,2\n", encoding="utf-8")  # wrong header
    rows = ONAI_HEADER + "B1,2026-01-15 10:00:00,E100004,D111,문서검색,성공,900,Y,10,20\nB2,2026-01-15\n" \
        "B3,2026-01-15 25:00:00,E100004,D111,문서검색,성공,900,Y,10,20\n"
    (onai / "onai_activity_20260116.csv").write_text(rows, encoding="utf-8")
    with dg.instance_for_test() as instance:
        run_pipeline(defs, instance, AxmeterHome(home=str(axmeter_home)), say=lambda _: None)
        partition_metadata = {
            (key.to_user_string(), record.partition_key): {
                name: value.value for name, value in record.asset_materialization.metadata.items()}
            for key in (dg.AssetKey(["raw", "portal_events"]), dg.AssetKey(["raw", "onai_events"]))
            for record in instance.fetch_materializations(key, limit=1000).records
        }
    return axmeter_home, partition_metadata


@pytest.fixture
def faulty_home(faulty_run):
    return faulty_run[0]


def test_each_fault_is_quarantined_with_its_reason(faulty_home):
    with duckdb.connect(str(faulty_home / "warehouse.duckdb"), read_only=True) as conn:
        ledger = dict(conn.execute(
            "SELECT file, status || ': ' || coalesce(reason, '') FROM raw.file_ledger "
            "WHERE source IN ('portal', 'onai')"
        ).fetchall())
        rows = conn.execute(
            "SELECT file, line, reason FROM raw.quarantine WHERE file = 'onai_activity_20260116.csv' ORDER BY line"
        ).fetchall()
        loaded = {r[0] for r in conn.execute("SELECT event_key FROM staging.events").fetchall()}

    assert ledger["spendlogs_20260109.jsonl.gz"] == "loaded: "
    assert ledger["spendlogs_20260110.jsonl.gz"].startswith("quarantined: corrupt gzip")
    assert ledger["spendlogs_20260111.jsonl"].startswith("quarantined: sidecar mismatch")
    assert ledger["spendlogs_20260112.jsonl"] == "loaded: "  # matching sidecar
    assert ledger["spendlogs_20260113.jsonl"].startswith("quarantined: undecodable: the bytes are not valid UTF-8")
    assert ledger["notes.txt"].startswith("quarantined: unexpected file name")
    assert ledger["onai_activity_20260114.csv"].startswith(
        "quarantined: undecodable: the bytes are not valid UTF-8 or CP949")
    assert ledger["onai_activity_20260115.csv"].startswith("quarantined: unexpected header")
    assert ledger["onai_activity_20260116.csv"] == "loaded: "
    assert rows == [
        ("onai_activity_20260116.csv", 3, "expected 10 fields, found 2 (cut-off or malformed row)"),
        ("onai_activity_20260116.csv", 4, "malformed 발생일시 (expected YYYY-MM-DD HH:MM:SS)"),
    ]
    assert {"g1", "g2", "B1"} <= loaded and not {"B2", "B3"} & loaded


def test_every_file_reconciles(faulty_home):
    with duckdb.connect(str(faulty_home / "warehouse.duckdb"), read_only=True) as conn:
        unbalanced = conn.execute(
            """SELECT l.source, l.file, l.lines_read, l.rows_loaded, l.rows_quarantined,
                      (SELECT count(*) FROM raw.quarantine q WHERE q.source = l.source AND q.file = l.file
                                                             AND q.line > 0) AS quarantined_rows
               FROM raw.file_ledger l
               WHERE l.lines_read <> l.rows_loaded + l.rows_quarantined
                  OR l.rows_quarantined <> quarantined_rows"""
        ).fetchall()
        whole_files = conn.execute(
            "SELECT count(*) FROM raw.file_ledger WHERE status = 'quarantined'").fetchall()[0][0]
        file_rows = conn.execute("SELECT count(*) FROM raw.quarantine WHERE line = 0").fetchall()[0][0]
    assert unbalanced == []
    assert whole_files == file_rows == 6


def test_each_daily_partition_carries_its_own_days_figures(faulty_run):
    """The ingest run covers Jan 5 .. 31 in one run; each day's materialization says what
    happened to that day's files, not what the whole run did."""
    _, metadata = faulty_run
    figures = ("files_loaded", "files_quarantined", "lines_read", "rows_loaded", "rows_quarantined",
               "dagster/row_count")

    def day(asset, key):
        return tuple(metadata[(asset, key)][name] for name in figures)

    assert day("raw/portal_events", "2026-01-09") == (1, 0, 1, 1, 0, 1)
    assert day("raw/portal_events", "2026-01-10") == (0, 1, 0, 0, 0, 0)  # truncated gzip
    assert "corrupt gzip" in metadata[("raw/portal_events", "2026-01-10")]["quarantine_reasons"]
    assert day("raw/portal_events", "2026-01-11") == (0, 1, 0, 0, 0, 0)  # sidecar mismatch
    assert day("raw/portal_events", "2026-01-12") == (1, 0, 1, 1, 0, 1)
    assert day("raw/portal_events", "2026-01-20") == (0, 0, 0, 0, 0, 0)  # nothing delivered
    assert metadata[("raw/portal_events", "2026-01-20")]["quarantine_reasons"] == "nothing quarantined"
    # B1 loads; B2 (cut off) and B3 (25 o'clock) are quarantined.
    assert day("raw/onai_events", "2026-01-16") == (1, 0, 3, 1, 2, 1)
    reasons = metadata[("raw/onai_events", "2026-01-16")]["quarantine_reasons"]
    assert "| expected 10 fields, found 2 (cut-off or malformed row) | 1 |" in reasons
    assert day("raw/onai_events", "2026-01-14") == (0, 1, 0, 0, 0, 0)  # neither UTF-8 nor CP949
    # notes.txt has no date, so no day's figures count it.
    assert sum(m["files_quarantined"] for (asset, _), m in metadata.items() if asset == "raw/portal_events") == 3
