"""Korean and English labels, and locale-aware number and date formatting.

The dashboard is Korean first. Every user-visible string lives in ``LABELS``
(one dict per language, same keys in both; a test enforces that). Use ``t(key)``
in pages; it reads the language chosen in the sidebar (``st.session_state``),
which ``dashboards.state`` keeps in the URL as ``?lang=en``.

Formatting helpers take the language explicitly so they stay pure and testable;
pages call them through ``current_lang()``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

LANGS: tuple[str, ...] = ("ko", "en")
DEFAULT_LANG = "ko"
LANG_KEY = "lang"  # st.session_state key of the language widget, and the URL parameter
LANG_NAMES = {"ko": "한국어", "en": "English"}

# The ministry reads times in Korean Standard Time.
KST = ZoneInfo("Asia/Seoul")

LABELS: dict[str, dict[str, str]] = {
    "ko": {
        "app.title": "AI 활용 현황",
        "app.language": "언어 · Language",
        "yes": "예",
        "no": "아니오",
        # navigation
        "nav.section.usage": "활용",
        "nav.section.impact": "성과",
        "nav.section.operations": "운영",
        "nav.section.reference": "참고",
        "page.overview": "개요",
        "page.units": "조직별 현황",
        "page.features": "기능·모델",
        "page.productivity": "생산성",
        "page.training": "교육·AI 선도그룹",
        "page.governance": "거버넌스",
        "page.quality": "데이터 품질",
        "page.definitions": "지표 정의",
        # sidebar filters
        "filter.header": "조회 조건",
        "filter.months": "조회 기간",
        "filter.months_single": "조회 기간: {month}",
        "filter.unit": "조직",
        "filter.function": "기능",
        "filter.function_all": "전체 기능",
        "filter.function_note": "기능 필터 적용: {function} 조직만 표시합니다 (선택한 조직 행은 항상 표시).",
        "filter.range": "{start} – {end}",
        # data window / publish info
        "info.window": "데이터 기간: {start} – {end}",
        "info.published": "최종 게시: {when}",
        "info.published_mtime": "최종 게시: {when} (파일 수정 시각 기준)",
        "info.metric_version": "지표 버전: {version}",
        "info.coefficients_version": "절감시간 계수 버전: {version}",
        "info.run_id": "실행 ID: {run_id}",
        "info.manifest_invalid": "manifest.json을 읽을 수 없어 파일 수정 시각을 표시합니다.",
        # sign-in
        "auth.title": "로그인이 필요합니다",
        "auth.body": "AI 활용 현황 대시보드는 부처 내부망 사용자만 볼 수 있습니다. 부처 통합인증(SSO)으로 로그인하세요.",
        "auth.login": "로그인",
        "auth.logout": "로그아웃",
        "auth.no_authlib": (
            "로그인이 설정되어 있지만(.streamlit/secrets.toml 의 [auth]) 이 서버에 Authlib 패키지가 없어 "
            "로그인할 수 없습니다. 데이터는 표시하지 않습니다. 관리자에게 `streamlit[auth]` 설치를 요청하세요."
        ),
        "auth.signed_in": "로그인: {who} · {role}",
        "auth.role_reader": "열람자",
        "auth.role_data_team": "데이터팀",
        # missing / invalid data
        "missing.title": "게시된 데이터가 없습니다",
        "missing.folder": "게시 폴더 `{path}` 가 없습니다.",
        "missing.file": "`{path}` 파일이 없습니다.",
        "missing.empty": "`{path}` 파일에 행이 없습니다.",
        "missing.todo": (
            "파이프라인을 먼저 실행하세요: `axmeter run` "
            "(예시 데이터로 둘러보려면 `axmeter demo`). "
            "다른 위치의 데이터를 보려면 환경 변수 `AXMETER_HOME` 을 지정하세요 (현재: `{home}`)."
        ),
        "invalid.title": "게시된 데이터를 읽을 수 없습니다",
        "invalid.body": "`{path}`: {reason}. 파이프라인을 다시 실행하세요 (`axmeter run`).",
        "invalid.columns": "필수 열이 없습니다: {columns}",
        "nodata.unit": "선택한 조직({unit})은 {month}에 없습니다. 사이드바에서 다른 조직이나 기간을 고르세요.",
        # privacy
        "privacy.note": "**{marker}** — {k}명 미만: 개인 보호를 위해 비공개.",
        "privacy.note_withheld": "**{withheld}** — 다른 칸에서 빼기로 비공개 수치를 알아낼 수 없도록 함께 비공개.",
        "privacy.short": "{k}명 미만: 개인 보호를 위해 비공개",
        "privacy.withheld": "비공개",
        "na.note": "**–** — 해당 없음 (미귀속 이용 건은 인원 기준 지표가 없습니다).",
        "download.csv": "CSV 내려받기",
        "scope.ministry_wide": "부처 전체 기준(미귀속 포함)입니다. 사이드바의 조직·기능 필터는 적용되지 않습니다.",
        "scope.ministry_wide_people": "부처 전체 기준입니다. 사이드바의 조직·기능 필터는 적용되지 않습니다.",
        # units, levels, functions, sources, platforms
        "unit.unattributed": "미귀속",
        "unit.hours": "시간",
        "unit.hours_suffix": "시간",
        "unit.usd": "비용(USD)",
        "level.ministry": "부처",
        "level.office": "실",
        "level.bureau": "국",
        "level.division": "과",
        "level.none": "미귀속",
        "function.planning": "기획·조정",
        "function.industry_resources": "산업·자원",
        "function.trade": "통상",
        "function.standards_certification": "표준·인증",
        "function.support": "지원",
        "source.portal": "AI 포털",
        "source.onai": "OnAI",
        "source.hr": "인사 명부",
        "source.training": "교육 이수",
        "source.pioneers": "AI 선도그룹 명단",
        "source.survey": "설문",
        "source.calendar": "휴무일",
        "platform.portal": "AI 포털",
        "platform.onai": "OnAI",
        "format.lecture": "강의",
        "format.hands_on": "실습",
        "format.online": "온라인",
        "population.pioneers": "AI 선도그룹",
        "population.everyone_else": "그 외 직원",
        "population.units_with_pioneer": "선도그룹원이 있는 과",
        "population.units_without_pioneer": "선도그룹원이 없는 과",
        "population.colleagues_of_pioneers": "선도그룹원의 동료",
        "feature.portal:chat": "포털 · 채팅",
        "feature.portal:translate": "포털 · 번역",
        "feature.portal:summarize": "포털 · 요약",
        "feature.portal:draft": "포털 · 초안 작성",
        "feature.portal:code": "포털 · 코드",
        "feature.portal:search": "포털 · 검색",
        "feature.portal:image": "포털 · 이미지",
        "feature.portal:unknown": "포털 · 서비스 미상",
        "feature.onai:보고서초안": "OnAI · 보고서초안",
        "feature.onai:회의록요약": "OnAI · 회의록요약",
        "feature.onai:문서검색": "OnAI · 문서검색",
        "feature.onai:번역": "OnAI · 번역",
        "feature.onai:보도자료초안": "OnAI · 보도자료초안",
        "feature.onai:민원답변초안": "OnAI · 민원답변초안",
        "feature.onai:데이터분석": "OnAI · 데이터분석",
        # KPI cards
        "kpi.adoption_rate": "도입률",
        "kpi.active_users": "활성 이용자",
        "kpi.headcount": "재직 인원",
        "kpi.assisted_hours": "절감 시간(중앙값)",
        "kpi.cost": "비용",
        "kpi.requests": "요청 수",
        "kpi.new_users": "신규 이용자",
        "kpi.stickiness": "고착도",
        "kpi.vs_prev": "전월({month}) 대비",
        "kpi.no_prev": "전월 자료 없음",
        "kpi.range": "범위 {low} – {high}",
        "kpi.range_title": "범위(하한–상한)",
        # column tooltips
        "help.adoption_rate": "활성 이용자 ÷ 재직 인원. 해당 월 말일 기준 인사 명부의 재직자 중 그 달에 AI를 한 번 이상 제대로 사용한 사람의 비율.",
        "help.active_users": "해당 월에 성공한 AI 이용(시스템 호출 제외)이 1건 이상인 재직자 수 (하위 조직 포함, 중복 없이).",
        "help.headcount": "해당 월 말일 기준 인사 명부의 재직 인원 (하위 조직 포함).",
        "help.assisted_hours": "성공한 이용 1건마다 기능별 절감 분(하한·중앙·상한, 부처가 보정할 가정값)을 더해 시간으로 환산. 실측이 아닌 추정 범위입니다.",
        "help.cost": "AI 포털 요청의 비용(spend) 합계, 미국 달러.",
        "help.requests": "조직에 귀속된 모든 이용 건(성공·실패·차단 포함).",
        "help.requests_all": "해당 월의 모든 이용 건(미귀속 포함).",
        "help.successful_requests": "성공한 이용 건(시스템 호출·정책 차단 제외).",
        "help.new_users": "처음으로 AI를 사용한 달이 이번 달인 활성 이용자. 데이터 첫 달에는 없습니다.",
        "help.dormant_users": "지난달에는 사용했지만 이번 달에는 사용하지 않은 재직자.",
        "help.stickiness": "근무일마다 그날 사용한 사람 ÷ 그 달의 활성 이용자의 평균. 높을수록 매일 씁니다.",
        "help.active_days_avg": "활성 이용자 1인당 그 달에 AI를 사용한 날 수의 평균.",
        "help.breadth_avg": "활성 이용자 1인당 그 달에 사용한 서로 다른 기능 수의 평균.",
        "help.adoption_change": "전월 대비 도입률 변화(퍼센트포인트).",
        "help.output_kept_rate": "OnAI 결과 중 실제 업무에 활용(결과활용 = Y)한 비율.",
        "help.monthly_hours": "조회 기간의 월평균 절감 시간(중앙값), 괄호는 범위.",
        "help.per_user_hours": "마지막 달의 절감 시간(중앙값) ÷ 활성 이용자.",
        "help.feature_active_users": "해당 기능을 그 달에 한 번 이상 성공적으로 사용한 재직자 수.",
        "help.feature_mapped": "절감시간 계수가 정해진 기능인지 여부. 아니면 0분으로 계산되고 데이터 품질에서 미매핑으로 집계됩니다.",
        "help.reach": "해당 기능의 활성 이용자 ÷ 부처 재직 인원.",
        "help.failure_rate": "실패 요청 ÷ 전체 요청.",
        "help.latency": "응답 시간(ms), 지연 정보가 있는 요청 기준.",
        "help.blocked_requests": "정책(가드레일)에 의해 차단된 포털 요청.",
        "help.blocked_share": "차단된 요청 ÷ 전체 요청.",
        "help.failed_requests": "처리 결과가 실패인 요청(차단이 실패로 기록되면 양쪽에 포함).",
        "help.failure_share": "실패한 요청 ÷ 전체 요청.",
        "help.request_share": "그 달 전체 이용 건 중 비중.",
        "help.cost_share": "그 달 전체 비용 중 비중.",
        "help.cohort_size": "그 달에 처음 AI를 사용한 재직자 수(코호트 인원).",
        "help.retention_rate": "코호트 중 아직 재직 중인 사람 가운데 그 달에 사용한 사람의 비율.",
        "help.respondents": "해당 조직(하위 포함)의 설문 응답자 수.",
        "help.response_rate": "응답자 ÷ 분기 말 재직 인원.",
        "help.agree_rate_faster": "'AI로 일이 더 빨라졌다'에 4점 이상(동의)으로 답한 비율.",
        "help.agree_rate_quality": "'AI로 결과물의 품질이 좋아졌다'에 동의한 비율.",
        "help.agree_rate_effort": "'AI로 수고가 줄었다'에 동의한 비율.",
        "help.agree_rate_productive": "'AI로 더 생산적이 되었다'에 동의한 비율.",
        "help.minutes_saved_per_week_avg": "응답자가 직접 적은 주당 절감 시간(분)의 평균.",
        "help.attendees": "교육에 참석한 직원 수.",
        "help.adoption_before_after": "교육 전 28일 / 후 28일 동안 AI를 한 번 이상 사용한 참석자 비율.",
        "help.active_days_before_after": "교육 전 28일 / 후 28일 동안 참석자 1인당 AI 사용일 수 평균.",
        "help.first_time_users": "교육일 이후 처음으로 AI를 사용한 참석자.",
        "help.days_to_first_use": "교육일부터 첫 사용까지 걸린 날 수(중앙값), 첫 사용자 기준.",
        "help.did_estimate": "이중차분: (처치군 교육 후 − 전) − (아직 교육받지 않은 비교군 후 − 전). 근무일 중 AI 사용일 비율의 변화로, 교육의 효과를 추정합니다.",
        "help.did_ci": "직원 단위 부트스트랩 2,000회의 95% 신뢰구간. 0을 포함하면 뚜렷한 효과라고 보기 어렵습니다.",
        "help.did_treated": "처치군: 첫 교육을 수료했고 교육일에 재직 중인 참석자.",
        "help.did_controls": "비교군: 교육일에 재직 중이고 교육 후 28일까지 교육을 받지 않은 직원.",
        "help.units": "해당 집단에 속한 과(소속 부서) 수.",
        "help.population.pioneers": "AI 선도그룹원의 도입률. 화살표는 그 외 직원과의 차이입니다.",
        "help.population.units_with_pioneer": "선도그룹원이 있는 과 직원 전체의 도입률. 화살표는 선도그룹원이 없는 과와의 차이입니다.",
        "help.files_quarantined": "통째로 격리된 파일(손상, 인코딩 오류, 이름 규칙 위반 등).",
        "help.rows_received": "읽은 데이터 행 수(빈 줄 제외).",
        "help.rows_loaded": "중복 제거 후 적재된 행 수.",
        "help.rows_duplicate": "같은 키의 더 새로운 전달분에 밀려난 행 수.",
        "help.rows_quarantined": "행 단위로 격리된 수(파일 통째 격리는 격리 파일 수에).",
        "help.hr_match_rate": "직원번호가 있는 이용 건 중 그 달 인사 명부와 연결된 비율.",
        "help.unmapped_feature_rows": "정해진 목록 밖 기능의 이용 건(절감 시간 0분).",
        "help.unknown_service_rows": "서비스 정보가 없는 포털 요청.",
        # table columns
        "col.unit": "조직",
        "col.level": "단계",
        "col.parent": "상위 조직",
        "col.function": "기능",
        "col.headcount": "재직 인원",
        "col.active_users": "활성 이용자",
        "col.adoption_rate": "도입률",
        "col.adoption_change": "도입률 전월 대비",
        "col.month": "월",
        "col.date": "일자",
        "col.active_days_avg": "평균 사용일수",
        "col.stickiness": "고착도",
        "col.breadth_avg": "평균 사용 기능 수",
        "col.new_users": "신규 이용자",
        "col.dormant_users": "휴면 전환",
        "col.power_users": "고빈도(10일+)",
        "col.regular_users": "정기(4–9일)",
        "col.light_users": "저빈도(1–3일)",
        "col.requests": "요청 수",
        "col.successful_requests": "성공 요청",
        "col.failed_requests": "실패 요청",
        "col.blocked_requests": "차단 요청",
        "col.blocked_share": "차단 비율",
        "col.failure_share": "실패 비율",
        "col.failure_rate": "실패율",
        "col.request_share": "요청 비중",
        "col.cost_share": "비용 비중",
        "col.cost_usd": "비용(USD)",
        "col.prompt_tokens": "입력 토큰",
        "col.completion_tokens": "출력 토큰",
        "col.latency_p50_ms": "응답시간 중앙값(ms)",
        "col.latency_p95_ms": "응답시간 95분위(ms)",
        "col.assisted_hours_low": "절감 시간 하한",
        "col.assisted_hours_central": "절감 시간 중앙",
        "col.assisted_hours_high": "절감 시간 상한",
        "col.hours_per_user": "1인당 절감 시간",
        "col.output_kept_rate": "결과 활용률",
        "col.daily_active_users": "일간 활성 이용자",
        "col.feature": "기능",
        "col.platform": "플랫폼",
        "col.feature_mapped": "계수 있음",
        "col.reach": "부처 인원 대비 이용률",
        "col.model": "모델",
        "col.vendor": "공급사",
        "col.cohort_month": "첫 사용 월",
        "col.months_since_first": "경과 개월",
        "col.cohort_size": "코호트 인원",
        "col.still_in_roster": "재직 중",
        "col.retention_rate": "유지율",
        "col.respondents": "응답자",
        "col.response_rate": "응답률",
        "col.agree_rate_faster": "'더 빠르다' 동의",
        "col.agree_rate_quality": "'품질이 좋다' 동의",
        "col.agree_rate_effort": "'수고가 준다' 동의",
        "col.agree_rate_productive": "'생산적이다' 동의",
        "col.minutes_saved_per_week_avg": "주당 절감(분)",
        "col.session_id": "교육 ID",
        "col.session_date": "교육일",
        "col.session_title": "교육명",
        "col.format": "형식",
        "col.attendees": "참석",
        "col.completed": "수료",
        "col.adoption_before": "교육 전 사용률",
        "col.adoption_after": "교육 후 사용률",
        "col.active_days_before_avg": "교육 전 사용일",
        "col.active_days_after_avg": "교육 후 사용일",
        "col.first_time_users": "첫 사용자",
        "col.days_to_first_use_median": "첫 사용까지(일, 중앙값)",
        "col.did_treated": "처치군",
        "col.treated_rate_before": "처치군 전",
        "col.treated_rate_after": "처치군 후",
        "col.control_rate_before": "비교군 전",
        "col.control_rate_after": "비교군 후",
        "help.group_rate": "근무일 중 AI를 사용한 날의 비율(평균). 이중차분은 (처치군 후 − 전) − (비교군 후 − 전)입니다.",
        "col.did_controls": "비교군",
        "col.did_estimate": "이중차분 추정치",
        "col.did_ci_low": "95% 구간 하한",
        "col.did_ci_high": "95% 구간 상한",
        "col.population": "집단",
        "col.units": "과 수",
        "col.source": "원천",
        "col.files_received": "수신 파일",
        "col.files_quarantined": "격리 파일",
        "col.rows_received": "수신 행",
        "col.rows_loaded": "적재 행",
        "col.rows_duplicate": "중복 행",
        "col.rows_quarantined": "격리 행",
        "col.quarantine_share": "격리 비율",
        "col.hr_match_rate": "인사 매칭률",
        "col.unmapped_feature_rows": "미매핑 기능",
        "col.unknown_service_rows": "서비스 미상",
        "col.reason": "사유",
        "col.days": "발생 일수",
        "col.file_date": "파일 일자",
        "col.check": "검사",
        "col.status": "결과",
        "col.severity": "중요도",
        "col.description": "설명",
        "col.code": "코드",
        "col.minutes_low": "하한(분)",
        "col.minutes_central": "중앙(분)",
        "col.minutes_high": "상한(분)",
        "col.source_note": "근거",
        "col.term": "용어",
        "col.definition": "정의",
        "col.column": "열",
        "col.label_ko": "한글명",
        "col.mart": "마트",
        # overview page
        "overview.title": "AI 활용 개요",
        "overview.caption": "{unit} · {start} – {end}",
        "overview.kpi.header": "{month} 현황",
        "overview.trends": "추이",
        "overview.trend.adoption": "도입률",
        "overview.trend.segments": "활성 이용자 (사용 빈도별)",
        "overview.trend.hours": "절감 시간 (범위와 중앙값)",
        "overview.trend.cost": "비용",
        "overview.trend.dau": "일간 활성 이용자 (부처 전체)",
        "overview.segment": "사용 빈도",
        "overview.workday": "근무일",
        "overview.non_workday": "휴일·주말",
        "overview.day_kind": "구분",
        "overview.hours_note": "절감 시간은 기능별 가정값(하한·중앙·상한)으로 계산한 추정입니다. 띠는 범위, 선은 중앙값.",
        "overview.no_values": "표시할 수치가 없습니다 (비공개이거나 아직 게시되지 않았습니다).",
        "overview.table": "조직별 현황",
        "overview.table_month": "기준 월",
        "overview.levels": "조직 단계",
        "overview.retention": "이용 유지 (첫 사용 월별 코호트)",
        "overview.retention_ministry": "{unit}의 코호트는 게시되지 않아(실 단위까지 게시) 부처 전체를 표시합니다.",
        "overview.retention_note": "각 칸: 그 달에 처음 AI를 쓴 사람 중 n개월 뒤에도 사용한 비율(재직자 기준). 회색은 {k}명 미만 등으로 비공개.",
        "overview.retention_table": "코호트 표",
        "retention.months_since": "첫 사용 후 경과 개월",
        # units page
        "units.title": "조직별 현황",
        "units.month": "기준 월",
        "units.path": "조직 경로 (눌러서 상위 조직으로)",
        "units.drill": "하위 조직으로 이동",
        "units.drill_placeholder": "하위 조직 {count}개 중 선택",
        "units.table": "{unit} · {month}",
        "units.scope": "표시 범위",
        "units.scope.children": "바로 아래 조직",
        "units.scope.subtree": "하위 전체",
        "units.sort_hint": "열 제목을 누르면 정렬됩니다. 비공개 값은 정렬 시 맨 뒤로 갑니다.",
        "units.heatmap": "조직별·월별 추이",
        "units.heatmap_level": "조직 단계",
        "units.heatmap_metric": "지표",
        "units.heatmap_empty": "선택한 단계에 해당하는 조직이 없습니다.",
        "units.heatmap_none": "{unit}에는 하위 조직이 없습니다.",
        "units.heatmap_note": "회색 칸은 비공개({marker}: {k}명 미만, 또는 빼기로 알아낼 수 없도록 함께 비공개)입니다.",
        # features page
        "features.title": "기능·모델",
        "features.features": "기능별 이용",
        "features.chart.active": "기능별 활성 이용자 ({month})",
        "features.chart.platform": "플랫폼별 요청 수",
        "features.chart.models": "모델별 요청 수",
        "features.models": "모델",
        "features.models_month": "모델별 현황 ({month})",
        "features.models_note": "이 달 포털 요청 전체의 실패율: {failure}.",
        "features.unmapped": "절감시간 계수가 없는 기능(0분으로 계산): {features}",
        # productivity page
        "productivity.title": "생산성",
        "productivity.hours": "AI로 절감한 시간",
        "productivity.total": "조회 기간 합계",
        "productivity.monthly": "월평균",
        "productivity.per_user": "활성 이용자 1인당 ({month})",
        "productivity.assumption": "절감 시간은 실측이 아니라 기능별 가정값(아래 계수)에 따른 범위입니다. 중앙값만 인용하지 말고 범위와 함께 보세요.",
        "productivity.by_feature": "기능별 절감 시간 (조회 기간 합계)",
        "productivity.feature_withheld": "부처 인원이 {k}명 미만인 달은 기능별 수치가 비공개({marker})라 합계에서 빠졌습니다.",
        "productivity.coefficients": "절감시간 계수 (이용 1건당 분)",
        "productivity.coefficients_note": "계수 버전 {version} · 단위: {unit}",
        "productivity.other_features": "그 밖의 기능(미매핑)",
        "productivity.survey": "설문 결과",
        "productivity.quarter": "분기",
        "productivity.survey_none": "조회 기간에 해당하는 설문 분기가 없습니다.",
        "productivity.survey_unit_missing": "{quarter} 설문에 {unit} 행이 없습니다.",
        "productivity.agree": "동의 비율",
        "productivity.statement": "문항",
        "productivity.survey_note": "응답자가 {k}명 미만인 조직은 비공개입니다. 응답률은 분기 말 재직 인원 기준입니다.",
        # training & pioneers page
        "training.title": "교육·AI 선도그룹",
        "training.impact": "AI 교육의 효과",
        "training.pooled": "전체 교육 종합",
        "training.pooled_row": "전체(종합)",
        "training.did": "교육 효과 (이중차분)",
        "training.ci": "95% 신뢰구간 {interval}",
        "training.adoption_after": "교육 후 사용률",
        "training.days_after": "교육 후 평균 사용일",
        "training.vs_before": "교육 전 {value} 대비",
        "training.first_use": "첫 사용까지 (중앙값)",
        "training.first_time_users": "첫 사용자 {n}명 / 참석 {attendees}명",
        "training.did_note": (
            "이중차분 추정치는 교육 전후 근무일 중 AI 사용일 비율의 변화를, 같은 기간 아직 교육받지 않은 직원의 변화와 비교한 값입니다. "
            "신뢰구간이 0을 포함하면 교육 효과가 뚜렷하다고 보기 어렵습니다."
        ),
        "training.chart.did": "교육별 효과 추정치와 95% 신뢰구간",
        "training.chart.before_after": "교육 전후 사용률",
        "training.did_axis": "사용일 비율 변화(%p)",
        "training.session": "교육",
        "training.withheld_sessions": "참석 {k}명 미만 등으로 비공개인 교육 {n}건은 그래프에서 빠졌습니다.",
        "training.pioneers": "AI 선도그룹",
        "training.pioneers_month": "{month} 비교",
        "training.vs_population": "{population}({value}) 대비",
        "training.pioneer_days": "평균 사용일 · {population}",
        "training.breadth": "평균 사용 기능 {value}개",
        "training.pioneers_note": "집단끼리 겹치므로(선도그룹 + 그 외 = 전체) 한 집단이라도 {k}명 미만이면 그 달은 모두 비공개입니다.",
        # governance page
        "governance.title": "거버넌스",
        "governance.trend": "차단·실패 비율 추이",
        "governance.share": "비율",
        "governance.vendor_shares": "공급사별 요청·비용 비중 ({month})",
        "governance.vendor_note": "공급사·모델은 AI 포털 요청만 해당합니다 (OnAI는 제외).",
        "governance.platforms": "플랫폼별 ({month})",
        "governance.vendors": "공급사별 ({month})",
        "governance.models": "모델별 ({month})",
        "governance.units": "조직별 차단·실패",
        "governance.units_caption": "{month}, 사이드바에서 고른 조직과 그 하위 조직.",
        # data quality page
        "quality.title": "데이터 품질",
        "quality.freshness": "원천별 최신성",
        "quality.freshness_note": "게시 시각({when}) 기준입니다. 포털·OnAI는 최신 이벤트, 인사 명부 등은 마지막 수신 기준.",
        "quality.badge.fresh": "최신",
        "quality.badge.late": "지연",
        "quality.badge.stale": "오래됨",
        "quality.badge.received": "수신됨",
        "quality.badge.unknown": "알 수 없음",
        "quality.age": "게시 시점에 {age} 경과",
        "quality.newest_event": "최신 이벤트: {when}",
        "quality.last_delivery": "최종 수신: {when}",
        "quality.sources": "원천별 수신·적재",
        "quality.range_note": "파일 일자 {start} – {end} 기준 합계.",
        "quality.hr_match_trend": "일별 인사 매칭률",
        "quality.quarantine": "격리 사유",
        "quality.no_quarantine": "조회 기간에 격리된 파일이나 행이 없습니다.",
        "quality.quarantined_items": "격리 건수(행 + 파일)",
        "quality.reason_text": "행 {rows} · 파일 {files}",
        "quality.checks": "최근 검사 결과",
        "quality.checks_none": "검사 결과가 게시되지 않았습니다 (게시 자체는 차단 검사를 모두 통과한 실행만 이루어집니다).",
        "quality.checks_passed": "검사 {total}건 모두 통과.",
        "quality.checks_failed": "검사 {total}건 중 {n}건 실패.",
        "quality.passed": "통과",
        "quality.failed": "실패",
        "quality.docs": "검증 보고서(Great Expectations Data Docs): [{path}]({url}) — 파이프라인 서버에서 여세요.",
        "quality.docs_none": "검증 보고서(Data Docs)가 아직 없습니다 (`{path}`).",
        "quality.detail": "행 단위 상세 (데이터팀 전용)",
        "quality.detail_locked": "행 단위 상세는 데이터팀만 볼 수 있습니다.",
        "quality.detail_no_auth": "로그인이 설정되지 않아 행 단위 상세는 표시하지 않습니다. 데이터팀은 파이프라인 서버에서 `axmeter quarantine` 을 쓰세요.",
        "quality.detail_rows": "격리된 행 (파일, 행 번호, 사유; 직원은 가명 키로만 표시).",
        "quality.detail_files": "행 단위 상세가 게시되지 않아, 게시된 가장 세부 수준인 파일 일자·원천·사유별 격리 건수를 표시합니다.",
        # definitions page
        "definitions.page_title": "지표 정의",
        "definitions.title": "지표 정의 (버전 {version})",
        "definitions.version": "지표 버전 {version} · 비공개 기준 k = {k}",
        "definitions.english_only": "아래 표의 정의 원문은 게시된 지표 사전(metric_dictionary.json)의 영어 원문입니다.",
        "definitions.search": "찾기",
        "definitions.search_hint": "예: 도입률, adoption, cost",
        "definitions.conventions": "공통 규칙",
        "definitions.marts": "게시 데이터와 열",
        "definitions.grain": "단위: {grain}",
        "definitions.mart": "게시 데이터",
        "definitions.matches": "찾은 열 {n}개",
        "definitions.group_size": "집단 크기: {size} ({k}명 미만이면 비공개)",
        "definitions.coefficients": "절감시간 계수",
        "definitions.download_all": "지표 사전 전체 CSV 내려받기",
        "definitions.body": (
            "- **재직 인원**: 해당 월 말일에 유효한 인사 명부의 재직자 (하위 조직 포함).\n"
            "- **활성 이용자**: 그중 해당 월에 성공한 AI 이용이 1건 이상인 사람. "
            "시스템 호출(임베딩·모더레이션·재순위)과 정책 차단은 제외합니다.\n"
            "- **도입률**: 활성 이용자 ÷ 재직 인원.\n"
            "- **절감 시간**: 성공한 이용 1건마다 기능별 절감 분(하한·중앙·상한)을 더한 추정 범위.\n"
            "- **미귀속**: 명부에 없는 직원 번호 등 조직에 연결할 수 없는 이용 건. 별도 행으로 표시하며 인원 기준 지표는 없습니다.\n"
            "- **비공개**: {k}명 미만 집단의 수치는 공개하지 않습니다 (`<{k}`). 빼기로 알아낼 수 없도록 이웃 조직을 함께 비공개로 하기도 합니다."
        ),
        "convention.time_zone": "시간대",
        "convention.workday": "근무일",
        "convention.event": "이용 건",
        "convention.qualifying_action": "성공한 이용",
        "convention.feature": "기능",
        "convention.active": "활성",
        "convention.roster": "인사 명부",
        "convention.attribution": "조직 귀속",
        "convention.subtree": "하위 조직 포함",
        "convention.rounding": "반올림",
        "convention.privacy": "개인 보호",
        "convention.assisted_hours": "절감 시간",
        "mart.unit_monthly": "조직별 월간",
        "mart.ministry_daily": "부처 일간",
        "mart.feature_monthly": "기능별 월간",
        "mart.model_monthly": "모델별 월간",
        "mart.governance_monthly": "거버넌스 월간",
        "mart.pioneers_monthly": "AI 선도그룹 월간",
        "mart.retention_cohorts": "유지 코호트",
        "mart.training_impact": "교육 효과",
        "mart.survey_quarterly": "분기 설문",
        "mart.data_quality_daily": "데이터 품질 일간",
        "mart.data_quality_quarantine": "격리 사유",
    },
    "en": {
        "app.title": "AI adoption",
        "app.language": "언어 · Language",
        "yes": "yes",
        "no": "no",
        "nav.section.usage": "Usage",
        "nav.section.impact": "Impact",
        "nav.section.operations": "Operations",
        "nav.section.reference": "Reference",
        "page.overview": "Overview",
        "page.units": "Units",
        "page.features": "Features and models",
        "page.productivity": "Productivity",
        "page.training": "Training and Pioneers",
        "page.governance": "Governance",
        "page.quality": "Data quality",
        "page.definitions": "Definitions",
        "filter.header": "Filters",
        "filter.months": "Months",
        "filter.months_single": "Month: {month}",
        "filter.unit": "Unit",
        "filter.function": "Function",
        "filter.function_all": "All functions",
        "filter.function_note": "Function filter on: only {function} units are listed (the selected unit's own row always is).",
        "filter.range": "{start} – {end}",
        "info.window": "Data window: {start} – {end}",
        "info.published": "Last published: {when}",
        "info.published_mtime": "Last published: {when} (file modification time)",
        "info.metric_version": "Metric version: {version}",
        "info.coefficients_version": "Assisted-minutes coefficients: {version}",
        "info.run_id": "Run ID: {run_id}",
        "info.manifest_invalid": "manifest.json could not be read; showing the file modification time.",
        "auth.title": "Please sign in",
        "auth.body": "The AI adoption dashboard is for the ministry's staff. Sign in with the ministry's single sign-on.",
        "auth.login": "Sign in",
        "auth.logout": "Sign out",
        "auth.no_authlib": (
            "Sign-in is configured ([auth] in .streamlit/secrets.toml) but Authlib is not installed on this "
            "server, so nobody can sign in. No data is shown. Ask the administrator to install `streamlit[auth]`."
        ),
        "auth.signed_in": "Signed in: {who} · {role}",
        "auth.role_reader": "reader",
        "auth.role_data_team": "data team",
        "missing.title": "No published data yet",
        "missing.folder": "The published folder `{path}` does not exist.",
        "missing.file": "The file `{path}` does not exist.",
        "missing.empty": "The file `{path}` has no rows.",
        "missing.todo": (
            "Run the pipeline first: `axmeter run` "
            "(or `axmeter demo` to explore with sample data). "
            "To read data from elsewhere, set the `AXMETER_HOME` environment variable (now: `{home}`)."
        ),
        "invalid.title": "The published data cannot be read",
        "invalid.body": "`{path}`: {reason}. Run the pipeline again (`axmeter run`).",
        "invalid.columns": "required columns are missing: {columns}",
        "nodata.unit": "The selected unit ({unit}) does not exist in {month}. Pick another unit or period in the sidebar.",
        "privacy.note": "**{marker}** — fewer than {k} people: withheld to protect privacy.",
        "privacy.note_withheld": "**{withheld}** — withheld as well, so that no hidden figure can be worked out by subtraction.",
        "privacy.short": "fewer than {k} people: withheld to protect privacy",
        "privacy.withheld": "withheld",
        "na.note": "**–** — not applicable (unattributed usage has no person-based figures).",
        "download.csv": "Download CSV",
        "scope.ministry_wide": "Ministry-wide, unattributed usage included. The unit and function filters do not apply here.",
        "scope.ministry_wide_people": "Ministry-wide. The unit and function filters do not apply here.",
        "unit.unattributed": "Unattributed",
        "unit.hours": "Hours",
        "unit.hours_suffix": " h",
        "unit.usd": "Cost (USD)",
        "level.ministry": "Ministry",
        "level.office": "Office",
        "level.bureau": "Bureau",
        "level.division": "Division",
        "level.none": "Unattributed",
        "function.planning": "Planning and coordination",
        "function.industry_resources": "Industry and resources",
        "function.trade": "Trade",
        "function.standards_certification": "Standards and certification",
        "function.support": "Support",
        "source.portal": "AI portal",
        "source.onai": "OnAI",
        "source.hr": "HR roster",
        "source.training": "Training attendance",
        "source.pioneers": "Pioneer roster",
        "source.survey": "Survey",
        "source.calendar": "Closure days",
        "platform.portal": "AI portal",
        "platform.onai": "OnAI",
        "format.lecture": "Lecture",
        "format.hands_on": "Hands-on",
        "format.online": "Online",
        "population.pioneers": "AI Pioneers",
        "population.everyone_else": "Everyone else",
        "population.units_with_pioneer": "Divisions with a pioneer",
        "population.units_without_pioneer": "Divisions without a pioneer",
        "population.colleagues_of_pioneers": "Pioneers' colleagues",
        "feature.portal:chat": "Portal · chat",
        "feature.portal:translate": "Portal · translate",
        "feature.portal:summarize": "Portal · summarize",
        "feature.portal:draft": "Portal · draft",
        "feature.portal:code": "Portal · code",
        "feature.portal:search": "Portal · search",
        "feature.portal:image": "Portal · image",
        "feature.portal:unknown": "Portal · unknown service",
        "feature.onai:보고서초안": "OnAI · report draft",
        "feature.onai:회의록요약": "OnAI · meeting minutes summary",
        "feature.onai:문서검색": "OnAI · document search",
        "feature.onai:번역": "OnAI · translation",
        "feature.onai:보도자료초안": "OnAI · press release draft",
        "feature.onai:민원답변초안": "OnAI · civil petition reply draft",
        "feature.onai:데이터분석": "OnAI · data analysis",
        "kpi.adoption_rate": "Adoption rate",
        "kpi.active_users": "Active users",
        "kpi.headcount": "Headcount",
        "kpi.assisted_hours": "Assisted hours (central)",
        "kpi.cost": "Cost",
        "kpi.requests": "Requests",
        "kpi.new_users": "New users",
        "kpi.stickiness": "Stickiness",
        "kpi.vs_prev": "vs {month}",
        "kpi.no_prev": "no previous month",
        "kpi.range": "range {low} – {high}",
        "kpi.range_title": "Range (low–high)",
        "help.adoption_rate": "Active users ÷ headcount: the share of employees on the roster at month end who used AI successfully at least once that month.",
        "help.active_users": "Employees with at least one successful AI action (system calls excluded) in the month, counted once across the unit's subtree.",
        "help.headcount": "Employees on the roster in force on the month's last day, in the unit's subtree.",
        "help.assisted_hours": "Each successful action adds its feature's minutes saved (low / central / high: assumptions the ministry calibrates), in hours. An estimated range, not a measurement.",
        "help.cost": "Spend of AI portal requests, US dollars.",
        "help.requests": "Every event attributed to the unit (success, failure and blocked).",
        "help.requests_all": "Every event of the month, unattributed included.",
        "help.successful_requests": "Successful actions (system calls and policy blocks excluded).",
        "help.new_users": "Active users whose first AI use ever is in this month. Not available in the data's first month.",
        "help.dormant_users": "Employees active last month but not this month.",
        "help.stickiness": "Mean over workdays of (people who used AI that day ÷ the month's active users). Higher means daily use.",
        "help.active_days_avg": "Mean number of days with AI use in the month, per active user.",
        "help.breadth_avg": "Mean number of distinct features used in the month, per active user.",
        "help.adoption_change": "Change in adoption rate since the previous month, in percentage points.",
        "help.output_kept_rate": "Share of OnAI results that were kept for the work (결과활용 = Y).",
        "help.monthly_hours": "Mean assisted hours (central) per month of the period; the range below.",
        "help.per_user_hours": "Assisted hours (central) of the last month ÷ active users.",
        "help.feature_active_users": "Employees with at least one successful use of the feature in the month.",
        "help.feature_mapped": "Whether the feature has assisted-minutes coefficients. If not, it counts 0 minutes and shows as unmapped in data quality.",
        "help.reach": "The feature's active users ÷ the ministry's headcount.",
        "help.failure_rate": "Failed requests ÷ requests.",
        "help.latency": "Response time (ms), over requests with a latency.",
        "help.blocked_requests": "Portal requests blocked by policy (guardrail).",
        "help.blocked_share": "Blocked requests ÷ requests.",
        "help.failed_requests": "Requests with status failure (a block logged as failure counts in both).",
        "help.failure_share": "Failed requests ÷ requests.",
        "help.request_share": "Share of the month's events.",
        "help.cost_share": "Share of the month's cost.",
        "help.cohort_size": "Employees whose first AI use was in that month (the cohort).",
        "help.retention_rate": "Of the cohort still on the roster, the share who used AI in that month.",
        "help.respondents": "Survey answers from the unit's subtree.",
        "help.response_rate": "Respondents ÷ headcount at the quarter's end.",
        "help.agree_rate_faster": "Share answering 4 or 5 (agree) to 'AI makes my work faster'.",
        "help.agree_rate_quality": "Share agreeing that AI improves the quality of their work.",
        "help.agree_rate_effort": "Share agreeing that AI reduces their effort.",
        "help.agree_rate_productive": "Share agreeing that AI makes them more productive.",
        "help.minutes_saved_per_week_avg": "Mean of the minutes saved per week that respondents wrote down.",
        "help.attendees": "Employees who attended the session.",
        "help.adoption_before_after": "Share of attendees who used AI at least once in the 28 days before / after the session.",
        "help.active_days_before_after": "Mean days with AI use per attendee in the 28 days before / after the session.",
        "help.first_time_users": "Attendees whose first AI use ever came on or after the session date.",
        "help.days_to_first_use": "Days from the session to the first use (median), over first-time users.",
        "help.did_estimate": "Difference in differences: (treated after − before) − (not-yet-trained controls after − before), in the share of workdays with AI use. The estimated effect of training.",
        "help.did_ci": "95% interval from 2,000 bootstrap replicates resampling employees. An interval that includes 0 is not a clear effect.",
        "help.did_treated": "Treated: attendees who completed their first session and were on the roster that day.",
        "help.did_controls": "Controls: employees on the roster on the session date and not trained up to 28 days after it.",
        "help.units": "Number of (own) divisions in the population.",
        "help.population.pioneers": "Adoption rate of the AI Pioneer Group; the arrow compares with everyone else.",
        "help.population.units_with_pioneer": "Adoption rate of everyone in divisions that have a pioneer; the arrow compares with divisions without one.",
        "help.files_quarantined": "Whole files quarantined (corrupt, undecodable, unexpected name, ...).",
        "help.rows_received": "Data lines read (blank lines excluded).",
        "help.rows_loaded": "Rows kept after de-duplication.",
        "help.rows_duplicate": "Rows superseded by a newer delivery of the same key.",
        "help.rows_quarantined": "Single rows quarantined (whole files count under files).",
        "help.hr_match_rate": "Of the events with an employee number, the share matched to that month's HR roster.",
        "help.unmapped_feature_rows": "Events of a feature outside the agreed lists (0 minutes saved).",
        "help.unknown_service_rows": "Portal requests without a service.",
        "col.unit": "Unit",
        "col.level": "Level",
        "col.parent": "Parent unit",
        "col.function": "Function",
        "col.headcount": "Headcount",
        "col.active_users": "Active users",
        "col.adoption_rate": "Adoption rate",
        "col.adoption_change": "Adoption vs previous month",
        "col.month": "Month",
        "col.date": "Date",
        "col.active_days_avg": "Active days (mean)",
        "col.stickiness": "Stickiness",
        "col.breadth_avg": "Features used (mean)",
        "col.new_users": "New users",
        "col.dormant_users": "Became dormant",
        "col.power_users": "Power (10+ days)",
        "col.regular_users": "Regular (4–9 days)",
        "col.light_users": "Light (1–3 days)",
        "col.requests": "Requests",
        "col.successful_requests": "Successful",
        "col.failed_requests": "Failed",
        "col.blocked_requests": "Blocked",
        "col.blocked_share": "Blocked share",
        "col.failure_share": "Failure share",
        "col.failure_rate": "Failure rate",
        "col.request_share": "Request share",
        "col.cost_share": "Cost share",
        "col.cost_usd": "Cost (USD)",
        "col.prompt_tokens": "Prompt tokens",
        "col.completion_tokens": "Completion tokens",
        "col.latency_p50_ms": "Latency p50 (ms)",
        "col.latency_p95_ms": "Latency p95 (ms)",
        "col.assisted_hours_low": "Assisted hours, low",
        "col.assisted_hours_central": "Assisted hours, central",
        "col.assisted_hours_high": "Assisted hours, high",
        "col.hours_per_user": "Hours per active user",
        "col.output_kept_rate": "Output kept",
        "col.daily_active_users": "Daily active users",
        "col.feature": "Feature",
        "col.platform": "Platform",
        "col.feature_mapped": "Has coefficients",
        "col.reach": "Reach (of headcount)",
        "col.model": "Model",
        "col.vendor": "Vendor",
        "col.cohort_month": "First-use month",
        "col.months_since_first": "Months since",
        "col.cohort_size": "Cohort size",
        "col.still_in_roster": "Still on roster",
        "col.retention_rate": "Retention",
        "col.respondents": "Respondents",
        "col.response_rate": "Response rate",
        "col.agree_rate_faster": "Agree: faster",
        "col.agree_rate_quality": "Agree: better quality",
        "col.agree_rate_effort": "Agree: less effort",
        "col.agree_rate_productive": "Agree: more productive",
        "col.minutes_saved_per_week_avg": "Minutes saved / week",
        "col.session_id": "Session",
        "col.session_date": "Date",
        "col.session_title": "Title",
        "col.format": "Format",
        "col.attendees": "Attendees",
        "col.completed": "Completed",
        "col.adoption_before": "Use before",
        "col.adoption_after": "Use after",
        "col.active_days_before_avg": "Active days before",
        "col.active_days_after_avg": "Active days after",
        "col.first_time_users": "First-time users",
        "col.days_to_first_use_median": "Days to first use (median)",
        "col.did_treated": "Treated",
        "col.treated_rate_before": "Treated, before",
        "col.treated_rate_after": "Treated, after",
        "col.control_rate_before": "Controls, before",
        "col.control_rate_after": "Controls, after",
        "help.group_rate": "Mean share of workdays with AI use. DiD = (treated after − before) − (controls after − before).",
        "col.did_controls": "Controls",
        "col.did_estimate": "DiD estimate",
        "col.did_ci_low": "95% CI low",
        "col.did_ci_high": "95% CI high",
        "col.population": "Population",
        "col.units": "Divisions",
        "col.source": "Source",
        "col.files_received": "Files",
        "col.files_quarantined": "Files quarantined",
        "col.rows_received": "Rows received",
        "col.rows_loaded": "Rows loaded",
        "col.rows_duplicate": "Duplicates",
        "col.rows_quarantined": "Rows quarantined",
        "col.quarantine_share": "Quarantined share",
        "col.hr_match_rate": "HR match rate",
        "col.unmapped_feature_rows": "Unmapped features",
        "col.unknown_service_rows": "Unknown service",
        "col.reason": "Reason",
        "col.days": "Days",
        "col.file_date": "File date",
        "col.check": "Check",
        "col.status": "Result",
        "col.severity": "Severity",
        "col.description": "Description",
        "col.code": "Code",
        "col.minutes_low": "Low (min)",
        "col.minutes_central": "Central (min)",
        "col.minutes_high": "High (min)",
        "col.source_note": "Source",
        "col.term": "Term",
        "col.definition": "Definition",
        "col.column": "Column",
        "col.label_ko": "Korean label",
        "col.mart": "Mart",
        "overview.title": "AI adoption overview",
        "overview.caption": "{unit} · {start} – {end}",
        "overview.kpi.header": "{month}",
        "overview.trends": "Trends",
        "overview.trend.adoption": "Adoption rate",
        "overview.trend.segments": "Active users by intensity",
        "overview.trend.hours": "Assisted hours (range and central)",
        "overview.trend.cost": "Cost",
        "overview.trend.dau": "Daily active users (whole ministry)",
        "overview.segment": "Intensity",
        "overview.workday": "Workday",
        "overview.non_workday": "Weekend or holiday",
        "overview.day_kind": "Day",
        "overview.hours_note": "Assisted hours are estimates from per-feature assumptions (low, central, high). The band is the range, the line the central value.",
        "overview.no_values": "No figures to show (withheld, or not published yet).",
        "overview.table": "Units",
        "overview.table_month": "Month",
        "overview.levels": "Levels",
        "overview.retention": "Does it stick? (cohorts by month of first use)",
        "overview.retention_ministry": "Cohorts are published for the ministry and its offices only; showing the ministry instead of {unit}.",
        "overview.retention_note": "Each cell: of the people who first used AI in that month (and are still on the roster), the share using it n months later. Grey: withheld (fewer than {k}, or to protect one).",
        "overview.retention_table": "Cohort table",
        "retention.months_since": "Months since first use",
        "units.title": "Units",
        "units.month": "Month",
        "units.path": "Path (click to go up)",
        "units.drill": "Go to a unit below",
        "units.drill_placeholder": "Choose one of {count} units",
        "units.table": "{unit} · {month}",
        "units.scope": "Show",
        "units.scope.children": "Units directly below",
        "units.scope.subtree": "Whole subtree",
        "units.sort_hint": "Click a column heading to sort. Withheld values sort last.",
        "units.heatmap": "By unit and month",
        "units.heatmap_level": "Level",
        "units.heatmap_metric": "Metric",
        "units.heatmap_empty": "No units at the selected level.",
        "units.heatmap_none": "{unit} has no units below it.",
        "units.heatmap_note": "Grey cells are withheld ({marker}: fewer than {k} people, or withheld so that none can be worked out by subtraction).",
        "features.title": "Features and models",
        "features.features": "Use by feature",
        "features.chart.active": "Active users per feature ({month})",
        "features.chart.platform": "Requests by platform",
        "features.chart.models": "Requests by model",
        "features.models": "Models",
        "features.models_month": "Models ({month})",
        "features.models_note": "Failure rate over all portal requests this month: {failure}.",
        "features.unmapped": "Features without coefficients (counted as 0 minutes): {features}",
        "productivity.title": "Productivity",
        "productivity.hours": "Time saved with AI",
        "productivity.total": "Total over the period",
        "productivity.monthly": "Per month",
        "productivity.per_user": "Per active user ({month})",
        "productivity.assumption": "Assisted hours are not measured: they come from per-feature assumptions (the coefficients below). Quote the range, not just the central value.",
        "productivity.by_feature": "Assisted hours by feature (period total)",
        "productivity.feature_withheld": "Months in which the ministry has fewer than {k} people are withheld ({marker}) and left out of these totals.",
        "productivity.coefficients": "Assisted-minutes coefficients (minutes per action)",
        "productivity.coefficients_note": "Coefficients version {version} · unit: {unit}",
        "productivity.other_features": "Any other feature (unmapped)",
        "productivity.survey": "Survey results",
        "productivity.quarter": "Quarter",
        "productivity.survey_none": "No survey quarter falls in the selected period.",
        "productivity.survey_unit_missing": "The {quarter} survey has no row for {unit}.",
        "productivity.agree": "Share agreeing",
        "productivity.statement": "Statement",
        "productivity.survey_note": "Units with fewer than {k} respondents are withheld. Response rates use the headcount at the quarter's end.",
        "training.title": "Training and Pioneers",
        "training.impact": "Does training change use?",
        "training.pooled": "All sessions pooled",
        "training.pooled_row": "All (pooled)",
        "training.did": "Training effect (DiD)",
        "training.ci": "95% interval {interval}",
        "training.adoption_after": "Use after training",
        "training.days_after": "Active days after training",
        "training.vs_before": "vs {value} before",
        "training.first_use": "Days to first use (median)",
        "training.first_time_users": "{n} first-time users of {attendees} attendees",
        "training.did_note": (
            "The difference-in-differences estimate compares the change in the share of workdays with AI use "
            "before and after training with the change among employees not yet trained over the same days. "
            "An interval that includes 0 is not a clear effect."
        ),
        "training.chart.did": "Effect per session with its 95% interval",
        "training.chart.before_after": "Use before and after each session",
        "training.did_axis": "Change in share of workdays with use (pp)",
        "training.session": "Session",
        "training.withheld_sessions": "{n} session(s) withheld (fewer than {k} attendees, or to protect one) are left out of the charts.",
        "training.pioneers": "AI Pioneer Group",
        "training.pioneers_month": "{month}",
        "training.vs_population": "vs {population} ({value})",
        "training.pioneer_days": "Active days · {population}",
        "training.breadth": "{value} features used on average",
        "training.pioneers_note": "The populations overlap (pioneers + everyone else = everyone), so a month is withheld entirely when any population has fewer than {k} people.",
        "governance.title": "Governance",
        "governance.trend": "Blocked and failed shares",
        "governance.share": "Share",
        "governance.vendor_shares": "Request and cost share by vendor ({month})",
        "governance.vendor_note": "Vendors and models cover AI portal requests only (not OnAI).",
        "governance.platforms": "By platform ({month})",
        "governance.vendors": "By vendor ({month})",
        "governance.models": "By model ({month})",
        "governance.units": "Blocked and failed by unit",
        "governance.units_caption": "{month}; the unit chosen in the sidebar and the units below it.",
        "quality.title": "Data quality",
        "quality.freshness": "Freshness per source",
        "quality.freshness_note": "At publish time ({when}). Portal and OnAI: newest event; HR and the others: last delivery.",
        "quality.badge.fresh": "fresh",
        "quality.badge.late": "late",
        "quality.badge.stale": "stale",
        "quality.badge.received": "received",
        "quality.badge.unknown": "unknown",
        "quality.age": "{age} old at publish time",
        "quality.newest_event": "Newest event: {when}",
        "quality.last_delivery": "Last delivery: {when}",
        "quality.sources": "Received and loaded per source",
        "quality.range_note": "Totals over file dates {start} – {end}.",
        "quality.hr_match_trend": "HR match rate per day",
        "quality.quarantine": "Quarantine reasons",
        "quality.no_quarantine": "Nothing was quarantined in the selected period.",
        "quality.quarantined_items": "Quarantined (rows + files)",
        "quality.reason_text": "{rows} rows · {files} files",
        "quality.checks": "Latest check results",
        "quality.checks_none": "No check results are published (a publish happens only after a run whose blocking checks all passed).",
        "quality.checks_passed": "All {total} checks passed.",
        "quality.checks_failed": "{n} of {total} checks failed.",
        "quality.passed": "passed",
        "quality.failed": "failed",
        "quality.docs": "Validation report (Great Expectations Data Docs): [{path}]({url}) — open it on the pipeline host.",
        "quality.docs_none": "No validation report (Data Docs) yet (`{path}`).",
        "quality.detail": "Row-level detail (data team only)",
        "quality.detail_locked": "Row-level detail is for the data team only.",
        "quality.detail_no_auth": "Sign-in is not configured, so no row-level detail is shown. The data team uses `axmeter quarantine` on the pipeline host.",
        "quality.detail_rows": "Quarantined rows (file, line, reason; employees only as pseudonymised keys).",
        "quality.detail_files": "No row-level detail is published; showing the finest published level: quarantine counts per file date, source and reason.",
        "definitions.page_title": "Definitions",
        "definitions.title": "Definitions (version {version})",
        "definitions.version": "Metric version {version} · privacy threshold k = {k}",
        "definitions.english_only": "",
        "definitions.search": "Search",
        "definitions.search_hint": "e.g. adoption, cost, 도입률",
        "definitions.conventions": "Conventions",
        "definitions.marts": "Published data and columns",
        "definitions.grain": "Grain: {grain}",
        "definitions.mart": "Published data",
        "definitions.matches": "{n} matching columns",
        "definitions.group_size": "Group size: {size} (withheld below {k})",
        "definitions.coefficients": "Assisted-minutes coefficients",
        "definitions.download_all": "Download the whole dictionary (CSV)",
        "definitions.body": (
            "- **Headcount**: employees on the roster in force on the month's last day (the unit's whole subtree).\n"
            "- **Active users**: of those, the people with at least one successful AI action in the month. "
            "System calls (embedding, moderation, rerank) and policy blocks do not count.\n"
            "- **Adoption rate**: active users ÷ headcount.\n"
            "- **Assisted hours**: each successful action adds its feature's minutes saved (low, central, high): an estimated range.\n"
            "- **Unattributed**: usage that cannot be tied to a unit (e.g. an employee number not on the roster). "
            "Shown as its own row; it has no person-based figures.\n"
            "- **Withheld**: figures about groups of fewer than {k} people are not shown (`<{k}`); a neighbour may be "
            "withheld too so that none can be worked out by subtraction."
        ),
        "convention.time_zone": "Time zone",
        "convention.workday": "Workday",
        "convention.event": "Event",
        "convention.qualifying_action": "Qualifying action",
        "convention.feature": "Feature",
        "convention.active": "Active",
        "convention.roster": "Roster",
        "convention.attribution": "Attribution",
        "convention.subtree": "Subtree",
        "convention.rounding": "Rounding",
        "convention.privacy": "Privacy",
        "convention.assisted_hours": "Assisted hours",
        "mart.unit_monthly": "Units by month",
        "mart.ministry_daily": "Ministry by day",
        "mart.feature_monthly": "Features by month",
        "mart.model_monthly": "Models by month",
        "mart.governance_monthly": "Governance by month",
        "mart.pioneers_monthly": "AI Pioneer Group by month",
        "mart.retention_cohorts": "Retention cohorts",
        "mart.training_impact": "Training impact",
        "mart.survey_quarterly": "Survey by quarter",
        "mart.data_quality_daily": "Data quality by day",
        "mart.data_quality_quarantine": "Quarantine reasons",
    },
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def normalize_lang(value: Any) -> str:
    """Return a supported language code for any input (URL values included)."""
    if isinstance(value, str) and value.strip().lower() in LANGS:
        return value.strip().lower()
    return DEFAULT_LANG


def current_lang() -> str:
    """The language chosen in the sidebar (session state), default Korean."""
    try:
        import streamlit as st

        return normalize_lang(st.session_state.get(LANG_KEY, DEFAULT_LANG))
    except Exception:  # outside a Streamlit run
        return DEFAULT_LANG


def t(key: str, lang: str | None = None, **kwargs: Any) -> str:
    """Translate ``key`` into the current (or given) language.

    Unknown keys fall back to the default language and then to the key itself,
    so a missing label never breaks a page.
    """
    lang = normalize_lang(lang) if lang else current_lang()
    text = LABELS[lang].get(key) or LABELS[DEFAULT_LANG].get(key) or key
    return text.format(**kwargs) if kwargs else text


# ---------------------------------------------------------------- formatting


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def fmt_month(value: dt.date | None, lang: str) -> str:
    """``2026년 3월`` / ``Mar 2026``."""
    if value is None:
        return ""
    if lang == "ko":
        return f"{value.year}년 {value.month}월"
    return f"{_EN_MONTHS[value.month - 1]} {value.year}"


def fmt_date(value: dt.date | None, lang: str) -> str:
    """``2026년 3월 31일`` / ``31 Mar 2026``."""
    if value is None:
        return ""
    if lang == "ko":
        return f"{value.year}년 {value.month}월 {value.day}일"
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def fmt_datetime_kst(value: dt.datetime | None, lang: str) -> str:
    """A moment shown in Korean Standard Time: ``2026년 4월 1일 09:30 (KST)`` / ``1 Apr 2026, 09:30 KST``."""
    if value is None:
        return ""
    if value.tzinfo is None:  # naive values are UTC by contract
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(KST)
    if lang == "ko":
        return f"{fmt_date(local.date(), lang)} {local:%H:%M} (KST)"
    return f"{fmt_date(local.date(), lang)}, {local:%H:%M} KST"


def fmt_int(value: Any) -> str:
    """Thousands separators, no decimals; ``–`` when missing."""
    if _is_missing(value):
        return "–"
    return f"{int(round(value)):,}"


def fmt_pct(value: Any) -> str:
    """A share (0..1) as a percentage with one decimal: ``62.5%``."""
    if _is_missing(value):
        return "–"
    return f"{value * 100:.1f}%"


def fmt_signed_int(value: Any) -> str:
    if _is_missing(value):
        return ""
    value = int(round(value))
    return f"{value:+,}" if value else "0"


def fmt_pp(value: Any, lang: str) -> str:
    """A difference of two shares, in percentage points: ``+12.5%p`` / ``+12.5 pp``."""
    if _is_missing(value):
        return ""
    points = round(value * 100, 1)
    unit = "%p" if lang == "ko" else " pp"
    if points == 0:
        return f"0.0{unit}"
    return f"{points:+.1f}{unit}"


def fmt_num(value: Any, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals; ``–`` when missing."""
    if _is_missing(value):
        return "–"
    return f"{value:,.{digits}f}"


