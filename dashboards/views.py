"""Display frames and charts built from published data (no Streamlit calls).

Pages stay thin: they pick rows with ``dashboards.data`` and render what these
functions return. Everything here is pure, so tests can check exactly what a
reader sees (``<5`` for withheld figures, locale formats, labels).

Privacy display rule: a withheld (suppressed) figure is never shown as 0 or
blank. It shows ``<k`` when the group itself is smaller than k (or its size is
withheld too), and "withheld" when a larger unit is withheld only so that a
small neighbour cannot be recovered by subtraction (complementary suppression):
writing ``<5`` there would state something false.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import altair as alt
import pandas as pd
import polars as pl

from dashboards import data
from dashboards.i18n import (
    fmt_int,
    fmt_month,
    fmt_pct,
    level_label,
    suppressed_marker,
    t,
)

NA = "–"
SUPPRESSED_COLOR = "#d9d9d9"


def unit_name(rec: dict, lang: str) -> str:
    if rec.get("unit_code") == data.UNATTRIBUTED or rec.get("unit_level") == "none":
        return t("unit.unattributed", lang)
    if lang == "en":
        return rec.get("unit_name_en") or rec.get("unit_name_ko") or rec.get("unit_code") or ""
    return rec.get("unit_name_ko") or rec.get("unit_name_en") or rec.get("unit_code") or ""


def withheld_text(rec: dict, lang: str, k: int) -> str:
    """What a withheld figure of this row shows."""
    headcount = rec.get("headcount")
    if headcount is None or headcount < k:
        return suppressed_marker(k)
    return t("privacy.withheld", lang)


def cell_texts(rec: dict, lang: str, k: int) -> dict[str, str]:
    """Headcount, active users and adoption rate of one row, as displayed."""
    if rec.get("suppressed"):
        marker = withheld_text(rec, lang, k)
        headcount = rec.get("headcount")
        return {
            "headcount": fmt_int(headcount) if headcount is not None else marker,
            "active_users": marker,
            "adoption_rate": marker,
        }
    return {
        "headcount": fmt_int(rec.get("headcount")),
        "active_users": fmt_int(rec.get("active_users")),
        "adoption_rate": fmt_pct(rec.get("adoption_rate")),
    }


# ---------------------------------------------------------------- unit table


@dataclass
class UnitTable:
    numeric: pd.DataFrame  # numbers (NaN where withheld / not applicable): sorts correctly
    display: pd.DataFrame  # every cell as the reader sees it: the CSV export
    withheld_rows: list[int]  # positions of suppressed rows
    markers: list[str]  # per row, text for a missing figure ("<5", "withheld", "–")

    def styler(self) -> "pd.io.formats.style.Styler":
        """Numbers formatted per locale; withheld cells show their marker, never 0/blank."""
        cols = list(self.numeric.columns)
        c_head, c_active, c_rate = cols[3], cols[4], cols[5]
        styler = self.numeric.style.format(
            {
                c_head: lambda v: fmt_int(v),
                c_active: lambda v: fmt_int(v),
                c_rate: lambda v: fmt_pct(v),
            },
            na_rep=NA,
        )
        for marker in sorted(set(self.markers) - {NA}):
            rows = [i for i, m in enumerate(self.markers) if m == marker]
            styler = styler.format(
                {
                    c_head: lambda v: fmt_int(v),
                    c_active: lambda v: fmt_int(v),
                    c_rate: lambda v: fmt_pct(v),
                },
                subset=pd.IndexSlice[rows, [c_head, c_active, c_rate]],
                na_rep=marker,
            )
        return styler

    def csv_bytes(self) -> bytes:
        # UTF-8 with BOM so that Excel (Korean Windows) opens Hangul correctly.
        return self.display.to_csv(index=False).encode("utf-8-sig")


def unit_names(rows: pl.DataFrame, lang: str) -> dict[str, str]:
    """Unit code to display name (for parents outside a filtered table)."""
    return {rec["unit_code"]: unit_name(rec, lang) for rec in rows.iter_rows(named=True)}


def unit_table(rows: pl.DataFrame, lang: str, k: int, names: dict[str, str] | None = None) -> UnitTable:
    """The unit table of one month (rows from ``data.units_for_month``).

    ``names`` (code to name, e.g. every unit of that month) labels parents that are
    not in ``rows`` themselves.
    """
    names_by_code = {**(names or {}), **unit_names(rows, lang)}
    col_unit, col_level, col_parent = t("col.unit", lang), t("col.level", lang), t("col.parent", lang)
    col_head, col_active, col_rate = (
        t("col.headcount", lang),
        t("col.active_users", lang),
        t("col.adoption_rate", lang),
    )
    numeric_rows, display_rows, markers, withheld = [], [], [], []
    for i, rec in enumerate(rows.iter_rows(named=True)):
        name = unit_name(rec, lang)
        level = level_label(rec.get("unit_level"), lang)
        parent = names_by_code.get(rec.get("parent_code"), "") if rec.get("parent_code") else ""
        texts = cell_texts(rec, lang, k)
        suppressed = bool(rec.get("suppressed"))
        if suppressed:
            withheld.append(i)
        markers.append(withheld_text(rec, lang, k) if suppressed else NA)
        numeric_rows.append(
            {
                col_unit: name,
                col_level: level,
                col_parent: parent,
                col_head: _num(rec.get("headcount")),
                col_active: None if suppressed else _num(rec.get("active_users")),
                col_rate: None if suppressed else _num(rec.get("adoption_rate")),
            }
        )
        display_rows.append(
            {
                col_unit: name,
                col_level: level,
                col_parent: parent,
                col_head: texts["headcount"],
                col_active: texts["active_users"],
                col_rate: texts["adoption_rate"],
            }
        )
    columns = [col_unit, col_level, col_parent, col_head, col_active, col_rate]
    numeric = pd.DataFrame(numeric_rows, columns=columns)
    for col in (col_head, col_active, col_rate):
        numeric[col] = pd.to_numeric(numeric[col], errors="coerce").astype("float64")
    display = pd.DataFrame(display_rows, columns=columns).astype(str)
    return UnitTable(numeric=numeric, display=display, withheld_rows=withheld, markers=markers)


def _num(value):
    return float("nan") if value is None else float(value)


# ---------------------------------------------------------------- charts


def month_axis(months: list[dt.date], lang: str) -> list[str]:
    return [fmt_month(m, lang) for m in months]


def trend_frame(series: pl.DataFrame, lang: str, k: int) -> pd.DataFrame:
    """One unit's months for the trend chart: rate is NaN where withheld."""
    out = []
    for rec in series.iter_rows(named=True):
        texts = cell_texts(rec, lang, k)
        out.append(
            {
                "month_label": fmt_month(rec["month"], lang),
                "rate": None if rec.get("suppressed") else rec.get("adoption_rate"),
                "rate_text": texts["adoption_rate"],
                "active_text": texts["active_users"],
                "headcount_text": texts["headcount"],
            }
        )
    frame = pd.DataFrame(out, columns=["month_label", "rate", "rate_text", "active_text", "headcount_text"])
    frame["rate"] = pd.to_numeric(frame["rate"], errors="coerce").astype("float64")
    return frame


