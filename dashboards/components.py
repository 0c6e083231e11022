"""Streamlit building blocks shared by the entry script and the pages."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import data, views
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
    if info.coefficients_version:
        lines.append(t("info.coefficients_version", version=info.coefficients_version))
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


def load(name: str, k: int) -> pl.DataFrame | None:
    """A published mart for a page section, or None after explaining why it is not there
    (the rest of the page still renders)."""
    try:
        frame = data.load_mart(name, k)
    except data.PublishedDataError as exc:
        data_error(exc)
        return None
    if frame.is_empty():
        no_rows(data.mart_path(name))
        return None
    return frame


def scope_note(key: str, lang: str, **kwargs) -> None:
    """A one-line caption saying what a section covers (e.g. ministry-wide, unit filter not applied)."""
    st.caption(":material/info: " + t(key, lang, **kwargs))


def table(
    tbl: views.Table,
    *,
    key: str,
    filename: str,
    lang: str,
    k: int,
    height: int | str = "auto",
    prose: bool = False,
) -> None:
    """A sortable table, its CSV download (as displayed, markers included) and, when a row
    is withheld, what the markers mean. ``prose``: a static table whose long texts wrap
    (definitions), instead of the sortable grid."""
    if prose:
        st.table(tbl.display, hide_index=True)
    else:
        privacy_help = suppressed_marker(k) + ": " + t("privacy.short", lang, k=k)
        st.dataframe(
            tbl.styler(),
            hide_index=True,
            column_config=tbl.column_config(privacy_help if tbl.withheld_rows else None),
            key=key,
            height=height,
            placeholder=tbl.placeholder,  # the grid's text for a null cell: a small group's withheld figure
        )
    st.download_button(
        t("download.csv", lang),
        data=tbl.csv_bytes(),
        file_name=f"axmeter_{filename}_{lang}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}_csv",
    )
    if tbl.withheld_rows:
        privacy_caption(k, lang, list(tbl.display.to_numpy().ravel()))


def kpi(
    column,
    label: str,
    value: str,
    *,
    delta: str | None = None,
    delta_color: str = "normal",
    flat: bool = False,
    delta_description: str | None = None,
    help: str | None = None,
    note: str | None = None,
) -> None:
    """One KPI card; ``note`` is a caption inside the card (e.g. a low-high range)."""
    with column.container(border=True):
        st.metric(
            label,
            value,
            delta=delta or None,
            delta_color=delta_color,
            delta_arrow="off" if flat else "auto",
            delta_description=delta_description if delta else None,
            help=help,
        )
        if note:
            st.caption(note)


@st.cache_data(max_entries=512, show_spinner=False)
def _vega_lite_spec(builder_name: str, *args, **kwargs) -> dict:
    """The Vega-Lite spec ``views.<builder_name>(*args, **kwargs)`` builds, unvalidated."""
    spec = getattr(views, builder_name)(*args, **kwargs).to_dict(validate=False)
    config = spec.get("config")
    if isinstance(config, dict) and set(config) <= {"view"}:
        spec.pop("config")  # Altair's default view size: Streamlit sizes the chart itself
    return spec


def chart(target, builder, *args, **kwargs) -> None:
    """``builder(*args, **kwargs)`` (a chart function of ``dashboards.views``) drawn in ``target``.

    ``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every
    run, about a third of a page's run time. These charts are fixed code (the tests draw
    them all), so the spec is built without validation and cached by the builder and its
    inputs (small frames of published figures, labels): a page seen before costs no Altair.
    """
    target.vega_lite_chart(_vega_lite_spec(builder.__name__, *args, **kwargs), width="stretch")
