"""The pack's PDF report in Korean (fpdf2), with the charts of charts.py.

Sections (texts.SECTIONS): summary, adoption trend, units ranked, assisted hours ranges,
training impact with its interval, pioneers, data quality, survey, and the definitions and
suppression rules. Every figure comes from the pack's tables (tables.py); a withheld figure
prints as "<k", a figure that does not apply as "–".

The font is the pack's Noto Sans KR instance (fonts.py), embedded as a subset. The document's
creation date is the release's publish time, so the same release gives the same bytes (with
the same fpdf2 and matplotlib versions)."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import polars as pl
from fpdf import FPDF, FontFace

from pipelines.defs.exports import texts
from pipelines.defs.exports.charts import Chart
from pipelines.defs.exports.fonts import KoreanFont
from pipelines.defs.exports.tables import PackData, PackTable, withheld_text

FAMILY = "NotoSansKR"
MARGIN = 16
NA = "–"
HEADING_FILL = (217, 225, 242)
NOTE_FILL = (255, 242, 204)
ZEBRA_FILL = (244, 246, 250)


class Withheld:
    """A withheld cell (shown as "<k")."""

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()


def records(table: PackTable) -> list[dict]:
    """The table's rows as dicts; withheld cells are WITHHELD (never 0, never a number)."""
    out = []
    for withheld, row in zip(table.withheld_rows(), table.frame.iter_rows(named=True)):
        out.append({name: (WITHHELD if table.is_withheld(withheld, name) else value) for name, value in row.items()})
    return out


class Formats:
    def __init__(self, k: int):
        self.marker = withheld_text(k)

    def _guard(self, value):
        if value is WITHHELD:
            return self.marker
        if value is None:
            return NA
        return None

    def int(self, value) -> str:
        return self._guard(value) or f"{int(value):,}"

    def rate(self, value, decimals: int = 1) -> str:
        return self._guard(value) or f"{value * 100:.{decimals}f}%"

    def points(self, value) -> str:
        return self._guard(value) or f"{value * 100:+.1f}%p"

    def number(self, value, decimals: int = 1) -> str:
        return self._guard(value) or f"{value:,.{decimals}f}"

    def text(self, value) -> str:
        return self._guard(value) or str(value)


