"""A hand-built ministry over three months (March to May 2026) for the marts' tests.

Every figure test_marts.py expects was computed by hand from the tables below.

Organisation                         March (roster 03-01)   April (roster 04-01)      May (roster 05-01, reorg)
  M000 ministry                      E2001                  E2001                     E2001
    O100 office
      B110 bureau (direct members)   E2002 E2003            E2002 E2003               E2002 E2003
        D111 division                E2004..E2009 (6)       E2004..E2008 (5)          E2004 E2005 E2006 (3)
        D112 division (below k)      E2010 E2011 E2012      E2009 (mover) E2010..12   E2009..E2012, renamed 데이터분석과
        D113 division (new in May)   -                      -                         E2007 E2008 (split from D111)
    O200 office
      D210 division                  E2013..E2017           E2013..E2017 E2020        E2013..16 E2018 E2019 E2020 E2021
      D220 division (below k)        E2018 E2019            E2018 E2019 E2021 (hire)  - (merged into D210)
  not in the roster                  E2020 (on leave)       -                         E2017 (retired: the leaver)

Headcounts (subtree): March M000 19, O100 11, B110 11, D111 6, D112 3, O200 7, D210 5, D220 2;
April M000 21, O100 11, B110 11, D111 5, D112 4, O200 9, D210 6, D220 3;
May M000 20, O100 11, B110 11, D111 3, D112 4, D113 2, O200 8, D210 8.

Calendar: public holidays 03-02 (alternative holiday for 03-01), 05-01, 05-05, 05-25; a ministry
closure on 04-15. Workdays: March 21, April 21, May up to the data's last date (05-20) 12.

Events (portal unless "onai"; chat = portal:chat, success, gpt-4.1 / azure, 100 + 50 tokens,
$0.01, 1200 ms). QA = qualifying action.
March:
  E2001  03-03 chat                                      QA
  E2002  03-03,04,05,06,09,10,11,12,13,16 chat; 03-08 (Sunday) translate   11 QA, 11 active days
  E2004  03-02 (holiday),03,04,05 chat                   4 QA
  E2006  03-10 chat failure; 03-10 aembedding success     no QA (failed; a system call)
  E2007  onai 03-20 번역 성공, 결과활용 Y                    QA
  E2008  03-11 chat blocked by policy                     no QA (blocked)
  E2009  03-16, 03-17 chat                                2 QA
  E2010  03-23 search                                     QA
  E2013  03-24 image; 03-24 chat failure + blocked         1 QA, 1 blocked and failed
  E2014  03-25 no service (portal:unknown)                 QA, 0 minutes
  E2017  03-26 chat                                       QA
  E2018  03-27 translate                                  QA
  E2020  03-30 chat (on leave: _UNATTRIBUTED)             QA
  E2999  03-31 chat (not in HR: _UNATTRIBUTED)            QA
  + one malformed line in the portal file (quarantined)
April:
  E2002  04-01, 04-02 chat          E2004  04-15 (closure) summarize   E2005  04-06 chat; onai 04-06 보고서초안 실패
  E2007  04-20 chat                 E2009  04-07 code                  E2012  onai 04-08 문서검색 성공, 결과활용 empty
  E2013  04-21 image                E2017  04-22 chat                  E2019  04-23 chat
  E2020  04-24 chat                 E2021  04-27 chat                  service key (no user) 04-28 chat: no QA
May:
  E2001  onai 05-06 보고서초안 Y       E2002  05-04,06,07,11 draft (claude-sonnet / anthropic, 1000..4000 ms)
  E2005  05-07 chat; onai 05-07 회의록요약 N                            E2006  05-12 chat (first QA ever)
  E2007  05-13 chat                 E2009  05-14 legal_qa (unmapped)   E2012  onai 05-15 문서검색 Y
  E2013  05-18 image; 05-18 chat failure                               E2016  05-19 draft
  E2017  05-19 chat (retired: _UNATTRIBUTED)                           E2018  05-20 translate

Training: session TR-1 on 04-08, attendees E2004 (Y), E2005 (Y), E2006 (N), E2009 (Y).
Pioneers (roster_20260515.csv): E2002 member since 02-01; E2013 from 04-10, left 05-10.
Survey 2026Q1: see SURVEY_Q1.
"""

from __future__ import annotations

import json
from pathlib import Path

ORG_A = """unit_code,unit_name_ko,unit_name_en,parent_code,level,function
M000,산업통상부,Ministry,,ministry,support
O100,산업정책실,Industrial Policy Office,M000,office,planning
B110,산업기반국,Industrial Base Bureau,O100,bureau,planning
D111,산업정책과,Industrial Policy Division,B110,division,planning
D112,산업분석과,Industrial Analysis Division,B110,division,planning
O200,통상교섭실,Trade Negotiations Office,M000,office,trade
D210,통상정책과,Trade Policy Division,O200,division,trade
D220,통상협력과,Trade Cooperation Division,O200,division,trade
"""
# May: D220 merged into D210, D112 renamed, D113 split from D111.
ORG_B = """unit_code,unit_name_ko,unit_name_en,parent_code,level,function
M000,산업통상부,Ministry,,ministry,support
O100,산업정책실,Industrial Policy Office,M000,office,planning
B110,산업기반국,Industrial Base Bureau,O100,bureau,planning
D111,산업정책과,Industrial Policy Division,B110,division,planning
D112,데이터분석과,Data Analysis Division,B110,division,planning
D113,산업전략과,Industrial Strategy Division,B110,division,planning
O200,통상교섭실,Trade Negotiations Office,M000,office,trade
D210,통상정책과,Trade Policy Division,O200,division,trade
"""

