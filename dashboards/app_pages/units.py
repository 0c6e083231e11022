"""Units: drill down ministry -> office -> bureau -> division, a sortable table of the units
below the selected one, and a unit-by-month heatmap (mart ``unit_monthly``)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import current_lang, fmt_month, function_label, level_label, t
from dashboards.views import Col

lang = current_lang()
st.title(t("units.title"))

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
range_months = data.months(df.filter(pl.col("month").is_between(start, end)))

# ---------------------------------------------------------------- month and drill-down
left, right = st.columns([1, 3])
month = left.selectbox(
    t("units.month"),
    range_months,
    index=len(range_months) - 1,
    format_func=lambda m: fmt_month(m, lang),
    key=f"units_month_{start}_{end}",
)
path = data.ancestors(df, month, unit)
if not path:
    st.warning(t("nodata.unit", unit=unit, month=fmt_month(month, lang)))
    st.stop()

with right:
    st.caption(t("units.path"))
    crumbs = st.columns(len(path) + 1, gap="small")
    for i, (column, rec) in enumerate(zip(crumbs, path, strict=False)):
        last = i == len(path) - 1
        column.button(
            views.unit_name(rec, lang),
            key=f"units_crumb_{rec['unit_code']}",
            disabled=last,
            type="primary" if last else "secondary",
            on_click=state.request_unit,
            args=(rec["unit_code"],),
            icon=":material/chevron_right:" if i else ":material/home:",
            width="stretch",
        )

kids = data.with_function(data.children(df, month, unit), filters.function)
if kids.height:
    names = {rec["unit_code"]: views.unit_name(rec, lang) for rec in kids.iter_rows(named=True)}

    def _drill() -> None:
        chosen = st.session_state.get("units_drill")
        if chosen:
            state.request_unit(chosen)

    st.selectbox(
        t("units.drill"),
        list(names),
        index=None,
        placeholder=t("units.drill_placeholder", count=len(names)),
        format_func=lambda c: f"{names[c]} ({level_label(kids.filter(pl.col('unit_code') == c)['unit_level'][0], lang)})",
        key="units_drill",
        on_change=_drill,
    )

# ---------------------------------------------------------------- table
st.subheader(t("units.table", unit=views.unit_name(path[-1], lang), month=fmt_month(month, lang)))
scope = st.segmented_control(
    t("units.scope"),
    ["children", "subtree"],
    default="children",
    required=True,
    format_func=lambda s: t(f"units.scope.{s}"),
    key="units_scope",
)
if scope == "children":
    rows = pl.concat(
        [df.filter((pl.col("month") == month) & (pl.col("unit_code") == unit)), data.children(df, month, unit)],
        how="diagonal_relaxed",
    )
    rows = data.ordered_units(rows)
else:
    rows = data.units_for_month(df, month, unit)
rows = data.with_function(rows, filters.function, keep=(unit,))
rows = data.with_previous(rows.drop("depth", "order"), df, month, "adoption_rate", "adoption_change")
extra = tuple(
    c
    for c in (
        Col("function_label", "col.function", "text"),
        Col("adoption_change", "col.adoption_change", "pp", "help.adoption_change"),
        Col("active_days_avg", "col.active_days_avg", "num1", "help.active_days_avg"),
        Col("stickiness", "col.stickiness", "pct", "help.stickiness"),
        Col("breadth_avg", "col.breadth_avg", "num1", "help.breadth_avg"),
        Col("new_users", "col.new_users", "int", "help.new_users"),
        Col("dormant_users", "col.dormant_users", "int", "help.dormant_users"),
        Col("requests", "col.requests", "int", "help.requests"),
        Col("assisted_hours_central", "col.assisted_hours_central", "num1", "help.assisted_hours"),
        Col("cost_usd", "col.cost_usd", "num2", "help.cost"),
    )
    if c.key in rows.columns or c.key == "function_label"
)
month_names = views.unit_names(df.filter(pl.col("month") == month), lang)
table = views.unit_table(rows, lang, k, month_names, extra=extra)
if filters.function:
    components.scope_note("filter.function_note", lang, function=function_label(filters.function, lang))
components.table(table, key="units_table", filename=f"units_{unit}_{month:%Y-%m}_{scope}", lang=lang, k=k)
st.caption(t("units.sort_hint"))

# ---------------------------------------------------------------- heatmap
st.subheader(t("units.heatmap"))
subtree_levels = data.sublevels(df, start, end, unit)
if not subtree_levels:
    st.info(t("units.heatmap_none", unit=views.unit_name(path[-1], lang)))
else:
    left, right = st.columns(2)
    heat_level = left.segmented_control(
        t("units.heatmap_level"),
        subtree_levels,
        default=subtree_levels[0],
        required=True,
        format_func=lambda lv: level_label(lv, lang),
        key="units_heatmap_level",
    )
    metric = right.segmented_control(
        t("units.heatmap_metric"),
        ["adoption_rate", "stickiness"],
        default="adoption_rate",
        required=True,
        format_func=lambda m: t(f"col.{m}"),
        key="units_heatmap_metric",
    )
    heat_rows = data.with_function(data.heatmap_rows(df, start, end, unit, heat_level), filters.function)
    if heat_rows.is_empty() or metric not in heat_rows.columns:
        st.info(t("units.heatmap_empty"))
    else:
        heat = views.heatmap_frame(heat_rows, lang, k, catalog_frame, metric=metric)
        components.chart(st, views.heatmap_chart, heat, lang, k, metric=metric)
        st.caption(t("units.heatmap_note", marker=views.suppressed_marker(k), k=k))
