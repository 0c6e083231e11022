"""What every source adapter provides, and the shared machinery to run its parse SQL.

Parsing runs in TEMP tables of the writing connection, which DuckDB keeps in memory and never
writes to the database file: raw employee numbers and content exist only there and are
replaced by pseudonyms in the one statement that inserts into the raw table."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.defs.ingest.landing import (
    FileRejected, LandedFile, decode_lines, gunzip_if_needed, parse_yyyymmdd, string_buffers,
)
from pipelines.resources import Pseudonymizer

SQL_DIR = Path(__file__).parent.parent / "sql"


@dataclass(frozen=True)
class ParseContext:
    earliest: date  # configured start of data collection
    latest: datetime  # events after this instant (run time + 1 day) are in the future
    pseudonymizer: Pseudonymizer


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

    def parsed(self) -> ParsedFile:
        """What a load keeps of the file once its lines are in the TEMP table `parsed`."""
        return ParsedFile(self.landed, self.sha256, self.encoding, self.lines_read, self.early_rejects)


@dataclass(frozen=True)
class ParsedFile:
    """A file whose lines were parsed: its ledger facts without the lines, which are the bulk
    of a batch's memory (keeping them, a load peaked at 1.65 GB RSS by a million parsed rows,
    against 1.1 GB)."""

    landed: LandedFile
    sha256: str
    encoding: str
    lines_read: int
    early_rejects: list[tuple[int, str]]


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

    def lines_table(self, lines: pa.Table) -> tuple[pa.Table, list[tuple[int, str]]]:
        """From a file's lines (`line`, `text`; blank lines included) to the Arrow table the
        parse SQL reads, plus lines already rejected here (e.g. a CSV row with the wrong
        number of fields)."""
        raise NotImplementedError

    def decode(self, landed: LandedFile) -> DecodedFile:
        """Read a file whole; raises FileRejected (whole-file quarantine) when it cannot be."""
        data, digest = landed.read_bytes()
        lines, encoding = decode_lines(gunzip_if_needed(landed.name, data), self.encodings)
        table, early_rejects = self.lines_table(lines)
        return DecodedFile(landed, digest, encoding, table, early_rejects)


def parse_files(
    conn: duckdb.DuckDBPyConnection, adapter: SourceAdapter, files: list[DecodedFile], ctx: ParseContext,
    first_file_no: int = 0,
) -> None:
    """Type and validate many files' lines in one query, appending to the TEMP table `parsed`
    (created by the first call, `first_file_no` 0): one row per line, `file_no` = first_file_no +
    index into `files`, `reason` NULL for a good row. Raw lines never leave this statement; raw
    employee numbers stay in `parsed` until `parsed_rows` pseudonymises them."""
    tables = [
        decoded.lines.append_column("file_no", pa.array([first_file_no + number] * decoded.lines.num_rows, pa.int32()))
        for number, decoded in enumerate(files)
    ]
    conn.register("lines", pa.concat_tables(tables))
    try:
        sql = (SQL_DIR / adapter.parse_sql).read_text(encoding="utf-8")
        params = {"earliest": ctx.earliest, "latest": ctx.latest}
        into = "CREATE OR REPLACE TEMP TABLE parsed AS" if first_file_no == 0 else "INSERT INTO parsed"
        conn.execute(
            f"{into} SELECT * FROM ({sql})",
            {name: value for name, value in params.items() if f"${name}" in sql},
        )
    finally:
        conn.unregister("lines")


@contextmanager
def parsed_rows(
    conn: duckdb.DuckDBPyConnection, files: list[DecodedFile] | list[ParsedFile], ctx: ParseContext
) -> Iterator[list[tuple[int, int, str]]]:
    """Over `parse_files`' TEMP table `parsed` (which held `files`): leaves the view `parsed_rows`
    (the good rows: typed, `employee_key` in place of the raw number) for the caller to insert
    from, and yields the rejected lines as (file_no, line, reason), sorted. Raw employee numbers
    live only in this connection's TEMP tables, which DuckDB keeps out of the database file, and
    are dropped on the way out; parsing next to the warehouse saves copying every row out and
    back in."""
    try:
        rejects = conn.execute(
            "SELECT file_no, line, reason FROM parsed WHERE reason IS NOT NULL ORDER BY file_no, line"
        ).fetchall()
        columns = [row[0] for row in conn.execute("DESCRIBE parsed").fetchall()]
        if "employee_raw" in columns:
            _register_pseudonyms(conn, ctx.pseudonymizer)
            conn.execute("""
                CREATE OR REPLACE TEMP VIEW parsed_rows AS
                SELECT parsed.* EXCLUDE (reason, employee_raw), pseudonyms.employee_key
                FROM parsed LEFT JOIN pseudonyms USING (employee_raw)
                WHERE parsed.reason IS NULL""")
        else:
            conn.execute("CREATE OR REPLACE TEMP VIEW parsed_rows AS "
                         "SELECT parsed.* EXCLUDE (reason) FROM parsed WHERE reason IS NULL")
        early = [(number, line, reason) for number, decoded in enumerate(files) for line, reason in decoded.early_rejects]
        yield sorted(early + [(int(file_no), int(line), reason) for file_no, line, reason in rejects])
    finally:
        drop_parsed(conn)


def drop_parsed(conn: duckdb.DuckDBPyConnection) -> None:
    """Nothing of parsed files may linger in the connection: the view, the rows, the pseudonyms."""
    conn.execute("DROP VIEW IF EXISTS parsed_rows")
    conn.execute("DROP TABLE IF EXISTS parsed")
    for view in ("lines", "pseudonyms"):
        try:
            conn.unregister(view)
        except duckdb.Error:
            pass


def _register_pseudonyms(con: duckdb.DuckDBPyConnection, pseudonymizer: Pseudonymizer) -> None:
    raw_numbers = [row[0] for row in con.execute(
        "SELECT DISTINCT employee_raw FROM parsed WHERE reason IS NULL AND employee_raw IS NOT NULL"
    ).fetchall()]
    mapping = pseudonymizer.mapping(raw_numbers)
    schema = pa.schema([("employee_raw", pa.string()), ("employee_key", pa.string())])
    con.register("pseudonyms", pa.table([list(mapping), list(mapping.values())], schema=schema))


def csv_lines_table(
    lines: pa.Table, header: dict[str, str | None], source: str
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Parse CSV lines whose header must hold exactly the keys of `header` (any order).
    Returns string columns renamed per `header` plus `line`, and rows rejected for a wrong
    field count. Columns mapped to None (names, free text) are dropped right here, on read.
    Rows whose cells are all blank are ignored."""
    text = pc.utf8_rtrim(lines.column("text").combine_chunks(), characters="\r\n")
    if len(text) == 0 or (len(text) == 1 and text[0].as_py() == ""):
        raise FileRejected(f"empty file: no {source} header")
    found = [h.strip() for h in next(csv.reader([text[0].as_py()]), [])]
    if sorted(found) != sorted(header):
        missing = sorted(set(header) - set(found))
        extra = sorted(set(found) - set(header))
        raise FileRejected(
            f"unexpected header: missing {missing or 'nothing'}, unexpected {extra or 'nothing'}; "
            f"the {source} export format may have changed"
        )
    names = [header[h] for h in found]
    numbers, body = lines.column("line").combine_chunks()[1:], text[1:]
    if _holds_any_byte(body, b'"\r'):
        # Quoted fields (or a bare carriage return) need a real CSV parser.
        return _csv_module_rows("\n".join(body.to_pylist()), names, first_line=2)
    # No quote character anywhere: every comma separates two fields, so splitting is exact
    # and runs in Arrow instead of a Python loop over every row.
    cells = pc.split_pattern(body, ",")
    counts = pc.list_value_length(cells)
    blank = pc.match_substring_regex(body, r"^[\s,]*$")
    good = pc.and_(pc.invert(blank), pc.equal(counts, len(names)))
    bad = pc.and_(pc.invert(blank), pc.not_equal(counts, len(names)))
    rejects = [
        (line, f"expected {len(names)} fields, found {count} (cut-off or malformed row)")
        for line, count in zip(numbers.filter(bad).to_pylist(), counts.filter(bad).to_pylist())
    ]
    # Every kept row has exactly len(names) cells: trim and blank them all at once, then take each
    # column as every len(names)-th cell (four Arrow calls per column were most of a small file's
    # decode: 300 OnAI files of ~100 rows spent 0.7 s in them).
    if not pc.all(good).as_py():  # the usual file has no bad or blank row: nothing to filter
        cells, numbers = cells.filter(good), numbers.filter(good)
    cells = pc.utf8_trim_whitespace(pc.list_flatten(cells))
    cells = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
    width = len(names)
    columns = {name: cells[position::width] for position, name in enumerate(names) if name}
    return pa.table({"line": numbers, **columns}), rejects


