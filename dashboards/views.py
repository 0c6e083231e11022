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
    fmt_date,
    fmt_days,
    fmt_hours,
    fmt_int,
    fmt_signed_int,
    fmt_signed_num,
    fmt_signed_usd,
    fmt_usd,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_pp,
    fmt_quarter,
    function_label,
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


def withheld_text(rec: dict, lang: str, k: int, size_key: str | None = "headcount") -> str:
    """What a withheld figure of this row shows: ``<k`` when its group (``size_key``) is
    smaller than k or unknown, else "withheld" (kept back only to protect a neighbour)."""
    size = rec.get(size_key) if size_key else None
    if size is None or size < k:
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


# ---------------------------------------------------------------- KPI cards


def kpi_value(value, kind: str, lang: str) -> str:
    """A KPI card's value: ``pct``, ``int``, ``hours``, ``usd``, ``days``, ``num2``."""
    if kind == "pct":
        return fmt_pct(value)
    if kind == "hours":
        return fmt_hours(value, lang)
    if kind == "usd":
        return fmt_usd(value)
    if kind == "days":
        return fmt_days(value, lang)
    if kind == "num2":
        return fmt_num(value, 2)
    return fmt_int(value)


def kpi_delta(now, before, kind: str, lang: str) -> tuple[str | None, bool]:
    """The change from ``before`` to ``now`` as a card shows it, and whether it is zero.
    None when either is missing (a withheld figure never yields a delta)."""
    if now is None or before is None:
        return None, False
    diff = now - before
    if kind == "pct":  # flat when it shows as 0.0 points
        return fmt_pp(diff, lang), round(diff * 100, 1) == 0
    if kind == "usd":
        return fmt_signed_usd(diff), round(diff, 2) == 0
    if kind in ("hours", "days", "num2"):
        digits = {"hours": 0, "days": 1, "num2": 2}[kind]
        return fmt_signed_num(diff, digits), round(diff, digits) == 0
    return fmt_signed_int(diff), round(diff) == 0


def figure_text(rec: dict | None, field: str, kind: str, lang: str, k: int, size_key: str = "headcount") -> str:
    """A card's value from a mart row: the marker when the row is withheld, never 0."""
    if rec is None:
        return NA
    value = rec.get(field)
    if rec.get("suppressed") and value is None:
        return withheld_text(rec, lang, k, size_key)
    return kpi_value(value, kind, lang)


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Col:
    """One column of a displayed table: the record key, its i18n label and how it is shown.

    kinds: ``text`` (as is), ``int``, ``pct`` (share 0..1), ``pp`` (difference of shares),
    ``num1`` / ``num2`` (decimals), ``date``, ``month``, ``quarter``, ``bool``.
    """

    key: str
    label: str
    kind: str = "int"
    help: str | None = None  # i18n key of the column's tooltip

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


NUMERIC_KINDS = frozenset({"int", "pct", "pp", "num1", "num2"})


def formatter(kind: str, lang: str):
    """The display function of a column kind (``–`` for a missing value)."""
    if kind == "int":
        return fmt_int
    if kind == "pct":
        return fmt_pct
    if kind == "pp":
        return lambda v: fmt_pp(v, lang) or NA
    if kind == "num1":
        return lambda v: fmt_num(v, 1)
    if kind == "num2":
        return lambda v: fmt_num(v, 2)
    if kind == "date":
        return lambda v: fmt_date(v, lang) if isinstance(v, dt.date) else (NA if v is None else str(v))
    if kind == "month":
        return lambda v: fmt_month(v, lang) if isinstance(v, dt.date) else (NA if v is None else str(v))
    if kind == "quarter":
        return lambda v: fmt_quarter(v, lang) if v else NA
    if kind == "bool":
        return lambda v: NA if v is None else t("yes" if v else "no", lang)
    return lambda v: "" if v is None else str(v)


