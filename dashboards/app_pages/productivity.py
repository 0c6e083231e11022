"""Productivity: assisted hours as low-central-high ranges (unit_monthly, feature_monthly, the
coefficients in metric_dictionary.json) and what staff say in the survey (survey_quarterly)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import (
    current_lang,
    feature_label,
    fmt_hours,
    fmt_month,
    fmt_num,
    fmt_quarter,
    function_label,
    suppressed_marker,
    t,
)
from dashboards.views import Col

lang = current_lang()
st.title(t("productivity.title"))
k = data.privacy_k()
filters = state.filters()

try:
    df = data.load_unit_monthly(k)
except data.PublishedDataError as exc:
    components.data_error(exc)
    st.stop()
if df.is_empty() or not filters.has_data:
    components.no_rows(data.mart_path(data.UNIT_MONTHLY))
    st.stop()

unit = filters.unit or filters.ministry
start, end = filters.start, filters.end
unit_rec = data.unit_row(df, unit, end) or {"unit_code": unit}
unit_label = views.unit_name(unit_rec, lang)
st.caption(t("overview.caption", unit=unit_label, start=fmt_month(start, lang), end=fmt_month(end, lang)))

# ---------------------------------------------------------------- assisted hours of the unit
st.subheader(t("productivity.hours"))
series = data.unit_series(df, unit).filter(pl.col("month").is_between(start, end))
withheld = series.filter(pl.col("suppressed")).height > 0
cols = st.columns(3)
if withheld or series.is_empty():
    marker = views.withheld_text(series.filter(pl.col("suppressed")).row(0, named=True), lang, k) \
        if withheld else views.NA
    for column, label in zip(cols, ("productivity.total", "productivity.monthly", "productivity.per_user"),
                             strict=True):
        components.kpi(column, t(label), marker, help=t("privacy.short", k=k) if withheld else None)
else:
    low, central, high = (series[c].sum() for c in
                          ("assisted_hours_low", "assisted_hours_central", "assisted_hours_high"))
    n = series.height
    components.kpi(cols[0], t("productivity.total"), fmt_hours(central, lang), help=t("help.assisted_hours"),
                   note=t("kpi.range", low=fmt_hours(low, lang), high=fmt_hours(high, lang)))
    components.kpi(cols[1], t("productivity.monthly"), fmt_hours(central / n, lang), help=t("help.monthly_hours"),
                   note=t("kpi.range", low=fmt_hours(low / n, lang), high=fmt_hours(high / n, lang)))
    last = series.row(-1, named=True)
    per_user = (last["assisted_hours_central"] / last["active_users"]) if last.get("active_users") else None
    components.kpi(
        cols[2],
        t("productivity.per_user", month=fmt_month(last["month"], lang)),
        fmt_num(per_user, 1) + (t("unit.hours_suffix") if per_user is not None else ""),
        help=t("help.per_user_hours"),
    )

hours = views.hours_frame(series, lang, k)
if hours is not None:
    components.chart(st, views.band_chart, hours, t("unit.hours"), (t("col.month"), t("col.assisted_hours_central"),
                                                   t("kpi.range_title"), ""))
monthly = views.build_table(
    [
        {
            **r,
            "month_label": fmt_month(r["month"], lang),
            "per_user": (r["assisted_hours_central"] / r["active_users"])
            if r.get("active_users") and r.get("assisted_hours_central") is not None else None,
        }
        for r in series.iter_rows(named=True)
    ],
    [
        Col("month_label", "col.month", "text"),
        Col("active_users", "col.active_users", "int", "help.active_users"),
        Col("assisted_hours_low", "col.assisted_hours_low", "num1", "help.assisted_hours"),
        Col("assisted_hours_central", "col.assisted_hours_central", "num1", "help.assisted_hours"),
        Col("assisted_hours_high", "col.assisted_hours_high", "num1", "help.assisted_hours"),
        Col("per_user", "col.hours_per_user", "num1", "help.per_user_hours"),
        Col("output_kept_rate", "col.output_kept_rate", "pct", "help.output_kept_rate"),
    ],
    lang,
    k,
)
components.table(monthly, key="productivity_monthly", filename=f"assisted_hours_{unit}", lang=lang, k=k)
st.caption(t("productivity.assumption"))

# ---------------------------------------------------------------- by feature (ministry-wide)
st.subheader(t("productivity.by_feature"))
components.scope_note("scope.ministry_wide", lang)
features = components.load("feature_monthly", k)
if features is not None:
    features = data.in_range(features, start, end)
    if features.filter(pl.col("suppressed")).height:
        st.info(t("productivity.feature_withheld", marker=suppressed_marker(k), k=k))
    sums = (
        features.filter(~pl.col("suppressed"))
        .group_by("feature")
        .agg(pl.col("assisted_hours_low").sum(), pl.col("assisted_hours_central").sum(),
             pl.col("assisted_hours_high").sum())
        .sort("assisted_hours_central", descending=True)
    )
    if sums.height:
        frame = pd.DataFrame(
            {
                "x": [feature_label(f, lang) for f in sums["feature"]],
                "value": sums["assisted_hours_central"].to_list(),
                "low": sums["assisted_hours_low"].to_list(),
                "high": sums["assisted_hours_high"].to_list(),
                "text": [
                    f"{fmt_hours(c, lang)} ({t('kpi.range', low=fmt_hours(lo, lang), high=fmt_hours(hi, lang))})"
                    for lo, c, hi in sums.select("assisted_hours_low", "assisted_hours_central",
                                                 "assisted_hours_high").iter_rows()
                ],
            }
        )
        components.chart(st, views.bar_chart, frame, t("unit.hours"), ",.0f", horizontal=True, error=True)

# ---------------------------------------------------------------- coefficients
with st.expander(t("productivity.coefficients")):
    try:
        dictionary = data.load_metric_dictionary()
    except data.PublishedDataError as exc:
        components.data_error(exc)
        dictionary = {}
    minutes = dictionary.get("assisted_minutes") or {}
    entries = minutes.get("features") or {}
    if entries:
        st.caption(t("productivity.coefficients_note", version=minutes.get("version", "–"),
                     unit=minutes.get("unit", "")))
        records = [
            {"feature": feature_label(name, lang), "code": name, **{k2: v for k2, v in (spec or {}).items()}}
            for name, spec in entries.items()
        ]
        default = minutes.get("default") or {}
        records.append({"feature": t("productivity.other_features"), "code": "*", **default})
        coefficients = views.build_table(
            records,
            [
                Col("feature", "col.feature", "text"),
                Col("code", "col.code", "text"),
                Col("low", "col.minutes_low", "int"),
                Col("central", "col.minutes_central", "int"),
                Col("high", "col.minutes_high", "int"),
                Col("source", "col.source_note", "text"),
            ],
            lang,
            k,
            size_key=None,
        )
        components.table(coefficients, key="productivity_coefficients", filename="assisted_minutes", lang=lang, k=k)

# ---------------------------------------------------------------- survey
st.subheader(t("productivity.survey"))
survey = components.load("survey_quarterly", k)
if survey is not None:
    quarters = data.quarters_in_range(survey["quarter"].cast(pl.String).to_list(), start, end)
    if not quarters:
        st.info(t("productivity.survey_none"))
    else:
        quarter = st.selectbox(
            t("productivity.quarter"),
            quarters,
            index=len(quarters) - 1,
            format_func=lambda q: fmt_quarter(q, lang),
            key=f"survey_quarter_{start}_{end}",
        )
        statements = ("agree_rate_faster", "agree_rate_quality", "agree_rate_effort", "agree_rate_productive")
        rows_q = survey.filter(pl.col("quarter") == quarter)
        mine = rows_q.filter(pl.col("unit_code") == unit)
        if mine.is_empty():
            st.info(t("productivity.survey_unit_missing", unit=unit_label, quarter=fmt_quarter(quarter, lang)))
        else:
            rec = mine.row(0, named=True)
            first = [("respondents", "col.respondents", "int"), ("response_rate", "col.response_rate", "pct"),
                     ("minutes_saved_per_week_avg", "col.minutes_saved_per_week_avg", "num2")]
            for cards in (first, [(s, f"col.{s}", "pct") for s in statements]):
                for column, (field, label, kind) in zip(st.columns(4), cards, strict=False):
                    value = views.figure_text(rec, field, kind, lang, k, "respondents")
                    if kind == "num2" and not rec.get("suppressed") and rec.get(field) is not None:
                        value = fmt_num(rec.get(field), 1)
                    components.kpi(column, t(label), value, help=t(f"help.{field}"))
        # trend of the unit over the quarters in range
        history = survey.filter((pl.col("unit_code") == unit) & pl.col("quarter").is_in(quarters))
        if history.height > 1:
            points = [
                {
                    "x": fmt_quarter(r["quarter"], lang),
                    "series": t(f"col.{s}"),
                    "value": r.get(s),
                    "text": views.figure_text(r, s, "pct", lang, k, "respondents"),
                }
                for r in history.sort("quarter").iter_rows(named=True)
                for s in statements
            ]
            components.chart(st, views.line_chart, pd.DataFrame(points), t("productivity.agree"), ".0%",
                                 series_title=t("productivity.statement"),
                                 tooltip_titles=(t("productivity.quarter"), t("productivity.agree")))
        # the units below, this quarter
        # the quarter's org chart, in org-chart order; functions from the range's last month
        unit_rows = data.units_for_month(rows_q.with_columns(month=pl.lit(end)), end, unit)
        if "function" not in unit_rows.columns:
            functions = df.filter(pl.col("month") == end).select("unit_code", "function")
            unit_rows = unit_rows.join(functions, on="unit_code", how="left", maintain_order="left")
        unit_rows = data.with_function(unit_rows, filters.function, keep=(unit,))
        if unit_rows.height:
            names = views.unit_names(unit_rows, lang)
            table = views.build_table(
                [
                    {
                        **r,
                        "unit": views.unit_name(r, lang),
                        "parent": names.get(r.get("parent_code"), ""),
                        "level": views.level_label(r.get("unit_level"), lang),
                    }
                    for r in unit_rows.iter_rows(named=True)
                ],
                [
                    Col("unit", "col.unit", "text"),
                    Col("level", "col.level", "text"),
                    Col("parent", "col.parent", "text"),
                    Col("respondents", "col.respondents", "int", "help.respondents"),
                    Col("headcount", "col.headcount", "int"),
                    Col("response_rate", "col.response_rate", "pct", "help.response_rate"),
                    *[Col(s, f"col.{s}", "pct", f"help.{s}") for s in statements],
                    Col("minutes_saved_per_week_avg", "col.minutes_saved_per_week_avg", "num1",
                        "help.minutes_saved_per_week_avg"),
                ],
                lang,
                k,
                size_key="respondents",
            )
            if filters.function:
                components.scope_note("filter.function_note", lang,
                                      function=function_label(filters.function, lang))
            components.table(table, key="survey_table", filename=f"survey_{quarter}_{unit}", lang=lang, k=k)
            st.caption(t("productivity.survey_note", k=k))
