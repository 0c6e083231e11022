"""Reading files from the landing zone: discovery, fingerprints, sidecars, gzip, encodings.

A file that cannot be read whole (bad gzip, undecodable bytes, sidecar mismatch) raises
`FileRejected` with a reason a data engineer can act on; nothing of it is loaded.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIDECAR_SUFFIX = ".sha256"
UTF8_BOM = b"\xef\xbb\xbf"


class FileRejected(Exception):
    """The whole file is quarantined; `reason` says why and what to do."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LandedFile:
    source: str
    path: Path
    name: str  # path relative to landing/<source>/
    file_date: date | None
    size_bytes: int
    delivered_at: datetime

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def read_bytes(self) -> tuple[bytes, str]:
        """The file's bytes and their sha256 hex digest, checked against a sidecar if any."""
        data = self.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        sidecar = self.path.with_name(self.path.name + SIDECAR_SUFFIX)
        if sidecar.exists():
            expected = sidecar.read_text(encoding="utf-8", errors="replace").split()
            if not expected or expected[0].lower() != digest:
                raise FileRejected(
                    f"sidecar mismatch: {sidecar.name} says {expected[0] if expected else '(empty)'}, "
                    f"file hashes to {digest}; ask for the file to be sent again"
                )
        return data, digest


def scan_landing(source: str, folder: Path, date_of: Callable[[str], date | None]) -> list[LandedFile]:
    """Every delivered file of a source folder (sidecars and hidden files aside), sorted by
    name, with the date `date_of` reads from its name (None when it reads none)."""
    if not folder.exists():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(SIDECAR_SUFFIX) or path.name.startswith("."):
            continue
        stat = path.stat()
        files.append(
            LandedFile(
                source=source,
                path=path,
                name=path.relative_to(folder).as_posix(),
                file_date=date_of(path.name),
                size_bytes=stat.st_size,
                delivered_at=datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc),
            )
        )
    return files


def scan_delivered(
    source: str, landing: Path, archive: Path, date_of: Callable[[str], date | None]
) -> list[LandedFile]:
    """What a load reads: landing/<source>/ and archive/<source>/, where the archive step moves
    files once loaded (pipelines/defs/ops/housekeeping.py), so reloading a day still sees all
    its files. A name in both is read from landing: it is a re-delivery."""
    landed = scan_landing(source, landing, date_of)
    names = {f.name for f in landed}
    archived = [f for f in scan_landing(source, archive, date_of) if f.name not in names]
    return sorted(landed + archived, key=lambda f: f.name)


def parse_yyyymmdd(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def gunzip_if_needed(name: str, data: bytes) -> bytes:
    if not name.endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejected(f"corrupt gzip ({exc}); ask for the file to be sent again") from exc


def decode_text(data: bytes, encodings: tuple[str, ...] = ("utf-8",)) -> tuple[str, str]:
    """Decode strictly with the first encoding that fits the whole file; report which.

    A UTF-8 byte-order mark is honoured and stripped. CP949 is only tried when the source
    allows it and the bytes are not valid UTF-8, so the choice is detected, not guessed."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRejected(f"undecodable: UTF-8 byte-order mark but invalid UTF-8 at byte {exc.start}") from exc
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        f"undecodable: the bytes are not valid {' or '.join(e.upper() for e in encodings)}; "
        "check the export's encoding and send it again"
    )


def decode_lines(data: bytes, encodings: tuple[str, ...] = ("utf-8",)) -> tuple[pa.Table, str]:
    """Split a file's bytes into its lines, decoded with the same rules as `decode_text`:
    `line` (1-based number) and `text` (each line keeps its terminator; blank lines
    included), plus the encoding found.

    Stays in Arrow: UTF-8 is validated by Arrow's cast instead of building one Python string
    per file and encoding it back (that round trip cost more than DuckDB's JSON parse)."""
    encoding = "utf-8"
    if data.startswith(UTF8_BOM):
        data, encoding = data[len(UTF8_BOM):], "utf-8-sig"
    text = _utf8_lines(data)
    if text is None:
        if encoding == "utf-8-sig":
            decode_text(UTF8_BOM + data)  # raises FileRejected with the offending byte
        for fallback in encodings[1:]:
            try:
                text, encoding = _utf8_lines(data.decode(fallback).encode("utf-8")), fallback
                break
            except UnicodeDecodeError:
                continue
        else:
            decode_text(data, encodings)  # raises FileRejected saying which encodings failed
    numbers = pa.array(np.arange(1, len(text) + 1, dtype=np.int64))
    return pa.table({"line": numbers, "text": text}), encoding


def _utf8_lines(data: bytes) -> pa.LargeStringArray | None:
    """The lines of `data` as Arrow strings over the very same bytes (no copy: each line ends
    with its newline), or None when the bytes are not valid UTF-8. Splitting at newline bytes
    cannot cut a valid UTF-8 sequence, so validating the lines validates the file."""
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n")) + 1
    ends = newlines if newlines.size and newlines[-1] == len(data) else np.append(newlines, len(data))
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    lines = pa.Array.from_buffers(
        pa.large_binary(), len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    try:
        return lines.cast(pa.large_string())
    except pa.ArrowInvalid:
        return None


def string_buffers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A non-empty Arrow string (or large string) array's offsets, one per string plus the end,
    and its data bytes, as NumPy views of its buffers (nothing copied)."""
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], width, count=len(strings) + 1,
                            offset=strings.offset * np.dtype(width).itemsize)
    data = strings.buffers()[2]
    return offsets, (np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8))


def non_blank(lines: pa.Table) -> pa.Table:
    """The lines that hold more than white space and line ends (blank lines are ignored, not
    errors). Only lines that are empty or start with a space-like byte (ASCII white space or
    any non-ASCII byte) are examined in full; Arrow's is-space kernel reads every byte."""
    text = lines.column("text").combine_chunks()
    if len(text) == 0:
        return lines
    offsets, data = string_buffers(text)
    starts, lengths = offsets[:-1], np.diff(offsets)
    first = np.where(lengths > 0, data[np.minimum(starts, max(len(data) - 1, 0))] if len(data) else 0, 0)
    maybe_blank = (lengths == 0) | np.isin(first, list(b" \t\n\v\f\r")) | (first >= 0x80)
    blank = np.zeros(len(text), bool)
    candidates = np.flatnonzero(maybe_blank)
    if candidates.size:
        candidate_text = text.take(pa.array(candidates))
        blank[candidates] = pc.or_(
            pc.equal(pc.binary_length(candidate_text), 0), pc.utf8_is_space(candidate_text)
        ).to_numpy(zero_copy_only=False)
    # Filtering copies every line: skip it in the usual case of a file without blank lines.
    return lines.filter(pa.array(~blank)) if blank.any() else lines
