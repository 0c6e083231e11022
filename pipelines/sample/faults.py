"""Delivery faults shared by the event sources, and the ground truth they leave behind.

An event table carries `file`, `pos` (order in the file), `key` (natural key), `fault` and
`fault_detail`; faults are marked on rows so their final file and line can be reported.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from pipelines.sample.delivery import LandedFile
from pipelines.sample.ids import unique_numbers
from pipelines.sample.workdays import KST

# Row faults after which the row cannot load (the others load but are flagged or unattributed).
UNLOADABLE = ("bad_timestamp", "non_numeric_tokens", "missing_request_id", "non_numeric_duration",
              "missing_event_id", "future_timestamp", "before_start_timestamp")
MALFORMED = ("bad_timestamp", "non_numeric_tokens", "missing_request_id", "non_numeric_duration",
             "missing_event_id")
DUPLICATE_KEY = ("duplicate_key_identical", "duplicate_key_changed")
IDENTICAL_COPIES = 3  # rows re-exported per overlapping day
FUTURE = datetime(2031, 3, 5, 10, 0, tzinfo=KST)
FAULT_TEXT = pl.Categorical  # `fault` and `fault_detail`: null on nearly every row, few distinct texts


@dataclass(frozen=True)
class SourceOutput:
    """An event source ready to land: rows sorted by file and line, file plans, ground truth,
    and `lines`, which renders a run of rows as their file's lines (one file at a time, so the
    lines of the whole source never sit in memory together)."""
    table: pl.DataFrame
    specs: dict[str, LandedFile]
    truth: dict
    lines: Callable[[pl.DataFrame], pl.Series]


def merge_truth(*parts: dict[str, list]) -> dict[str, list]:
    """Fault lists from several places, concatenated per fault kind."""
    out: dict[str, list] = {}
    for part in parts:
        for fault, entries in part.items():
            out.setdefault(fault, []).extend(entries)
    return out


def fault_text(text: str | None) -> pl.Expr:
    """A value for the `fault` or `fault_detail` column."""
    return pl.lit(text, dtype=FAULT_TEXT)


def fault_count(base: int, size: float) -> int:
    """`base` at the default size (size 1.0), fewer for small samples, but always at least one."""
    return max(1, round(base * min(1.0, size)))


def pick_fault_days(day_events: np.ndarray, wanted: dict[str, int], rng: np.random.Generator,
                    with_next_day: tuple[str, ...] = ()) -> dict[str, list[int]]:
    """Distinct, reasonably busy days for file-level faults (never the first or last day).

    Faults listed in `with_next_day` also reserve the following day, which receives copies.
    """
    positive = day_events[day_events > 0]
    busy = day_events >= (max(2, 0.5 * np.median(positive)) if len(positive) else 1)
    busy[[0, -1]] = False
    pool = [int(d) for d in rng.permutation(np.flatnonzero(busy))]
    taken: set[int] = set()
    picked: dict[str, list[int]] = {}
    for fault, count in wanted.items():
        picked[fault] = []
        for day in pool:
            if len(picked[fault]) == count:
                break
            needed = {day, day + 1} if fault in with_next_day else {day}
            if not needed & taken and max(needed) < len(day_events):
                picked[fault].append(day)
                taken |= needed
    return picked


def pick_rows(table: pl.DataFrame, allowed: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` random row indices among the allowed ones that carry no fault yet."""
    free = np.flatnonzero(allowed & table["fault"].is_null().to_numpy())
    return np.sort(rng.choice(free, size=min(k, len(free)), replace=False))


def mark(table: pl.DataFrame, rows: np.ndarray, fault: str, detail: str | None = None,
         **changes: object) -> pl.DataFrame:
    """Flag rows with a fault and optionally overwrite some of their columns."""
    hit = np.zeros(table.height, bool)
    hit[rows] = True
    flag = pl.Series(hit)
    updates = {name: pl.when(flag).then(pl.lit(value, dtype=table.schema[name])).otherwise(pl.col(name))
               for name, value in changes.items()}
    return table.with_columns(
        fault=pl.when(flag).then(fault_text(fault)).otherwise(pl.col("fault")),
        fault_detail=pl.when(flag).then(fault_text(detail)).otherwise(pl.col("fault_detail")),
        **updates,
    )


def _copy_tail(table: pl.DataFrame, source_file: str, target_file: str, m: int, fault: str) -> pl.DataFrame:
    """The last `m` rows of one file, re-exported at the top of another (an overlapping export)."""
    tail = table.filter(pl.col("file") == source_file).sort("pos").tail(m)
    return tail.with_columns(file=pl.lit(target_file, dtype=tail.schema["file"]),
                             pos=pl.int_range(-tail.height, 0, dtype=pl.Int64),
                             fault=fault_text(fault),
                             fault_detail=fault_text(f"copy of a row of {source_file}"))


