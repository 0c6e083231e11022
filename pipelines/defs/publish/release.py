"""Publishing a release: every published file appears at once, or none does.

Layout of published/:

    releases/<UTC time>_<run id>/      one directory per publish: every mart's Parquet file,
                                       metric_dictionary.json and manifest.json (written last)
    current -> releases/<...>          symbolic link, switched atomically (rename) to the new release
    <mart>.parquet -> current/<mart>.parquet, manifest.json, metric_dictionary.json
                                       stable names for readers (links through `current`)

The guarantee for readers:
- opening `published/<mart>.parquet` always gives a complete file of the latest release
  (a release directory is complete before `current` points to it, and is never modified);
- a reader that needs several files from the same release (the dashboard joining two marts, an
  export pack) resolves `published/current` once (os.path.realpath) and reads everything from
  that directory; manifest.json there lists each file's rows and sha256. A release stays on disk
  until KEEP_RELEASES newer ones exist, so a reader that started on it can finish.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

RELEASES = "releases"
CURRENT = "current"
KEEP_RELEASES = 3


def write_parquet_atomically(frame: pl.DataFrame, target: Path) -> str:
    """Write next to the target, then rename over it: a reader sees the old file or the new
    one, never half of one. Returns the file's sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    frame.write_parquet(temporary, compression="zstd", statistics=True)
    digest = hashlib.sha256(temporary.read_bytes()).hexdigest()
    os.replace(temporary, target)
    return digest


def write_json_atomically(payload: dict, target: Path) -> str:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    data = json.dumps(payload, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return hashlib.sha256(data).hexdigest()


def _link_atomically(link: Path, target: str) -> None:
    """Point `link` at `target` (relative), replacing whatever `link` was, in one rename."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    if link.is_dir() and not link.is_symlink():  # a real directory cannot be renamed over
        shutil.rmtree(link)
    os.replace(temporary, link)


class Release:
    """A new release directory; files go in with `add_*`, `publish` switches readers to it."""

    def __init__(self, published: Path, run_id: str):
        self.published = published
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.name = f"{stamp}_{run_id[:8]}"
        self.directory = published / RELEASES / self.name
        self.directory.mkdir(parents=True, exist_ok=False)
        self.files: dict[str, dict] = {}

    def add_parquet(self, name: str, frame: pl.DataFrame) -> dict:
        path = self.directory / f"{name}.parquet"
        frame.write_parquet(path, compression="zstd", statistics=True)
        entry = {"name": name, "file": path.name, "rows": frame.height,
                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if "suppressed" in frame.columns:
            entry["suppressed_rows"] = int(frame["suppressed"].sum())
        self.files[name] = entry
        return entry

    def add_json(self, name: str, payload: dict) -> dict:
        path = self.directory / f"{name}.json"
        data = json.dumps(payload, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        path.write_bytes(data)
        entry = {"name": name, "file": path.name, "sha256": hashlib.sha256(data).hexdigest()}
        self.files[name] = entry
        return entry

    def publish(self, manifest: dict) -> Path:
        """Write the manifest (last), switch `current`, refresh the stable names, prune."""
        (self.directory / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        for path in self.directory.iterdir():  # make the release durable before readers see it
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        _link_atomically(self.published / CURRENT, f"{RELEASES}/{self.name}")
        names = {entry["file"] for entry in self.files.values()} | {"manifest.json"}
        for file_name in sorted(names):
            _link_atomically(self.published / file_name, f"{CURRENT}/{file_name}")
        for stale in self.published.iterdir():  # a mart no longer published: drop its dangling name
            if stale.is_symlink() and stale.name != CURRENT and stale.name not in names:
                stale.unlink()
        self._prune()
        return self.directory

    def _prune(self) -> None:
        releases = sorted(p for p in (self.published / RELEASES).iterdir() if p.is_dir())
        for old in releases[:-KEEP_RELEASES]:
            if old != self.directory:
                shutil.rmtree(old, ignore_errors=True)