def fmt_signed_num(value: Any, digits: int = 1) -> str:
    if _is_missing(value):
        return ""
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{value:+,.{digits}f}"


def fmt_hours(value: Any, lang: str) -> str:
    """Hours, no decimals: ``1,311시간`` / ``1,311 h``."""
    if _is_missing(value):
        return "–"
    return f"{value:,.0f}시간" if lang == "ko" else f"{value:,.0f} h"


def fmt_usd(value: Any) -> str:
    """US dollars with cents: ``$52.61``."""
    if _is_missing(value):
        return "–"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def fmt_signed_usd(value: Any) -> str:
    if _is_missing(value):
        return ""
    if round(value, 2) == 0:
        return "$0.00"
    return f"+${value:,.2f}" if value > 0 else f"-${-value:,.2f}"


def fmt_days(value: Any, lang: str) -> str:
    """``7.1일`` / ``7.1 days``."""
    if _is_missing(value):
        return "–"
    return f"{value:,.1f}일" if lang == "ko" else f"{value:,.1f} days"


def fmt_quarter(value: Any, lang: str) -> str:
    """``2026Q3`` -> ``2026년 3분기`` / ``Q3 2026`` (other text as it is)."""
    text = "" if value is None else str(value).strip()
    if len(text) == 6 and text[:4].isdigit() and text[4] in "Qq" and text[5] in "1234":
        return f"{text[:4]}년 {text[5]}분기" if lang == "ko" else f"Q{text[5]} {text[:4]}"
    return text