def duplicate_key_copies(table: pl.DataFrame, file_of_day: list[str], fault_days: dict[str, list[int]],
                         correct: Callable[[pl.DataFrame], pl.DataFrame]) -> list[pl.DataFrame]:
    """Day D's last rows again, for the top of day D+1's file: identical copies on some days,
    and on others one copy whose content was corrected by `correct` (a one-row frame).
    `number_lines` puts them in place; row faults never touch these days' files."""
    copies = [_copy_tail(table, file_of_day[d], file_of_day[d + 1], IDENTICAL_COPIES, DUPLICATE_KEY[0])
              for d in fault_days[DUPLICATE_KEY[0]]]
    copies += [correct(_copy_tail(table, file_of_day[d], file_of_day[d + 1], 1, DUPLICATE_KEY[1]))
               for d in fault_days[DUPLICATE_KEY[1]]]
    return copies


def rows_outside(table: pl.DataFrame, files: set[str]) -> np.ndarray:
    """Rows of files no file-level fault touches, so each row fault stays visible on its own."""
    return ~table["file"].is_in(sorted(files)).to_numpy()


def mark_unknown_employees(table: pl.DataFrame, allowed: np.ndarray, count: int, column: str,
                           n_numbers: int, rng: np.random.Generator) -> pl.DataFrame:
    """Employee numbers HR never issued (E9xxxxx; staff numbers stay below E250000)."""
    numbers = np.char.add("E", unique_numbers(rng, 900_000, 1_000_000, n_numbers).astype("U6"))
    rows = pick_rows(table, allowed, count, rng)
    for number, group in zip(numbers.tolist(), np.array_split(rows, n_numbers)):
        table = mark(table, group, "unknown_employee", number, **{column: number})
    return table


def mark_out_of_range_times(table: pl.DataFrame, allowed: np.ndarray, counts: dict[str, int],
                            start: date, rng: np.random.Generator) -> pl.DataFrame:
    """Events years in the future, and before the start of data collection, an hour apart."""
    before_start = datetime(start.year, start.month, start.day, 10, tzinfo=KST) - timedelta(days=200)
    for fault, base in (("future_timestamp", FUTURE), ("before_start_timestamp", before_start)):
        for k, row in enumerate(pick_rows(table, allowed, counts[fault], rng)):
            moved = base + timedelta(hours=k)
            table = mark(table, np.array([row]), fault, moved.isoformat(), t_ms=int(moved.timestamp() * 1000))
    return table


def mark_malformed(table: pl.DataFrame, allowed: np.ndarray, counts: dict[str, int],
                   rng: np.random.Generator) -> pl.DataFrame:
    """Rows whose line `render_lines` will spoil once rendered."""
    for fault in (f for f in MALFORMED if f in counts):
        table = mark(table, pick_rows(table, allowed, counts[fault], rng), fault)
    return table


def render_lines(rows: pl.DataFrame, render: pl.Expr, breaker: Callable[[str, str], str]) -> pl.Series:
    """The rows rendered as lines; those marked with a malformed-field fault rewritten by `breaker`."""
    lines = rows.select(render).to_series()
    broken = np.flatnonzero(rows["fault"].is_in(MALFORMED).to_numpy())
    if len(broken):
        lines.scatter(broken, [breaker(lines[int(i)], rows["fault"][int(i)]) for i in broken])
    return lines


def number_lines(table: pl.DataFrame, copies: list[pl.DataFrame], header_lines: int) -> pl.DataFrame:
    """Final order in each file, the re-exported `copies` at the top of theirs, and the 1-based
    line number of each row.

    The event table is normally in file order already (sorting would copy it whole), and the
    copies are inserted by slicing, which shares the table's buffers: every column ends up with
    the same chunks, which keeps later filters from copying the table to align them.
    """
    file, pos = pl.col("file"), pl.col("pos")
    in_order = table.select(((file > file.shift()) | ((file == file.shift()) & (pos > pos.shift())))
                            .slice(1).all()).item()
    ordered = table if in_order else table.sort("file", "pos")
    above = sum((file == rows["file"][0]).cast(pl.Int64) * rows.height for rows in copies)
    numbered = ordered.with_columns(line_no=pl.int_range(1, pl.len() + 1).over("file") + header_lines + above)
    for rows in copies:
        rows = rows.sort("pos").with_columns(line_no=pl.int_range(1, pl.len() + 1) + header_lines)
        at = int((numbered["file"] < rows["file"][0]).sum())
        numbered = pl.concat([numbered.slice(0, at), rows, numbered.slice(at)], rechunk=False)
    return numbered


