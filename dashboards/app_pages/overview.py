"""Overview: the Monday page. KPI cards (month on month), trends, the units at a glance,
retention (marts ``unit_monthly``, ``ministry_daily``, ``retention_cohorts``)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import (
    current_lang,
    fmt_date,
    fmt_hours,
    fmt_month,
    function_label,
    level_label,
    suppressed_marker,
    t,
)
from dashboards.views import Col

lang = current_lang()
st.title(t("overview.title"))

k = data.privacy_k()
try:
    df = data.load_unit_monthly(k)
except data.PublishedDataError as exc:
    components.data_error(exc)
    st.stop()

filters = state.filters()
if df.is_empty() or not filters.has_data:
    components.no_rows(data.mart_path(data.UNIT_MONTHLY))
    st.stop()

unit = filters.unit or filters.ministry
start, end = filters.start, filters.end
catalog_frame = data.unit_catalog(df)
catalog = {rec["unit_code"]: rec for rec in catalog_frame.iter_rows(named=True)}
unit_label = views.unit_name(catalog.get(unit, {"unit_code": unit}), lang)
st.caption(t("overview.caption", unit=unit_label, start=fmt_month(start, lang), end=fmt_month(end, lang)))

# ---------------------------------------------------------------- KPI cards
current = data.unit_row(df, unit, end)
prev_month = data.previous_month(end)
previous = data.unit_row(df, unit, prev_month)  # may lie before the range: still the month before

st.subheader(t("overview.kpi.header", month=fmt_month(end, lang)))
if current is None:
    st.warning(t("nodata.unit", unit=unit_label, month=fmt_month(end, lang)))
else:
    privacy_help = "  \n" + suppressed_marker(k) + ": " + t("privacy.short", k=k) if current["suppressed"] else ""
    vs_prev = t("kpi.vs_prev", month=fmt_month(prev_month, lang))
    # (field, label, help, kind, delta colour)
    rows = (
        (
            ("adoption_rate", "kpi.adoption_rate", "help.adoption_rate", "pct", "normal"),
            ("active_users", "kpi.active_users", "help.active_users", "int", "normal"),
            ("assisted_hours_central", "kpi.assisted_hours", "help.assisted_hours", "hours", "normal"),
            ("cost_usd", "kpi.cost", "help.cost", "usd", "inverse"),
        ),
        (
            ("headcount", "kpi.headcount", "help.headcount", "int", "off"),
            ("requests", "kpi.requests", "help.requests", "int", "off"),
            ("new_users", "kpi.new_users", "help.new_users", "int", "normal"),
            ("stickiness", "kpi.stickiness", "help.stickiness", "pct", "normal"),
        ),
    )
    for cards in rows:
        for column, (field, label, help_key, kind, color) in zip(st.columns(len(cards)), cards, strict=True):
            now = current.get(field)
            before = previous.get(field) if previous else None
            delta, flat = views.kpi_delta(now, before, kind, lang)
            note = None
            if field == "assisted_hours_central":
                low, high = current.get("assisted_hours_low"), current.get("assisted_hours_high")
                if low is not None and high is not None:
                    note = t("kpi.range", low=fmt_hours(low, lang), high=fmt_hours(high, lang))
            components.kpi(
                column,
                t(label),
                views.figure_text(current, field, kind, lang, k),
                delta=delta,
                delta_color=color,
                flat=flat,
                delta_description=vs_prev,
                help=t(help_key) + (privacy_help if field != "headcount" else ""),
                note=note,
            )

# ---------------------------------------------------------------- trends
series = data.unit_series(df, unit).filter(pl.col("month").is_between(start, end))
st.subheader(t("overview.trends"))
left, right = st.columns(2)

adoption = pd.DataFrame(
    {
        "x": [fmt_month(m, lang) for m in series["month"]],
        "value": series["adoption_rate"].cast(pl.Float64).to_list(),
        "text": [views.figure_text(r, "adoption_rate", "pct", lang, k) for r in series.iter_rows(named=True)],
    }
)
left.markdown(f"**{t('overview.trend.adoption')}**")
components.chart(left, views.line_chart, adoption, t("col.adoption_rate"), ".0%", tooltip_titles=(t("col.month"), ""))

segments = []
for rec in series.iter_rows(named=True):
    for field in ("power_users", "regular_users", "light_users"):
        value = rec.get(field)
        segments.append(
            {
                "x": fmt_month(rec["month"], lang),
                "series": t(f"col.{field}"),
                "value": value,
                "text": views.figure_text(rec, field, "int", lang, k),
            }
        )
right.markdown(f"**{t('overview.trend.segments')}**")
if segments and any(s["value"] is not None for s in segments):
    components.chart(right, views.bar_chart, pd.DataFrame(segments), t("col.active_users"), ",d", stacked_series_title=t("overview.segment"))
else:
    right.info(t("overview.no_values"))

left, right = st.columns(2)
left.markdown(f"**{t('overview.trend.hours')}**")
hours = views.hours_frame(series, lang, k)
if hours is not None:
    components.chart(left, views.band_chart, hours, t("unit.hours"), (t("col.month"), t("col.assisted_hours_central"), t("kpi.range_title"), ""))
    left.caption(t("overview.hours_note"))
else:
    left.info(t("overview.no_values"))

right.markdown(f"**{t('overview.trend.cost')}**")
if "cost_usd" in series.columns and series["cost_usd"].is_not_null().any():
    cost = pd.DataFrame(
        {
            "x": [fmt_month(m, lang) for m in series["month"]],
            "value": series["cost_usd"].cast(pl.Float64).to_list(),
            "text": [views.figure_text(r, "cost_usd", "usd", lang, k) for r in series.iter_rows(named=True)],
        }
    )
    components.chart(right, views.bar_chart, cost, t("unit.usd"), "$,.0f")
else:
    right.info(t("overview.no_values"))

# daily active users: the ministry only (ministry_daily)
if unit == filters.ministry:
    st.markdown(f"**{t('overview.trend.dau')}**")
    daily = components.load("ministry_daily", k)
    if daily is not None:
        daily = daily.filter(pl.col("date").is_between(start, data.month_end(end)))
        frame = pd.DataFrame(
            {
                "date": daily["date"].to_list(),
                "date_text": [fmt_date(d, lang) for d in daily["date"]],
                "value": daily["daily_active_users"].cast(pl.Float64).to_list(),
                "text": [views.figure_text(r, "daily_active_users", "int", lang, k)
                         for r in daily.iter_rows(named=True)],
                "kind": [t("overview.workday" if w else "overview.non_workday") for w in daily["is_workday"]],
            }
        )
        if len(frame):
            components.chart(st, views.daily_chart, frame, t("col.daily_active_users"), t("overview.day_kind"), t("col.date"))

# ---------------------------------------------------------------- units at a glance
st.subheader(t("overview.table"))
range_months = data.months(df.filter(pl.col("month").is_between(start, end)))
left, right = st.columns([1, 3])
table_month = left.selectbox(
    t("overview.table_month"),
    range_months,
    index=len(range_months) - 1,
    format_func=lambda m: fmt_month(m, lang),
    key=f"overview_table_month_{start}_{end}",  # follows the range's last month when the range changes
)
month_rows = data.units_for_month(df, table_month, unit)
month_rows = data.with_function(month_rows, filters.function, keep=(unit, data.UNATTRIBUTED))
present_levels = sorted(set(month_rows["unit_level"].to_list()), key=lambda lv: data.LEVEL_ORDER.get(lv, 5))
chosen_levels = right.pills(
    t("overview.levels"),
    present_levels,
    selection_mode="multi",
    default=present_levels,
    format_func=lambda lv: level_label(lv, lang),
    key="overview_levels",
)
rows = month_rows.filter(pl.col("unit_level").is_in(chosen_levels or present_levels))
month_names = views.unit_names(df.filter(pl.col("month") == table_month), lang)
extra = (
    Col("active_days_avg", "col.active_days_avg", "num1", "help.active_days_avg"),
    Col("stickiness", "col.stickiness", "pct", "help.stickiness"),
    Col("assisted_hours_central", "col.assisted_hours_central", "num1", "help.assisted_hours"),
    Col("cost_usd", "col.cost_usd", "num2", "help.cost"),
)
extra = tuple(c for c in extra if c.key in rows.columns)
table = views.unit_table(rows.drop("depth", "order"), lang, k, month_names, extra=extra)
if filters.function:
    components.scope_note("filter.function_note", lang, function=function_label(filters.function, lang))
components.table(
    table, key="overview_table", filename=f"units_{unit}_{table_month:%Y-%m}", lang=lang, k=k
)
if not table.withheld_rows:
    components.privacy_caption(k, lang, list(table.display.to_numpy().ravel()))

# ---------------------------------------------------------------- retention
st.subheader(t("overview.retention"))
cohorts = components.load("retention_cohorts", k)
if cohorts is not None:
    scope_code = unit if unit in set(cohorts["unit_code"].to_list()) else None
    if scope_code is None:
        ministry_rows = cohorts.filter(pl.col("scope") == "ministry")
        scope_code = ministry_rows["unit_code"][0] if ministry_rows.height else cohorts["unit_code"][0]
        if unit != filters.ministry:
            components.scope_note("overview.retention_ministry", lang, unit=unit_label)
    scope_rows = cohorts.filter((pl.col("unit_code") == scope_code) & pl.col("cohort_month").is_between(start, end))
    scope_rows = scope_rows.filter(pl.col("month") <= end)
    if scope_rows.is_empty():
        st.info(t("overview.no_values"))
    else:
        components.chart(st, views.cohort_chart, views.cohort_frame(scope_rows, lang, k), lang)
        st.caption(t("overview.retention_note", k=k))
        with st.expander(t("overview.retention_table")):
            cohort_table = views.build_table(
                [
                    {**r, "cohort_label": fmt_month(r["cohort_month"], lang), "month_label": fmt_month(r["month"], lang)}
                    for r in scope_rows.iter_rows(named=True)
                ],
                [
                    Col("cohort_label", "col.cohort_month", "text"),
                    Col("month_label", "col.month", "text"),
                    Col("months_since_first", "col.months_since_first", "int"),
                    Col("cohort_size", "col.cohort_size", "int", "help.cohort_size"),
                    Col("still_in_roster", "col.still_in_roster", "int"),
                    Col("active_users", "col.active_users", "int"),
                    Col("retention_rate", "col.retention_rate", "pct", "help.retention_rate"),
                ],
                lang,
                k,
                size_key="cohort_size",
            )
            components.table(cohort_table, key="overview_retention", filename=f"retention_{scope_code}", lang=lang, k=k)