MARCH_UNITS = {"E2001": "M000", "E2002": "B110", "E2003": "B110",
               **{f"E20{n:02d}": "D111" for n in range(4, 10)},
               "E2010": "D112", "E2011": "D112", "E2012": "D112",
               **{f"E20{n:02d}": "D210" for n in range(13, 18)},
               "E2018": "D220", "E2019": "D220", "E2020": "D210"}
MARCH_STATUS = {"E2020": "leave"}
APRIL_UNITS = {**MARCH_UNITS, "E2009": "D112", "E2021": "D220"}
MAY_UNITS = {**APRIL_UNITS, "E2007": "D113", "E2008": "D113", "E2018": "D210", "E2019": "D210", "E2021": "D210"}
MAY_STATUS = {"E2017": "retired"}
EMPLOYEE_NUMBERS = sorted(MAY_UNITS) + ["E2999"]

ROSTER_HEADER = "employee_id,name,unit_code,grade,position_title,employment_type,status,hire_date\n"


def _roster(units: dict[str, str], status: dict[str, str]) -> str:
    rows = [f"{e},직원{e[-2:]},{u},5급,사무관,regular,{status.get(e, 'active')},"
            f"{'2026-04-01' if e == 'E2021' else '2020-03-02'}" for e, u in sorted(units.items())]
    return ROSTER_HEADER + "\n".join(rows) + "\n"


def portal(request_id: str, user: str, day: str, hour: int = 10, *, status: str = "success",
           service: str | None = "chat", call_type: str = "acompletion", guardrail: str = "success",
           model: str = "gpt-4.1", provider: str = "azure", latency_ms: int = 1200) -> str:
    metadata = {"guardrail_status": guardrail} | ({"service": service} if service else {})
    start = f"2026-{day}T{hour:02d}:00:00+09:00"
    return json.dumps({
        "request_id": request_id, "call_type": call_type, "status": status,
        "startTime": start, "endTime": start, "request_duration_ms": latency_ms,
        "model": model, "model_group": model, "custom_llm_provider": provider,
        "prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150, "spend": 0.01,
        "user": user, "metadata": metadata, "request_tags": [],
    }, ensure_ascii=False)


def onai(event_id: str, user: str, day: str, feature: str, result: str = "성공", kept: str = "") -> str:
    return f"{event_id},2026-{day} 10:00:00,{user},X000,{feature},{result},3000,{kept},100,500"


ONAI_HEADER = "이벤트ID,발생일시,직원번호,부서코드,기능,처리결과,소요시간(ms),결과활용,입력글자수,출력글자수\n"

MARCH_PORTAL = [
    portal("m01", "E2001", "03-03"),
    *[portal(f"m{2 + i:02d}", "E2002", f"03-{d:02d}") for i, d in enumerate([3, 4, 5, 6, 9, 10, 11, 12, 13, 16])],
    portal("m12", "E2002", "03-08", service="translate"),
    *[portal(f"m{13 + i}", "E2004", f"03-{d:02d}") for i, d in enumerate([2, 3, 4, 5])],
    portal("m17", "E2006", "03-10", status="failure"),
    portal("m18", "E2006", "03-10", call_type="aembedding"),
    portal("m19", "E2008", "03-11", guardrail="guardrail_intervened"),
    portal("m20", "E2009", "03-16"),
    portal("m21", "E2009", "03-17"),
    portal("m22", "E2010", "03-23", service="search"),
    portal("m23", "E2013", "03-24", service="image"),
    portal("m24", "E2013", "03-24", status="failure", guardrail="guardrail_intervened"),
    portal("m25", "E2014", "03-25", service=None),
    portal("m26", "E2017", "03-26"),
    portal("m27", "E2018", "03-27", service="translate"),
    portal("m28", "E2020", "03-30"),
    portal("m29", "E2999", "03-31"),
]
APRIL_PORTAL = [
    portal("a01", "E2002", "04-01"), portal("a02", "E2002", "04-02"),
    portal("a03", "E2004", "04-15", service="summarize"),
    portal("a04", "E2005", "04-06"),
    portal("a05", "E2007", "04-20"),
    portal("a06", "E2009", "04-07", service="code"),
    portal("a07", "E2013", "04-21", service="image"),
    portal("a08", "E2017", "04-22"),
    portal("a09", "E2019", "04-23"),
    portal("a10", "E2020", "04-24"),
    portal("a11", "E2021", "04-27"),
    portal("a12", "", "04-28"),
]
MAY_PORTAL = [
    *[portal(f"y0{1 + i}", "E2002", f"05-{d:02d}", service="draft", model="claude-sonnet", provider="anthropic",
             latency_ms=1000 * (1 + i)) for i, d in enumerate([4, 6, 7, 11])],
    portal("y05", "E2005", "05-07"),
    portal("y06", "E2006", "05-12"),
    portal("y07", "E2007", "05-13"),
    portal("y08", "E2009", "05-14", service="legal_qa"),
    portal("y09", "E2013", "05-18", service="image"),
    portal("y10", "E2016", "05-19", service="draft"),
    portal("y11", "E2017", "05-19"),
    portal("y12", "E2018", "05-20", service="translate"),
    portal("y13", "E2013", "05-18", status="failure"),
]
MARCH_ONAI = [onai("O-M01", "E2007", "03-20", "번역", kept="Y")]
APRIL_ONAI = [onai("O-A01", "E2012", "04-08", "문서검색"), onai("O-A02", "E2005", "04-06", "보고서초안", result="실패")]
MAY_ONAI = [onai("O-Y01", "E2001", "05-06", "보고서초안", kept="Y"), onai("O-Y02", "E2005", "05-07", "회의록요약", kept="N"),
            onai("O-Y03", "E2012", "05-15", "문서검색", kept="Y")]

