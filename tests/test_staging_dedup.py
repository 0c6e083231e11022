"""De-duplication by natural key, over the whole history and restricted to some days.

staging.<view>_touching(first_day, last_day) must give, for the events of those days, exactly the
rows the whole-history view gives, also when a key's copies lie in different months: the copy
delivered last wins wherever it lies."""

import dagster as dg
import pytest

from pipelines.defs.marts.incremental import event_month_range
from pipelines.defs.staging.assets import staging_assets
from pipelines.resources import Warehouse

# request_id, file, file date, line, delivered (UTC), started (UTC), KST event date, prompt tokens
PORTAL_COPIES = [
    # r1: first delivered in September's file, corrected next day into October (delivered later: wins)
    ("r1", "spendlogs_20260930.jsonl", "2026-09-30", 1, "2026-10-01 00:00", "2026-09-30 02:00", "2026-09-30", 10),
    ("r1", "spendlogs_20261001.jsonl", "2026-10-01", 1, "2026-10-02 00:00", "2026-10-01 02:00", "2026-10-01", 20),
    # r2: an October copy, then a late re-delivery of September 29 (delivered last: September wins)
    ("r2", "spendlogs_20261001.jsonl", "2026-10-01", 2, "2026-10-02 00:00", "2026-10-01 03:00", "2026-10-01", 40),
    ("r2", "spendlogs_20260929.jsonl", "2026-09-29", 1, "2026-10-05 00:00", "2026-09-29 03:00", "2026-09-29", 30),
    # r3: one copy, October
    ("r3", "spendlogs_20261001.jsonl", "2026-10-01", 3, "2026-10-02 00:00", "2026-10-01 04:00", "2026-10-01", 50),
    # r4: three copies delivered at the same time: twice in one file, once in a second file of the
    # day, whose later name beats both
    ("r4", "spendlogs_20261002.jsonl", "2026-10-02", 1, "2026-10-03 00:00", "2026-10-02 01:00", "2026-10-02", 60),
    ("r4", "spendlogs_20261002.jsonl", "2026-10-02", 4, "2026-10-03 00:00", "2026-10-02 01:00", "2026-10-02", 70),
    ("r4", "spendlogs_20261002_2.jsonl", "2026-10-02", 1, "2026-10-03 00:00", "2026-10-02 01:00", "2026-10-02", 80),
    # r5: twice in one file: the later line wins
    ("r5", "spendlogs_20261002.jsonl", "2026-10-02", 5, "2026-10-03 00:00", "2026-10-02 02:00", "2026-10-02", 90),
    ("r5", "spendlogs_20261002.jsonl", "2026-10-02", 2, "2026-10-03 00:00", "2026-10-02 02:00", "2026-10-02", 95),
]
# event_id, file, file date, line, delivered, started, KST event date
ONAI_COPIES = [
    ("o1", "onai_activity_20261001.csv", "2026-10-01", 2, "2026-10-02 00:00", "2026-10-01 05:00", "2026-10-01"),
    ("o1", "onai_activity_20261002.csv", "2026-10-02", 2, "2026-10-03 00:00", "2026-10-01 05:00", "2026-10-01"),
]


def _load_raw(conn) -> None:
    for key, file, file_date, line, delivered, started, event_date, prompt in PORTAL_COPIES:
        conn.execute(
            """INSERT INTO raw.portal_events (file, file_date, line, delivered_at, request_id, call_type, status,
                   started_at, event_date, prompt_tokens, completion_tokens, total_tokens, spend_usd, service)
               VALUES (?, ?, ?, ?::TIMESTAMPTZ, ?, 'acompletion', 'success', ?::TIMESTAMPTZ, ?, ?, 0, ?, 0, 'chat')""",
            [file, file_date, line, delivered + "+00", key, started + "+00", event_date, prompt, prompt])
    for key, file, file_date, line, delivered, started, event_date in ONAI_COPIES:
        conn.execute(
            """INSERT INTO raw.onai_events (file, file_date, line, delivered_at, event_id, started_at, event_date,
                   feature, status)
               VALUES (?, ?, ?, ?::TIMESTAMPTZ, ?, ?::TIMESTAMPTZ, ?, '번역', 'success')""",
            [file, file_date, line, delivered + "+00", key, started + "+00", event_date])


def _rows(conn, source: str, month: str) -> list[tuple]:
    return conn.execute(
        f"SELECT platform, event_key, event_date::VARCHAR, prompt_tokens FROM {source} "
        "WHERE month = ?::DATE ORDER BY event_key", [month]).fetchall()


@pytest.fixture
def warehouse(axmeter_home) -> Warehouse:
    """The copies above in raw, and the staging views over them."""
    warehouse = Warehouse(home=str(axmeter_home))
    with warehouse.connect() as conn:
        _load_raw(conn)
    views = [a for a in staging_assets if a.key.path[-1] in ("portal_events", "onai_events", "events")]
    # An explicit instance: Dagster resolves definitions against the current instance's state
    # storage, and one left current by an earlier test in this process may be gone.
    with dg.instance_for_test() as instance:
        assert dg.materialize(views, resources={"warehouse": warehouse}, instance=instance).success
    return warehouse