def trend_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    x = alt.X("month_label:O", sort=list(frame["month_label"]), title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y(
        "rate:Q",
        title=t("kpi.adoption_rate", lang),
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(zero=True),
    )
    tooltip = [
        alt.Tooltip("month_label:N", title=t("col.month", lang)),
        alt.Tooltip("rate_text:N", title=t("col.adoption_rate", lang)),
        alt.Tooltip("active_text:N", title=t("col.active_users", lang)),
        alt.Tooltip("headcount_text:N", title=t("col.headcount", lang)),
    ]
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=tooltip)
    return (base.mark_line() + base.mark_point(filled=True, size=60)).properties(height=280)


def heatmap_frame(rows: pl.DataFrame, lang: str, k: int, catalog: pl.DataFrame | None = None) -> pd.DataFrame:
    """Unit x month cells (rows from ``data.heatmap_rows``).

    Units with the same name (two "운영지원과") get their parent's name added, taken
    from ``catalog`` (``data.unit_catalog``) when given, else their code.
    """
    names: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for rec in rows.sort("month").iter_rows(named=True):  # latest name wins
        names[rec["unit_code"]] = unit_name(rec, lang)
        parents[rec["unit_code"]] = rec.get("parent_code")
    known = (
        {rec["unit_code"]: unit_name(rec, lang) for rec in catalog.iter_rows(named=True)} if catalog is not None else {}
    )
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    labels = {}
    for code, name in names.items():
        if counts[name] > 1:
            parent = known.get(parents.get(code) or "")
            name = f"{name} ({parent or code})"
        labels[code] = name
    if len(set(labels.values())) < len(labels):  # parents alike too: codes make it unique
        labels = {code: f"{names[code]} ({code})" if counts[names[code]] > 1 else names[code] for code in names}

    out = []
    for rec in rows.iter_rows(named=True):
        texts = cell_texts(rec, lang, k)
        suppressed = bool(rec.get("suppressed"))
        out.append(
            {
                "unit": labels[rec["unit_code"]],
                "month_label": fmt_month(rec["month"], lang),
                "month": rec["month"],
                "order": rec.get("order", 0),
                "rate": None if suppressed else rec.get("adoption_rate"),
                "suppressed": suppressed,
                "cell_text": texts["adoption_rate"],
                "active_text": texts["active_users"],
                "headcount_text": texts["headcount"],
            }
        )
    frame = pd.DataFrame(
        out,
        columns=[
            "unit",
            "month_label",
            "month",
            "order",
            "rate",
            "suppressed",
            "cell_text",
            "active_text",
            "headcount_text",
        ],
    )
    frame["rate"] = pd.to_numeric(frame["rate"], errors="coerce").astype("float64")
    return frame


