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


def numbered_lines(text: str) -> pa.Table:
    """Non-blank lines (`text`) with their 1-based line numbers (`line`); blank lines are
    ignored, not errors. Vectorised: a Python loop over a million lines costs seconds."""
    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    numbers = pa.array(np.arange(1, len(lines) + 1, dtype=np.int64))
    lines = pc.utf8_rtrim(lines, characters="\r")
    keep = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)
    return pa.table({"line": numbers, "text": lines.cast(pa.string())}).filter(keep)
