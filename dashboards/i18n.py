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
        "nav.section.usage": "활용",
        "page.adoption": "도입률",
        # sidebar filters
        "filter.header": "조회 조건",
        "filter.months": "조회 기간",
        "filter.months_single": "조회 기간: {month}",
        "filter.unit": "조직",
        "filter.range": "{start} – {end}",
        # data window / publish info
        "info.window": "데이터 기간: {start} – {end}",
        "info.published": "최종 게시: {when}",
        "info.published_mtime": "최종 게시: {when} (파일 수정 시각 기준)",
        "info.metric_version": "지표 버전: {version}",
        "info.run_id": "실행 ID: {run_id}",
        "info.manifest_invalid": "manifest.json을 읽을 수 없어 파일 수정 시각을 표시합니다.",
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
        "unit.unattributed": "미귀속",
        # levels
        "level.ministry": "부처",
        "level.office": "실",
        "level.bureau": "국",
        "level.division": "과",
        "level.none": "미귀속",
        # adoption page
        "adoption.title": "AI 도입률",
        "adoption.caption": "{unit} · {start} – {end}",
        "adoption.kpi.header": "{month} 현황",
        "kpi.adoption_rate": "도입률",
        "kpi.active_users": "활성 이용자",
        "kpi.headcount": "재직 인원",
        "kpi.vs_prev": "전월({month}) 대비",
        "kpi.no_prev": "전월 자료 없음",
        "help.adoption_rate": "활성 이용자 ÷ 재직 인원. 해당 월 말일 기준 인사 명부의 재직자 중 그 달에 AI를 한 번 이상 제대로 사용한 사람의 비율.",
        "help.active_users": "해당 월에 성공한 AI 이용(시스템 호출 제외)이 1건 이상인 재직자 수 (하위 조직 포함, 중복 없이).",
        "help.headcount": "해당 월 말일 기준 인사 명부의 재직 인원 (하위 조직 포함).",
        "adoption.trend": "도입률 추이",
        "adoption.table": "조직별 현황",
        "adoption.table_month": "기준 월",
        "adoption.levels": "조직 단계",
        "adoption.download": "CSV 내려받기",
        "adoption.heatmap": "조직별·월별 도입률",
        "adoption.heatmap_level": "조직 단계",
        "adoption.heatmap_empty": "선택한 단계에 해당하는 조직이 없습니다.",
        "adoption.heatmap_none": "{unit}에는 하위 조직이 없습니다.",
        "adoption.trend_gap": "비공개 또는 값이 없는 달은 선이 끊겨 표시됩니다.",
        # table columns
        "col.unit": "조직",
        "col.level": "단계",
        "col.parent": "상위 조직",
        "col.headcount": "재직 인원",
        "col.active_users": "활성 이용자",
        "col.adoption_rate": "도입률",
        "col.month": "월",
        "definitions.title": "지표 정의 (버전 {version})",
        "definitions.body": (
            "- **재직 인원**: 해당 월 말일에 유효한 인사 명부의 재직자 (하위 조직 포함).\n"
            "- **활성 이용자**: 그중 해당 월에 성공한 AI 이용이 1건 이상인 사람. "
            "시스템 호출(임베딩·모더레이션·재순위)과 정책 차단은 제외합니다.\n"
            "- **도입률**: 활성 이용자 ÷ 재직 인원.\n"
            "- **미귀속**: 명부에 없는 직원 번호 등 조직에 연결할 수 없는 이용 건. 별도 행으로 표시하며 인원 기준 지표는 없습니다.\n"
            "- **비공개**: {k}명 미만 집단의 수치는 공개하지 않습니다."
        ),
    },
    "en": {
        "app.title": "AI adoption",
        "app.language": "언어 · Language",
        "nav.section.usage": "Usage",
        "page.adoption": "Adoption",
        "filter.header": "Filters",
        "filter.months": "Months",
        "filter.months_single": "Month: {month}",
        "filter.unit": "Unit",
        "filter.range": "{start} – {end}",
        "info.window": "Data window: {start} – {end}",
        "info.published": "Last published: {when}",
        "info.published_mtime": "Last published: {when} (file modification time)",
        "info.metric_version": "Metric version: {version}",
        "info.run_id": "Run ID: {run_id}",
        "info.manifest_invalid": "manifest.json could not be read; showing the file modification time.",
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
        "unit.unattributed": "Unattributed",
        "level.ministry": "Ministry",
        "level.office": "Office",
        "level.bureau": "Bureau",
        "level.division": "Division",
        "level.none": "Unattributed",
        "adoption.title": "AI adoption",
        "adoption.caption": "{unit} · {start} – {end}",
        "adoption.kpi.header": "{month}",
        "kpi.adoption_rate": "Adoption rate",
        "kpi.active_users": "Active users",
        "kpi.headcount": "Headcount",
        "kpi.vs_prev": "vs {month}",
        "kpi.no_prev": "no previous month",
        "help.adoption_rate": "Active users ÷ headcount: the share of employees on the roster at month end who used AI successfully at least once that month.",
        "help.active_users": "Employees with at least one successful AI action (system calls excluded) in the month, counted once across the unit's subtree.",
        "help.headcount": "Employees on the roster in force on the month's last day, in the unit's subtree.",
        "adoption.trend": "Adoption trend",
        "adoption.table": "Units",
        "adoption.table_month": "Month",
        "adoption.levels": "Levels",
        "adoption.download": "Download CSV",
        "adoption.heatmap": "Adoption by unit and month",
        "adoption.heatmap_level": "Level",
        "adoption.heatmap_empty": "No units at the selected level.",
        "adoption.heatmap_none": "{unit} has no units below it.",
        "adoption.trend_gap": "Months that are withheld or have no value leave a gap in the line.",
        "col.unit": "Unit",
        "col.level": "Level",
        "col.parent": "Parent unit",
        "col.headcount": "Headcount",
        "col.active_users": "Active users",
        "col.adoption_rate": "Adoption rate",
        "col.month": "Month",
        "definitions.title": "Definitions (version {version})",
        "definitions.body": (
            "- **Headcount**: employees on the roster in force on the month's last day (the unit's whole subtree).\n"
            "- **Active users**: of those, the people with at least one successful AI action in the month. "
            "System calls (embedding, moderation, rerank) and policy blocks do not count.\n"
            "- **Adoption rate**: active users ÷ headcount.\n"
            "- **Unattributed**: usage that cannot be tied to a unit (e.g. an employee number not on the roster). "
            "Shown as its own row; it has no person-based figures.\n"
            "- **Withheld**: figures about groups of fewer than {k} people are not shown."
        ),
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


def level_label(level: str | None, lang: str) -> str:
    return t(f"level.{level or 'none'}", lang)


def suppressed_marker(k: int) -> str:
    """The text shown in place of a withheld figure about fewer than k people."""
    return f"<{k}"
