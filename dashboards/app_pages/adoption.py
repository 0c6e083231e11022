"""Adoption: who uses AI, ministry-wide and by unit (mart ``unit_monthly``)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import (
    current_lang,
    fmt_month,
    fmt_pp,
    fmt_signed_int,
    level_label,
    suppressed_marker,
    t,
)

lang = current_lang()
st.title(t("adoption.title"))

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
st.caption(t("adoption.caption", unit=unit_label, start=fmt_month(start, lang), end=fmt_month(end, lang)))

# ---------------------------------------------------------------- KPI cards
current = data.unit_row(df, unit, end)
prev_month = data.previous_month(end)
previous = data.unit_row(df, unit, prev_month)  # may lie before the range: still the month before

st.subheader(t("adoption.kpi.header", month=fmt_month(end, lang)))
if current is None:
    st.warning(t("nodata.unit", unit=unit_label, month=fmt_month(end, lang)))
else:
    texts = views.cell_texts(current, lang, k)
    cards = (
        ("adoption_rate", "kpi.adoption_rate", "help.adoption_rate", "normal"),
        ("active_users", "kpi.active_users", "help.active_users", "normal"),
        ("headcount", "kpi.headcount", "help.headcount", "off"),
    )
    for column, (field, label, help_key, color) in zip(st.columns(3), cards, strict=True):
        # Withheld figures are null (data.prepare_unit_monthly), so no delta can leak them.
        now, before = current.get(field), previous.get(field) if previous else None
        diff = None if now is None or before is None else now - before
        if diff is None:
            delta = None
        elif field == "adoption_rate":
            delta = fmt_pp(diff, lang)
        else:
            delta = fmt_signed_int(diff)
        help_text = t(help_key)
        if current["suppressed"] and field != "headcount":
            help_text += "  \n" + suppressed_marker(k) + ": " + t("privacy.short", k=k)
        column.metric(
            t(label),
            texts[field],
            delta=delta,
            delta_color=color,
            delta_arrow="off" if diff is not None and round(diff, 6) == 0 else "auto",
            delta_description=t("kpi.vs_prev", month=fmt_month(prev_month, lang)) if delta else None,
            help=help_text,
            border=True,
        )

# ---------------------------------------------------------------- trend
st.subheader(t("adoption.trend"))
series = data.unit_series(df, unit).filter(pl.col("month").is_between(start, end))
trend = views.trend_frame(series, lang, k)
if len(trend):
    st.altair_chart(views.trend_chart(trend, lang), width="stretch")
    if trend["rate"].isna().any():
        st.caption(t("adoption.trend_gap"))

# ---------------------------------------------------------------- unit table
st.subheader(t("adoption.table"))
range_months = data.months(df.filter(pl.col("month").is_between(start, end)))
left, right = st.columns([1, 3])
table_month = left.selectbox(
    t("adoption.table_month"),
    range_months,
    index=len(range_months) - 1,
    format_func=lambda m: fmt_month(m, lang),
    key=f"adoption_table_month_{start}_{end}",  # follows the range's last month when the range changes
)
month_rows = data.units_for_month(df, table_month, unit)
present_levels = sorted(set(month_rows["unit_level"].to_list()), key=lambda lv: data.LEVEL_ORDER.get(lv, 5))
chosen_levels = right.pills(
    t("adoption.levels"),
    present_levels,
    selection_mode="multi",
    default=present_levels,
    format_func=lambda lv: level_label(lv, lang),
    key="adoption_levels",
)
rows = month_rows.filter(pl.col("unit_level").is_in(chosen_levels or present_levels))
month_names = views.unit_names(df.filter(pl.col("month") == table_month), lang)
table = views.unit_table(rows.drop("depth", "order"), lang, k, month_names)
privacy_help = suppressed_marker(k) + ": " + t("privacy.short", k=k)
st.dataframe(
    table.styler(),
    hide_index=True,
    column_config={
        t("col.headcount"): st.column_config.Column(help=t("help.headcount")),
        t("col.active_users"): st.column_config.Column(help=t("help.active_users") + "  \n" + privacy_help),
        t("col.adoption_rate"): st.column_config.Column(help=t("help.adoption_rate") + "  \n" + privacy_help),
    },
    key="adoption_table",
)
st.download_button(
    t("adoption.download"),
    data=table.csv_bytes(),
    file_name=f"axmeter_adoption_{unit}_{table_month:%Y-%m}_{lang}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
components.privacy_caption(k, lang, list(table.display.to_numpy().ravel()))

# ---------------------------------------------------------------- heatmap
st.subheader(t("adoption.heatmap"))
subtree_levels = data.sublevels(df, start, end, unit)
if not subtree_levels:
    st.info(t("adoption.heatmap_none", unit=unit_label))
else:
    heat_level = st.segmented_control(
        t("adoption.heatmap_level"),
        subtree_levels,
        default="office" if "office" in subtree_levels else subtree_levels[0],
        required=True,
        format_func=lambda lv: level_label(lv, lang),
        key="adoption_heatmap_level",
    )
    heat_rows = data.heatmap_rows(df, start, end, unit, heat_level)
    if heat_rows.is_empty():
        st.info(t("adoption.heatmap_empty"))
    else:
        heat = views.heatmap_frame(heat_rows, lang, k, catalog_frame)
        st.altair_chart(views.heatmap_chart(heat, lang, k), width="stretch")

# ---------------------------------------------------------------- definitions
info = data.load_publish_info(df)
with st.expander(t("definitions.title", version=(info.metric_version if info else None) or "2026.1")):
    st.markdown(t("definitions.body", k=k))
