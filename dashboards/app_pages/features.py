"""Features and models: what people use AI for, and which models serve it
(marts ``feature_monthly``, ``model_monthly``). Ministry-wide: every event, attributed or not."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import components, data, state, views
from dashboards.i18n import current_lang, feature_label, fmt_month, fmt_pct, t
from dashboards.views import Col

lang = current_lang()
st.title(t("features.title"))
k = data.privacy_k()
filters = state.filters()
components.scope_note("scope.ministry_wide", lang)

# ---------------------------------------------------------------- features
st.subheader(t("features.features"))
features = components.load("feature_monthly", k)
if features is not None:
    features = data.in_range(features, filters.start, filters.end)
    months = data.months(features)
    if not months:
        st.info(t("overview.no_values"))
    else:
        month = st.selectbox(
            t("units.month"),
            months,
            index=len(months) - 1,
            format_func=lambda m: fmt_month(m, lang),
            key=f"features_month_{filters.start}_{filters.end}",
        )
        now = features.filter(pl.col("month") == month).sort("requests", descending=True, nulls_last=True)
        left, right = st.columns(2)
        left.markdown(f"**{t('features.chart.active', month=fmt_month(month, lang))}**")
        bars = pd.DataFrame(
            {
                "x": [feature_label(f, lang) for f in now["feature"]],
                "value": now["active_users"].cast(pl.Float64).to_list(),
                "text": [views.figure_text(r, "active_users", "int", lang, k) for r in now.iter_rows(named=True)],
            }
        ).sort_values("value", ascending=False)
        components.chart(left, views.bar_chart, bars, t("col.active_users"), ",d", horizontal=True)

        right.markdown(f"**{t('features.chart.platform')}**")
        by_platform = (
            features.group_by("month", "platform")
            .agg(pl.col("requests").sum())
            .sort("month", "platform")
        )
        trend = pd.DataFrame(
            {
                "x": [fmt_month(m, lang) for m in by_platform["month"]],
                "series": [t(f"platform.{p}") if p in ("portal", "onai") else str(p) for p in by_platform["platform"]],
                "value": by_platform["requests"].cast(pl.Float64).to_list(),
                "text": [views.kpi_value(v, "int", lang) for v in by_platform["requests"]],
            }
        )
        components.chart(right, views.bar_chart, trend, t("col.requests"), ",d", stacked_series_title=t("col.platform"))

        try:  # the ministry's headcount, for each feature's reach
            ministry_row = data.unit_row(data.load_unit_monthly(k), filters.ministry, month)
        except data.PublishedDataError:
            ministry_row = None
        ministry_headcount = ministry_row.get("headcount") if ministry_row else None
        records = [
            {
                **r,
                "feature_label": feature_label(r["feature"], lang),
                "platform_label": t(f"platform.{r['platform']}") if r.get("platform") in ("portal", "onai")
                else (r.get("platform") or ""),
                "reach": (r["active_users"] / ministry_headcount)
                if r.get("active_users") is not None and ministry_headcount else None,
            }
            for r in now.iter_rows(named=True)
        ]
        table = views.build_table(
            records,
            [
                Col("feature_label", "col.feature", "text"),
                Col("platform_label", "col.platform", "text"),
                Col("feature_mapped", "col.feature_mapped", "bool", "help.feature_mapped"),
                Col("requests", "col.requests", "int", "help.requests"),
                Col("successful_requests", "col.successful_requests", "int", "help.successful_requests"),
                Col("active_users", "col.active_users", "int", "help.feature_active_users"),
                Col("reach", "col.reach", "pct", "help.reach"),
                Col("assisted_hours_low", "col.assisted_hours_low", "num1", "help.assisted_hours"),
                Col("assisted_hours_central", "col.assisted_hours_central", "num1", "help.assisted_hours"),
                Col("assisted_hours_high", "col.assisted_hours_high", "num1", "help.assisted_hours"),
            ],
            lang,
            k,
            size_key=None,
        )
        components.table(table, key="features_table", filename=f"features_{month:%Y-%m}", lang=lang, k=k)
        unmapped = [r["feature"] for r in records if r.get("feature_mapped") is False]
        if unmapped:
            st.caption(t("features.unmapped", features=", ".join(unmapped)))

# ---------------------------------------------------------------- models
st.subheader(t("features.models"))
models = components.load("model_monthly", k)
if models is not None:
    models = data.in_range(models, filters.start, filters.end)
    months = data.months(models)
    if not months:
        st.info(t("overview.no_values"))
    else:
        month = st.selectbox(
            t("units.month"),
            months,
            index=len(months) - 1,
            format_func=lambda m: fmt_month(m, lang),
            key=f"models_month_{filters.start}_{filters.end}",
        )
        by_model = models.group_by("month", "model").agg(pl.col("requests").sum()).sort("month", "model")
        trend = pd.DataFrame(
            {
                "x": [fmt_month(m, lang) for m in by_model["month"]],
                "series": by_model["model"].to_list(),
                "value": by_model["requests"].cast(pl.Float64).to_list(),
                "text": [views.kpi_value(v, "int", lang) for v in by_model["requests"]],
            }
        )
        st.markdown(f"**{t('features.chart.models')}**")
        components.chart(st, views.bar_chart, trend, t("col.requests"), ",d", stacked_series_title=t("col.model"))
        now = models.filter(pl.col("month") == month).sort("requests", descending=True)
        table = views.build_table(
            now,
            [
                Col("model", "col.model", "text"),
                Col("provider", "col.vendor", "text"),
                Col("requests", "col.requests", "int"),
                Col("successful_requests", "col.successful_requests", "int", "help.successful_requests"),
                Col("failed_requests", "col.failed_requests", "int"),
                Col("failure_rate", "col.failure_rate", "pct", "help.failure_rate"),
                Col("prompt_tokens", "col.prompt_tokens", "int"),
                Col("completion_tokens", "col.completion_tokens", "int"),
                Col("cost_usd", "col.cost_usd", "num2", "help.cost"),
                Col("latency_p50_ms", "col.latency_p50_ms", "int", "help.latency"),
                Col("latency_p95_ms", "col.latency_p95_ms", "int", "help.latency"),
            ],
            lang,
            k,
            size_key=None,
        )
        st.markdown(f"**{t('features.models_month', month=fmt_month(month, lang))}**")
        components.table(table, key="models_table", filename=f"models_{month:%Y-%m}", lang=lang, k=k)
        total = now["requests"].sum()
        if total:
            failed = now["failed_requests"].sum() if "failed_requests" in now.columns else None
            if failed is not None:
                st.caption(t("features.models_note", failure=fmt_pct(failed / total)))
