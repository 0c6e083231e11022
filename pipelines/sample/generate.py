"""`axmeter sample`: write a realistic synthetic ministry into landing/, and what was injected."""

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample.activity import DEFAULT_TRAINING_EFFECT, PIONEER_MULTIPLIER, simulate_activity
from pipelines.sample.delivery import Landed, LandedFile, frame_bytes, land, land_rows
from pipelines.sample.faults import SourceOutput, merge_truth
from pipelines.sample.ids import rng_for
from pipelines.sample.onai import HEADER as ONAI_HEADER
from pipelines.sample.onai import build_onai
from pipelines.sample.org import Organisation, build_organisation
from pipelines.sample.portal import build_portal
from pipelines.sample.programs import (Pioneers, Training, build_surveys, plan_pioneers,
                                       plan_training, quarters_inside)
from pipelines.sample.workdays import KST, Calendar, build_calendar
from pipelines.sample.workforce import Workforce, build_workforce

SOURCES = ("portal", "onai", "hr", "training", "pioneers", "survey")
LANDING_FOLDERS = (*SOURCES, "calendar")
TRUTH_FILE = "sample_truth.json"
ORG_COLUMNS = ("unit_code", "unit_name_ko", "unit_name_en", "parent_code", "level", "function")
MIN_EMPLOYEES, MIN_DAYS = 20, 28


@dataclass(frozen=True)
class SampleSummary:
    events: dict[str, int]  # data rows landed per source (duplicate deliveries included)
    files_written: int  # landed files, sidecars and duplicate deliveries included
    elapsed_seconds: float
    truth_path: Path


def generate(home: Path, employees: int = 1500, start: date = date(2026, 1, 1),
             end: date = date(2026, 10, 31), seed: int = 42,
             progress: Callable[[str], None] | None = None, *, overwrite: bool = False,
             training_effect: float = DEFAULT_TRAINING_EFFECT,
             reorg_date: date = date(2026, 7, 1)) -> SampleSummary:
    """Write the six sources and the closure calendar into `home/landing/`, and the ground truth
    of everything injected into `home/sample_truth.json`. Same arguments, same bytes.

    `training_effect` is the extra daily probability of activity after a completed training
    session (0 disables it); `reorg_date` (a 1st of a month) applies only inside the period.
    """
    began = time.perf_counter()
    say = progress or (lambda _line: None)
    _validate(employees, start, end, training_effect, reorg_date)
    home = Path(home)
    landing = home / "landing"
    _prepare_landing(landing, overwrite)

    cal = build_calendar(start, end, rng_for(seed, "calendar"))
    org = build_organisation(employees, reorg_date if start < reorg_date <= end else None)
    staff = build_workforce(employees, org, cal, rng_for(seed, "workforce"))
    training = plan_training(staff, cal, rng_for(seed, "training"))
    pioneers = plan_pioneers(staff, cal, rng_for(seed, "pioneers"))
    say(f"organisation: {len(org.before)} units, {staff.size} staff over {cal.n_days} days")
    activity = simulate_activity(staff, org, cal, training, pioneers, training_effect,
                                 rng_for(seed, "activity"))
    say(f"activity: {len(activity.cell_person):,} active person-days")

    landed, truths = {}, {}
    landed["portal"], truths["portal"] = _land_events(
        landing / "portal", build_portal(activity, staff, org, cal, rng_for(seed, "portal")), None, say)
    landed["onai"], truths["onai"] = _land_events(
        landing / "onai", build_onai(activity, staff, cal, rng_for(seed, "onai")), ONAI_HEADER, say)
    events = {source: truth["counts"]["data_rows_written"] for source, truth in truths.items()}

    frames = {
        "hr": _hr_frames(staff, org, cal),
        "training": training.files(),
        "pioneers": pioneers.files(staff, cal),
        "survey": build_surveys(staff, cal, activity.active, rng_for(seed, "survey")),
        "calendar": {"closures.csv": pl.DataFrame({"date": [d.isoformat() for d, _ in cal.closures],
                                                   "reason": [r for _, r in cal.closures]})},
    }
    for folder, files in frames.items():
        landed[folder] = _land_frames(landing / folder, folder, files, cal)
        if folder != "calendar":
            events[folder] = sum(f.height for name, f in files.items() if not name.startswith("org_units"))
    say("hr, training, pioneers, survey, calendar: written")

    truth = _truth(seed, employees, start, end, training_effect, reorg_date, cal, org, staff,
                   training, pioneers, activity.truth, truths["portal"], truths["onai"], frames, events)
    truth_path = home / TRUTH_FILE
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files_written = sum(_count_files(items) for items in landed.values())
    elapsed = time.perf_counter() - began
    say(f"done: {sum(events.values()):,} rows in {files_written} files, {elapsed:.1f} s")
    return SampleSummary(events, files_written, round(elapsed, 3), truth_path)


