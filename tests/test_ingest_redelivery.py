"""Exactly once across deliveries, on the hand-made fixture: an identical copy under a second
name, a file withdrawn when its day reloads, a warehouse from before the reconciliation table, and
a month that only gained new files (split from test_ingest_exactly_once.py so that the two halves
run on different pytest workers)."""

import os

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from tests.handmade import portal_event, query, run, write_handmade_landing


def test_identical_copy_under_a_second_name_loads_nothing_twice(axmeter_home):
    """The same file delivered twice (a `_2` copy with identical bytes) and the same 이벤트ID
    in two OnAI files: every row is counted once, the copies as duplicates."""
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    before = query(axmeter_home, "SELECT month, unit_code, requests FROM marts.unit_monthly ORDER BY 1, 2")
    portal, onai = axmeter_home / "landing" / "portal", axmeter_home / "landing" / "onai"
    (portal / "spendlogs_20260131_2.jsonl").write_bytes((portal / "spendlogs_20260131.jsonl").read_bytes())
    (onai / "onai_activity_20260211.csv").write_text(
        (onai / "onai_activity_20260210.csv").read_text(encoding="utf-8-sig"), encoding="utf-8")
    run(axmeter_home)
    assert query(axmeter_home, "SELECT month, unit_code, requests FROM marts.unit_monthly ORDER BY 1, 2") == before
    counts = query(axmeter_home, """
        SELECT file, lines_read, rows_loaded, rows_duplicate, rows_quarantined FROM staging.file_reconciliation
        WHERE file IN ('spendlogs_20260131.jsonl', 'spendlogs_20260131_2.jsonl',
                       'onai_activity_20260210.csv', 'onai_activity_20260211.csv') ORDER BY file""")
    # Both copies were delivered at about the same time; whichever wins, 3 + 1 rows are duplicates.
    assert sum(row[3] for row in counts) == 4 and sum(row[2] for row in counts) == 4
    assert all(lines == loaded + dup + quarantined for _, lines, loaded, dup, quarantined in counts)


def test_a_file_gone_when_its_day_is_reloaded_is_marked_withdrawn(axmeter_home):
    """31 Jan has one portal file (3 events). A `_2` file of that day arrives, then the
    original disappears before the day is loaded again: its 3 rows leave with it, its ledger
    entry says withdrawn (0 read, 0 loaded) and every file still reconciles, so the run goes on."""
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    portal = axmeter_home / "landing" / "portal"
    (portal / "spendlogs_20260131_2.jsonl").write_text(
        portal_event("r30", "E100001", "2026-01-31T16:30:00Z") + "\n", encoding="utf-8")
    (portal / "spendlogs_20260131.jsonl").unlink()
    run(axmeter_home)
    assert query(axmeter_home, "SELECT file, request_id FROM raw.portal_events WHERE file_date = '2026-01-31'") == [
        ("spendlogs_20260131_2.jsonl", "r30")]
    assert query(axmeter_home, """
        SELECT file, status, lines_read, rows_loaded, rows_duplicate, rows_quarantined, reconciles
        FROM staging.file_reconciliation WHERE file LIKE 'spendlogs_20260131%' ORDER BY file""") == [
        ("spendlogs_20260131.jsonl", "withdrawn", 0, 0, 0, 0, True),
        ("spendlogs_20260131_2.jsonl", "loaded", 1, 1, 0, 0, True),
    ]
    # Delivered again, it is new to the planner and loads as before: 3 events plus r30.
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    assert query(axmeter_home, "SELECT status, rows_loaded FROM raw.file_ledger "
                               "WHERE file = 'spendlogs_20260131.jsonl'") == [("loaded", 3)]
    assert query(axmeter_home, "SELECT count(*) FROM raw.portal_events WHERE file_date = '2026-01-31'") == [(4,)]


def test_a_warehouse_whose_reconciliation_is_still_a_view_gets_the_table(axmeter_home):
    """Earlier versions kept staging.file_reconciliation as a view; the next refresh replaces it
    with the table and the same figures."""
    write_handmade_landing(axmeter_home)
    run(axmeter_home)
    figures = "SELECT source, file, lines_read, rows_loaded, rows_duplicate, rows_quarantined, reconciles " \
              "FROM staging.file_reconciliation ORDER BY ALL"
    before = query(axmeter_home, figures)
    with duckdb.connect(str(axmeter_home / "warehouse.duckdb")) as conn:
        conn.execute("CREATE OR REPLACE TABLE staging.reconciled AS SELECT * FROM staging.file_reconciliation")
        conn.execute("DROP TABLE staging.file_reconciliation")
        conn.execute("CREATE VIEW staging.file_reconciliation AS SELECT * FROM staging.reconciled")
    (axmeter_home / "landing" / "portal" / "spendlogs_20260131_2.jsonl").write_text(
        portal_event("r40", "E100001", "2026-01-31T16:40:00Z") + "\n", encoding="utf-8")
    run(axmeter_home)
    assert query(axmeter_home, "SELECT table_type FROM information_schema.tables WHERE table_schema = 'staging' "
                               "AND table_name = 'file_reconciliation'") == [("BASE TABLE",)]
    after = query(axmeter_home, figures)
    assert [row for row in after if row[1] != "spendlogs_20260131_2.jsonl"] == before
    assert [row for row in after if row[1] == "spendlogs_20260131_2.jsonl"] == [
        ("portal", "spendlogs_20260131_2.jsonl", 1, 1, 0, 0, True)]


