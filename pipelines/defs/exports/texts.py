"""Every fixed text of the pack (Korean first). The font subset is cut to the characters the
pack uses, so all wording lives here and in the published data (`all_texts`)."""

from __future__ import annotations

PACK_TITLE = "AI 활용 현황 분기 보고서"
PACK_SUBTITLE = "자문단 분기 자료"
PACK_AUTHOR = "axmeter"
ORGANISATION_NOTE = "산업통상자원부 AI 전환 성과 측정 (axmeter)"

# PDF section titles, in order (the tests look for each in the PDF's text).
SECTIONS = {
    "summary": "요약",
    "adoption": "1. 도입 추이",
    "units": "2. 부서별 도입률 순위",
    "hours": "3. AI 활용 절감 시간(범위)",
    "training": "4. 교육 효과와 신뢰구간",
    "pioneers": "5. AI 선도그룹",
    "quality": "6. 데이터 품질 요약",
    "survey": "7. 분기 설문 결과",
    "appendix": "부록. 용어 정의와 비공개 처리 기준",
}

TABLE_TITLES = {
    "adoption_trend": "부처 도입률 추이(데이터 시작부터 분기 말까지)",
    "unit_monthly": "부서별 월간 지표",
    "units_ranked": "부서별 도입률 순위(분기 마지막 달)",
    "ministry_daily": "부처 일별 지표",
    "feature_monthly": "기능별 월간 이용",
    "assisted_hours_quarter": "AI 활용 절감 시간(하한·중앙·상한)",
    "model_monthly": "모델별 월간 이용",
    "governance_monthly": "거버넌스: 차단·실패·비중",
    "pioneers_monthly": "AI 선도그룹 비교",
    "retention_cohorts": "코호트별 유지율",
    "training_impact": "교육 효과(이중차분, 95% 신뢰구간)",
    "survey_quarterly": "분기 설문 결과",
    "data_quality_summary": "데이터 품질 요약(원천별 분기 합계)",
    "data_quality_daily": "데이터 품질(원천·일별)",
    "data_quality_quarantine": "격리 사유(원천·일·사유별)",
}

# Columns of the tables the pack derives (sums and a ranking of published figures).
DERIVED_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "adoption_trend": {
        "month": ("월", "First day of the KST month."),
        "unit_code": ("부서코드", "The ministry (unit_monthly, ministry row)."),
        "headcount": ("인원", "Employees of Roster(M)."),
        "active_users": ("활성 사용자", "unit_monthly.active_users of the ministry row."),
        "adoption_rate": ("도입률", "unit_monthly.adoption_rate of the ministry row."),
        "active_days_avg": ("평균 활동일수", "unit_monthly.active_days_avg of the ministry row."),
        "stickiness": ("고착도", "unit_monthly.stickiness of the ministry row."),
        "new_users": ("신규 사용자", "unit_monthly.new_users of the ministry row."),
        "dormant_users": ("휴면 사용자", "unit_monthly.dormant_users of the ministry row."),
        "suppressed": ("비공개", "unit_monthly.suppressed of the ministry row."),
    },
    "units_ranked": {
        "rank": ("순위", "Rank by adoption_rate (highest first; ties by unit code) among the published units "
                 "with people; empty for a withheld unit or a unit without people."),
        "month": ("월", "The quarter's last month with published data."),
        "unit_code": ("부서코드", "HR unit code."),
        "unit_level": ("단위", "office, bureau or division."),
        "unit_name_ko": ("부서명", "The unit's Korean name in the month's org snapshot."),
        "unit_name_en": ("부서명(영문)", "The unit's English name."),
        "parent_code": ("상위부서", "The parent unit."),
        "headcount": ("인원", "Employees of Roster(M) in the unit's subtree (unit_monthly)."),
        "active_users": ("활성 사용자", "unit_monthly.active_users."),
        "adoption_rate": ("도입률", "unit_monthly.adoption_rate."),
        "active_days_avg": ("평균 활동일수", "unit_monthly.active_days_avg."),
        "assisted_hours_central": ("절감시간(중앙)", "unit_monthly.assisted_hours_central."),
        "suppressed": ("비공개", "unit_monthly.suppressed: the unit's figures are withheld."),
    },
    "assisted_hours_quarter": {
        "period": ("기간", "A month of the quarter (YYYY-MM) or the whole quarter (YYYYQn)."),
        "feature": ("기능", "A feature, or (all) for every feature together."),
        "successful_requests": ("성공 요청 수", "Sum of feature_monthly.successful_requests over the period."),
        "assisted_hours_low": ("절감시간(하한)", "Sum of feature_monthly.assisted_hours_low over the period."),
        "assisted_hours_central": ("절감시간(중앙)", "Sum of feature_monthly.assisted_hours_central over the period."),
        "assisted_hours_high": ("절감시간(상한)", "Sum of feature_monthly.assisted_hours_high over the period."),
        "suppressed": ("비공개", "True when a month of the period is withheld in feature_monthly."),
    },
    "data_quality_summary": {
        "source": ("원천", "The landing folder."),
        "days": ("일수", "Days of the quarter with files from the source."),
        "files_received": ("수신 파일 수", "Sum over the quarter's days (data_quality_daily)."),
        "files_quarantined": ("격리 파일 수", "Sum over the quarter's days."),
        "rows_received": ("수신 행 수", "Sum over the quarter's days."),
        "rows_loaded": ("적재 행 수", "Sum over the quarter's days."),
        "rows_duplicate": ("중복 행 수", "Sum over the quarter's days."),
        "rows_quarantined": ("격리 행 수", "Sum over the quarter's days."),
        "quarantine_rate": ("격리 비율", "rows_quarantined / rows_received."),
        "events_with_employee": ("직원번호 있는 이벤트", "Event sources: sum over the quarter's days."),
        "events_matched_to_hr": ("인사 매칭 이벤트", "Event sources: sum over the quarter's days."),
        "hr_match_rate": ("인사 매칭률", "events_matched_to_hr / events_with_employee over the quarter."),
        "unmapped_feature_rows": ("미매핑 기능 행 수", "Event sources: sum over the quarter's days."),
        "unknown_service_rows": ("서비스 미상 행 수", "Portal: sum over the quarter's days."),
        "delivery_lag_hours_max": ("최대 수신 지연(시간)", "The largest daily delivery_lag_hours of the quarter."),
    },
}

