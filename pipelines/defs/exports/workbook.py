"""The pack's Excel workbook (openpyxl): a cover sheet, then one formatted sheet per table.

Each table sheet: row 1 the Korean title, row 2 the Korean column labels, row 3 the column
names (as in the CSV files and the metric dictionary), data from row 4; the header rows and the
row's identity column are frozen. Figures are the published values (not rounded; the number
format rounds), withheld cells the text "<k", never 0.

Deterministic: the document's created/modified dates are the release's publish time, and the
zip entries get a fixed timestamp, so the same release gives the same bytes (with the same
openpyxl version)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from pipelines.defs.exports import texts
from pipelines.defs.exports.tables import PackData, PackTable, withheld_text

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
NUMBER_FORMATS = {
    "int": "#,##0",
    "float": "#,##0.00",
    "rate": "0.0%",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
FLOAT_FORMATS = {"cost_usd": "#,##0.00", "latency_p50_ms": "#,##0", "latency_p95_ms": "#,##0"}
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
LABEL_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NAME_FONT = Font(color="595959", size=9)
WITHHELD_FONT = Font(color="7F7F7F", italic=True)
THIN = Side(style="thin", color="BFBFBF")
HEADER_BORDER = Border(bottom=THIN)
FONT_NAME = "Noto Sans KR"
# Identity columns to keep in view when scrolling right (freeze panes after them).
IDENTITY = {"unit_monthly": 5, "units_ranked": 5, "survey_quarterly": 4, "retention_cohorts": 4,
            "training_impact": 2, "feature_monthly": 2, "model_monthly": 3, "governance_monthly": 3,
            "pioneers_monthly": 2, "assisted_hours_quarter": 2, "ministry_daily": 1, "data_quality_daily": 2,
            "data_quality_quarantine": 3, "data_quality_summary": 1}


def _excel_value(value, kind: str):
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel has no time zones: UTC, as the column label says
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=(value.microsecond // 1000) * 1000)
    if kind == "float" or kind == "rate":
        return float(value)
    return value


def _width(values: list[str], header: str) -> float:
    longest = max([len(header), *[len(v) for v in values[:200]]]) if values else len(header)
    wide = max([sum(1 for ch in v if ord(ch) > 0x2E80) for v in [header, *values[:200]]] or [0])
    return min(60, max(8, longest + wide * 0.8 + 2))


def _table_sheet(workbook: Workbook, table: PackTable, k: int) -> None:
    sheet = workbook.create_sheet(table.name)
    columns = table.columns
    sheet.cell(row=1, column=1, value=f"{table.title_ko} ({table.name})").font = TITLE_FONT
    if table.description:
        sheet.cell(row=1, column=min(6, max(2, len(columns))), value=table.description).font = NAME_FONT
    for index, column in enumerate(columns, start=1):
        label = sheet.cell(row=2, column=index, value=column.label_ko)
        label.font, label.fill, label.alignment = BOLD, LABEL_FILL, Alignment(wrap_text=True, vertical="center")
        name = sheet.cell(row=3, column=index, value=column.name)
        name.font, name.fill, name.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
    marker = withheld_text(k)
    shown: list[list[str]] = [[] for _ in columns]
    for row_index, (withheld, values) in enumerate(zip(table.withheld_rows(), table.frame.iter_rows()), start=4):
        for col_index, (column, value) in enumerate(zip(columns, values), start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            if table.is_withheld(withheld, column.name):
                cell.value = marker
                cell.font = WITHHELD_FONT
                cell.alignment = Alignment(horizontal="right")
                shown[col_index - 1].append(marker)
                continue
            cell.value = _excel_value(value, column.kind)
            number_format = FLOAT_FORMATS.get(column.name) or NUMBER_FORMATS.get(column.kind)
            if number_format and value is not None:
                cell.number_format = number_format
            shown[col_index - 1].append("" if value is None else str(value)[:40])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(shown[index - 1], column.label_ko)
    sheet.row_dimensions[2].height = 30
    frozen = min(IDENTITY.get(table.name, 1), len(columns))
    sheet.freeze_panes = sheet.cell(row=4, column=frozen + 1)
    if table.frame.height:
        sheet.auto_filter.ref = f"A3:{get_column_letter(len(columns))}{table.frame.height + 3}"
    sheet.sheet_view.zoomScale = 90


def _cover_sheet(workbook: Workbook, data: PackData) -> None:
    sheet = workbook.active
    sheet.title = texts.COVER["sheet"]
    manifest = data.release.manifest
    start, end = data.release.window
    k = data.k
    coverage = texts.COVER["complete"] if data.complete else texts.COVER["partial"].format(last=data.data_through)
    sheet["A1"] = f"{texts.PACK_TITLE} - {data.quarter.label_ko}"
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A2"] = texts.ORGANISATION_NOTE
    facts = [
        (texts.COVER["quarter"], data.quarter.key),
        (texts.COVER["period"], f"{data.quarter.first_day} ~ {data.quarter.last_day}"),
        (texts.COVER["coverage"], coverage),
        (texts.COVER["metric_version"], manifest.get("metric_version")),
        (texts.COVER["coefficients_version"], manifest.get("coefficients_version")),
        (texts.COVER["k"], k),
        (texts.COVER["data_window"], f"{start} ~ {end}"),
        (texts.COVER["release"], manifest.get("release")),
        (texts.COVER["published_at"], manifest.get("published_at")),
    ]
    row = 4
    for label, value in facts:
        sheet.cell(row=row, column=1, value=label).font = BOLD
        sheet.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=texts.COVER["suppression"]).font = TITLE_FONT
    row += 1
    for note in (texts.SUPPRESSION_NOTE.format(k=k), texts.SUPPRESSION_NOTE_EN.format(k=k), texts.COVER["source_note"]):
        cell = sheet.cell(row=row, column=1, value=note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 75
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=texts.COVER["tables"]).font = TITLE_FONT
    row += 1
    for index, header in enumerate((texts.COVER["sheet_name"], texts.COVER["title"], texts.COVER["rows"],
                                    texts.COVER["definition"]), start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    row += 1
    for table in data.ordered():
        sheet.cell(row=row, column=1, value=table.name).hyperlink = f"#'{table.name}'!A1"
        sheet.cell(row=row, column=2, value=table.title_ko)
        sheet.cell(row=row, column=3, value=table.frame.height).number_format = "#,##0"
        sheet.cell(row=row, column=4, value=table.description).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=texts.COVER["definitions"]).font = TITLE_FONT
    row += 1
    conventions = data.release.dictionary.get("conventions", {})
    if conventions:
        sheet.cell(row=row, column=1, value=texts.COVER["conventions"]).font = BOLD
        row += 1
        for name, definition in conventions.items():
            sheet.cell(row=row, column=2, value=name)
            cell = sheet.cell(row=row, column=4, value=definition)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for index, header in enumerate((texts.COVER["table"], texts.COVER["column"], texts.COVER["label"],
                                    texts.COVER["definition"]), start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    row += 1
    for table in data.ordered():
        for column in table.columns:
            sheet.cell(row=row, column=1, value=table.name)
            sheet.cell(row=row, column=2, value=column.name)
            sheet.cell(row=row, column=3, value=column.label_ko)
            sheet.cell(row=row, column=4, value=column.definition).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for letter, width in zip("ABCD", (26, 34, 22, 110)):
        sheet.column_dimensions[letter].width = width


def _fixed_time(data: PackData) -> datetime:
    published_at = data.release.manifest.get("published_at")
    if published_at:
        return datetime.fromisoformat(published_at).astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    return datetime.combine(data.release.window[1], datetime.min.time())


def _normalised_zip(data: bytes) -> bytes:
    """The same entries, in the same order, with a fixed timestamp and permissions."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(info.filename), compresslevel=6)
    return out.getvalue()


def workbook_bytes(data: PackData) -> bytes:
    workbook = Workbook()
    _cover_sheet(workbook, data)
    for table in data.ordered():
        _table_sheet(workbook, table, data.k)
    when = _fixed_time(data)
    properties = workbook.properties
    properties.creator = texts.PACK_AUTHOR
    properties.lastModifiedBy = texts.PACK_AUTHOR
    properties.title = f"{texts.PACK_TITLE} {data.quarter.key}"
    properties.subject = texts.PACK_SUBTITLE
    properties.created = when
    properties.modified = when
    properties.language = "ko-KR"
    buffer = io.BytesIO()
    # openpyxl's save_workbook stamps `modified` with the current time; ExcelWriter does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _normalised_zip(buffer.getvalue())