class ReportPdf(FPDF):
    def __init__(self, font: KoreanFont, header_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(font.regular))
        self.add_font(FAMILY, "B", str(font.bold))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.header_text = header_text
        self.written: list[str] = []

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, self.header_text, align="R")
        self.ln(8)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    @property
    def width(self) -> float:
        return self.w - 2 * MARGIN

    def _say(self, text: str) -> str:
        self.written.append(text)
        return text

    def ensure_space(self, height: float) -> None:
        """A new page unless `height` mm fit above the bottom margin (keeps a heading with its table)."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, text: str, size: float = 14) -> None:
        self.set_font(FAMILY, "B", size)
        self.set_text_color(31, 56, 100)
        self.multi_cell(0, size * 0.55, self._say(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def paragraph(self, text: str, size: float = 9.5, height: float = 5.2) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, height, self._say(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def bullet(self, text: str) -> None:
        self.set_font(FAMILY, "", 9.5)
        self.set_x(MARGIN + 2)
        self.multi_cell(self.width - 2, 5.4, self._say(f"• {text}"), new_x="LMARGIN", new_y="NEXT")

    def note(self, text: str) -> None:
        self.set_font(FAMILY, "", 8.5)
        self.set_fill_color(*NOTE_FILL)
        self.multi_cell(0, 4.8, self._say(text), fill=True, padding=2.5, new_x="LMARGIN", new_y="NEXT")
        self.set_fill_color(255, 255, 255)
        self.ln(2)

    def chart(self, chart: Chart) -> None:
        self.written.extend(chart.texts)
        self.image(io.BytesIO(chart.png), w=self.width)
        self.ln(3)

    def grid(self, headers: list[str], rows: list[list[str]], widths: list[float],
             align: list[str] | None = None, size: float = 7.8) -> None:
        self.set_font(FAMILY, "", size)
        for cell in [*headers, *[c for r in rows for c in r]]:
            self._say(cell)
        align = align or ["LEFT"] + ["RIGHT"] * (len(headers) - 1)
        with self.table(col_widths=widths, width=min(self.width, sum(widths)), text_align=tuple(align),
                        line_height=size * 0.6, first_row_as_headings=True, align="LEFT",
                        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
                        borders_layout="HORIZONTAL_LINES", padding=1, cell_fill_color=ZEBRA_FILL,
                        cell_fill_mode="ROWS") as grid:
            grid.row(headers)
            for row in rows:
                grid.row(row)
        self.ln(3)


def _fixed_time(data: PackData) -> datetime:
    published_at = data.release.manifest.get("published_at")
    if published_at:
        return datetime.fromisoformat(published_at).astimezone(timezone.utc).replace(microsecond=0)
    return datetime.combine(data.release.window[1], datetime.min.time(), tzinfo=timezone.utc)


def _by(rows: list[dict], **match) -> dict | None:
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def _summary(pdf: ReportPdf, data: PackData, f: Formats) -> None:
    trend = records(data.tables["adoption_trend"])
    last = _by(trend, month=data.last_month)
    if last:
        change = ""
        previous_end = data.quarter.previous().months[-1]
        before = _by(trend, month=previous_end)
        if before and isinstance(last["adoption_rate"], float) and isinstance(before["adoption_rate"], float):
            change = texts.REPORT["kpi_change"].format(delta=f.points(last["adoption_rate"] - before["adoption_rate"]))
        pdf.bullet(texts.REPORT["kpi_adoption"].format(
            month=data.last_month.strftime("%Y-%m"), rate=f.rate(last["adoption_rate"]),
            active=f.int(last["active_users"]), headcount=f.int(last["headcount"]), change=change))
    hours = _by(records(data.tables["assisted_hours_quarter"]), period=data.quarter.key, feature=texts.ALL_FEATURES)
    if hours:
        pdf.bullet(texts.REPORT["kpi_hours"].format(
            central=f.number(hours["assisted_hours_central"], 0), low=f.number(hours["assisted_hours_low"], 0),
            high=f.number(hours["assisted_hours_high"], 0)))
    pooled = _by(records(data.tables["training_impact"]), session_id="ALL") if "training_impact" in data.tables else None
    if pooled:
        pdf.bullet(texts.REPORT["kpi_training"].format(did=f.points(pooled["did_estimate"]),
                                                       low=f.points(pooled["did_ci_low"]),
                                                       high=f.points(pooled["did_ci_high"])))
    if "pioneers_monthly" in data.tables:
        pioneer_rows = records(data.tables["pioneers_monthly"])
        pioneers = _by(pioneer_rows, month=data.last_month, population="pioneers")
        others = _by(pioneer_rows, month=data.last_month, population="everyone_else")
        if pioneers and others:
            pdf.bullet(texts.REPORT["kpi_pioneers"].format(pioneers=f.rate(pioneers["adoption_rate"]),
                                                           others=f.rate(others["adoption_rate"])))
    quality = data.tables["data_quality_summary"].frame
    if quality.height:
        received = int(quality["rows_received"].sum())
        quarantined = int(quality["rows_quarantined"].sum())
        events = quality.filter(pl.col("events_with_employee").is_not_null())
        with_employee = int(events["events_with_employee"].sum()) if events.height else 0
        match = (int(events["events_matched_to_hr"].sum()) / with_employee) if with_employee else None
        pdf.bullet(texts.REPORT["kpi_quality"].format(received=f.int(received), quarantined=f.int(quarantined),
                                                      rate=f.rate(quarantined / received if received else None, 3),
                                                      match=f.rate(match)))
    pdf.ln(3)


def _cover(pdf: ReportPdf, data: PackData, f: Formats) -> None:
    manifest = data.release.manifest
    start, end = data.release.window
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 22)
    pdf.multi_cell(0, 12, pdf._say(texts.PACK_TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 13)
    pdf.multi_cell(0, 8, pdf._say(texts.REPORT["cover_line"].format(
        quarter=data.quarter.label_ko, first=data.quarter.first_day, last=data.quarter.last_day)),
        new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(90, 90, 90)
    coverage = texts.COVER["complete"] if data.complete else texts.COVER["partial"].format(last=data.data_through)
    for line in (texts.PACK_SUBTITLE + " · " + texts.ORGANISATION_NOTE,
                 texts.REPORT["meta_metric"].format(metric_version=manifest.get("metric_version"),
                                                    coefficients_version=manifest.get("coefficients_version"),
                                                    k=data.k),
                 texts.REPORT["meta_window"].format(start=start, end=end, coverage=coverage),
                 texts.REPORT["as_of"].format(release=manifest.get("release"),
                                              published_at=manifest.get("published_at"))):
        pdf.multi_cell(0, 5, pdf._say(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.heading(texts.SECTIONS["summary"])
    _summary(pdf, data, f)
    pdf.note(texts.SUPPRESSION_NOTE.format(k=data.k))


def _adoption(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["adoption"])
    pdf.paragraph(texts.REPORT["adoption_intro"])
    pdf.chart(charts["adoption_trend"])
    rows = [r for r in records(data.tables["adoption_trend"]) if data.quarter.first_day <= r["month"] <= data.quarter.last_day]
    h = texts.HEAD
    pdf.grid([h["month"], h["headcount"], h["active"], h["adoption"], h["days"], h["stickiness"], h["new"]],
             [[r["month"].strftime("%Y-%m"), f.int(r["headcount"]), f.int(r["active_users"]), f.rate(r["adoption_rate"]),
               f.number(r["active_days_avg"]), f.rate(r["stickiness"]), f.int(r["new_users"])] for r in rows],
             [24, 22, 26, 22, 26, 22, 22])


def _units(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["units"])
    pdf.paragraph(texts.REPORT["units_intro"].format(month=data.last_month.strftime("%Y-%m")))
    pdf.chart(charts["units_ranked"])
    ranked = records(data.tables["units_ranked"])
    withheld = [r for r in ranked if r["suppressed"]]
    if withheld:
        pdf.paragraph(texts.REPORT["withheld_count"].format(n=len(withheld), k=data.k), size=8.5)
    divisions = [r for r in ranked if r["unit_level"] == "division" and r["rank"] is not None]
    h = texts.HEAD
    headers = [h["rank"], h["unit"], h["headcount"], h["active"], h["adoption"], h["days"], h["hours"]]
    widths = [14, 58, 18, 22, 20, 22, 24]

    def row(r):
        return [str(r["rank"]), r["unit_name_ko"], f.int(r["headcount"]), f.int(r["active_users"]),
                f.rate(r["adoption_rate"]), f.number(r["active_days_avg"]), f.number(r["assisted_hours_central"])]

    for title, chosen in ((texts.REPORT["units_top"], divisions[:8]), (texts.REPORT["units_bottom"], divisions[-8:])):
        if chosen:
            pdf.ensure_space(12 + 5 * (len(chosen) + 1))
            pdf.heading(title, size=10.5)
            pdf.grid(headers, [row(r) for r in chosen], widths, ["RIGHT", "LEFT"] + ["RIGHT"] * 5)


def _hours(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["hours"])
    pdf.paragraph(texts.REPORT["hours_intro"].format(version=data.release.manifest.get("coefficients_version")))
    pdf.chart(charts["assisted_hours"])
    h = texts.HEAD
    rows = records(data.tables["assisted_hours_quarter"])
    pdf.grid([h["period"], h["feature"], h["successful"], h["low"], h["central"], h["high"]],
             [[r["period"], r["feature"], f.int(r["successful_requests"]), f.number(r["assisted_hours_low"]),
               f.number(r["assisted_hours_central"]), f.number(r["assisted_hours_high"])] for r in rows],
             [22, 46, 28, 26, 26, 26], ["LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"], size=7.4)


def _training(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["training"])
    pdf.paragraph(texts.REPORT["training_intro"])
    pdf.chart(charts["training_impact"])
    rows = records(data.tables["training_impact"]) if "training_impact" in data.tables else []
    sessions = [r for r in rows if r["session_id"] != "ALL"]
    if not sessions:
        pdf.paragraph(texts.REPORT["training_none"], size=8.5)
    h = texts.HEAD
    pdf.grid([h["session"], h["date"], h["attendees"], h["before"], h["after"], h["did"], h["ci"]],
             [[(texts.CHART["pooled"] if r["session_id"] == "ALL" else f"{r['session_id']} {r['session_title'] or ''}"),
               f.text(r["session_date"]), f.int(r["attendees"]), f.rate(r["adoption_before"]),
               f.rate(r["adoption_after"]), f.points(r["did_estimate"]),
               (f"{f.points(r['did_ci_low'])} ~ {f.points(r['did_ci_high'])}"
                if r["did_ci_low"] is not WITHHELD else withheld_text(data.k))] for r in rows],
             [56, 19, 12, 20, 20, 18, 33], ["LEFT", "LEFT"] + ["RIGHT"] * 5, size=7.2)


def _pioneers(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["pioneers"])
    pdf.paragraph(texts.REPORT["pioneers_intro"])
    pdf.chart(charts["pioneers"])
    rows = records(data.tables["pioneers_monthly"]) if "pioneers_monthly" in data.tables else []
    h = texts.HEAD
    pdf.grid([h["month"], h["population"], h["headcount"], h["active"], h["adoption"], h["days"], h["breadth"]],
             [[r["month"].strftime("%Y-%m"), texts.POPULATIONS.get(r["population"], r["population"]),
               f.int(r["headcount"]), f.int(r["active_users"]), f.rate(r["adoption_rate"]),
               f.number(r["active_days_avg"]), f.number(r["breadth_avg"])] for r in rows],
             [20, 46, 20, 24, 20, 24, 24], size=7.4)


def _quality(pdf: ReportPdf, data: PackData, charts: dict[str, Chart], f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["quality"])
    pdf.paragraph(texts.REPORT["quality_intro"])
    pdf.chart(charts["data_quality"])
    h = texts.HEAD
    rows = records(data.tables["data_quality_summary"])
    pdf.grid([h["source"], h["files"], h["received"], h["loaded"], h["duplicate"], h["quarantined"], h["match"]],
             [[texts.SOURCES.get(r["source"], r["source"]), f.int(r["files_received"]), f.int(r["rows_received"]),
               f.int(r["rows_loaded"]), f.int(r["rows_duplicate"]), f.int(r["rows_quarantined"]),
               f.rate(r["hr_match_rate"], 2)] for r in rows],
             [26, 18, 28, 28, 22, 22, 26], size=7.6)
    quarantine = data.tables.get("data_quality_quarantine")
    if quarantine is not None and quarantine.frame.height:
        reasons = (quarantine.frame.group_by("source", "reason")
                   .agg(pl.col("files_quarantined").sum(), pl.col("rows_quarantined").sum())
                   .sort(["rows_quarantined", "files_quarantined", "source", "reason"],
                         descending=[True, True, False, False]).head(8))
        pdf.ensure_space(12 + 5 * (reasons.height + 1))
        pdf.heading(texts.REPORT["quality_reasons"], size=10.5)
        pdf.grid([h["source"], h["reason"], h["files"], h["rows"]],
                 [[texts.SOURCES.get(r["source"], r["source"]), r["reason"][:90], f.int(r["files_quarantined"]),
                   f.int(r["rows_quarantined"])] for r in reasons.iter_rows(named=True)],
                 [22, 124, 16, 16], ["LEFT", "LEFT", "RIGHT", "RIGHT"], size=7.2)


def _survey(pdf: ReportPdf, data: PackData, f: Formats) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["survey"])
    survey = data.tables.get("survey_quarterly")
    rows = [r for r in records(survey) if r["unit_level"] in ("ministry", "office")] if survey is not None else []
    if not rows:
        pdf.paragraph(texts.REPORT["survey_none"])
        return
    pdf.paragraph(texts.REPORT["survey_intro"].format(k=data.k))
    h = texts.HEAD
    pdf.grid([h["unit"], h["respondents"], h["response_rate"], h["faster"], h["quality"], h["effort"],
              h["productive"], h["minutes"]],
             [[r["unit_name_ko"], f.int(r["respondents"]), f.rate(r["response_rate"]), f.rate(r["agree_rate_faster"]),
               f.rate(r["agree_rate_quality"]), f.rate(r["agree_rate_effort"]), f.rate(r["agree_rate_productive"]),
               f.number(r["minutes_saved_per_week_avg"])] for r in rows],
             [44, 17, 17, 17, 17, 19, 17, 24], size=7.4)


def _appendix(pdf: ReportPdf, data: PackData) -> None:
    pdf.add_page()
    pdf.heading(texts.SECTIONS["appendix"])
    pdf.paragraph(texts.REPORT["appendix_intro"])
    pdf.grid([texts.HEAD["term"], texts.HEAD["meaning"]], [[term, meaning] for term, meaning in texts.GLOSSARY], [42, 136], ["LEFT", "LEFT"],
             size=8)
    pdf.note(texts.SUPPRESSION_NOTE.format(k=data.k))
    pdf.paragraph(texts.COVER["source_note"], size=8.5)


def report_bytes(data: PackData, charts: dict[str, Chart], font: KoreanFont) -> tuple[bytes, list[str]]:
    """The PDF, and every string written into it (to check the font subset covers them)."""
    header = texts.REPORT["header"].format(title=texts.PACK_TITLE, quarter=data.quarter.label_ko)
    pdf = ReportPdf(font, header)
    pdf.written.append(header)
    pdf.set_title(f"{texts.PACK_TITLE} {data.quarter.label_ko}")
    pdf.set_subject(texts.PACK_SUBTITLE)
    pdf.set_author(texts.PACK_AUTHOR)
    pdf.set_creator("axmeter export")
    pdf.set_keywords(f"axmeter {data.quarter.key} metric {data.release.manifest.get('metric_version')}")
    pdf.set_lang("ko-KR")
    pdf.set_creation_date(_fixed_time(data))
    f = Formats(data.k)
    pdf.add_page()
    _cover(pdf, data, f)
    _adoption(pdf, data, charts, f)
    _units(pdf, data, charts, f)
    _hours(pdf, data, charts, f)
    _training(pdf, data, charts, f)
    _pioneers(pdf, data, charts, f)
    _quality(pdf, data, charts, f)
    _survey(pdf, data, f)
    _appendix(pdf, data)
    return bytes(pdf.output()), pdf.written