DERIVED_DESCRIPTIONS = {
    "adoption_trend": "The ministry row of unit_monthly for every published month up to the quarter's end.",
    "units_ranked": "Offices, bureaus and divisions in the quarter's last month, ranked by adoption rate "
    "(unit_monthly); withheld units last, without a rank.",
    "assisted_hours_quarter": "Assisted hours of every event, attributed or not (feature_monthly): each month "
    "and the quarter for all features together, and the quarter per feature.",
    "data_quality_summary": "data_quality_daily summed over the quarter's days, per source.",
}

ALL_FEATURES = "(all)"

POPULATIONS = {
    "pioneers": "선도그룹",
    "everyone_else": "그 외 직원",
    "units_with_pioneer": "선도그룹 있는 부서",
    "units_without_pioneer": "선도그룹 없는 부서",
    "colleagues_of_pioneers": "선도그룹의 부서 동료",
}
LEVELS = {"ministry": "부처", "office": "실", "bureau": "국", "division": "과", "none": "미귀속"}
SOURCES = {"portal": "AI 포털", "onai": "온AI", "hr": "인사", "training": "교육", "pioneers": "선도그룹",
           "survey": "설문", "calendar": "휴무일"}

# Cover sheet and report wording.
COVER = {
    "sheet": "표지",
    "quarter": "분기",
    "period": "기간",
    "coverage": "데이터 범위",
    "complete": "분기 전체",
    "partial": "분기 일부(데이터 마지막 날: {last})",
    "metric_version": "지표 버전",
    "coefficients_version": "절감시간 계수 버전",
    "k": "최소 집단 크기(k)",
    "data_window": "공개 데이터 기간",
    "release": "공개본(release)",
    "published_at": "공개 시각(UTC)",
    "tables": "표 목록",
    "table": "표",
    "title": "제목",
    "rows": "행 수",
    "sheet_name": "시트",
    "definitions": "정의",
    "conventions": "공통 정의",
    "column": "열",
    "label": "항목",
    "definition": "정의(영문)",
    "suppression": "비공개 처리",
    "source_note": "출처: axmeter가 공개한 비공개 처리된 집계(published/)만 사용했습니다. 개인 단위 자료는 포함되지 않습니다.",
}

