"""Governance: how much is blocked by policy and how much fails, and where traffic and money
go by platform, vendor and model (mart ``governance_monthly``; by unit from ``unit_monthly``)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import current_lang, fmt_month, function_label, t
from dashboards.views import Col

lang = current_lang()
st.title(t("governance.title"))
k = data.privacy_k()
filters = state.filters()

governance = components.load("governance_monthly", k)
if governance is not None:
    components.scope_note("scope.ministry_wide", lang)
    governance = data.in_range(governance, filters.start, filters.end)
    months = data.months(governance)
    if not months:
        st.info(t("overview.no_values"))
        governance = None
if governance is not None:
    month = st.selectbox(
        t("units.month"),
        months,
        index=len(months) - 1,
        format_func=lambda m: fmt_month(m, lang),
        key=f"governance_month_{filters.start}_{filters.end}",
    )
    everything = governance.filter(pl.col("breakdown") == "all").sort("month")
    current = everything.filter(pl.col("month") == month)
    previous = governance.filter((pl.col("breakdown") == "all") & (pl.col("month") == data.previous_month(month)))
    now = current.row(0, named=True) if current.height else None
    before = previous.row(0, named=True) if previous.height else None
    vs_prev = t("kpi.vs_prev", month=fmt_month(data.previous_month(month), lang))
    cards = (
        ("blocked_share", "col.blocked_share", "help.blocked_share", "pct", "inverse"),
        ("failure_share", "col.failure_share", "help.failure_share", "pct", "inverse"),
        ("requests", "col.requests", "help.requests_all", "int", "off"),
        ("cost_usd", "kpi.cost", "help.cost", "usd", "inverse"),
    )
    for column, (field, label, help_key, kind, color) in zip(st.columns(4), cards, strict=True):
        value = now.get(field) if now else None
        delta, flat = views.kpi_delta(value, before.get(field) if before else None, kind, lang)
        components.kpi(column, t(label), views.kpi_value(value, kind, lang), delta=delta, delta_color=color,
                       flat=flat, delta_description=vs_prev, help=t(help_key))

    left, right = st.columns(2)
    left.markdown(f"**{t('governance.trend')}**")
    points = [
        {
            "x": fmt_month(r["month"], lang),
            "series": t(f"col.{field}"),
            "value": r.get(field),
            "text": views.kpi_value(r.get(field), "pct", lang),
        }
        for r in everything.iter_rows(named=True)
        for field in ("blocked_share", "failure_share")
    ]
    components.chart(left, views.line_chart, pd.DataFrame(points), t("governance.share"), ".1%", series_title=" ",
                         tooltip_titles=(t("col.month"), t("governance.share")))
    vendors = governance.filter((pl.col("breakdown") == "vendor") & (pl.col("month") == month)).sort(
        "requests", descending=True
    )
    right.markdown(f"**{t('governance.vendor_shares', month=fmt_month(month, lang))}**")
    shares = [
        {
            "x": str(r["item"]),
            "series": t(f"col.{field}"),
            "value": r.get(field),
            "text": views.kpi_value(r.get(field), "pct", lang),
        }
        for r in vendors.iter_rows(named=True)
        for field in ("request_share", "cost_share")
    ]
    if shares:
        frame = pd.DataFrame(shares)
        components.chart(right, views.grouped_bar_chart, frame, t("governance.share"), ".0%")
        right.caption(t("governance.vendor_note"))

    share_columns = [
        Col("requests", "col.requests", "int"),
        Col("request_share", "col.request_share", "pct", "help.request_share"),
        Col("blocked_requests", "col.blocked_requests", "int", "help.blocked_requests"),
        Col("blocked_share", "col.blocked_share", "pct", "help.blocked_share"),
        Col("failed_requests", "col.failed_requests", "int", "help.failed_requests"),
        Col("failure_share", "col.failure_share", "pct", "help.failure_share"),
        Col("cost_usd", "col.cost_usd", "num2", "help.cost"),
        Col("cost_share", "col.cost_share", "pct", "help.cost_share"),
    ]
    for breakdown, heading, first in (
        ("platform", "governance.platforms", [Col("item_label", "col.platform", "text")]),
        ("vendor", "governance.vendors", [Col("item", "col.vendor", "text")]),
        ("model", "governance.models", [Col("item", "col.model", "text"), Col("vendor", "col.vendor", "text")]),
    ):
        rows = governance.filter((pl.col("breakdown") == breakdown) & (pl.col("month") == month)).sort(
            "requests", descending=True
        )
        if rows.is_empty():
            continue
        st.markdown(f"**{t(heading, month=fmt_month(month, lang))}**")
        records = [
            {**r, "item_label": t(f"platform.{r['item']}") if r["item"] in ("portal", "onai") else r["item"]}
            for r in rows.iter_rows(named=True)
        ]
        table = views.build_table(records, [*first, *share_columns], lang, k, size_key=None)
        components.table(table, key=f"governance_{breakdown}", filename=f"governance_{breakdown}_{month:%Y-%m}",
                         lang=lang, k=k)

# ---------------------------------------------------------------- by unit
st.subheader(t("governance.units"))
try:
    df = data.load_unit_monthly(k)
except data.PublishedDataError as exc:
    components.data_error(exc)
    st.stop()
if df.is_empty() or not filters.has_data:
    st.stop()
unit = filters.unit or filters.ministry
month = month if governance is not None else filters.end  # the month chosen above
rows = data.with_function(data.units_for_month(df, month, unit), filters.function, keep=(unit, data.UNATTRIBUTED))
rows = rows.drop("depth", "order").with_columns(
    (pl.col("blocked_requests") / pl.col("requests")).alias("blocked_share")
    if "blocked_requests" in rows.columns else pl.lit(None, pl.Float64).alias("blocked_share"),
    (pl.col("failed_requests") / pl.col("requests")).alias("failure_share")
    if "failed_requests" in rows.columns else pl.lit(None, pl.Float64).alias("failure_share"),
)
st.caption(t("governance.units_caption", month=fmt_month(month, lang)))
if filters.function:
    components.scope_note("filter.function_note", lang, function=function_label(filters.function, lang))
table = views.unit_table(
    rows,
    lang,
    k,
    views.unit_names(df.filter(pl.col("month") == month), lang),
    extra=(
        Col("requests", "col.requests", "int", "help.requests"),
        Col("blocked_requests", "col.blocked_requests", "int", "help.blocked_requests"),
        Col("blocked_share", "col.blocked_share", "pct", "help.blocked_share"),
        Col("failed_requests", "col.failed_requests", "int", "help.failed_requests"),
        Col("failure_share", "col.failure_share", "pct", "help.failure_share"),
        Col("cost_usd", "col.cost_usd", "num2", "help.cost"),
    ),
)
components.table(table, key="governance_units", filename=f"governance_units_{unit}_{month:%Y-%m}", lang=lang, k=k)
