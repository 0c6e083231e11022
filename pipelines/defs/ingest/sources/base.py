"""What every source adapter provides, and the shared machinery to run its parse SQL.

Parsing runs in a private in-memory DuckDB: raw employee numbers and content exist only
there and are replaced by pseudonyms before anything reaches the warehouse."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.defs.ingest.landing import FileRejected, LandedFile, decode_text, gunzip_if_needed, parse_yyyymmdd
from pipelines.resources import Pseudonymizer

SQL_DIR = Path(__file__).parent.parent / "sql"


@dataclass(frozen=True)
class ParseContext:
    earliest: date  # configured start of data collection
    latest: datetime  # events after this instant (run time + 1 day) are in the future
    pseudonymizer: Pseudonymizer
    # A private in-memory DuckDB, reused for every file of a run (a new one costs ~17 ms).
    scratch: duckdb.DuckDBPyConnection = field(default_factory=lambda: _new_scratch())


def _new_scratch() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


@dataclass
class DecodedFile:
    """A landed file read whole: fingerprint, encoding and its lines, ready to parse."""

    landed: LandedFile
    sha256: str
    encoding: str
    lines: pa.Table  # `line` plus the adapter's string columns
    early_rejects: list[tuple[int, str]]  # lines rejected while splitting (line, reason)

    @property
    def lines_read(self) -> int:
        return self.lines.num_rows + len(self.early_rejects)


@dataclass
class ParsedBatch:
    rows: pa.Table  # typed, pseudonymised rows with `file_no` (index into the batch)
    rejects: list[tuple[int, int, str]]  # (file_no, line, reason)


class SourceAdapter:
    """Subclasses set the class attributes and implement `lines_table`."""

    name: str  # source folder and ledger name, e.g. "portal"
    folder: str  # landing sub-folder
    file_pattern: re.Pattern[str]  # full-match on the file name (see `file_date`)
    raw_table: str  # e.g. "raw.portal_events"
    date_column: str = "file_date"  # where the file name's date is stored in raw_table
    natural_key: str | None = None  # event sources: rows with the same key load once
    encodings: tuple[str, ...] = ("utf-8",)

    dated_names: bool = True  # file names carry the date of their partition or snapshot

    @property
    def parse_sql(self) -> str:
        """ingest/sql/<name>_parse.sql types and validates the rows; <name>_table.sql is the
        raw table's DDL (run by the Warehouse resource)."""
        return f"{self.name}_parse.sql"

    def claims(self, file_name: str) -> bool:
        return self.file_pattern.fullmatch(file_name) is not None

    def date_of(self, file_name: str) -> date | None:
        match = self.file_pattern.fullmatch(file_name)
        return self.file_date(match) if match and self.dated_names else None

    def file_date(self, match: re.Match[str]) -> date | None:
        """The date in a matching file name; by default its `date` group, as YYYYMMDD."""
        return parse_yyyymmdd(match.group("date"))

    def lines_table(self, text: str) -> tuple[pa.Table, list[tuple[int, str]]]:
        """Split decoded text into an Arrow table for the parse SQL, plus lines already
        rejected while splitting (e.g. a CSV row with the wrong number of fields)."""
        raise NotImplementedError

    def decode(self, landed: LandedFile) -> DecodedFile:
        """Read a file whole; raises FileRejected (whole-file quarantine) when it cannot be."""
        data, digest = landed.read_bytes()
        text, encoding = decode_text(gunzip_if_needed(landed.name, data), self.encodings)
        lines, early_rejects = self.lines_table(text)
        return DecodedFile(landed, digest, encoding, lines, early_rejects)


def parse_batch(adapter: SourceAdapter, files: list[DecodedFile], ctx: ParseContext) -> ParsedBatch:
    """Parse many files in one query: per-file overhead, not per-row work, dominated when
    each file went through DuckDB on its own."""
    tables = [
        decoded.lines.append_column("file_no", pa.array([number] * decoded.lines.num_rows, pa.int32()))
        for number, decoded in enumerate(files)
    ]
    rows, rejects = run_parse_sql(adapter.parse_sql, pa.concat_tables(tables), ctx)
    early = [(number, line, reason) for number, decoded in enumerate(files) for line, reason in decoded.early_rejects]
    return ParsedBatch(rows, sorted(early + rejects))