SUPPRESSION_NOTE = (
    "{k}명 미만 집단(부서 인원, 코호트, 설문 응답자, 교육 참석자)의 수치는 공개하지 않으며 "
    "해당 칸에 \"<{k}\"로 표시합니다. \"<{k}\"는 0이 아닙니다. 작은 집단의 수치를 상위 부서 합계에서 "
    "빼서 알아낼 수 없도록 일부 인접 부서의 수치도 함께 비공개합니다(보완 비공개). 이 경우에도 "
    "\"<{k}\"로 표시하므로, \"<{k}\"는 '비공개'를 뜻하며 집단의 실제 크기를 나타내지 않습니다. "
    "빈 칸은 해당 없음(예: 인원 0, 첫 달의 이력 지표)을 뜻합니다."
)
SUPPRESSION_NOTE_EN = (
    "Figures about a group of fewer than {k} people (unit headcount, cohort, survey respondents, training "
    "attendees) are withheld and shown as \"<{k}\", never as 0. To keep a withheld figure from being "
    "recovered by subtraction, some neighbouring cells are withheld too (complementary suppression) and "
    "also show \"<{k}\". An empty cell means not applicable."
)

REPORT = {
    "cover_line": "{quarter} ({first} ~ {last})",
    "as_of": "공개본 {release} · 공개 시각 {published_at} (UTC)",
    "meta_metric": "지표 버전 {metric_version} · 절감시간 계수 {coefficients_version} · 최소 집단 크기 k = {k}",
    "meta_window": "공개 데이터 기간 {start} ~ {end} · 이 분기 데이터: {coverage}",
    "page": "{page} / {pages}",
    "header": "{title} · {quarter}",
    "withheld_count": "비공개 부서 {n}곳은 그래프에서 제외했습니다(표에는 \"<{k}\"로 표시).",
    "no_rows": "이 분기에 공개된 자료가 없습니다.",
    "source": "자료: {tables}",
    # Summary bullets.
    "kpi_adoption": "분기 말({month}) 부처 도입률 {rate} (활성 사용자 {active} / 인원 {headcount}){change}",
    "kpi_change": ", 전 분기 말 대비 {delta}",
    "kpi_hours": "분기 AI 활용 절감 시간 {central}시간(범위 {low} ~ {high}시간, 계수 가정에 따름)",
    "kpi_training": "교육 효과(전체 기간 통합 이중차분): {did} (95% 신뢰구간 {low} ~ {high})",
    "kpi_pioneers": "분기 말 선도그룹 도입률 {pioneers}, 그 외 직원 {others}",
    "kpi_quality": "분기 수신 행 {received}건 중 격리 {quarantined}건({rate}), 인사 매칭률 {match}",
    "withheld": "비공개",
    "na": "해당 없음",
    # Section texts.
    "adoption_intro": "부처 전체 도입률(해당 월에 AI를 한 번 이상 사용한 직원 / 재직 인원)의 월별 추이입니다. "
                      "음영은 이번 분기입니다.",
    "units_intro": "{month} 기준 실·국·과별 도입률 순위입니다. 그래프는 실·국 단위, 표는 상위·하위 과를 보여 줍니다. "
                   "전체 순위는 엑셀의 units_ranked 시트에 있습니다.",
    "units_top": "도입률 상위 과",
    "units_bottom": "도입률 하위 과",
    "hours_intro": "AI 활용 절감 시간은 기능별 1회당 절감 분(하한·중앙·상한 가정, 계수 버전 {version})에 "
                   "성공 요청 수를 곱해 합산한 추정 범위입니다. 실제 측정값이 아니라 가정에 따른 추정입니다.",
    "training_intro": "교육 전후 28일 동안의 AI 사용 근무일 비율 변화를 아직 교육받지 않은 직원과 비교한 "
                      "이중차분 추정치와 95% 부트스트랩 신뢰구간입니다. 구간이 0을 포함하면 효과가 "
                      "통계적으로 분명하지 않습니다. 이번 분기 교육과 전체 기간 통합(ALL)을 보여 줍니다.",
    "training_none": "이번 분기에 열린 교육이 없습니다.",
    "pioneers_intro": "AI 선도그룹과 그 외 직원, 선도그룹이 있는 부서와 없는 부서의 월별 도입률 비교입니다.",
    "quality_intro": "원천별 분기 수신·적재·중복·격리 행 수와 인사 매칭률입니다. 격리 행은 지표에 포함되지 않습니다.",
    "quality_reasons": "주요 격리 사유",
    "survey_intro": "분기 설문의 부처 및 실 단위 결과입니다(응답자 {k}명 미만 부서는 비공개).",
    "survey_none": "이번 분기 설문 자료가 없습니다.",
    "appendix_intro": "자세한 정의는 엑셀 파일의 표지 시트(정의)와 각 시트에 있습니다.",
}

