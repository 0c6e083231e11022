"""Data quality: freshness per source, what arrived and what was quarantined and why, the
latest check results when published, the Great Expectations Data Docs when present
(marts ``data_quality_daily``, ``data_quality_quarantine``; manifest.json). Row-level
detail is for the data team only (``access.is_data_team``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import streamlit as st

from dashboards import access, components, data, state, views
from dashboards.i18n import current_lang, fmt_age, fmt_date, fmt_datetime_kst, source_label, t
from dashboards.views import Col

# Expected cadence per source: (fresh within, late within); older is stale. Sources not
# listed arrive irregularly and are shown as received, without a verdict.
CADENCE = {
    "portal": (dt.timedelta(hours=48), dt.timedelta(hours=96)),
    "onai": (dt.timedelta(hours=48), dt.timedelta(hours=96)),
    "hr": (dt.timedelta(days=35), dt.timedelta(days=62)),
}
EVENT_SOURCES = ("portal", "onai")

lang = current_lang()
st.title(t("quality.title"))
k = data.privacy_k()
filters = state.filters()
info = data.load_publish_info()
viewer = access.current_viewer()

daily = components.load("data_quality_daily", k)

# ---------------------------------------------------------------- freshness
st.subheader(t("quality.freshness"))
if daily is not None and info is not None:
    reference = info.published_at or dt.datetime.now(dt.timezone.utc)
    newest_manifest = dict(info.newest_event_at)
    latest = data.latest_by_source(daily)
    st.caption(t("quality.freshness_note", when=fmt_datetime_kst(reference, lang)))
    sources = latest["source"].to_list()
    for row_start in range(0, len(sources), 4):
        columns = st.columns(4)
        for column, rec in zip(columns, latest.slice(row_start, 4).iter_rows(named=True), strict=False):
            source = rec["source"]
            newest = newest_manifest.get(source) or rec.get("newest_event_at")
            delivered = rec.get("last_delivered_at")
            basis = newest if source in EVENT_SOURCES else delivered
            with column.container(border=True):
                st.markdown(f"**{source_label(source, lang)}**")
                if basis is None:
                    st.badge(t("quality.badge.unknown"), color="gray", icon=":material/help:")
                else:
                    age = reference - basis
                    if source in CADENCE:
                        fresh, late = CADENCE[source]
                        if age <= fresh:
                            st.badge(t("quality.badge.fresh"), color="green", icon=":material/check_circle:")
                        elif age <= late:
                            st.badge(t("quality.badge.late"), color="orange", icon=":material/schedule:")
                        else:
                            st.badge(t("quality.badge.stale"), color="red", icon=":material/error:")
                    else:
                        st.badge(t("quality.badge.received"), color="blue", icon=":material/inbox:")
                    st.caption(t("quality.age", age=fmt_age(age, lang)))
                lines = []
                if newest is not None and source in EVENT_SOURCES:
                    lines.append(t("quality.newest_event", when=fmt_datetime_kst(newest, lang)))
                if delivered is not None:
                    lines.append(t("quality.last_delivery", when=fmt_datetime_kst(delivered, lang)))
                if lines:
                    st.caption("  \n".join(lines))

# ---------------------------------------------------------------- what arrived, per source
if daily is not None:
    st.subheader(t("quality.sources"))
    window = daily
    if filters.has_data:
        window = daily.filter(pl.col("day").is_between(filters.start, data.month_end(filters.end)))
        components.scope_note("quality.range_note", lang, start=fmt_date(filters.start, lang),
                              end=fmt_date(data.month_end(filters.end), lang))
    summary = (
        window.group_by("source")
        .agg(
            pl.col("files_received").sum(),
            pl.col("files_quarantined").sum(),
            pl.col("rows_received").sum(),
            pl.col("rows_loaded").sum(),
            pl.col("rows_duplicate").sum(),
            pl.col("rows_quarantined").sum(),
            pl.col("events_with_employee").sum(),
            pl.col("events_matched_to_hr").sum(),
            pl.col("unmapped_feature_rows").sum(),
            pl.col("unknown_service_rows").sum(),
            pl.col("events_with_employee").is_not_null().any().alias("_events"),
        )
        .with_columns(
            (pl.col("rows_quarantined") / pl.col("rows_received")).alias("quarantine_share"),
            pl.when(pl.col("_events"))
            .then(pl.col("events_matched_to_hr") / pl.col("events_with_employee"))
            .alias("hr_match_rate"),
            *[pl.when(pl.col("_events")).then(pl.col(c)).alias(c)
              for c in ("unmapped_feature_rows", "unknown_service_rows")],
        )
        .sort("source")
    )
    table = views.build_table(
        [{**r, "source_label": source_label(r['source'], lang)} for r in summary.iter_rows(named=True)],
        [
            Col("source_label", "col.source", "text"),
            Col("files_received", "col.files_received", "int"),
            Col("files_quarantined", "col.files_quarantined", "int", "help.files_quarantined"),
            Col("rows_received", "col.rows_received", "int", "help.rows_received"),
            Col("rows_loaded", "col.rows_loaded", "int", "help.rows_loaded"),
            Col("rows_duplicate", "col.rows_duplicate", "int", "help.rows_duplicate"),
            Col("rows_quarantined", "col.rows_quarantined", "int", "help.rows_quarantined"),
            Col("quarantine_share", "col.quarantine_share", "pct"),
            Col("hr_match_rate", "col.hr_match_rate", "pct", "help.hr_match_rate"),
            Col("unmapped_feature_rows", "col.unmapped_feature_rows", "int", "help.unmapped_feature_rows"),
            Col("unknown_service_rows", "col.unknown_service_rows", "int", "help.unknown_service_rows"),
        ],
        lang,
        k,
        size_key=None,
    )
    components.table(table, key="quality_sources", filename="data_quality_sources", lang=lang, k=k)

    events = window.filter(pl.col("source").is_in(EVENT_SOURCES) & pl.col("hr_match_rate").is_not_null()).sort("day")
    if events.height:
        st.markdown(f"**{t('quality.hr_match_trend')}**")
        frame = pd.DataFrame(
            {
                "x": [fmt_date(d, lang) for d in events["day"]],
                "series": [source_label(s, lang) for s in events["source"]],
                "value": events["hr_match_rate"].to_list(),
                "text": [views.kpi_value(v, "pct", lang) for v in events["hr_match_rate"]],
            }
        )
        components.chart(st, views.line_chart, frame, t("col.hr_match_rate"), ".0%", series_title=t("col.source"), zero=False,
                             tooltip_titles=(t("col.date"), t("col.hr_match_rate")))

# ---------------------------------------------------------------- quarantine by reason
st.subheader(t("quality.quarantine"))
quarantine = components.load("data_quality_quarantine", k)
if quarantine is not None:
    window = quarantine
    if filters.has_data:
        window = quarantine.filter(pl.col("day").is_between(filters.start, data.month_end(filters.end)))
    by_reason = (
        window.group_by("source", "reason")
        .agg(pl.col("files_quarantined").sum(), pl.col("rows_quarantined").sum(), pl.col("day").n_unique().alias("days"))
        .sort(["rows_quarantined", "files_quarantined"], descending=True)
    )
    if by_reason.is_empty():
        st.success(t("quality.no_quarantine"), icon=":material/check_circle:")
    else:
        frame = pd.DataFrame(
            {
                "x": [f"{source_label(s, lang)} · {r}" for s, r in by_reason.select("source", "reason").iter_rows()],
                "value": (by_reason["rows_quarantined"] + by_reason["files_quarantined"]).to_list(),
                "text": [
                    t("quality.reason_text", rows=views.kpi_value(r, "int", lang), files=views.kpi_value(f, "int", lang))
                    for r, f in by_reason.select("rows_quarantined", "files_quarantined").iter_rows()
                ],
            }
        )
        components.chart(st, views.bar_chart, frame, t("quality.quarantined_items"), ",d", horizontal=True)
        table = views.build_table(
            [{**r, "source_label": source_label(r['source'], lang)} for r in by_reason.iter_rows(named=True)],
            [
                Col("source_label", "col.source", "text"),
                Col("reason", "col.reason", "text"),
                Col("files_quarantined", "col.files_quarantined", "int", "help.files_quarantined"),
                Col("rows_quarantined", "col.rows_quarantined", "int", "help.rows_quarantined"),
                Col("days", "col.days", "int"),
            ],
            lang,
            k,
            size_key=None,
        )
        components.table(table, key="quality_quarantine", filename="quarantine_by_reason", lang=lang, k=k)

# ---------------------------------------------------------------- checks and Data Docs
st.subheader(t("quality.checks"))
checks = data.check_results(info.manifest if info else None)
if checks:
    table = views.build_table(
        [
            {
                **c,
                "status": t("quality.passed" if c.get("passed") else "quality.failed"),
                "severity": c.get("severity") or "",
                "description": c.get("description") or c.get("asset") or "",
            }
            for c in checks
        ],
        [
            Col("name", "col.check", "text"),
            Col("status", "col.status", "text"),
            Col("severity", "col.severity", "text"),
            Col("description", "col.description", "text"),
        ],
        lang,
        k,
        size_key=None,
    )
    failed = sum(1 for c in checks if not c.get("passed"))
    if failed:
        st.error(t("quality.checks_failed", n=failed, total=len(checks)), icon=":material/error:")
    else:
        st.success(t("quality.checks_passed", total=len(checks)), icon=":material/check_circle:")
    components.table(table, key="quality_checks", filename="checks", lang=lang, k=k)
else:
    st.caption(t("quality.checks_none"))

docs = data.quality_docs_index()
if docs is not None:
    st.markdown(t("quality.docs", url=docs.resolve().as_uri(), path=str(docs)))
else:
    st.caption(t("quality.docs_none", path=str(data.home() / "quality")))

# ---------------------------------------------------------------- data team only
st.subheader(t("quality.detail"))
if not viewer.data_team:
    st.info(t("quality.detail_locked" if viewer.auth_enabled else "quality.detail_no_auth"), icon=":material/lock:")
else:
    detail = data.load_data_team_detail()
    if detail is not None and detail.height:
        st.caption(t("quality.detail_rows"))
        st.dataframe(detail.to_pandas(), hide_index=True, key="quality_detail_rows")
        st.download_button(
            t("download.csv", lang),
            data=detail.to_pandas().to_csv(index=False).encode("utf-8-sig"),
            file_name=f"axmeter_quarantine_rows_{lang}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key="quality_detail_rows_csv",
        )
    elif quarantine is not None:
        st.caption(t("quality.detail_files"))
        rows = quarantine.sort("day", "source", "reason", descending=[True, False, False])
        table = views.build_table(
            [{**r, "source_label": source_label(r['source'], lang), "day_label": fmt_date(r["day"], lang)}
             for r in rows.iter_rows(named=True)],
            [
                Col("day_label", "col.file_date", "text"),
                Col("source_label", "col.source", "text"),
                Col("reason", "col.reason", "text"),
                Col("files_quarantined", "col.files_quarantined", "int"),
                Col("rows_quarantined", "col.rows_quarantined", "int"),
            ],
            lang,
            k,
            size_key=None,
        )
        components.table(table, key="quality_detail_files", filename="quarantine_by_file", lang=lang, k=k)
