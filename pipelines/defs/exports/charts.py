"""The report's charts (matplotlib, Agg, PNG), drawn from the pack's tables only.

Every chart reads a PackTable, whose withheld cells are null: a withheld figure cannot be drawn
because it is not there. Text is set in the pack's Noto Sans KR instances (fonts.py), added to
matplotlib with font_manager.addfont. PNGs are written without a Software/date stamp, so the
same tables give the same bytes (with the same matplotlib version). Figures are made with
matplotlib.figure.Figure (Agg canvas), not pyplot: no global backend or figure state."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib
import matplotlib.dates as mdates
import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from pipelines.defs.exports import texts
from pipelines.defs.exports.fonts import KoreanFont, register_with_matplotlib
from pipelines.defs.exports.tables import PackData

DPI = 150
WIDTH = 7.6  # inches: the report's text width
BLUE, ORANGE, GREEN, GREY, RED, PURPLE = "#1F4E79", "#ED7D31", "#70AD47", "#A5A5A5", "#C00000", "#7030A0"
LEVEL_COLOURS = {"office": BLUE, "bureau": "#5B9BD5", "division": "#9DC3E6"}
POPULATION_COLOURS = {"pioneers": ORANGE, "everyone_else": GREY, "units_with_pioneer": BLUE,
                      "units_without_pioneer": "#9DC3E6", "colleagues_of_pioneers": GREEN}


@dataclass
class Chart:
    name: str
    png: bytes
    texts: list[str]  # every string drawn (titles, labels, ticks, legends)


def _subplots(figsize: tuple[float, float], *args, **kwargs):
    figure = Figure(figsize=figsize)
    return figure, figure.subplots(*args, **kwargs)


def _percent(ax, axis: str = "y", decimals: int = 0) -> None:
    formatter = PercentFormatter(1.0, decimals=decimals)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _thousands(ax, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E0E0E0", linewidth=0.6)
    ax.set_axisbelow(True)


def _empty(ax, message: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color=GREY, transform=ax.transAxes)


def adoption_chart(data: PackData) -> Figure:
    trend = data.tables["adoption_trend"].frame.filter(~pl.col("suppressed").fill_null(True))
    fig, ax = _subplots((WIDTH, 3.3))
    ax.set_title(texts.CHART["adoption_title"], fontweight="bold", loc="left")
    if trend.is_empty():
        _empty(ax, texts.REPORT["no_rows"])
        return fig
    labels = [m.strftime("%Y-%m") for m in trend["month"]]
    x = list(range(len(labels)))
    twin = ax.twinx()
    twin.bar(x, trend["active_users"].to_list(), color="#DDEBF7", width=0.6, label=texts.CHART["active_axis"])
    twin.set_ylabel(texts.CHART["active_axis"], color="#7F7F7F")
    _thousands(twin)
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    rates = trend["adoption_rate"].to_list()
    ax.plot(x, rates, color=BLUE, marker="o", linewidth=2, label=texts.CHART["adoption_axis"])
    for xi, rate in zip(x, rates):
        if rate is not None:
            ax.annotate(f"{rate:.0%}", (xi, rate), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=8, color=BLUE)
    quarter = [i for i, m in enumerate(trend["month"]) if data.quarter.first_day <= m <= data.quarter.last_day]
    if quarter:
        ax.axvspan(quarter[0] - 0.45, quarter[-1] + 0.45, color="#FFF2CC", zorder=0, label=texts.CHART["this_quarter"])
    ax.set_xticks(x, labels, rotation=0, fontsize=8)
    ax.set_ylim(0, max(1.0, max(r for r in rates if r is not None) * 1.15) if any(r is not None for r in rates) else 1)
    _percent(ax)
    ax.set_ylabel(texts.CHART["adoption_axis"])
    _style(ax)
    twin.spines[["top"]].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False, ncols=3)
    return fig


def units_chart(data: PackData) -> Figure:
    ranked = data.tables["units_ranked"].frame
    shown = (ranked.filter(pl.col("rank").is_not_null() & pl.col("unit_level").is_in(["office", "bureau"]))
             .sort(["adoption_rate", "unit_code"], descending=[False, True]))
    height = max(2.6, 0.24 * shown.height + 1.0)
    fig, ax = _subplots((WIDTH, height))
    ax.set_title(texts.CHART["units_title"].format(month=data.last_month.strftime("%Y-%m")), fontweight="bold",
                 loc="left")
    if shown.is_empty():
        _empty(ax, texts.REPORT["no_rows"])
        return fig
    labels = [f"{name} ({texts.LEVELS[level]})" for name, level in zip(shown["unit_name_ko"], shown["unit_level"])]
    y = list(range(shown.height))
    rates = shown["adoption_rate"].to_list()
    ax.barh(y, rates, color=[LEVEL_COLOURS[level] for level in shown["unit_level"]], height=0.7)
    for yi, rate in zip(y, rates):
        ax.text(rate + 0.01, yi, f"{rate:.1%}", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlim(0, 1.08)
    _percent(ax, "x")
    ax.grid(axis="x", color="#E0E0E0", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_axisbelow(True)
    return fig


def hours_chart(data: PackData) -> Figure:
    hours = data.tables["assisted_hours_quarter"].frame.filter(~pl.col("suppressed"))
    monthly = hours.filter((pl.col("feature") == texts.ALL_FEATURES) & (pl.col("period") != data.quarter.key))
    features = (hours.filter((pl.col("feature") != texts.ALL_FEATURES) & (pl.col("assisted_hours_central") > 0))
                .sort(["assisted_hours_central", "feature"], descending=[True, False]).head(10)
                .sort(["assisted_hours_central", "feature"], descending=[False, True]))
    fig, (left, right) = _subplots((WIDTH, 3.6), 1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    fig.suptitle(texts.CHART["hours_title"], fontweight="bold", x=0.01, ha="left")
    for ax, frame, horizontal, title in ((left, monthly, False, texts.CHART["hours_monthly"]),
                                         (right, features, True, texts.CHART["hours_features"])):
        ax.set_title(title, fontsize=9, loc="left")
        if frame.is_empty():
            _empty(ax, texts.REPORT["no_rows"])
            continue
        central = frame["assisted_hours_central"].to_list()
        low = [c - lo for c, lo in zip(central, frame["assisted_hours_low"].to_list())]
        high = [hi - c for c, hi in zip(central, frame["assisted_hours_high"].to_list())]
        positions = list(range(frame.height))
        labels = frame["period" if not horizontal else "feature"].to_list()
        if horizontal:
            ax.barh(positions, central, color=BLUE, height=0.6, label=texts.CHART["central"])
            ax.errorbar(central, positions, xerr=[low, high], fmt="none", ecolor=ORANGE, capsize=3,
                        label=texts.CHART["range"])
            ax.set_yticks(positions, labels, fontsize=7.5)
            _thousands(ax, "x")
            ax.set_xlabel(texts.CHART["hours_axis"], fontsize=8)
            ax.grid(axis="x", color="#E0E0E0", linewidth=0.6)
            ax.spines[["top", "right"]].set_visible(False)
        else:
            ax.bar(positions, central, color=BLUE, width=0.6, label=texts.CHART["central"])
            ax.errorbar(positions, central, yerr=[low, high], fmt="none", ecolor=ORANGE, capsize=4,
                        label=texts.CHART["range"])
            ax.set_xticks(positions, labels, fontsize=8)
            _thousands(ax)
            ax.set_ylabel(texts.CHART["hours_axis"], fontsize=8)
            _style(ax)
        ax.tick_params(labelsize=7.5)
    fig.legend(*left.get_legend_handles_labels(), fontsize=7.5, frameon=False, loc="upper right", ncols=2)
    fig.tight_layout()
    return fig


def training_chart(data: PackData) -> Figure:
    table = data.tables["training_impact"].frame.filter(
        ~pl.col("suppressed").fill_null(True) & pl.col("did_estimate").is_not_null())
    fig, ax = _subplots((WIDTH, 3.4))
    ax.set_title(texts.CHART["training_title"], fontweight="bold", loc="left")
    if table.is_empty():
        _empty(ax, texts.REPORT["training_none"])
        return fig
    labels, estimates, lows, highs, colours = [], [], [], [], []
    for row in table.iter_rows(named=True):
        pooled = row["session_id"] == "ALL"
        labels.append(texts.CHART["pooled"] if pooled else f"{row['session_id']}\n{row['session_date']:%m-%d}")
        estimates.append(row["did_estimate"] * 100)
        low, high = row["did_ci_low"], row["did_ci_high"]
        lows.append(0 if low is None else (row["did_estimate"] - low) * 100)
        highs.append(0 if high is None else (high - row["did_estimate"]) * 100)
        colours.append(ORANGE if pooled else BLUE)
    x = list(range(len(labels)))
    ax.axhline(0, color="#7F7F7F", linewidth=0.8)
    for xi, estimate, low, high, colour in zip(x, estimates, lows, highs, colours):
        ax.errorbar([xi], [estimate], yerr=[[low], [high]], fmt="o", color=colour, ecolor=colour, capsize=5,
                    markersize=6, linewidth=1.5)
        ax.annotate(f"{estimate:+.1f}", (xi, estimate), textcoords="offset points", xytext=(8, 0), fontsize=7.5,
                    va="center")
    ax.set_xticks(x, labels, fontsize=7.5)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel(texts.CHART["training_axis"], fontsize=8)
    _style(ax)
    return fig


def pioneers_chart(data: PackData) -> Figure:
    table = data.tables["pioneers_monthly"].frame if "pioneers_monthly" in data.tables else pl.DataFrame()
    fig, ax = _subplots((WIDTH, 3.2))
    ax.set_title(texts.CHART["pioneers_title"], fontweight="bold", loc="left")
    if table.is_empty() or table.filter(~pl.col("suppressed").fill_null(True)).is_empty():
        _empty(ax, texts.REPORT["no_rows"])
        return fig
    months = sorted(table["month"].unique().to_list())
    populations = list(texts.POPULATIONS)
    width = 0.8 / len(populations)
    for index, population in enumerate(populations):
        rows = {r["month"]: r for r in table.filter(pl.col("population") == population).iter_rows(named=True)}
        xs, values = [], []
        for m_index, month in enumerate(months):
            row = rows.get(month)
            if row and not row["suppressed"] and row["adoption_rate"] is not None:
                xs.append(m_index + (index - (len(populations) - 1) / 2) * width)
                values.append(row["adoption_rate"])
        ax.bar(xs, values, width=width * 0.95, color=POPULATION_COLOURS[population],
               label=texts.POPULATIONS[population])
        for xi, value in zip(xs, values):
            ax.text(xi, value + 0.01, f"{value:.0%}", ha="center", fontsize=6.5)
    ax.set_xticks(range(len(months)), [m.strftime("%Y-%m") for m in months], fontsize=8)
    ax.set_ylim(0, 1.12)
    _percent(ax)
    _style(ax)
    ax.legend(fontsize=7, frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    fig.tight_layout()
    return fig


def quality_chart(data: PackData) -> Figure:
    daily = data.tables["data_quality_daily"].frame
    summary = data.tables["data_quality_summary"].frame
    fig, (left, right) = _subplots((WIDTH, 3.2), 1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    fig.suptitle(texts.CHART["quality_title"], fontweight="bold", x=0.01, ha="left")
    left.set_title(texts.CHART["quality_daily"], fontsize=9, loc="left")
    # Event sources are the ones with events (portal, OnAI and any platform added later); a day of
    # theirs whose rows were all quarantined still shows, at 0.
    event_sources = daily.filter(pl.col("newest_event_at").is_not_null())["source"].unique()
    events = daily.filter(pl.col("source").is_in(event_sources.implode())).sort(["source", "day"])
    if events.is_empty():
        _empty(left, texts.REPORT["no_rows"])
    else:
        later = [s for s in events["source"].unique().sort().to_list() if s not in ("portal", "onai")]
        # Colours repeat rather than run out: every platform gets its line.
        later_colours = itertools.cycle([GREEN, PURPLE, RED, GREY])
        for source, colour in [("portal", BLUE), ("onai", ORANGE), *zip(later, later_colours)]:
            rows = events.filter(pl.col("source") == source)
            if rows.height:
                left.plot(rows["day"].to_list(), rows["rows_loaded"].to_list(), color=colour, linewidth=1,
                          label=texts.SOURCES.get(source, source))
        left.legend(fontsize=7.5, frameon=False)
        _thousands(left)
        left.set_ylabel(texts.CHART["rows_axis"], fontsize=8)
        left.tick_params(labelsize=7)
        for label in left.get_xticklabels():
            label.set_rotation(30)
        left.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        _style(left)
    right.set_title(texts.CHART["quality_rates"], fontsize=9, loc="left")
    if summary.is_empty():
        _empty(right, texts.REPORT["no_rows"])
    else:
        ordered = summary.sort("source", descending=True)
        y = list(range(ordered.height))
        rates = [0.0 if r is None else r for r in ordered["quarantine_rate"].to_list()]
        right.barh(y, rates, color=RED, height=0.6)
        for yi, rate, n in zip(y, rates, ordered["rows_quarantined"].to_list()):
            right.text(rate, yi, f" {rate:.3%} ({n:,})", va="center", fontsize=7)
        right.set_yticks(y, [texts.SOURCES.get(s, s) for s in ordered["source"]], fontsize=7.5)
        right.set_xlim(0, max(max(rates) * 1.8, 0.001))
        _percent(right, "x", decimals=2)
        right.tick_params(labelsize=7)
        right.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


CHARTS: dict[str, Callable[[PackData], Figure]] = {
    "adoption_trend": adoption_chart,
    "units_ranked": units_chart,
    "assisted_hours": hours_chart,
    "training_impact": training_chart,
    "pioneers": pioneers_chart,
    "data_quality": quality_chart,
}


def _drawn_texts(fig: Figure) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def render_charts(data: PackData, font: KoreanFont) -> dict[str, Chart]:
    family = register_with_matplotlib(font)
    charts = {}
    style = {"font.family": family, "axes.unicode_minus": True, "svg.hashsalt": "axmeter",
             "figure.dpi": DPI, "savefig.dpi": DPI, "axes.titlesize": 11}
    for name, draw in CHARTS.items():
        with matplotlib.rc_context(style):
            fig = draw(data)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight",
                        pad_inches=0.08)
            charts[name] = Chart(name=name, png=buffer.getvalue(), texts=_drawn_texts(fig))
    return charts
