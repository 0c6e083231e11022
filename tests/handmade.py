"""A tiny hand-made ministry whose every figure was computed by hand (see test_slice.py).

Org (both months):            Roster 2026-01-01 (active unless noted)   Roster 2026-02-01
  M000 ministry                 M000 direct: E100014                      same
    O100 office                 D111: E100001..E100005                    + E100007 (moved from D112)
      B110 bureau               D112: E100006, E100007                    E100006
        D111 division           B110 direct: E100008                      same
        D112 division           D210: E100009..E100012, E100013 (leave)   E100012 retired, + E100015 hired
    O200 office
      D210 division
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline

ORG_UNITS = """unit_code,unit_name_ko,unit_name_en,parent_code,level,function
M000,산업통상부,Ministry,,ministry,support
O100,산업정책실,Industrial Policy Office,M000,office,planning
B110,산업기반국,Industrial Base Bureau,O100,bureau,planning
D111,산업정책과,Industrial Policy Division,B110,division,planning
D112,산업분석과,Industrial Analysis Division,B110,division,planning
O200,통상교섭실,Trade Negotiations Office,M000,office,trade
D210,통상정책과,Trade Policy Division,O200,division,trade
"""

ROSTER_HEADER = "employee_id,name,unit_code,grade,position_title,employment_type,status,hire_date\n"
JAN_ROSTER = [
    ("E100001", "김민준", "D111", "active"), ("E100002", "이서연", "D111", "active"),
    ("E100003", "박지호", "D111", "active"), ("E100004", "최수아", "D111", "active"),
    ("E100005", "정도윤", "D111", "active"), ("E100006", "강하은", "D112", "active"),
    ("E100007", "조예준", "D112", "active"), ("E100008", "윤지우", "B110", "active"),
    ("E100009", "장서준", "D210", "active"), ("E100010", "임하린", "D210", "active"),
    ("E100011", "한지안", "D210", "active"), ("E100012", "오시우", "D210", "active"),
    ("E100013", "서유나", "D210", "leave"), ("E100014", "신건우", "M000", "active"),
]
FEB_CHANGES = {"E100007": ("D111", "active"), "E100012": ("D210", "retired")}
FEB_HIRE = ("E100015", "권나윤", "D210", "active")
NAMES = [name for _, name, _, _ in JAN_ROSTER] + [FEB_HIRE[1]]
EMPLOYEE_NUMBERS = [e for e, _, _, _ in JAN_ROSTER] + [FEB_HIRE[0], "E199999"]


def _roster_csv(rows) -> str:
    lines = [f"{e},{name},{unit},5급,사무관,regular,{status},2020-03-02" for e, name, unit, status in rows]
    return ROSTER_HEADER + "\n".join(lines) + "\n"


def portal_event(request_id: str, user: str, start: str, *, status: str = "success", service: str = "chat",
                 call_type: str = "acompletion", guardrail: str = "success", prompt_tokens: int = 100,
                 completion_tokens: int = 50, spend: float = 0.01) -> str:
    return json.dumps({
        "request_id": request_id, "call_type": call_type, "status": status,
        "startTime": start, "endTime": start, "request_duration_ms": 1200,
        "model": "gpt-4.1", "model_group": "gpt-4.1", "custom_llm_provider": "azure",
        "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens, "spend": spend,
        "user": user, "end_user": "kim.minjun@ministry.go.kr", "team_id": "t1",
        "metadata": {"service": service, "guardrail_status": guardrail},
        "request_tags": [], "session_id": "s1",
        "messages": [{"role": "user", "content": "비밀 보고서 초안을 써줘"}],
        "response": {"choices": [{"message": {"content": "초안입니다"}}]},
        "requester_ip_address": "10.20.30.40", "api_key": "sk-secret-123",
    }, ensure_ascii=False)


ONAI_HEADER = "이벤트ID,발생일시,직원번호,부서코드,기능,처리결과,소요시간(ms),결과활용,입력글자수,출력글자수\n"


def write_handmade_landing(home: Path) -> None:
    landing = home / "landing"
    for source in ("portal", "onai", "hr"):
        (landing / source).mkdir(parents=True, exist_ok=True)
    hr = landing / "hr"
    (hr / "org_units_20260101.csv").write_text(ORG_UNITS, encoding="utf-8")
    (hr / "org_units_20260201.csv").write_text(ORG_UNITS, encoding="utf-8")
    (hr / "roster_20260101.csv").write_text(_roster_csv(JAN_ROSTER), encoding="utf-8")
    feb = [(e, n, *FEB_CHANGES.get(e, (u, s))) for e, n, u, s in JAN_ROSTER] + [FEB_HIRE]
    (hr / "roster_20260201.csv").write_text(_roster_csv(feb), encoding="utf-8")

    portal = landing / "portal"
    jan5 = [
        portal_event("r01", "E100001", "2026-01-05T01:00:00Z"),
        portal_event("r02", " e100002 ", "2026-01-07T03:00:00"),  # no offset = UTC; trimmed, upper-cased
        portal_event("r03", "E100006", "2026-01-05T10:00:00+09:00", status="failure"),
        portal_event("r04", "E100008", "2026-01-05T02:00:00Z", service="translate"),
        portal_event("r05", "E100009", "2026-01-05T02:00:00Z", guardrail="guardrail_intervened"),
        portal_event("r06", "E100009", "2026-01-05T02:05:00Z", call_type="aembedding"),
        portal_event("r07", "E199999", "2026-01-05T02:10:00Z"),  # not on the roster
        portal_event("r08", "", "2026-01-05T02:20:00Z"),  # service key
        portal_event("r09", "E100013", "2026-01-05T02:30:00Z"),  # on leave: not in Roster(Jan)
        "{this is not json",
        portal_event("", "E100001", "2026-01-05T03:00:00Z"),  # missing request_id
        portal_event("r10", "E100001", "2030-01-05T03:00:00Z"),  # far future
        portal_event("r11", "E100001", "2025-06-01T03:00:00Z"),  # before the start of collection
    ]
    (portal / "spendlogs_20260105.jsonl").write_text("\n".join(jan5) + "\n\n", encoding="utf-8")
    # Jan 6: r01 delivered again (loads once) and E100001's second active day; cut-off last line.
    jan6 = [portal_event("r01", "E100001", "2026-01-05T01:00:00Z"),
            portal_event("r12", "E100001", "2026-01-06T01:00:00Z")]
    (portal / "spendlogs_20260106.jsonl").write_text("\n".join(jan6) + "\n" + jan6[0][:40], encoding="utf-8")
    # 2026-01-31T16:30Z is 2026-02-01 01:30 KST: a February event in a January file.
    feb = [portal_event("r20", "E100001", "2026-01-31T16:30:00Z"),
           portal_event("r21", "E100007", "2026-02-03T01:00:00Z"),
           portal_event("r22", "E100012", "2026-02-03T01:00:00Z")]  # retired: unattributed
    (portal / "spendlogs_20260131.jsonl").write_text("\n".join(feb) + "\n", encoding="utf-8")

    onai = landing / "onai"
    jan_onai = ONAI_HEADER + (
        "A1,2026-01-08 09:00:00,E100010,D210,보고서초안,성공,3000,Y,100,900\n"
        "A2,2026-01-08 09:30:00,E100011,D210,번역,실패,3000,,100,0\n"
    )
    (onai / "onai_activity_20260108.csv").write_bytes(jan_onai.encode("cp949"))
    feb_onai = ONAI_HEADER + "A3,2026-02-10 14:00:00,E100014,M000,회의록요약,성공,2000,N,500,300\n"
    (onai / "onai_activity_20260210.csv").write_bytes(b"\xef\xbb\xbf" + feb_onai.encode("utf-8"))


def run(home):
    """`axmeter run` on `home`, in process, on a throwaway Dagster instance."""
    with dg.instance_for_test() as instance:
        run_pipeline(defs, instance, AxmeterHome(home=str(home)), say=lambda _: None)


def query(home, sql, params=None):
    """Rows of `sql` from the home's warehouse, opened read-only."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()
