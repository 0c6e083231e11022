"""Training and Pioneers: did training change use (before/after, difference-in-differences
with its 95% interval; mart ``training_impact``), and the AI Pioneer Group against everyone
else, units with a pioneer against units without (mart ``pioneers_monthly``). Ministry-wide."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import (
    current_lang,
    fmt_date,
    fmt_days,
    fmt_interval_pp,
    fmt_month,
    fmt_pct,
    fmt_pp,
    t,
)
from dashboards.views import Col

POOLED = "ALL"

lang = current_lang()
st.title(t("training.title"))
k = data.privacy_k()
filters = state.filters()
components.scope_note("scope.ministry_wide_people", lang)

# ---------------------------------------------------------------- training impact
st.subheader(t("training.impact"))
impact = components.load("training_impact", k)
if impact is not None:
    pooled = impact.filter(pl.col("session_id") == POOLED)
    sessions = impact.filter(pl.col("session_id") != POOLED)
    if filters.has_data:
        sessions = sessions.filter(
            pl.col("session_date").is_null()
            | pl.col("session_date").is_between(filters.start, data.month_end(filters.end))
        )
    if pooled.height:
        rec = pooled.row(0, named=True)
        st.markdown(f"**{t('training.pooled')}**")
        cols = st.columns(4)
        did_text = views.NA
        if rec.get("suppressed"):
            did_text = views.withheld_text(rec, lang, k, "attendees")
        elif rec.get("did_estimate") is not None:
            did_text = fmt_pp(rec["did_estimate"], lang)
        components.kpi(
            cols[0], t("training.did"), did_text, help=t("help.did_estimate"),
            note=t("training.ci", interval=fmt_interval_pp(rec.get("did_ci_low"), rec.get("did_ci_high"), lang))
            if rec.get("did_ci_low") is not None else None,
        )
        before, after = rec.get("adoption_before"), rec.get("adoption_after")
        delta, flat = views.kpi_delta(after, before, "pct", lang)
        components.kpi(
            cols[1], t("training.adoption_after"), views.figure_text(rec, "adoption_after", "pct", lang, k, "attendees"),
            delta=delta, flat=flat, delta_description=t("training.vs_before", value=fmt_pct(before)),
            help=t("help.adoption_before_after"),
        )
        before, after = rec.get("active_days_before_avg"), rec.get("active_days_after_avg")
        delta, flat = views.kpi_delta(after, before, "days", lang)
        components.kpi(
            cols[2], t("training.days_after"),
            views.figure_text(rec, "active_days_after_avg", "days", lang, k, "attendees"),
            delta=delta, flat=flat, delta_description=t("training.vs_before", value=fmt_days(before, lang)),
            help=t("help.active_days_before_after"),
        )
        components.kpi(
            cols[3], t("training.first_use"),
            views.figure_text(rec, "days_to_first_use_median", "days", lang, k, "attendees"),
            help=t("help.days_to_first_use"),
            note=t("training.first_time_users", n=views.figure_text(rec, "first_time_users", "int", lang, k,
                                                                    "attendees"),
                   attendees=views.kpi_value(rec.get("attendees"), "int", lang)),
        )
        st.caption(t("training.did_note"))

    shown = sessions.filter(~pl.col("suppressed"))
    if shown.height:
        labels = [
            f"{fmt_date(r['session_date'], lang)} · {r.get('session_title') or r['session_id']}"
            for r in shown.iter_rows(named=True)
        ]
        left, right = st.columns(2)
        left.markdown(f"**{t('training.chart.did')}**")
        did = pd.DataFrame(
            {
                "x": labels,
                "value": shown["did_estimate"].to_list(),
                "low": shown["did_ci_low"].to_list(),
                "high": shown["did_ci_high"].to_list(),
                "text": [
                    f"{fmt_pp(r['did_estimate'], lang) or views.NA} {fmt_interval_pp(r['did_ci_low'], r['did_ci_high'], lang)}"
                    for r in shown.iter_rows(named=True)
                ],
            }
        ).dropna(subset=["value"])
        if len(did):
            components.chart(left, views.interval_chart, did, t("training.did_axis"), "+.0%")
        right.markdown(f"**{t('training.chart.before_after')}**")
        pairs = []
        for label, r in zip(labels, shown.iter_rows(named=True), strict=True):
            for field in ("adoption_before", "adoption_after"):
                pairs.append({"x": label, "series": t(f"col.{field}"), "value": r.get(field),
                              "text": fmt_pct(r.get(field))})
        components.chart(right, views.grouped_bar_chart, pd.DataFrame(pairs), t("col.adoption_rate"), ".0%")
    if sessions.filter(pl.col("suppressed")).height:
        st.caption(t("training.withheld_sessions", n=sessions.filter(pl.col("suppressed")).height, k=k))

    table_rows = pl.concat([sessions, pooled], how="diagonal_relaxed") if pooled.height else sessions
    table = views.build_table(
        [
            {
                **r,
                "session_label": t("training.pooled_row") if r["session_id"] == POOLED else r["session_id"],
                "date_label": fmt_date(r.get("session_date"), lang) if r.get("session_date") else "",
                "format_label": t(f"format.{r['format']}") if r.get("format") in ("lecture", "hands_on", "online")
                else (r.get("format") or ""),
            }
            for r in table_rows.iter_rows(named=True)
        ],
        [
            Col("session_label", "col.session_id", "text"),
            Col("date_label", "col.session_date", "text"),
            Col("session_title", "col.session_title", "text"),
            Col("format_label", "col.format", "text"),
            Col("attendees", "col.attendees", "int", "help.attendees"),
            Col("completed", "col.completed", "int"),
            Col("adoption_before", "col.adoption_before", "pct", "help.adoption_before_after"),
            Col("adoption_after", "col.adoption_after", "pct", "help.adoption_before_after"),
            Col("active_days_before_avg", "col.active_days_before_avg", "num1", "help.active_days_before_after"),
            Col("active_days_after_avg", "col.active_days_after_avg", "num1", "help.active_days_before_after"),
            Col("first_time_users", "col.first_time_users", "int", "help.first_time_users"),
            Col("days_to_first_use_median", "col.days_to_first_use_median", "num1", "help.days_to_first_use"),
            Col("did_treated", "col.did_treated", "int", "help.did_treated"),
            Col("treated_rate_before", "col.treated_rate_before", "pct", "help.group_rate"),
            Col("treated_rate_after", "col.treated_rate_after", "pct", "help.group_rate"),
            Col("did_controls", "col.did_controls", "int", "help.did_controls"),
            Col("control_rate_before", "col.control_rate_before", "pct", "help.group_rate"),
            Col("control_rate_after", "col.control_rate_after", "pct", "help.group_rate"),
            Col("did_estimate", "col.did_estimate", "pp", "help.did_estimate"),
            Col("did_ci_low", "col.did_ci_low", "pp", "help.did_ci"),
            Col("did_ci_high", "col.did_ci_high", "pp", "help.did_ci"),
        ],
        lang,
        k,
        size_key="attendees",
    )
    components.table(table, key="training_table", filename="training_impact", lang=lang, k=k)

# ---------------------------------------------------------------- pioneers
st.subheader(t("training.pioneers"))
pioneers = components.load("pioneers_monthly", k)
if pioneers is not None:
    pioneers = data.in_range(pioneers, filters.start, filters.end)
    months = data.months(pioneers)
    if not months:
        st.info(t("overview.no_values"))
    else:
        last = months[-1]
        now = {r["population"]: r for r in pioneers.filter(pl.col("month") == last).iter_rows(named=True)}
        st.markdown(f"**{t('training.pioneers_month', month=fmt_month(last, lang))}**")
        cols = st.columns(4)
        for column, (population, other) in zip(
            cols[:2], (("pioneers", "everyone_else"), ("units_with_pioneer", "units_without_pioneer")), strict=True
        ):
            rec, ref = now.get(population), now.get(other)
            value = views.figure_text(rec, "adoption_rate", "pct", lang, k) if rec else views.NA
            delta, flat = views.kpi_delta(
                rec.get("adoption_rate") if rec else None, ref.get("adoption_rate") if ref else None, "pct", lang
            )
            components.kpi(
                column, t(f"population.{population}"), value, delta=delta, flat=flat,
                delta_description=t("training.vs_population", population=t(f"population.{other}"),
                                    value=views.figure_text(ref, "adoption_rate", "pct", lang, k) if ref else views.NA),
                help=t(f"help.population.{population}"),
            )
        for column, population in zip(cols[2:], ("pioneers", "everyone_else"), strict=True):
            rec = now.get(population)
            components.kpi(
                column, t("training.pioneer_days", population=t(f"population.{population}")),
                views.figure_text(rec, "active_days_avg", "days", lang, k) if rec else views.NA,
                help=t("help.active_days_avg"),
                note=t("training.breadth", value=views.figure_text(rec, "breadth_avg", "num2", lang, k))
                if rec else None,
            )
        points = [
            {
                "x": fmt_month(r["month"], lang),
                "series": t(f"population.{r['population']}"),
                "value": r.get("adoption_rate"),
                "text": views.figure_text(r, "adoption_rate", "pct", lang, k),
            }
            for r in pioneers.sort("month").iter_rows(named=True)
        ]
        components.chart(st, views.line_chart, pd.DataFrame(points), t("col.adoption_rate"), ".0%", series_title=t("col.population"),
                             tooltip_titles=(t("col.month"), t("col.adoption_rate")))
        table = views.build_table(
            [
                {**r, "month_label": fmt_month(r["month"], lang), "population_label": t(f"population.{r['population']}")}
                for r in pioneers.sort("month", descending=True).iter_rows(named=True)
            ],
            [
                Col("month_label", "col.month", "text"),
                Col("population_label", "col.population", "text"),
                Col("units", "col.units", "int", "help.units"),
                Col("headcount", "col.headcount", "int"),
                Col("active_users", "col.active_users", "int"),
                Col("adoption_rate", "col.adoption_rate", "pct", "help.adoption_rate"),
                Col("active_days_avg", "col.active_days_avg", "num1", "help.active_days_avg"),
                Col("breadth_avg", "col.breadth_avg", "num1", "help.breadth_avg"),
            ],
            lang,
            k,
            kept=("units",),
        )
        components.table(table, key="pioneers_table", filename="pioneers", lang=lang, k=k)
        st.caption(t("training.pioneers_note", k=k))