def _validate(employees: int, start: date, end: date, training_effect: float, reorg_date: date) -> None:
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"employees must be at least {MIN_EMPLOYEES}, got {employees}")
    if (end - start).days + 1 < MIN_DAYS:
        raise ValueError(f"the period must span at least {MIN_DAYS} days, got {start} .. {end}")
    if not 0 <= training_effect <= 0.5:
        raise ValueError(f"training_effect must be within 0 .. 0.5, got {training_effect}")
    if reorg_date.day != 1:
        raise ValueError(f"reorg_date must be the 1st of a month (HR snapshots are monthly), "
                         f"got {reorg_date}")


def _prepare_landing(landing: Path, overwrite: bool) -> None:
    """Refuse to mix with earlier data; with overwrite, clear only the folders this writes."""
    occupied = [name for name in LANDING_FOLDERS
                if (landing / name).is_dir() and any(p.is_file() for p in (landing / name).rglob("*"))]
    if occupied and not overwrite:
        raise ValueError(f"{landing} already holds files in {', '.join(occupied)}; "
                         "pass overwrite=True to replace them")
    for name in LANDING_FOLDERS:
        if overwrite:
            shutil.rmtree(landing / name, ignore_errors=True)
        (landing / name).mkdir(parents=True, exist_ok=True)


def _hr_frames(staff: Workforce, org: Organisation, cal: Calendar) -> dict[str, pl.DataFrame]:
    frames = {}
    for s, snapshot in enumerate(staff.snapshots):
        frames[f"roster_{snapshot:%Y%m%d}.csv"] = staff.roster_frame(s, cal)
        units = org.units_on(snapshot)
        frames[f"org_units_{snapshot:%Y%m%d}.csv"] = pl.DataFrame(
            [(u.code, u.name_ko, u.name_en, u.parent or "", u.level, u.function) for u in units],
            schema=list(ORG_COLUMNS), orient="row").sort("unit_code")
    return frames


def _land_events(folder: Path, output: SourceOutput, header: str | None,
                 say: Callable[[str], None]) -> tuple[list[Landed], dict]:
    """Land an event source and keep only its truth: the event table, the bulk of the memory,
    is freed on return, before the next source is built."""
    say(f"{folder.name}: {output.table.height:,} rows planned")
    return land_rows(folder, output.table, output.specs, output.lines, header, say), output.truth


def _land_frames(folder: Path, source: str, files: dict[str, pl.DataFrame], cal: Calendar) -> list[Landed]:
    folder.mkdir(parents=True, exist_ok=True)
    return [land(folder, LandedFile(source, name, _delivery(source, name, cal)), frame_bytes(frame))
            for name, frame in sorted(files.items())]


def _delivery(source: str, name: str, cal: Calendar) -> datetime:
    """When each small source's file plausibly arrived (KST), from the date in its name."""
    stem = name.rsplit(".", 1)[0]
    if source == "calendar":
        return _kst(cal.start - timedelta(days=1), 18)
    if source == "survey":
        last = next(q[2] for q in quarters_inside(cal) if q[0] == stem.split("_")[1])
        return _kst(last + timedelta(days=10), 10)
    if source == "training":
        month = datetime.strptime(stem.split("_")[1], "%Y%m").date()
        next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _kst(next_month + timedelta(days=2), 10)
    day = datetime.strptime(stem.rsplit("_", 1)[1], "%Y%m%d").date()
    return _kst(day, 7 if source == "hr" else 9)


def _kst(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=KST)


def _count_files(landed: list[Landed]) -> int:
    """Each landed file, plus its sidecar and its second delivery when there is one."""
    return sum(1 + (item.sidecar_sha256 is not None) + (item.duplicate is not None) for item in landed)


