"""Streamlit building blocks shared by the entry script and the pages."""

from __future__ import annotations

import streamlit as st

from dashboards import data
from dashboards.i18n import fmt_datetime_kst, fmt_month, suppressed_marker, t


def data_error(exc: data.PublishedDataError) -> None:
    """Explain a missing or unreadable published file, with what to do: no traceback."""
    if isinstance(exc, data.PublishedMissing):
        where = t("missing.folder" if exc.is_folder else "missing.file", path=exc.path)
        st.info(
            f"**{t('missing.title')}**\n\n{where}\n\n{t('missing.todo', home=data.home())}",
            icon=":material/info:",
        )
    else:
        reason = exc.reason
        if isinstance(exc, data.PublishedInvalid) and exc.missing_columns:
            reason = t("invalid.columns", columns=", ".join(exc.missing_columns))
        st.error(
            f"**{t('invalid.title')}**\n\n{t('invalid.body', path=exc.path, reason=reason)}",
            icon=":material/error:",
        )


def no_rows(path) -> None:
    """The published file exists but holds no rows."""
    st.info(
        f"**{t('missing.title')}**\n\n{t('missing.empty', path=path)}\n\n{t('missing.todo', home=data.home())}",
        icon=":material/info:",
    )


def publish_info(info: data.PublishInfo | None, lang: str) -> None:
    """Data window and last publish time, at the bottom of the sidebar."""
    if info is None:
        return
    lines = []
    if info.window_start and info.window_end:
        lines.append(t("info.window", start=fmt_month(info.window_start, lang), end=fmt_month(info.window_end, lang)))
    if info.published_at:
        key = "info.published" if info.from_manifest else "info.published_mtime"
        lines.append(t(key, when=fmt_datetime_kst(info.published_at, lang)))
    if info.metric_version:
        lines.append(t("info.metric_version", version=info.metric_version))
    if info.run_id:
        lines.append(t("info.run_id", run_id=info.run_id))
    if lines:
        st.sidebar.divider()
        st.sidebar.caption("  \n".join(lines))
    if info.manifest_error:
        st.sidebar.caption(f":orange[{t('info.manifest_invalid')}]")


def privacy_caption(k: int, lang: str, markers: list[str] | None = None) -> None:
    """Explain the markers a table shows. ``markers``: the table's per-row markers
    (``views.UnitTable.markers``); the small-group note is always shown."""
    present = set(markers or [])
    lines = [t("privacy.note", marker=suppressed_marker(k), k=k)]
    withheld = t("privacy.withheld", lang)
    if withheld in present:
        lines.append(t("privacy.note_withheld", withheld=withheld))
    if "–" in present:
        lines.append(t("na.note"))
    st.caption("  \n".join(lines))