# The browser grid (st.dataframe) draws every null cell with one placeholder text and ignores
# the Styler's label there. So a table keeps null only for the commonest missing figure, a
# small group's ("<k", the grid's placeholder); every other missing cell (withheld to protect a
# neighbour, or not applicable) holds this sentinel, which the Styler labels ("withheld", "–")
# and which still sorts as a number (first ascending, last descending).
SENTINEL = float("-inf")


@dataclass
class Table:
    """A table as the reader sees it.

    ``numeric`` holds numbers, so the grid sorts correctly: a small group's withheld figure is
    null (NaN, shown as ``<k``: the grid's ``placeholder``), any other missing figure is
    ``SENTINEL`` (shown as "withheld" or ``–``). ``display`` holds every cell as shown,
    which is also the CSV download. ``markers``: per row, the text of a missing figure.
    """

    numeric: pd.DataFrame
    display: pd.DataFrame
    withheld_rows: list[int]
    markers: list[str]
    columns: list[Col]
    lang: str
    placeholder: str = "<5"  # what the grid shows in a null cell
    kept: tuple[str, ...] = ()  # record keys whose missing value is never a withheld figure

    def styler(self) -> "pd.io.formats.style.Styler":
        """Numbers formatted per locale; a missing figure shows its marker, never 0 or blank."""
        labels = list(self.numeric.columns)
        formats = {}
        for label, col in zip(labels, self.columns, strict=True):
            if col.kind == "text":
                continue
            base = formatter(col.kind, self.lang)
            formats[label] = _sentinel_aware(base, NA) if col.numeric else base
        styler = self.numeric.style.format(formats, na_rep=self.placeholder)
        numeric = [label for label, col in zip(labels, self.columns, strict=True)
                   if col.numeric and col.key not in self.kept]
        for marker in sorted(set(self.markers) - {NA, self.placeholder}):
            rows = [i for i, m in enumerate(self.markers) if m == marker]
            if rows and numeric:
                styler = styler.format(
                    {label: _sentinel_aware(formats[label], marker) for label in numeric},
                    subset=pd.IndexSlice[rows, numeric],
                    na_rep=self.placeholder,
                )
        return styler

    def csv_bytes(self) -> bytes:
        # UTF-8 with BOM so that Excel (Korean Windows) opens Hangul correctly.
        return self.display.to_csv(index=False).encode("utf-8-sig")

    def column_config(self, extra_help: str | None = None) -> dict:
        """Column tooltips (definitions; the withheld marker's meaning on number columns)."""
        import streamlit as st

        config = {}
        for col in self.columns:
            parts = [t(col.help, self.lang)] if col.help else []
            if extra_help and col.numeric:
                parts.append(extra_help)
            if parts:
                config[t(col.label, self.lang)] = st.column_config.Column(help="  \n".join(parts))
        return config


def _sentinel_aware(base, label: str):
    def fmt(value):
        if isinstance(value, float) and value == SENTINEL:
            return label
        return base(value)

    return fmt


