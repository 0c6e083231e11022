"""Splitting landed files into numbered lines and CSV rows, as the loader does it: in Arrow,
with a fall-back to Python's csv module when a file has quoted fields. Figures by hand."""

import pyarrow as pa
import pytest

from pipelines.defs.ingest.landing import FileRejected, decode_lines, non_blank
from pipelines.defs.ingest.sources.base import csv_lines_table

HEADER = {"a": "first", "b": None, "c": "third"}  # b is dropped on read, like a name column


def numbered(data: bytes, encodings=("utf-8",)):
    lines, encoding = decode_lines(data, encodings)
    return [(row["line"], row["text"]) for row in non_blank(lines).to_pylist()], encoding


def test_lines_keep_their_numbers_and_blank_lines_are_skipped():
    data = "a\n\n  \n\u3000\n{x}\r\n \tb\nlast".encode()
    # Lines 2 (empty), 3 (spaces) and 4 (an ideographic space) are blank.
    assert numbered(data) == ([(1, "a\n"), (5, "{x}\r\n"), (6, " \tb\n"), (7, "last")], "utf-8")
    assert numbered(b"") == ([], "utf-8")
    assert numbered(b"\n\n") == ([], "utf-8")


def test_encodings_are_detected_not_guessed():
    assert numbered(b"\xef\xbb\xbfx\r\n") == ([(1, "x\r\n")], "utf-8-sig")
    assert numbered("부서\n".encode("cp949"), ("utf-8", "cp949")) == ([(1, "부서\n")], "cp949")
    with pytest.raises(FileRejected, match="not valid UTF-8; check"):
        decode_lines("부서\n".encode("cp949"))
    with pytest.raises(FileRejected, match="byte-order mark but invalid UTF-8 at byte 2"):
        decode_lines(b"\xef\xbb\xbfok\xff\n", ("utf-8", "cp949"))


CSV = (
    "c, a ,b\r\n"        # line 1: header in another order, with spaces
    "3,1,name\r\n"       # line 2: first=1, third=3
    "\r\n"               # line 3: blank
    " , , \r\n"          # line 4: every cell blank: ignored
    "6,4\r\n"            # line 5: cut off: 2 fields of 3
    ",7,x\r\n"           # line 6: third empty -> NULL
    "9,8,y,z\r\n"        # line 7: 4 fields
)


def rows_of(text: str):
    lines, _ = decode_lines(text.encode())
    table, rejects = csv_lines_table(lines, HEADER, "test")
    return table.to_pylist(), rejects


def test_csv_rows_split_in_arrow():
    rows, rejects = rows_of(CSV)
    assert rows == [{"line": 2, "third": "3", "first": "1"}, {"line": 6, "third": None, "first": "7"}]
    assert rejects == [(5, "expected 3 fields, found 2 (cut-off or malformed row)"),
                       (7, "expected 3 fields, found 4 (cut-off or malformed row)")]


def test_csv_cells_are_trimmed_of_any_white_space_and_blank_cells_are_null():
    # Spaces, a tab and U+3000 (ideographic space, common in Korean text) around cells.
    rows, rejects = rows_of("c,a,b\n 12 ,\t11\u3000, w \n\u3000,13,\t\n")
    assert rows == [{"line": 2, "third": "12", "first": "11"}, {"line": 3, "third": None, "first": "13"}]
    assert rejects == []


def test_quoted_csv_takes_the_csv_module_with_the_same_result():
    # A quoted comma and a quoted line break: line numbers still count physical lines.
    quoted = CSV + '"1,5",2,"two\r\nlines"\r\n' + "11,10,q\r\n"
    rows, rejects = rows_of(quoted)
    assert rows == [{"line": 2, "third": "3", "first": "1"}, {"line": 6, "third": None, "first": "7"},
                    {"line": 8, "third": "1,5", "first": "2"}, {"line": 10, "third": "11", "first": "10"}]
    assert rejects == rows_of(CSV)[1]


def test_csv_header_problems_reject_the_file():
    with pytest.raises(FileRejected, match="empty file: no test header"):
        rows_of("")
    with pytest.raises(FileRejected, match=r"missing \['c'\], unexpected \['d'\]"):
        rows_of("a,b,d\n1,2,3\n")


def test_batches_start_small_then_fill_to_64_files_or_128_mib():
    from pipelines.defs.ingest.landing import LandedFile
    from pipelines.defs.ingest.loader import batches

    mib = 1024 * 1024

    def sizes(*file_sizes):
        files = [LandedFile("onai", None, f"f{i}", None, size, None) for i, size in enumerate(file_sizes)]
        return [len(batch) for batch in batches(files)]

    # 100 small files: the first batch takes 64 / 8 = 8 of them, the next 64, then the rest.
    assert sizes(*[mib // 10] * 100) == [8, 64, 28]
    # 10 MiB files: the first batch holds 16 MiB (one file: a second makes 20), the next 128 MiB
    # (twelve: a thirteenth makes 130).
    assert sizes(*[10 * mib] * 20) == [1, 12, 7]
    # A file over a batch's bytes still loads, alone in its batch.
    assert sizes(200 * mib, mib, 200 * mib) == [1, 1, 1]
    assert sizes() == []


def test_quote_and_carriage_return_are_found_in_a_slice_only():
    from pipelines.defs.ingest.sources.base import _holds_any_byte

    for kind in (pa.string(), pa.large_string()):
        lines = pa.array(['"header"', "a,b", "c\rd", "e,f"], kind)
        assert _holds_any_byte(lines, b'"\r')
        assert _holds_any_byte(lines[1:], b"\r") and not _holds_any_byte(lines[1:], b'"')  # the quote is in line 1
        assert not _holds_any_byte(lines[3:], b'"\r') and not _holds_any_byte(lines[1:2], b'"\r')
        assert not _holds_any_byte(pa.array(["", ""], kind), b'"') and not _holds_any_byte(lines[:0], b'"')