def test_a_months_keys_rank_all_their_copies_wherever_they_lie(warehouse):
    with warehouse.connect() as conn:
        october_whole = _rows(conn, "staging.events", "2026-10-01")
        september_whole = _rows(conn, "staging.events", "2026-09-01")
        october_only = _rows(conn, "staging.events_touching(DATE '2026-10-01', DATE '2026-10-31')", "2026-10-01")
        september_only = _rows(conn, "staging.events_touching(DATE '2026-09-01', DATE '2026-09-30')", "2026-09-01")
        candidates = conn.execute(
            "SELECT event_key FROM staging.events_touching(DATE '2026-09-01', DATE '2026-09-30') ORDER BY 1").fetchall()
        both_months = conn.execute(
            "SELECT platform, event_key, event_date::VARCHAR, prompt_tokens "
            "FROM staging.events_touching(DATE '2026-09-01', DATE '2026-10-31') ORDER BY event_key").fetchall()
        whole = conn.execute("SELECT platform, event_key, event_date::VARCHAR, prompt_tokens "
                             "FROM staging.events ORDER BY event_key").fetchall()
        # The keys with a copy in these files, whichever of their copies wins.
        in_files = conn.execute(
            "SELECT event_key, prompt_tokens FROM staging.events_touching(NULL, NULL, "
            "files := ['spendlogs_20260930.jsonl', 'spendlogs_20261002.jsonl']) "
            "ORDER BY event_key").fetchall()

    # By hand: r1's October copy (20 tokens), r3, r4's copy in the day's second file (80) and
    # r5's line 5 (90) in October; r2's September copy (30) in September; o1 once (its second delivery), in October.
    assert october_whole == [("onai", "o1", "2026-10-01", None), ("portal", "r1", "2026-10-01", 20),
                             ("portal", "r3", "2026-10-01", 50), ("portal", "r4", "2026-10-02", 80),
                             ("portal", "r5", "2026-10-02", 90)]
    assert september_whole == [("portal", "r2", "2026-09-29", 30)]
    assert october_only == october_whole
    assert september_only == september_whole
    # September's keys are r1 and r2 (each has a September copy), ranked with all their copies.
    assert candidates == [("r1",), ("r2",)]
    # Both months at once: every key, each once.
    assert both_months == whole == sorted(october_whole + september_whole, key=lambda row: row[1])
    # r1 has a copy in September's file (its October copy wins), r4 and r5 in October 2's first file.
    assert in_files == [("r1", 20), ("r4", 80), ("r5", 90)]


def test_the_event_month_range_is_that_of_the_winning_copies(warehouse):
    """run.py asks incremental.event_month_range for the months the marts span instead of the
    whole-history view: it must give the view's first and last month, also when raw holds a
    month of losing copies only."""
    def both(conn):
        view = conn.execute("SELECT min(month)::VARCHAR, max(month)::VARCHAR FROM staging.events").fetchall()[0]
        first, last = event_month_range(conn)
        return (first and first.isoformat(), last and last.isoformat()), view

    with warehouse.connect() as conn:
        # September holds two copies, each of a repeated key (r1 loses, r2 wins): no sole copy, so
        # the view decides; October has sole copies (r3).
        assert both(conn) == (("2026-09-01", "2026-10-01"),) * 2
        # Without r2, September holds only r1's losing copy: raw spans September, the events do not.
        conn.execute("DELETE FROM raw.portal_events WHERE request_id = 'r2'")
        assert both(conn) == (("2026-10-01", "2026-10-01"),) * 2
        # A sole copy in August (r9) and an OnAI one in December (o9) widen the range at once.
        conn.execute("""INSERT INTO raw.portal_events (file, file_date, line, delivered_at, request_id, call_type,
                            status, started_at, event_date, prompt_tokens, completion_tokens, total_tokens,
                            spend_usd, service)
                        SELECT 'spendlogs_20260815.jsonl', DATE '2026-08-15', 1, delivered_at, 'r9', call_type,
                               status, started_at - INTERVAL 47 DAY, DATE '2026-08-15', 1, 0, 1, 0, service
                        FROM raw.portal_events WHERE request_id = 'r3'""")
        conn.execute("""INSERT INTO raw.onai_events (file, file_date, line, delivered_at, event_id, started_at,
                            event_date, feature, status)
                        VALUES ('onai_activity_20261201.csv', DATE '2026-12-01', 2, TIMESTAMPTZ '2026-12-02 00:00+00',
                                'o9', TIMESTAMPTZ '2026-12-01 05:00+00', DATE '2026-12-01', '번역', 'success')""")
        assert both(conn) == (("2026-08-01", "2026-12-01"),) * 2
        conn.execute("DELETE FROM raw.portal_events")
        conn.execute("DELETE FROM raw.onai_events")
        assert event_month_range(conn) == (None, None)
