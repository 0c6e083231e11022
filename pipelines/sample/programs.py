"""AI training sessions, the AI Pioneer Group and the quarterly survey."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from pipelines.sample.ids import hex_ids
from pipelines.sample.vocab import SURVEY_COMMENTS, TRAINING_TITLES
from pipelines.sample.workdays import Calendar
from pipelines.sample.workforce import Workforce

TRAINING_COLUMNS = ("session_id", "session_title", "session_date", "format", "hours",
                    "employee_id", "completed")
PIONEER_COLUMNS = ("employee_id", "role", "joined_on", "left_on")
SURVEY_COLUMNS = ("response_id", "quarter", "unit_code", "q_faster", "q_quality", "q_effort",
                  "q_productive", "minutes_saved_per_week", "comment")

FORMATS = ("lecture", "hands_on", "online")
FORMAT_SHARE = (0.3, 0.45, 0.25)
FORMAT_HOURS = {"lecture": ("2",), "hands_on": ("3", "4", "8"), "online": ("1", "1.5", "2")}
COMPLETION_RATE = {"lecture": 0.95, "hands_on": 0.93, "online": 0.8}
SESSIONS_AT_DEFAULT, DEFAULT_EMPLOYEES, DEFAULT_DAYS = 20, 1500, 304
PIONEER_SHARE, PIONEER_LEADER_SHARE, PIONEER_FOUNDING_SHARE = 0.04, 0.1, 0.75
NEVER = 10**9  # a day index beyond any period


@dataclass(frozen=True)
class Training:
    frame: pl.DataFrame  # one row per attendee, TRAINING_COLUMNS plus session_day and person
    lift_from: np.ndarray  # per person: first day index the lift applies, NEVER if none

    def files(self) -> dict[str, pl.DataFrame]:
        """One attendance file per month with sessions: attendance_YYYYMM.csv."""
        month = pl.col("session_date").str.slice(0, 7).str.replace("-", "")
        keyed = self.frame.with_columns(month=month)
        return {f"attendance_{m}.csv": keyed.filter(pl.col("month") == m).select(TRAINING_COLUMNS)
                for m in keyed["month"].unique().sort().to_list()}


def plan_training(staff: Workforce, cal: Calendar, rng: np.random.Generator) -> Training:
    """Sessions spread over the period; attendees drawn at random from staff at work that day.

    Random selection (not keen volunteers) keeps the injected effect recoverable by a
    difference-in-differences against not-yet-trained staff.
    """
    scale = min(1.0, staff.size / DEFAULT_EMPLOYEES)
    n_sessions = int(np.clip(round(SESSIONS_AT_DEFAULT * np.sqrt(scale) * cal.n_days / DEFAULT_DAYS), 1, 25))
    inner = np.flatnonzero(cal.workday[14:-14]) + 14 if cal.n_days > 42 else np.array([], int)
    candidates = inner if len(inner) >= n_sessions else np.flatnonzero(cal.workday)
    days = np.sort(rng.choice(candidates, size=min(n_sessions, len(candidates)), replace=False))
    attended = np.zeros(staff.size, bool)
    rows = []
    for i, day in enumerate(days):
        fmt = FORMATS[rng.choice(3, p=FORMAT_SHARE)]
        titles = TRAINING_TITLES[fmt]
        title = titles[rng.integers(len(titles))]
        hours = FORMAT_HOURS[fmt][rng.integers(len(FORMAT_HOURS[fmt]))]
        eligible = np.flatnonzero(staff.working_on(int(day)) & ~attended)
        size = min(len(eligible), max(3, round(rng.integers(20, 61) * np.sqrt(scale))))
        people = np.sort(rng.choice(eligible, size=size, replace=False))
        attended[people] = True
        completed = rng.random(size) < COMPLETION_RATE[fmt]
        for person, done in zip(people, completed):
            rows.append((f"TR{cal.days[day].year}-{i + 1:03d}", title, cal.days[day].isoformat(), fmt,
                         hours, staff.ids[person], "Y" if done else "N", int(day), int(person)))
    frame = pl.DataFrame(rows, schema=[*TRAINING_COLUMNS, "session_day", "person"], orient="row")
    lift_from = np.full(staff.size, NEVER, np.int64)
    done = frame.filter(pl.col("completed") == "Y")
    lift_from[done["person"].to_numpy()] = done["session_day"].to_numpy() + 1
    return Training(frame, lift_from)


@dataclass(frozen=True)
class Pioneers:
    person: np.ndarray
    role: np.ndarray
    joined_day: np.ndarray  # day index (negative: before the period)
    left_day: np.ndarray  # day index, NEVER while still a member
    file_dates: tuple[date, ...]

    def member_mask(self, n_people: int, n_days: int) -> np.ndarray:
        """(person, day) -> member of the group that day."""
        mask = np.zeros((n_people, n_days), bool)
        days = np.arange(n_days)
        mask[self.person] = (days >= self.joined_day[:, None]) & (days < self.left_day[:, None])
        return mask

    def files(self, staff: Workforce, cal: Calendar) -> dict[str, pl.DataFrame]:
        """Each file is the full roster as of its date; later files hold the newer state."""
        out = {}
        for file_date in self.file_dates:
            day = cal.index(file_date)
            listed = self.joined_day <= day
            left = np.where(self.left_day <= day, self.left_day, NEVER)
            frame = pl.DataFrame({
                "employee_id": staff.ids[self.person[listed]],
                "role": self.role[listed],
                "joined_on": [_day_iso(cal, d) for d in self.joined_day[listed]],
                "left_on": ["" if d == NEVER else _day_iso(cal, d) for d in left[listed]],
            })
            roster = frame.select(PIONEER_COLUMNS).sort("joined_on", "employee_id")
            out[f"roster_{file_date:%Y%m%d}.csv"] = roster
        return out

    def as_truth(self, staff: Workforce, cal: Calendar, multiplier: float) -> dict:
        return {"activity_multiplier": multiplier,
                "adopted_from_joining": True,
                "members_ever": int(len(self.person)),
                "leaders": int((self.role == "leader").sum()),
                "left": sorted(staff.ids[self.person[self.left_day < NEVER]].tolist()),
                "files": [f"roster_{d:%Y%m%d}.csv" for d in self.file_dates]}


def plan_pioneers(staff: Workforce, cal: Calendar, rng: np.random.Generator) -> Pioneers:
    """~4% of staff: a founding cohort before the period, newcomers at each roster update."""
    firsts = cal.month_firsts()
    file_dates = tuple(firsts[::3] if len(firsts) >= 4 else firsts[:2])
    n = max(2, round(PIONEER_SHARE * staff.size))
    n_founding = max(1, round(PIONEER_FOUNDING_SHARE * n)) if len(file_dates) > 1 else n
    founders = rng.choice(np.flatnonzero(~staff.is_director & staff.working_on(0)),
                          size=n_founding, replace=False)
    person = list(founders)
    joined = list(-rng.integers(20, 90, size=n_founding))
    later = file_dates[1:]
    for k, file_date in enumerate(later):
        quota = (n - n_founding) // len(later) + (k < (n - n_founding) % len(later))
        previous = max(0, cal.index(file_dates[k]) + 1)
        day = int(rng.integers(previous, max(previous + 1, cal.index(file_date) + 1)))
        pool = np.setdiff1d(np.flatnonzero(~staff.is_director & staff.working_on(day)), person)
        newcomers = rng.choice(pool, size=min(quota, len(pool)), replace=False)
        person += list(newcomers)
        joined += [day] * len(newcomers)
    person = np.array(person, np.int64)
    joined_day = np.array(joined, np.int64)
    n_leaders = max(1, round(PIONEER_LEADER_SHARE * len(person)))
    role = np.where(np.arange(len(person)) < n_leaders, "leader", "member")
    left_day = np.where(staff.last_day[person] < cal.n_days, staff.last_day[person], NEVER)
    if len(person) >= 10:  # someone steps down voluntarily
        quitter = int(rng.integers(n_leaders, len(person)))
        left_day[quitter] = min(left_day[quitter], int(rng.integers(cal.n_days // 2, cal.n_days)))
    return Pioneers(person, role, joined_day, left_day, file_dates)


def quarters_inside(cal: Calendar) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of each calendar quarter fully inside the period."""
    out = []
    for year in range(cal.start.year, cal.end.year + 1):
        for q in range(4):
            first = date(year, 3 * q + 1, 1)
            last = (date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)) - timedelta(days=1)
            if cal.start <= first and last <= cal.end:
                out.append((f"{year}Q{q + 1}", first, last))
    return out