def _truth(seed, employees, start, end, training_effect, reorg_date, cal: Calendar,
           org: Organisation, staff: Workforce, training: Training, pioneers: Pioneers,
           model: dict, portal: dict, onai: dict, frames: dict, events: dict) -> dict:
    return {
        "generator": "axmeter sample",
        "parameters": {"employees": employees, "start": start.isoformat(), "end": end.isoformat(),
                       "seed": seed, "training_effect": training_effect,
                       "reorg_date": reorg_date.isoformat()},
        "seed": seed,
        "landing_files": {folder: sorted(files) for folder, files in frames.items()},
        "counts": {"portal": portal["counts"], "onai": onai["counts"],
                   **{folder: {"rows": events[folder], "files": len(frames[folder])}
                      for folder in ("hr", "training", "pioneers", "survey")}},
        "calendar": {"workdays": int(cal.workday.sum()),
                     "public_holidays": {d.isoformat(): n for d, n in sorted(cal.holiday_names.items())},
                     "closures": [{"date": d.isoformat(), "reason": r} for d, r in cal.closures]},
        "organisation": _org_truth(org, staff),
        "reorg": org.reorg.as_truth() if org.reorg else None,
        "workforce": _workforce_truth(staff, org, cal),
        "activity_model": {k: v for k, v in model.items() if k != "training_effect"},
        "training": {**model["training_effect"], "sessions": _sessions_truth(training)},
        "pioneers": pioneers.as_truth(staff, cal, PIONEER_MULTIPLIER),
        "survey": {name: {"respondents": f.height} for name, f in frames["survey"].items()},
        "faults": merge_truth(portal["faults"], onai["faults"]),
        "portal": {k: v for k, v in portal.items() if k not in ("faults", "counts")},
        "onai": {k: v for k, v in onai.items() if k not in ("faults", "counts")},
    }


def _org_truth(org: Organisation, staff: Workforce) -> dict:
    first = staff.unit_at[:, 0]
    codes, sizes = np.unique(first[staff.working_on(0)], return_counts=True)
    size = dict(zip(codes.tolist(), sizes.tolist()))
    return {
        "units_before_reorg": len(org.before),
        "units_after_reorg": len(org.after),
        "divisions": sum(u.level == "division" for u in org.before),
        "divisions_under_5_at_start": sorted(u.code for u in org.before
                                             if u.level == "division" and size.get(u.code, 0) < 5),
        "units_with_direct_members_at_start": sorted(u.code for u in org.before
                                                     if u.level != "division" and size.get(u.code, 0) > 0),
    }


def _workforce_truth(staff: Workforce, org: Organisation, cal: Calendar) -> dict:
    mapping = org.reorg.person_map() if org.reorg else {}
    reorg_at = staff.snapshot_index(org.reorg.date) if org.reorg else -1
    moves = []
    for s in range(1, len(staff.snapshots)):
        before = staff.unit_at[:, s - 1]
        if s == reorg_at:
            before = np.array([mapping.get(c, c) for c in before.tolist()])
        for person in np.flatnonzero(before != staff.unit_at[:, s]).tolist():
            moves.append({"employee_id": staff.ids[person], "from": staff.unit_at[person, s - 1],
                          "to": staff.unit_at[person, s], "effective": staff.snapshots[s].isoformat()})
    hires = np.flatnonzero(staff.first_day > 0)
    leavers = np.flatnonzero(staff.last_day < cal.n_days)
    leave = np.flatnonzero(staff.leave_to > 0)  # leave overlapping the period
    return {
        "active_in_first_snapshot": int((staff.status_at(0, cal) == "active").sum()),
        "hires": [{"employee_id": staff.ids[p], "hire_date": str(staff.hire_date[p]),
                   "unit_code": staff.unit_at[p, -1]} for p in hires.tolist()],
        "leavers": [{"employee_id": staff.ids[p], "last_working_day":
                     (cal.start + timedelta(days=int(staff.last_day[p]) - 1)).isoformat()}
                    for p in leavers.tolist()],
        "on_leave": [{"employee_id": staff.ids[p],
                      "from": (cal.start + timedelta(days=int(staff.leave_from[p]))).isoformat(),
                      "until": (cal.start + timedelta(days=int(staff.leave_to[p]) - 1)).isoformat()}
                     for p in leave.tolist()],
        "moves": moves,
    }


def _sessions_truth(training: Training) -> list[dict]:
    sessions = (training.frame.group_by("session_id", "session_date", "format", maintain_order=True)
                .agg(attendees=pl.len(), completed=(pl.col("completed") == "Y").sum()))
    return [dict(zip(sessions.columns, row)) for row in sessions.rows()]
