"""The portal parse SQL (ingest/sql/portal_parse.sql) line by line: which field it reads from
where, and the reason it gives a bad line. Real DuckDB; every expected value written by hand."""

import json
from datetime import date, datetime, timezone

import duckdb
import pyarrow as pa

from pipelines.defs.ingest.landing import LandedFile, decode_lines
from pipelines.defs.ingest.sources import PORTAL
from pipelines.defs.ingest.sources.base import DecodedFile, ParseContext, parse_files, parsed_rows
from pipelines.resources import Pseudonymizer

START = "2026-03-02T23:30:00Z"  # KST 2026-03-03 08:30


def event(**overrides) -> str:
    record = {
        "request_id": "r", "call_type": "acompletion", "status": "success",
        "startTime": START, "endTime": "2026-03-02T23:30:02Z", "request_duration_ms": 1500,
        "model": "gpt-4.1", "model_group": "gpt-4.1", "custom_llm_provider": "azure",
        "prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150, "spend": 0.25,
        "user": " e100001 ", "metadata": {"service": "chat", "guardrail_status": "success"},
        "request_tags": ["portal-web"], "messages": [{"role": "user", "content": "비밀"}],
    }
    record.update(overrides)
    return json.dumps({k: v for k, v in record.items() if v is not DROP}, ensure_ascii=False)


DROP = object()
LINES = [
    event(request_id="ok"),                                                                    # 1
    event(request_id="tagged", metadata={"guardrail_status": "blocked"},
          request_tags=["portal-web", "service:translate", "service:chat"]),                  # 2
    event(request_id="tag-text", metadata=DROP, request_tags="service:summary"),               # 3
    event(request_id="text-numbers", prompt_tokens="120", completion_tokens="30",
          total_tokens=DROP, spend="1.5", request_duration_ms=DROP),                           # 4
    event(request_id="no-tokens", prompt_tokens=DROP, completion_tokens=None, total_tokens=DROP,
          spend=DROP, user=None),                                                              # 5
    event(request_id="bad-tokens", prompt_tokens="abc"),                                       # 6
    event(request_id="bad-spend", spend={"usd": 1}),                                           # 7
    event(request_id=" ", call_type="x"),                                                      # 8
    event(request_id="no-call", call_type=DROP),                                               # 9
    event(request_id="bad-status", status="ok"),                                               # 10
    event(request_id="bad-start", startTime="yesterday"),                                      # 11
    event(request_id="early", startTime="2025-12-31T14:59:59Z"),                               # 12: KST 23:59 Dec 31
    event(request_id="future", startTime="2026-03-05T00:00:01Z"),                              # 13
    event(request_id="cut")[:60],                                                              # 14
    "[1, 2]",                                                                                  # 15
    "null",                                                                                    # 16
    event(request_id="trailing") + " x",                                                       # 17
    event(request_id="kst-edge", startTime="2026-03-02T15:00:00+00:00"),                       # 18: KST Mar 3 00:00
]


def parse(lines: list[str]):
    landed = LandedFile("portal", None, "spendlogs_20260303.jsonl", date(2026, 3, 3), 0,
                        datetime(2026, 3, 4, tzinfo=timezone.utc))
    table, _ = decode_lines("\n".join(lines).encode())
    decoded = DecodedFile(landed, "0" * 64, "utf-8", PORTAL.lines_table(table)[0], [])
    ctx = ParseContext(date(2026, 1, 1), datetime(2026, 3, 5, tzinfo=timezone.utc),
                       Pseudonymizer("portal-parse-test-key-0123456789"))
    conn = duckdb.connect()
    conn.execute("SET TimeZone = 'UTC'")
    conn.register("batch_files", pa.table({"file_no": pa.array([0], pa.int32())}))
    parse_files(conn, PORTAL, [decoded], ctx)
    with parsed_rows(conn, [decoded], ctx) as rejects:
        columns = ["line", "request_id", "service", "guardrail_status", "prompt_tokens", "completion_tokens",
                   "total_tokens", "spend_usd", "latency_ms", "event_date", "employee_raw"]
        good = conn.execute(f"SELECT {', '.join(columns)} FROM parsed WHERE reason IS NULL ORDER BY line").fetchall()
        return [dict(zip(columns, row)) for row in good], [(line, reason) for _, line, reason in rejects]


def test_each_field_is_read_from_where_the_spec_says():
    good, _ = parse(LINES)
    by_id = {row["request_id"]: row for row in good}
    assert [row["line"] for row in good] == [1, 2, 3, 4, 5, 18]
    assert by_id["ok"] == {
        "line": 1, "request_id": "ok", "service": "chat", "guardrail_status": "success", "prompt_tokens": 100,
        "completion_tokens": 50, "total_tokens": 150, "spend_usd": 0.25, "latency_ms": 1500.0,
        "event_date": date(2026, 3, 3), "employee_raw": "E100001"}
    # No metadata.service: the first `service:` tag names the service.
    assert (by_id["tagged"]["service"], by_id["tagged"]["guardrail_status"]) == ("translate", "blocked")
    # Tags that are one string, not a list, name no service.
    assert (by_id["tag-text"]["service"], by_id["tag-text"]["guardrail_status"]) == ("unknown", None)
    # Numbers sent as text count; a missing total is prompt + completion; no duration: end - start.
    assert [by_id["text-numbers"][c] for c in ("prompt_tokens", "completion_tokens", "total_tokens",
                                               "spend_usd", "latency_ms")] == [120, 30, 150, 1.5, 2000.0]
    # Missing or null tokens and spend are 0; no user is a service key (no employee).
    assert [by_id["no-tokens"][c] for c in ("prompt_tokens", "completion_tokens", "total_tokens",
                                            "spend_usd", "employee_raw")] == [0, 0, 0, 0.0, None]
    # 15:00 UTC is midnight in Seoul: the KST date is the next day.
    assert by_id["kst-edge"]["event_date"] == date(2026, 3, 3)


def test_each_bad_line_is_quarantined_with_its_reason():
    _, rejects = parse(LINES)
    not_object = "not a JSON object (malformed or cut-off line)"
    assert rejects == [
        (6, "malformed prompt_tokens"),
        (7, "malformed spend"),
        (8, "missing request_id"),
        (9, "missing call_type"),
        (10, "invalid status (expected success or failure)"),
        (11, "malformed startTime"),
        (12, "event before the start of data collection"),
        (13, "event dated more than a day after the run"),
        (14, not_object),
        (15, not_object),
        (16, not_object),
        (17, not_object),
    ]