def build_table(
    records,
    columns: list[Col],
    lang: str,
    k: int,
    size_key: str | None = "headcount",
    kept: tuple[str, ...] = (),
) -> Table:
    """Rows (dicts or a polars frame) to a ``Table``.

    On a withheld row (``suppressed``) every missing number shows ``<k`` when the group
    (``size_key``) is below k or unknown, else "withheld" (complementary suppression);
    elsewhere a missing number shows ``–`` (not applicable), as does a missing value of a
    ``kept`` column (published even on a withheld row, so empty means not applicable).
    """
    if isinstance(records, pl.DataFrame):
        records = records.iter_rows(named=True)
    small = suppressed_marker(k)
    labels = [t(col.label, lang) for col in columns]
    fmts = [formatter(col.kind, lang) for col in columns]
    numeric_rows, display_rows, markers, withheld = [], [], [], []
    for i, rec in enumerate(records):
        suppressed = bool(rec.get("suppressed"))
        marker = withheld_text(rec, lang, k, size_key) if suppressed else NA
        if suppressed:
            withheld.append(i)
        markers.append(marker)
        numeric_row, display_row = {}, {}
        for label, col, fmt in zip(labels, columns, fmts, strict=True):
            value = rec.get(col.key)
            if col.numeric:
                number = _num(value)
                missing = number != number  # NaN
                withheld_cell = suppressed and col.key not in kept
                if missing and not (withheld_cell and marker == small):
                    number = SENTINEL  # labelled by the Styler: "withheld" or "–"
                numeric_row[label] = number
                display_row[label] = (marker if withheld_cell else NA) if missing else fmt(value)
            else:
                numeric_row[label] = value
                display_row[label] = fmt(value)
        numeric_rows.append(numeric_row)
        display_rows.append(display_row)
    numeric = pd.DataFrame(numeric_rows, columns=labels)
    for label, col in zip(labels, columns, strict=True):
        if col.numeric:
            numeric[label] = pd.to_numeric(numeric[label], errors="coerce").astype("float64")
    display = pd.DataFrame(display_rows, columns=labels).astype(str)
    return Table(numeric=numeric, display=display, withheld_rows=withheld, markers=markers, columns=columns,
                 lang=lang, placeholder=small, kept=tuple(kept))


# Kept for callers of the first dashboard version: the unit table is a Table.
UnitTable = Table

UNIT_TABLE_COLUMNS = (
    Col("unit", "col.unit", "text"),
    Col("level", "col.level", "text"),
    Col("parent", "col.parent", "text"),
    Col("headcount", "col.headcount", "int", "help.headcount"),
    Col("active_users", "col.active_users", "int", "help.active_users"),
    Col("adoption_rate", "col.adoption_rate", "pct", "help.adoption_rate"),
)


def unit_names(rows: pl.DataFrame, lang: str) -> dict[str, str]:
    """Unit code to display name (for parents outside a filtered table)."""
    return {rec["unit_code"]: unit_name(rec, lang) for rec in rows.iter_rows(named=True)}


def unit_table(
    rows: pl.DataFrame,
    lang: str,
    k: int,
    names: dict[str, str] | None = None,
    extra: tuple[Col, ...] = (),
) -> Table:
    """The unit table of one month (rows from ``data.units_for_month``): unit, level, parent,
    headcount, active users, adoption rate, then ``extra`` columns of ``unit_monthly``.

    ``names`` (code to name, e.g. every unit of that month) labels parents that are
    not in ``rows`` themselves.
    """
    names_by_code = {**(names or {}), **unit_names(rows, lang)}
    records = []
    for rec in rows.iter_rows(named=True):
        parent = names_by_code.get(rec.get("parent_code"), "") if rec.get("parent_code") else ""
        records.append(
            {
                **rec,
                "unit": unit_name(rec, lang),
                "level": level_label(rec.get("unit_level"), lang),
                "parent": parent,
                "function_label": function_label(rec.get("function"), lang) if rec.get("function") else "",
            }
        )
    return build_table(records, [*UNIT_TABLE_COLUMNS, *extra], lang, k)


def _num(value):
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


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