def test_a_month_that_only_gained_new_files_ranks_their_keys_alone(axmeter_home):
    """marts/attributed_events rebuilds a month whole unless the month only gained new files
    since its last build; then only the events whose key has a copy in them are ranked again.
    Either way a month's rows are what a whole rebuild gives (by hand below)."""
    write_handmade_landing(axmeter_home)
    portal = axmeter_home / "landing" / "portal"
    os.utime(portal / "spendlogs_20260131.jsonl", (1_767_600_000, 1_767_600_000))

    def run_and_paths():
        with dg.instance_for_test() as instance:
            run_pipeline(defs, instance, AxmeterHome(home=str(axmeter_home)), say=lambda _: None)
            event = instance.get_latest_materialization_event(dg.AssetKey(["marts", "attributed_events"]))
            metadata = event.asset_materialization.metadata
            return metadata["months_built_whole"].value, metadata["months_given_their_new_files_only"].value

    def february():
        return query(axmeter_home, """
            SELECT platform, event_key, unit_code, prompt_tokens, file_date::VARCHAR FROM marts.attributed_events
            WHERE month = DATE '2026-02-01' ORDER BY platform, event_key""")

    assert run_and_paths() == (2, 0)  # January and February, first build
    # 7 Feb: r21 again (delivered later than 31 Jan's copy, so it wins) and a new r23.
    feb7 = portal / "spendlogs_20260207.jsonl"
    feb7.write_text(portal_event("r21", "E100007", "2026-02-03T01:00:00Z", prompt_tokens=300) + "\n"
                    + portal_event("r23", "E100006", "2026-02-07T01:00:00Z") + "\n", encoding="utf-8")
    os.utime(feb7, (1_767_700_000, 1_767_700_000))
    assert run_and_paths() == (0, 1)  # February only, its new file's keys alone
    # By hand: E100007 moved to D111 in February; E100012 retired (not in Roster(Feb)); E100006 in D112.
    assert february() == [
        ("onai", "A3", "M000", None, "2026-02-10"),
        ("portal", "r20", "D111", 100, "2026-01-31"),
        ("portal", "r21", "D111", 300, "2026-02-07"),
        ("portal", "r22", "_UNATTRIBUTED", 100, "2026-01-31"),
        ("portal", "r23", "D112", 100, "2026-02-07"),
    ]
    # Its companions follow, by hand: February's active days (r20 at 01:30 KST on 1 Feb; r21 and
    # r22 on 3 Feb; r23 on 7 Feb, from the new file; A3 on 10 Feb) and its five active employees.
    assert query(axmeter_home, "SELECT event_date::VARCHAR, count(*) FROM marts.active_employee_days "
                               "WHERE month = DATE '2026-02-01' GROUP BY 1 ORDER BY 1") == [
        ("2026-02-01", 1), ("2026-02-03", 2), ("2026-02-07", 1), ("2026-02-10", 1)]
    assert query(axmeter_home, "SELECT count(*) FROM marts.active_employee_months "
                               "WHERE month = DATE '2026-02-01'") == [(5,)]
    # The ministry's subtree: r20, r21, r23 and A3 (r22 is attributed to no unit).
    assert query(axmeter_home, "SELECT requests FROM marts.unit_monthly WHERE month = '2026-02-01' "
                               "AND unit_code = 'M000'") == [(4,)]
    # 7 Feb corrected, without r21: a file delivered again, so February is rebuilt whole and r21's
    # 31 Jan copy counts again.
    feb7.write_text(portal_event("r23", "E100006", "2026-02-07T01:00:00Z", prompt_tokens=120) + "\n", encoding="utf-8")
    os.utime(feb7, (1_767_800_000, 1_767_800_000))
    assert run_and_paths() == (1, 0)
    assert february() == [
        ("onai", "A3", "M000", None, "2026-02-10"),
        ("portal", "r20", "D111", 100, "2026-01-31"),
        ("portal", "r21", "D111", 100, "2026-01-31"),
        ("portal", "r22", "_UNATTRIBUTED", 100, "2026-01-31"),
        ("portal", "r23", "D112", 120, "2026-02-07"),
    ]
