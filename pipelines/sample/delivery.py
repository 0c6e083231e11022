"""Landing files as a transfer system would: encodings, gzip, sidecars, damage, delivery times."""

import gzip
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

BOM = b"\xef\xbb\xbf"
GZIP_LEVEL = 6
CUT_KEEP_SHARE = 0.55  # a cut-off line keeps about half its characters
CORRUPT_KEEP_SHARE = 0.6  # a corrupt gzip keeps this share of its bytes


@dataclass
class LandedFile:
    """How one file is delivered. `name` is the file name inside the source folder."""
    source: str
    name: str
    delivered: datetime
    encoding: str = "utf-8"  # utf-8, utf-8-sig (with BOM) or cp949
    newline: str = "\n"
    gzip: bool = False
    sidecar: str | None = None  # None, "digest", "sha256sum" (digest and name) or "mismatch"
    damage: str | None = None  # None, "cut_last_line" or "corrupt_gzip"
    duplicate_as: str | None = None  # delivered a second time, identical bytes, under this name
    duplicate_delivered: datetime | None = None


@dataclass(frozen=True)
class Landed:
    path: Path
    sha256: str
    size: int
    sidecar_sha256: str | None
    duplicate: Path | None


def lines_bytes(lines: pl.Series, newline: str, header: str | None = None) -> bytes:
    """UTF-8 bytes of the lines, each terminated by `newline` (polars writes them in bulk)."""
    buffer = io.BytesIO()
    if header is not None:
        buffer.write((header + newline).encode())
    pl.DataFrame({"line": lines}).write_csv(buffer, include_header=False, quote_style="never",
                                            line_terminator=newline)
    return buffer.getvalue()


def frame_bytes(frame: pl.DataFrame) -> bytes:
    """A CSV file with a header row, fields quoted only when needed, empty fields bare."""
    buffer = io.BytesIO()
    frame.with_columns(pl.col(pl.String).replace("", None)).write_csv(buffer)
    return buffer.getvalue()


def land(folder: Path, spec: LandedFile, utf8: bytes) -> Landed:
    """Encode, compress and damage the content as planned, write it and date it as delivered."""
    data = _cut_last_line(utf8, spec.newline) if spec.damage == "cut_last_line" else utf8
    if spec.encoding == "cp949":
        data = data.decode("utf-8").encode("cp949")
    elif spec.encoding == "utf-8-sig":
        data = BOM + data
    if spec.gzip:
        data = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    if spec.damage == "corrupt_gzip":
        data = data[: int(len(data) * CORRUPT_KEEP_SHARE)]
    path = folder / spec.name
    path.write_bytes(data)
    _set_mtime(path, spec.delivered)
    digest = hashlib.sha256(data).hexdigest()
    sidecar_digest = _write_sidecar(path, spec, data) if spec.sidecar else None
    copy = folder / spec.duplicate_as if spec.duplicate_as else None
    if copy:
        copy.write_bytes(data)
        _set_mtime(copy, spec.duplicate_delivered or spec.delivered)
    return Landed(path, digest, len(data), sidecar_digest, copy)


def _cut_last_line(data: bytes, newline: str) -> bytes:
    """Drop the final newline and the tail of the last line, on a character boundary."""
    text = data.decode("utf-8").removesuffix(newline)
    head, sep, last = text.rpartition(newline)
    return (head + sep + last[: max(1, int(len(last) * CUT_KEEP_SHARE))]).encode("utf-8")


def _write_sidecar(path: Path, spec: LandedFile, data: bytes) -> str:
    """`<file>.sha256`; a mismatching one carries the digest of the bytes before transfer damage."""
    content = data + b"\n" if spec.sidecar == "mismatch" else data
    digest = hashlib.sha256(content).hexdigest()
    text = f"{digest}  {spec.name}\n" if spec.sidecar in ("sha256sum", "mismatch") else f"{digest}\n"
    sidecar = path.with_name(path.name + ".sha256")
    sidecar.write_text(text, encoding="ascii")
    _set_mtime(sidecar, spec.delivered)
    return digest


def _set_mtime(path: Path, when: datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def land_rows(folder: Path, table: pl.DataFrame, specs: dict[str, LandedFile],
              lines: Callable[[pl.DataFrame], pl.Series], header: str | None,
              progress: Callable[[str], None]) -> list[Landed]:
    """Land every planned file of an event source; `table` is sorted by file, and `lines`
    renders one file's rows as its lines."""
    folder.mkdir(parents=True, exist_ok=True)
    # The file column alone: a new column beside the table's would have polars align their chunks,
    # copying the whole table.
    ranges = table.select("file").with_row_index("row").group_by("file").agg(pl.col("row").min(), pl.len())
    bounds = {name: (int(first), int(n)) for name, first, n in ranges.rows()}
    names = sorted(specs)
    step = max(1, len(names) // 10)
    landed = []
    for k, name in enumerate(names, 1):
        first, n = bounds.get(name, (0, 0))
        spec = specs[name]
        content = lines_bytes(lines(table.slice(first, n)), spec.newline, header)
        landed.append(land(folder, spec, content))
        if k % step == 0 or k == len(names):
            progress(f"{spec.source}: {k} of {len(names)} files written")
    return landed