def _holds_any_byte(strings: pa.Array, chars: bytes) -> bool:
    """Whether any of the strings holds any of these (ASCII) bytes: a scan of the data buffer
    (a regex over every row was a fifth of an OnAI file's decode)."""
    if len(strings) == 0:
        return False
    offsets, data = string_buffers(strings)
    data = data[offsets[0]:offsets[-1]]
    return any(bool((data == byte).any()) for byte in chars)


def _csv_module_rows(
    body: str, names: list[str | None], first_line: int
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The rows after the header, parsed by Python's csv module (quotes, embedded newlines)."""
    reader = csv.reader(io.StringIO(body, newline=""))
    columns: dict[str, list[str | None]] = {name: [] for name in names if name}
    lines: list[int] = []
    rejects: list[tuple[int, str]] = []
    start_line = first_line
    for row in reader:
        if not any(cell.strip() for cell in row):
            start_line = first_line + reader.line_num
            continue
        if len(row) != len(names):
            rejects.append((start_line, f"expected {len(names)} fields, found {len(row)} (cut-off or malformed row)"))
        else:
            lines.append(start_line)
            for name, cell in zip(names, row):
                if name:
                    columns[name].append(cell.strip() or None)
        start_line = first_line + reader.line_num
    table = pa.table(
        {"line": pa.array(lines, pa.int64()), **{n: pa.array(v, pa.string()) for n, v in columns.items()}}
    )
    return table, rejects


class CsvAdapter(SourceAdapter):
    """A CSV source whose header must hold exactly the keys of `header`; columns mapped to
    None (names, free text) are dropped on read."""

    header: dict[str, str | None]

    def lines_table(self, lines: pa.Table) -> tuple[pa.Table, list[tuple[int, str]]]:
        return csv_lines_table(lines, self.header, self.name)
