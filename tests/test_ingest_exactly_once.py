"""Exactly once and nothing lost, on the hand-made fixture: reconciliation with duplicates,
a corrected re-delivery superseding the old rows, and the blocking reconciliation check.
Re-deliveries under other names, withdrawn files and incremental rebuilds: test_ingest_redelivery.py."""

import os

import dagster as dg
import duckdb

from pipelines.definitions import defs
from tests.handmade import portal_event, query, run, write_handmade_landing


def test_reconciliation_counts_duplicates_and_quarantine(axmeter_home):
    write_handmade_landing(axmeter_home)
    portal = axmeter_home / "landing" / "portal"
    # r01 arrives in the 5 Jan file and again, delivered later, in the 6 Jan file: the later wins.
    os.utime(portal / "spendlogs_20260105.jsonl", (1_767_600_000, 1_767_600_000))
    os.utime(portal / "spendlogs_20260106.jsonl", (1_767_700_000, 1_767_700_000))
    run(axmeter_home)
    rows = query(axmeter_home, """
        SELECT file, lines_read, rows_loaded, rows_duplicate, rows_quarantined, reconciles
        FROM staging.file_reconciliation WHERE source = 'portal' ORDER BY file""")
    assert rows == [
        ("spendlogs_20260105.jsonl", 13, 8, 1, 4, True),
        ("spendlogs_20260106.jsonl", 3, 2, 0, 1, True),
        ("spendlogs_20260131.jsonl", 3, 3, 0, 0, True),
    ]
    assert query(axmeter_home, "SELECT file FROM staging.portal_events WHERE request_id = 'r01'") == [
        ("spendlogs_20260106.jsonl",)]
    assert query(axmeter_home, "SELECT count(*) FROM staging.file_reconciliation WHERE NOT reconciles") == [(0,)]


def test_reconciliation_recounts_files_whose_keys_changed_elsewhere(axmeter_home):
    """After the first build, staging/file_reconciliation ranks again only the keys of files that
    changed. A file that is not reloaded still gains a row back when the copy that beat it goes,
    and loses one when a newer copy of its key arrives in another day's file; every count equals
    the whole-history count (staging.file_row_counts)."""
    write_handmade_landing(axmeter_home)
    portal = axmeter_home / "landing" / "portal"
    os.utime(portal / "spendlogs_20260105.jsonl", (1_767_600_000, 1_767_600_000))
    os.utime(portal / "spendlogs_20260106.jsonl", (1_767_700_000, 1_767_700_000))
    run(axmeter_home)

    def portal_counts():
        return query(axmeter_home, """
            SELECT file, rows_loaded, rows_duplicate, reconciles FROM staging.file_reconciliation
            WHERE source = 'portal' ORDER BY file""")

    def whole_history_counts():
        return query(axmeter_home, """
            SELECT r.file, c.kept, c.in_raw - c.kept FROM staging.file_reconciliation r
            JOIN staging.file_row_counts c USING (source, file) ORDER BY r.source, r.file""")

    assert portal_counts()[:2] == [("spendlogs_20260105.jsonl", 8, 1, True), ("spendlogs_20260106.jsonl", 2, 0, True)]
    # 6 Jan corrected without r01: the 5 Jan copy of r01, which lost before, now counts.
    jan6 = portal / "spendlogs_20260106.jsonl"
    jan6.write_text(portal_event("r12", "E100001", "2026-01-06T01:00:00Z") + "\n", encoding="utf-8")
    os.utime(jan6, (1_767_800_000, 1_767_800_000))
    run(axmeter_home)
    assert portal_counts()[:2] == [("spendlogs_20260105.jsonl", 9, 0, True), ("spendlogs_20260106.jsonl", 1, 0, True)]
    # r21 of the 31 Jan file (no duplicate so far, not reloaded) delivered again on 7 Feb, later.
    feb7 = portal / "spendlogs_20260207.jsonl"
    feb7.write_text(portal_event("r21", "E100007", "2026-02-03T01:00:00Z") + "\n", encoding="utf-8")
    run(axmeter_home)
    assert portal_counts() == [
        ("spendlogs_20260105.jsonl", 9, 0, True),
        ("spendlogs_20260106.jsonl", 1, 0, True),
        ("spendlogs_20260131.jsonl", 2, 1, True),
        ("spendlogs_20260207.jsonl", 1, 0, True),
    ]
    every_file = query(axmeter_home, "SELECT file, rows_loaded, rows_duplicate FROM staging.file_reconciliation "
                                     "ORDER BY source, file")
    assert len(every_file) > 4 and every_file == whole_history_counts()


def test_corrected_redelivery_supersedes_the_earlier_rows(axmeter_home):
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    path = axmeter_home / "landing" / "portal" / "spendlogs_20260131.jsonl"
    first_seen = query(axmeter_home, "SELECT first_seen FROM raw.file_ledger WHERE file = ?", [path.name])
    path.write_text(portal_event("r20", "E100001", "2026-01-31T16:30:00Z", spend=0.5) + "\n")
    run(axmeter_home)
    assert query(axmeter_home, "SELECT request_id, spend_usd FROM raw.portal_events WHERE file = ?", [path.name]) == [
        ("r20", 0.5)]
    ledger = query(axmeter_home, "SELECT lines_read, rows_loaded, first_seen, last_seen > first_seen "
                                 "FROM raw.file_ledger WHERE file = ?", [path.name])
    assert ledger == [(1, 1, first_seen[0][0], True)]
    # r21 and r22 left with the corrected file: February now has one portal event, r20.
    assert query(axmeter_home, "SELECT requests FROM marts.unit_monthly WHERE month = '2026-02-01' "
                               "AND unit_code = 'M000'") == [(2,)]  # r20 and the OnAI event A3


def test_a_ledger_that_does_not_add_up_fails_the_blocking_check(axmeter_home):
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    with duckdb.connect(str(axmeter_home / "warehouse.duckdb")) as conn:
        conn.execute("UPDATE raw.file_ledger SET lines_read = lines_read + 1 WHERE file = 'spendlogs_20260131.jsonl'")
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("refresh_snapshots_and_staging").execute_in_process(
            instance=instance, raise_on_error=False)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "every_file_reconciles"]
    assert not evaluation.passed
    assert "spendlogs_20260131.jsonl: read 4, loaded 3" in evaluation.metadata["unbalanced_files"].value


def test_unknown_feature_loads_under_its_own_name(axmeter_home):
    write_handmade_landing(axmeter_home)
    (axmeter_home / "landing" / "portal" / "spendlogs_20260120.jsonl").write_text(
        portal_event("u1", "E100003", "2026-01-20T01:00:00Z", service="legal_qa") + "\n")
    run(axmeter_home)
    assert query(axmeter_home, "SELECT feature, qualifying FROM staging.events WHERE event_key = 'u1'") == [
        ("portal:legal_qa", True)]