GLOSSARY = [
    ("활성 사용자", "해당 월에 성공한 AI 사용(포털 요청 또는 온AI 기능 사용)이 한 번 이상 있는 직원."),
    ("도입률", "활성 사용자 / 해당 월 말 재직 인원(부서는 하위 조직 포함)."),
    ("평균 활동일수", "활성 사용자 1인당 AI를 사용한 날의 수(월 평균)."),
    ("AI 활용 절감 시간", "성공 요청 수 × 기능별 1회당 절감 분(하한·중앙·상한 가정) / 60. 가정 계수에 따른 추정 범위."),
    ("이중차분 추정치", "(교육 후 - 교육 전 사용 근무일 비율)의 교육 참석자 평균에서 아직 교육받지 않은 직원의 같은 "
                      "변화를 뺀 값. 단위는 %p."),
    ("95% 신뢰구간", "직원 단위로 다시 표본을 뽑은 2,000회 부트스트랩의 2.5~97.5 백분위 구간."),
    ("선도그룹", "월 말 기준 AI 선도그룹 구성원. 비교 집단은 같은 달 재직 인원."),
    ("인사 매칭률", "직원번호가 있는 이벤트 중 해당 월 재직 명부와 연결된 비율."),
    ("미귀속(_UNATTRIBUTED)", "재직 명부와 연결되지 않은 이벤트. 인원이 없으므로 사람 수 지표는 비어 있습니다."),
]

CHART = {
    "adoption_title": "부처 도입률 월별 추이",
    "adoption_axis": "도입률",
    "active_axis": "활성 사용자(명)",
    "this_quarter": "이번 분기",
    "units_title": "실·국별 도입률 ({month})",
    "hours_title": "AI 활용 절감 시간 추정 범위",
    "hours_monthly": "월별(전체 기능)",
    "hours_features": "기능별 분기 합계",
    "hours_axis": "시간",
    "central": "중앙",
    "range": "하한~상한",
    "training_title": "교육 효과: 이중차분 추정치와 95% 신뢰구간",
    "training_axis": "사용 근무일 비율 변화(%p)",
    "pooled": "전체 기간 통합(ALL)",
    "pioneers_title": "선도그룹과 비교 집단의 도입률",
    "quality_title": "데이터 품질",
    "quality_daily": "일별 적재 행 수(이벤트 원천)",
    "quality_rates": "원천별 격리 비율",
    "rows_axis": "행 수",
}

# PDF table headers (short Korean labels for the report; the workbook uses the dictionary's).
HEAD = {
    "month": "월", "unit": "부서", "level": "단위", "headcount": "인원", "active": "활성 사용자",
    "adoption": "도입률", "days": "평균 활동일", "stickiness": "고착도", "new": "신규", "rank": "순위",
    "period": "기간", "feature": "기능", "successful": "성공 요청", "low": "하한", "central": "중앙",
    "high": "상한", "session": "교육", "date": "일자", "attendees": "참석", "did": "추정치", "ci": "95% 신뢰구간",
    "population": "집단", "breadth": "평균 기능 수", "source": "원천", "received": "수신 행", "loaded": "적재 행",
    "duplicate": "중복 행", "quarantined": "격리 행", "match": "인사 매칭률", "reason": "사유", "rows": "행",
    "files": "파일", "respondents": "응답자", "response_rate": "응답률", "faster": "더 빠름", "quality": "품질",
    "effort": "수고 감소", "before": "교육 전 사용률", "after": "교육 후 사용률", "term": "항목", "meaning": "정의", "productive": "생산적", "minutes": "주당 절감(분)", "hours": "절감시간(중앙)",
}


def all_texts() -> str:
    """Every character of the fixed wording (for the font subset)."""
    parts: list[str] = [PACK_TITLE, PACK_SUBTITLE, PACK_AUTHOR, ORGANISATION_NOTE, ALL_FEATURES,
                        SUPPRESSION_NOTE, SUPPRESSION_NOTE_EN]
    for mapping in (SECTIONS, TABLE_TITLES, DERIVED_DESCRIPTIONS, POPULATIONS, LEVELS, SOURCES, COVER, REPORT,
                    CHART, HEAD):
        parts += [*mapping.keys(), *mapping.values()]
    for columns in DERIVED_COLUMNS.values():
        for name, (label, definition) in columns.items():
            parts += [name, label, definition]
    for term, meaning in GLOSSARY:
        parts += [term, meaning]
    return "".join(parts)