def heatmap_chart(frame: pd.DataFrame, lang: str, k: int) -> alt.LayerChart:
    month_order = list(dict.fromkeys(frame.sort_values("month")["month_label"]))
    unit_order = list(dict.fromkeys(frame.sort_values(["order", "month"])["unit"]))
    x = alt.X("month_label:O", sort=month_order, title=None, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("unit:N", sort=unit_order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("unit:N", title=t("col.unit", lang)),
        alt.Tooltip("month_label:N", title=t("col.month", lang)),
        alt.Tooltip("cell_text:N", title=t("col.adoption_rate", lang)),
        alt.Tooltip("active_text:N", title=t("col.active_users", lang)),
        alt.Tooltip("headcount_text:N", title=t("col.headcount", lang)),
    ]
    color = (
        alt.when(alt.datum.suppressed)
        .then(alt.value(SUPPRESSED_COLOR))
        .otherwise(
            alt.Color(
                "rate:Q",
                title=t("col.adoption_rate", lang),
                scale=alt.Scale(scheme="blues", domain=[0, 1]),
                legend=alt.Legend(format=".0%"),
            )
        )
    )
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=tooltip)
    rects = base.mark_rect(stroke="white", strokeWidth=1).encode(color=color)
    chart: alt.Chart | alt.LayerChart = rects
    if len(frame) <= 600:  # numbers in cells while they stay readable
        text_color = alt.when(alt.datum.rate > 0.6).then(alt.value("white")).otherwise(alt.value("black"))
        chart = rects + base.mark_text(fontSize=11).encode(text="cell_text:N", color=text_color)
    n_units = max(len(unit_order), 1)
    return chart.properties(height=min(28 * n_units + 40, 1600))