def heatmap_frame(
    rows: pl.DataFrame,
    lang: str,
    k: int,
    catalog: pl.DataFrame | None = None,
    metric: str = "adoption_rate",
) -> pd.DataFrame:
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
        value = None if suppressed else rec.get(metric)
        out.append(
            {
                "unit": labels[rec["unit_code"]],
                "month_label": fmt_month(rec["month"], lang),
                "month": rec["month"],
                "order": rec.get("order", 0),
                "rate": value,
                "suppressed": suppressed,
                "cell_text": withheld_text(rec, lang, k) if suppressed else fmt_pct(value),
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


def heatmap_chart(frame: pd.DataFrame, lang: str, k: int, metric: str = "adoption_rate") -> alt.LayerChart:
    month_order = list(dict.fromkeys(frame.sort_values("month")["month_label"]))
    unit_order = list(dict.fromkeys(frame.sort_values(["order", "month"])["unit"]))
    x = alt.X("month_label:O", sort=month_order, title=None, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("unit:N", sort=unit_order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("unit:N", title=t("col.unit", lang)),
        alt.Tooltip("month_label:N", title=t("col.month", lang)),
        alt.Tooltip("cell_text:N", title=t(f"col.{metric}", lang)),
        alt.Tooltip("active_text:N", title=t("col.active_users", lang)),
        alt.Tooltip("headcount_text:N", title=t("col.headcount", lang)),
    ]
    color = (
        alt.when(alt.datum.suppressed)
        .then(alt.value(SUPPRESSED_COLOR))
        .otherwise(
            alt.Color(
                "rate:Q",
                title=t(f"col.{metric}", lang),
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


# ---------------------------------------------------------------- generic charts
#
# Every chart takes a small pandas frame with the values (NaN where withheld, so lines
# break instead of dropping to 0) and the texts the tooltip shows (``<5`` included).

CHART_HEIGHT = 260


def _x_ordinal(frame: pd.DataFrame, field: str = "x") -> alt.X:
    order = list(dict.fromkeys(frame[field]))
    return alt.X(f"{field}:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))


def line_chart(
    frame: pd.DataFrame,
    y_title: str,
    y_format: str,
    series_title: str | None = None,
    tooltip_titles: tuple[str, str] = ("", ""),
    zero: bool = True,
    height: int = CHART_HEIGHT,
) -> alt.LayerChart:
    """Lines over an ordinal x (``x``, ``value``, ``text``; ``series`` for several lines)."""
    has_series = "series" in frame.columns
    tooltip = [alt.Tooltip("x:N", title=tooltip_titles[0] or " ")]
    if has_series:
        tooltip.append(alt.Tooltip("series:N", title=series_title or " "))
    tooltip.append(alt.Tooltip("text:N", title=tooltip_titles[1] or y_title))
    encode = {
        "x": _x_ordinal(frame),
        "y": alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format), scale=alt.Scale(zero=zero)),
        "tooltip": tooltip,
    }
    if has_series:
        encode["color"] = alt.Color(
            "series:N",
            title=series_title,
            sort=list(dict.fromkeys(frame["series"])),
            legend=alt.Legend(orient="bottom", labelLimit=280),
        )
    base = alt.Chart(frame).encode(**encode)
    if len(frame) > 80:  # a dense daily series: the line alone (points would cost the browser)
        return base.mark_line(point=False).properties(height=height)
    return (base.mark_line() + base.mark_point(filled=True, size=50)).properties(height=height)


def band_chart(frame: pd.DataFrame, y_title: str, tooltip_titles: tuple[str, str, str, str]) -> alt.LayerChart:
    """A low-high band with its central line (``x``, ``low``, ``central``, ``high``, ``text``)."""
    x = _x_ordinal(frame)
    tooltip = [
        alt.Tooltip("x:N", title=tooltip_titles[0]),
        alt.Tooltip("central_text:N", title=tooltip_titles[1]),
        alt.Tooltip("range_text:N", title=tooltip_titles[2]),
    ]
    band = (
        alt.Chart(frame)
        .mark_area(opacity=0.25)
        .encode(x=x, y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format=",.0f")), y2="high:Q", tooltip=tooltip)
    )
    line = alt.Chart(frame).encode(x=x, y="central:Q", tooltip=tooltip)
    return (band + line.mark_line() + line.mark_point(filled=True, size=50)).properties(height=CHART_HEIGHT)


def bar_chart(
    frame: pd.DataFrame,
    value_title: str,
    value_format: str,
    horizontal: bool = False,
    stacked_series_title: str | None = None,
    height: int = CHART_HEIGHT,
    error: bool = False,
) -> alt.LayerChart | alt.Chart:
    """Bars (``x`` category, ``value``, ``text``; ``series`` stacks; ``low``/``high`` error bars)."""
    category = list(dict.fromkeys(frame["x"]))
    cat_title = None
    integer = value_format.endswith("d")
    value_axis = alt.Axis(format=value_format, tickMinStep=1 if integer else alt.Undefined)
    if horizontal:
        cat = alt.Y("x:N", sort=category, title=cat_title, axis=alt.Axis(labelLimit=260))
        val = alt.X("value:Q", title=value_title, axis=value_axis)
    else:
        cat = alt.X("x:O", sort=category, title=cat_title, axis=alt.Axis(labelAngle=0, labelOverlap=True))
        val = alt.Y("value:Q", title=value_title, axis=value_axis)
    tooltip = [alt.Tooltip("x:N", title=" ")]
    encode = {"tooltip": tooltip}
    if "series" in frame.columns:
        tooltip.append(alt.Tooltip("series:N", title=stacked_series_title or " "))
        encode["color"] = alt.Color(
            "series:N",
            title=stacked_series_title,
            sort=list(dict.fromkeys(frame["series"])),
            legend=alt.Legend(orient="bottom", labelLimit=280),
        )
    tooltip.append(alt.Tooltip("text:N", title=value_title))
    bars = alt.Chart(frame).mark_bar().encode(**({"y": cat, "x": val} if horizontal else {"x": cat, "y": val}),
                                              **encode)
    if not error:
        n = len(category)
        return bars.properties(height=max(24 * n + 40, 120) if horizontal else height)
    if horizontal:
        rule = alt.Chart(frame).mark_rule(strokeWidth=2, color="#333").encode(y=cat, x="low:Q", x2="high:Q")
    else:
        rule = alt.Chart(frame).mark_rule(strokeWidth=2, color="#333").encode(x=cat, y="low:Q", y2="high:Q")
    n = len(category)
    return (bars + rule).properties(height=max(24 * n + 40, 120) if horizontal else height)


def grouped_bar_chart(frame: pd.DataFrame, value_title: str, value_format: str) -> alt.Chart:
    """Horizontal bars side by side per category (``x``, ``series``, ``value``, ``text``)."""
    category = list(dict.fromkeys(frame["x"]))
    series = list(dict.fromkeys(frame["series"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("x:N", sort=category, title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("series:N", sort=series),
            x=alt.X("value:Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color("series:N", sort=series, title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("x:N", title=" "), alt.Tooltip("series:N", title=" "),
                     alt.Tooltip("text:N", title=value_title)],
        )
        .properties(height=max(len(category) * (12 * len(series) + 8) + 50, 120))
    )


def daily_chart(frame: pd.DataFrame, y_title: str, legend_title: str, tooltip_date: str) -> alt.LayerChart:
    """A daily line (``date``, ``value``, ``text``, ``kind`` = workday / other day)."""
    few = frame["date"].nunique() <= 31
    axis = alt.Axis(format="%m-%d", labelOverlap=True,
                    tickCount={"interval": "day", "step": 1} if few else alt.Undefined)
    x = alt.X("date:T", title=None, axis=axis)
    tooltip = [alt.Tooltip("date_text:N", title=tooltip_date), alt.Tooltip("text:N", title=y_title)]
    line = alt.Chart(frame).mark_line(color="#9ecae1").encode(x=x, y=alt.Y("value:Q", title=y_title))
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=28)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color("kind:N", title=legend_title, legend=alt.Legend(orient="bottom")),
            tooltip=tooltip,
        )
    )
    return (line + points).properties(height=CHART_HEIGHT)


def interval_chart(frame: pd.DataFrame, value_title: str, value_format: str) -> alt.LayerChart:
    """Estimates with their interval (``x`` category, ``value``, ``low``, ``high``, ``text``),
    and a rule at 0: an interval that crosses it is not a clear effect."""
    category = list(dict.fromkeys(frame["x"]))
    y = alt.Y("x:N", sort=category, title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [alt.Tooltip("x:N", title=" "), alt.Tooltip("text:N", title=value_title)]
    rules = alt.Chart(frame).mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("low:Q", title=value_title, axis=alt.Axis(format=value_format)), x2="high:Q", tooltip=tooltip
    )
    points = alt.Chart(frame).mark_point(filled=True, size=70).encode(y=y, x="value:Q", tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(strokeDash=[4, 4], color="#888").encode(x="zero:Q")
    return (zero + rules + points).properties(height=max(26 * len(category) + 40, 120))


def cohort_frame(rows: pl.DataFrame, lang: str, k: int) -> pd.DataFrame:
    """Retention cells: cohort month x months since first use (rows of one scope unit)."""
    out = []
    for rec in rows.sort("cohort_month", "months_since_first").iter_rows(named=True):
        suppressed = bool(rec.get("suppressed"))
        rate = None if suppressed else rec.get("retention_rate")
        out.append(
            {
                "cohort": fmt_month(rec["cohort_month"], lang),
                "cohort_month": rec["cohort_month"],
                "k": int(rec["months_since_first"]),
                "rate": rate,
                "suppressed": suppressed,
                "cell_text": withheld_text(rec, lang, k, "cohort_size") if suppressed else fmt_pct(rate),
                "size_text": fmt_int(rec.get("cohort_size")),
            }
        )
    frame = pd.DataFrame(out, columns=["cohort", "cohort_month", "k", "rate", "suppressed", "cell_text", "size_text"])
    frame["rate"] = pd.to_numeric(frame["rate"], errors="coerce").astype("float64")
    return frame


def cohort_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    cohorts = list(dict.fromkeys(frame.sort_values("cohort_month")["cohort"]))
    x = alt.X("k:O", title=t("retention.months_since", lang), axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("cohort:N", sort=cohorts, title=None)
    tooltip = [
        alt.Tooltip("cohort:N", title=t("col.cohort_month", lang)),
        alt.Tooltip("k:O", title=t("retention.months_since", lang)),
        alt.Tooltip("cell_text:N", title=t("col.retention_rate", lang)),
        alt.Tooltip("size_text:N", title=t("col.cohort_size", lang)),
    ]
    color = (
        alt.when(alt.datum.suppressed)
        .then(alt.value(SUPPRESSED_COLOR))
        .otherwise(
            alt.Color(
                "rate:Q",
                title=t("col.retention_rate", lang),
                scale=alt.Scale(scheme="greens", domain=[0, 1]),
                legend=alt.Legend(format=".0%"),
            )
        )
    )
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=tooltip)
    rects = base.mark_rect(stroke="white", strokeWidth=1).encode(color=color)
    text_color = alt.when(alt.datum.rate > 0.6).then(alt.value("white")).otherwise(alt.value("black"))
    text = base.mark_text(fontSize=10).encode(text="cell_text:N", color=text_color)
    return (rects + text).properties(height=min(26 * max(len(cohorts), 1) + 40, 800))


def hours_frame(rows: pl.DataFrame, lang: str, k: int, x: str = "month") -> pd.DataFrame | None:
    """Assisted hours low / central / high by month (or by ``x``) for ``band_chart``;
    None when nothing is there to draw (all withheld or no such columns)."""
    needed = ("assisted_hours_low", "assisted_hours_central", "assisted_hours_high")
    if any(c not in rows.columns for c in needed) or rows["assisted_hours_central"].is_null().all():
        return None
    out = []
    for rec in rows.iter_rows(named=True):
        low, central, high = (rec.get(c) for c in needed)
        withheld = withheld_text(rec, lang, k) if rec.get("suppressed") else NA
        out.append(
            {
                "x": fmt_month(rec[x], lang) if x == "month" else str(rec[x]),
                "low": low,
                "central": central,
                "high": high,
                "central_text": fmt_hours(central, lang) if central is not None else withheld,
                "range_text": t("kpi.range", lang, low=fmt_hours(low, lang), high=fmt_hours(high, lang))
                if low is not None and high is not None
                else withheld,
            }
        )
    frame = pd.DataFrame(out)
    for column in ("low", "central", "high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