def row_fault_truth(source: str, table: pl.DataFrame) -> dict[str, list[dict]]:
    """Per fault, where each marked row ended up (duplicate keys are reported separately)."""
    marked = table.filter(pl.col("fault").is_not_null() & ~pl.col("fault").is_in(DUPLICATE_KEY))
    out: dict[str, list[dict]] = {}
    for row in marked.select("fault", "file", "line_no", "key", "fault_detail").iter_rows():
        fault, file, line, key, detail = row
        entry = {"source": source, "file": file, "line": line, "key": key}
        if detail is not None:
            entry["detail"] = detail
        out.setdefault(fault, []).append(entry)
    return out


def duplicate_key_truth(source: str, table: pl.DataFrame,
                        specs: dict[str, LandedFile]) -> list[dict]:
    """Each duplicated key with all its copies; the copy delivered last is the one that counts."""
    keys = table.filter(pl.col("fault").is_in(DUPLICATE_KEY)).select("key", "fault").unique().sort("key")
    copies = table.filter(pl.col("key").is_in(keys["key"].implode()))
    out = []
    for key, fault in keys.iter_rows():
        rows = copies.filter(pl.col("key") == key).select("file", "line_no").rows()
        winner = max(rows, key=lambda r: (specs[r[0]].delivered, r[0]))[0]
        out.append({"source": source, "key": key, "identical": fault == "duplicate_key_identical",
                    "copies": [{"file": f, "line": n, "delivered": specs[f].delivered.isoformat()}
                               for f, n in rows],
                    "winner_file": winner})
    return out


def file_fault_truth(source: str, specs: dict[str, LandedFile], table: pl.DataFrame,
                     expected_delivery: dict[str, datetime],
                     utf8_only: bool) -> dict[str, list[dict]]:
    """Faults that concern whole files: duplicates, late, damaged, encodings, sidecars."""
    counts = dict(table.group_by("file").len().rows())
    out: dict[str, list[dict]] = {}

    def add(fault: str, entry: dict) -> None:
        out.setdefault(fault, []).append({"source": source, **entry})

    for name, spec in sorted(specs.items()):
        if spec.duplicate_as:
            add("duplicate_file", {"file": name, "duplicate": spec.duplicate_as,
                                   "delivered": spec.delivered.isoformat(),
                                   "duplicate_delivered": spec.duplicate_delivered.isoformat()})
        expected = expected_delivery[name]
        if spec.delivered > expected:
            add("late_file", {"file": name, "expected_delivery": expected.isoformat(),
                              "delivered": spec.delivered.isoformat(),
                              "days_late": (spec.delivered - expected).days})
        if spec.damage == "corrupt_gzip":
            add("corrupt_gzip", {"file": name, "events_lost": counts.get(name, 0)})
        if spec.damage == "cut_last_line":
            last = table.filter(pl.col("file") == name).sort("line_no").tail(1)
            add("truncated_last_line", {"file": name, "line": last["line_no"][0], "key": last["key"][0]})
        if utf8_only and spec.encoding == "cp949":
            add("wrong_encoding", {"file": name, "encoding": spec.encoding,
                                   "events_lost": counts.get(name, 0)})
        if spec.sidecar == "mismatch":
            add("sidecar_mismatch", {"file": name, "sidecar": name + ".sha256",
                                     "events_lost": counts.get(name, 0)})
    return out


def load_expectation(table: pl.DataFrame, specs: dict[str, LandedFile],
                     quarantined: set[str]) -> dict[str, int]:
    """What a correct reader should load: distinct keys outside quarantined files and bad rows."""
    cut_files = [name for name, spec in specs.items() if spec.damage == "cut_last_line"]
    last_line = pl.col("line_no") == pl.col("line_no").max().over("file")
    in_quarantine = pl.col("file").is_in(list(quarantined))
    bad_row = pl.col("fault").is_in(UNLOADABLE).fill_null(False)
    loadable = table.select(pl.col("key").filter(~in_quarantine & ~bad_row
                                                 & ~(pl.col("file").is_in(cut_files) & last_line)))
    counts = dict(table.group_by("file").len().rows())
    duplicated = sum(counts.get(name, 0) for name, spec in specs.items() if spec.duplicate_as)
    return {"data_rows_written": table.height + duplicated,
            "data_rows_in_quarantined_files": table.filter(in_quarantine).height,
            "distinct_keys_loadable": loadable["key"].n_unique()}