def run_parse_sql(sql_file: str, lines: pa.Table, ctx: ParseContext) -> tuple[pa.Table, list[tuple[int, int, str]]]:
    """Type and validate `lines` with the adapter's SQL, then swap `employee_raw` for its
    pseudonym `employee_key`. The SQL returns one row per input line with a `reason` column
    that is NULL for good rows."""
    con = ctx.scratch
    try:
        con.register("lines", lines)
        sql = (SQL_DIR / sql_file).read_text(encoding="utf-8")
        params = {"earliest": ctx.earliest, "latest": ctx.latest}
        con.execute(
            f"CREATE TEMP TABLE parsed AS {sql}",
            {name: value for name, value in params.items() if f"${name}" in sql},
        )
        rejects = con.execute(
            "SELECT file_no, line, reason FROM parsed WHERE reason IS NOT NULL ORDER BY file_no, line"
        ).fetchall()
        columns = [row[0] for row in con.execute("DESCRIBE parsed").fetchall()]
        if "employee_raw" in columns:
            _register_pseudonyms(con, ctx.pseudonymizer)
            select = """
                SELECT parsed.* EXCLUDE (reason, employee_raw), pseudonyms.employee_key
                FROM parsed LEFT JOIN pseudonyms USING (employee_raw)"""
        else:
            select = "SELECT parsed.* EXCLUDE (reason) FROM parsed"
        rows = con.sql(f"{select} WHERE parsed.reason IS NULL ORDER BY parsed.file_no, parsed.line").to_arrow_table()
        return rows, [(int(file_no), int(line), reason) for file_no, line, reason in rejects]
    finally:
        # Nothing of this file may linger in the scratch database for the next one.
        con.execute("DROP TABLE IF EXISTS parsed")
        for view in ("lines", "pseudonyms"):
            con.unregister(view)


def _register_pseudonyms(con: duckdb.DuckDBPyConnection, pseudonymizer: Pseudonymizer) -> None:
    raw_numbers = [row[0] for row in con.execute(
        "SELECT DISTINCT employee_raw FROM parsed WHERE reason IS NULL AND employee_raw IS NOT NULL"
    ).fetchall()]
    mapping = pseudonymizer.mapping(raw_numbers)
    schema = pa.schema([("employee_raw", pa.string()), ("employee_key", pa.string())])
    con.register("pseudonyms", pa.table([list(mapping), list(mapping.values())], schema=schema))


def csv_lines_table(
    text: str, header: dict[str, str | None], source: str
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Parse CSV text whose header must hold exactly the keys of `header` (any order).
    Returns string columns renamed per `header` plus `line`, and rows rejected for a wrong
    field count. Columns mapped to None (names, free text) are dropped right here, on read.
    Blank lines are ignored."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        found = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileRejected(f"empty file: no {source} header") from None
    if sorted(found) != sorted(header):
        missing = sorted(set(header) - set(found))
        extra = sorted(set(found) - set(header))
        raise FileRejected(
            f"unexpected header: missing {missing or 'nothing'}, unexpected {extra or 'nothing'}; "
            f"the {source} export format may have changed"
        )
    columns: dict[str, list[str | None]] = {name: [] for name in header.values() if name}
    names = [header[h] for h in found]
    lines: list[int] = []
    rejects: list[tuple[int, str]] = []
    start_line = reader.line_num + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            start_line = reader.line_num + 1
            continue
        if len(row) != len(names):
            rejects.append((start_line, f"expected {len(names)} fields, found {len(row)} (cut-off or malformed row)"))
        else:
            lines.append(start_line)
            for name, cell in zip(names, row):
                if name:
                    columns[name].append(cell.strip() or None)
        start_line = reader.line_num + 1
    table = pa.table(
        {"line": pa.array(lines, pa.int64()), **{n: pa.array(v, pa.string()) for n, v in columns.items()}}
    )
    return table, rejects


class CsvAdapter(SourceAdapter):
    """A CSV source whose header must hold exactly the keys of `header`; columns mapped to
    None (names, free text) are dropped on read."""

    header: dict[str, str | None]

    def lines_table(self, text: str) -> tuple[pa.Table, list[tuple[int, str]]]:
        return csv_lines_table(text, self.header, self.name)