def fmt_interval_pp(low: Any, high: Any, lang: str) -> str:
    """A 95% interval of a difference of shares, in points: ``[-2.1, 7.3]%p`` / ``[-2.1, 7.3] pp``."""
    if _is_missing(low) or _is_missing(high):
        return "–"
    unit = "%p" if lang == "ko" else " pp"
    return f"[{low * 100:+.1f}, {high * 100:+.1f}]{unit}"


def level_label(level: str | None, lang: str) -> str:
    return t(f"level.{level or 'none'}", lang)


def label_or(key: str, fallback: str, lang: str | None = None) -> str:
    """``t(key)`` when the label exists, else ``fallback`` (for values from the data)."""
    lang = normalize_lang(lang) if lang else current_lang()
    return t(key, lang) if key in LABELS[lang] else fallback


def source_label(source: str | None, lang: str) -> str:
    return label_or(f"source.{source}", str(source or "–"), lang)


def feature_label(feature: str | None, lang: str) -> str:
    """``portal:chat`` -> ``포털 · 채팅``; ``onai:보고서초안`` -> ``OnAI · 보고서초안``;
    an unknown feature keeps its name (``portal:legal_qa``)."""
    text = str(feature or "–")
    if f"feature.{text}" in LABELS[normalize_lang(lang)]:
        return t(f"feature.{text}", lang)
    platform, _, name = text.partition(":")
    if platform == "onai" and name:
        return f"OnAI · {name}"
    return text


def fmt_age(value: dt.timedelta | None, lang: str) -> str:
    """A duration: hours under two days, else days (``30시간`` / ``30 h``, ``25일`` / ``25 days``)."""
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    if hours < 48:
        whole = max(int(round(hours)), 0)
        return f"{whole}시간" if lang == "ko" else f"{whole} h"
    days = int(hours // 24)
    return f"{days}일" if lang == "ko" else f"{days} days"


def function_label(function: str | None, lang: str) -> str:
    """A unit function (``trade``) as a label; an unknown value keeps its name."""
    if not function:
        return "–"
    key = f"function.{function}"
    return t(key, lang) if key in LABELS[normalize_lang(lang)] else str(function)


def suppressed_marker(k: int) -> str:
    """The text shown in place of a withheld figure about fewer than k people."""
    return f"<{k}"