def build_surveys(staff: Workforce, cal: Calendar, active: np.ndarray,
                  rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Answers and minutes saved follow each respondent's actual use in the quarter."""
    out = {}
    for label, first, last in quarters_inside(cal):
        s = staff.snapshot_index(last)
        in_roster = staff.status_at(s, cal) == "active"
        units = staff.unit_at[:, s]
        unit_codes = np.unique(units[in_roster])
        unit_rate = dict(zip(unit_codes.tolist(), rng.uniform(0.3, 0.6, size=len(unit_codes))))
        rate = np.array([unit_rate.get(u, 0.0) for u in units.tolist()])
        respond = np.flatnonzero(in_roster & (rng.random(staff.size) < rate))
        span = slice(cal.index(first), cal.index(last) + 1)
        use = active[respond, span][:, cal.workday[span]].mean(axis=1)
        out[f"survey_{label}.csv"] = _survey_frame(label, units[respond], use, rng)
    return out


def _survey_frame(label: str, units: np.ndarray, use: np.ndarray,
                  rng: np.random.Generator) -> pl.DataFrame:
    n = len(units)
    mood = 2.6 + 2.2 * use
    answers = {q: np.clip(np.rint(rng.normal(mood + shift, 0.9)), 1, 5).astype(np.int64)
               for q, shift in (("q_faster", 0.2), ("q_quality", -0.1), ("q_effort", 0.1),
                                ("q_productive", 0.0))}
    minutes = np.where(use > 0, rng.lognormal(np.log(30 + 240 * use), 0.6), rng.exponential(5, n))
    minutes = np.minimum(600, np.rint(minutes / 10) * 10).astype(np.int64)
    order = rng.permutation(n)  # anonymous: row order says nothing about who answered
    return pl.DataFrame({
        "response_id": np.char.add(f"{label}-", hex_ids(rng, n, 8)),
        "quarter": [label] * n,
        "unit_code": units[order],
        **{q: a[order] for q, a in answers.items()},
        "minutes_saved_per_week": minutes[order],
        "comment": _comments(answers["q_productive"][order], rng),
    }).select(SURVEY_COLUMNS)


def _comments(score: np.ndarray, rng: np.random.Generator) -> list[str]:
    """About a third write a comment, in tone with their answer."""
    out = []
    for value, writes, pick in zip(score, rng.random(len(score)) < 0.35, rng.random(len(score))):
        tone = "positive" if value >= 4 else "negative" if value <= 2 else "neutral"
        texts = SURVEY_COMMENTS[tone]
        out.append(texts[int(pick * len(texts))] if writes else "")
    return out


def _day_iso(cal: Calendar, day_idx: int) -> str:
    return (cal.start + timedelta(days=int(day_idx))).isoformat()