TRAINING = """session_id,session_title,session_date,format,hours,employee_id,completed
TR-1,생성형 AI 실습,2026-04-08,hands_on,3,E2004,Y
TR-1,생성형 AI 실습,2026-04-08,hands_on,3,E2005,Y
TR-1,생성형 AI 실습,2026-04-08,hands_on,3,E2006,N
TR-1,생성형 AI 실습,2026-04-08,hands_on,3,E2009,Y
"""
PIONEERS = """employee_id,role,joined_on,left_on
E2002,leader,2026-02-01,
E2013,member,2026-04-10,2026-05-10
"""
SURVEY_Q1 = """response_id,quarter,unit_code,q_faster,q_quality,q_effort,q_productive,minutes_saved_per_week,comment
r1,2026Q1,D111,5,4,3,2,30,좋아요
r2,2026Q1,D111,4,2,5,5,60,
r3,2026Q1,D111,1,5,4,,0,
r4,2026Q1,D112,3,3,3,4,20,
r5,2026Q1,B110,5,5,5,5,120,
r6,2026Q1,D210,2,4,1,4,10,
r7,2026Q1,D210,4,1,2,3,,
r8,2026Q1,X999,5,5,5,5,90,
"""
CLOSURES = "date,reason\n2026-04-15,청사 정기점검 (building maintenance)\n"


def write_landing(home: Path) -> None:
    landing = home / "landing"
    for folder in ("portal", "onai", "hr", "training", "pioneers", "survey", "calendar"):
        (landing / folder).mkdir(parents=True, exist_ok=True)
    hr = landing / "hr"
    (hr / "org_units_20260301.csv").write_text(ORG_A, encoding="utf-8")
    (hr / "org_units_20260401.csv").write_text(ORG_A, encoding="utf-8")
    (hr / "org_units_20260501.csv").write_text(ORG_B, encoding="utf-8")
    (hr / "roster_20260301.csv").write_text(_roster(MARCH_UNITS, MARCH_STATUS), encoding="utf-8")
    (hr / "roster_20260401.csv").write_text(_roster(APRIL_UNITS, {}), encoding="utf-8")
    (hr / "roster_20260501.csv").write_text(_roster(MAY_UNITS, MAY_STATUS), encoding="utf-8")

    portal_dir = landing / "portal"
    # One file per month, named after its last day with data (the file date is its partition).
    (portal_dir / "spendlogs_20260331.jsonl").write_text(
        "\n".join(MARCH_PORTAL[:20] + ["{not json"] + MARCH_PORTAL[20:]) + "\n", encoding="utf-8")
    (portal_dir / "spendlogs_20260430.jsonl").write_text("\n".join(APRIL_PORTAL) + "\n", encoding="utf-8")
    (portal_dir / "spendlogs_20260520.jsonl").write_text("\n".join(MAY_PORTAL) + "\n", encoding="utf-8")
    onai_dir = landing / "onai"
    for day, rows in (("20260331", MARCH_ONAI), ("20260430", APRIL_ONAI), ("20260520", MAY_ONAI)):
        (onai_dir / f"onai_activity_{day}.csv").write_text(ONAI_HEADER + "\n".join(rows) + "\n", encoding="utf-8")

    (landing / "training" / "attendance_202604.csv").write_text(TRAINING, encoding="utf-8")
    (landing / "pioneers" / "roster_20260515.csv").write_text(PIONEERS, encoding="utf-8")
    (landing / "survey" / "survey_2026Q1.csv").write_text(SURVEY_Q1, encoding="utf-8")
    (landing / "calendar" / "closures.csv").write_text(CLOSURES, encoding="utf-8")
