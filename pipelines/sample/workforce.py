"""Staff of the synthetic ministry over time: hires, leavers, leave, moves, reorganisation."""

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from pipelines.sample.ids import unique_numbers
from pipelines.sample.org import Organisation, Unit
from pipelines.sample.vocab import EMAIL_DOMAIN, GIVEN_SYLLABLES, SURNAMES
from pipelines.sample.workdays import Calendar

ROSTER_COLUMNS = ("employee_id", "name", "unit_code", "grade", "position_title",
                  "employment_type", "status", "hire_date")

# (grade, position title, share) of staff below division head.
STAFF_GRADES = (("4급", "서기관", 0.07), ("5급", "사무관", 0.30), ("6급", "주무관", 0.25),
                ("7급", "주무관", 0.23), ("8급", "주무관", 0.07), ("9급", "주무관", 0.03),
                ("공무직", "실무관", 0.05))
HIRE_GRADES = (("5급", "사무관", 0.25), ("7급", "주무관", 0.45), ("9급", "주무관", 0.30))
FIXED_TERM_SHARE = 0.05
BUREAU_DIRECTOR_SHARE = 0.75
MAX_DIRECTOR_SHARE = 0.12
TINY_DIVISION_EVERY = 15  # one division of 2-4 people per this many divisions
YEARLY_HIRE_RATE, YEARLY_LEAVER_RATE, YEARLY_MOVER_RATE, LEAVE_SHARE = 0.05, 0.04, 0.08, 0.03


@dataclass(frozen=True)
class Workforce:
    ids: np.ndarray
    names: np.ndarray
    emails: np.ndarray
    grade: np.ndarray
    position: np.ndarray
    employment_type: np.ndarray
    hire_date: np.ndarray  # datetime64[D]
    first_day: np.ndarray  # day index the person starts working (0 for initial staff)
    last_day: np.ndarray  # exclusive day index the person stops (n_days if they stay)
    leave_from: np.ndarray  # day index range [leave_from, leave_to) on leave; both -1 if none
    leave_to: np.ndarray
    is_director: np.ndarray
    snapshots: tuple[date, ...]
    unit_at: np.ndarray  # (person, snapshot) -> unit code in force at that snapshot

    @property
    def size(self) -> int:
        return len(self.ids)

    def snapshot_index(self, day: date) -> int:
        """Index of the snapshot in force on `day` (the first one before the first snapshot)."""
        return max(0, sum(s <= day for s in self.snapshots) - 1)

    def working_on(self, day_idx: int) -> np.ndarray:
        on_leave = (self.leave_from <= day_idx) & (day_idx < self.leave_to)
        return (self.first_day <= day_idx) & (day_idx < self.last_day) & ~on_leave

    def status_at(self, s: int, cal: Calendar) -> np.ndarray:
        """Roster status per person at snapshot s: active, leave, retired or '' (not listed)."""
        day = cal.index(self.snapshots[s])
        previous = cal.index(self.snapshots[s - 1]) if s > 0 else -(10**6)
        hired = self.hire_date <= np.datetime64(self.snapshots[s])
        left = self.last_day <= day
        just_left = left & (self.last_day > previous)
        on_leave = (self.leave_from <= day) & (day < self.leave_to)
        status = np.where(on_leave, "leave", "active").astype("U7")
        status = np.where(left, np.where(just_left, "retired", ""), status)
        return np.where(hired, status, "")

    def roster_frame(self, s: int, cal: Calendar) -> pl.DataFrame:
        status = self.status_at(s, cal)
        keep = status != ""
        frame = pl.DataFrame({
            "employee_id": self.ids[keep], "name": self.names[keep],
            "unit_code": self.unit_at[keep, s], "grade": self.grade[keep],
            "position_title": self.position[keep], "employment_type": self.employment_type[keep],
            "status": status[keep], "hire_date": self.hire_date[keep].astype(str),
        })
        return frame.select(ROSTER_COLUMNS).sort("employee_id")


def build_workforce(employees: int, org: Organisation, cal: Calendar,
                    rng: np.random.Generator) -> Workforce:
    snapshots = tuple(cal.month_firsts())
    units0 = org.units_on(snapshots[0])
    years = cal.n_days / 365
    n_hires = max(1, round(YEARLY_HIRE_RATE * employees * years)) if len(snapshots) > 1 else 0
    unit0, grade, position, is_director = _place_initial_staff(employees, units0, rng)

    hire_day = np.sort(rng.integers(1, cal.n_days, size=n_hires))
    hire_units = _pick_hire_units(hire_day, unit0, org, cal, rng)
    hire_grade = rng.choice(len(HIRE_GRADES), size=n_hires, p=[g[2] for g in HIRE_GRADES])

    n = employees + n_hires
    grade = np.concatenate([grade, [HIRE_GRADES[g][0] for g in hire_grade]]).astype("U8")
    position = np.concatenate([position, [HIRE_GRADES[g][1] for g in hire_grade]]).astype("U16")
    is_director = np.concatenate([is_director, np.zeros(n_hires, bool)])
    first_day = np.concatenate([np.zeros(employees, np.int64), hire_day])
    hire_date = np.concatenate([_past_hire_dates(employees, cal.start, rng),
                                np.datetime64(cal.start) + hire_day.astype("timedelta64[D]")])
    employment_type = np.where(grade == "공무직", "공무직",
                               np.where(rng.random(n) < FIXED_TERM_SHARE, "임기제", "일반직"))
    employment_type[is_director & (grade == "정무직")] = "정무직"

    last_day, leave_from, leave_to = _leavers_and_leave(employees, n, is_director, cal, years, rng)
    unit_at = np.empty((n, len(snapshots)), dtype="U5")
    unit_at[:employees] = unit0[:, None]
    unit_at[employees:] = hire_units[:, None]
    _apply_moves(unit_at, is_director, last_day, org, cal, snapshots, years, rng)
    _apply_reorg(unit_at, org, snapshots)

    ids = np.char.add("E", unique_numbers(rng, 100_000, 250_000, n).astype("U6"))
    names, emails = _korean_names(n, rng)
    return Workforce(ids, names, emails, grade, position, employment_type.astype("U4"), hire_date,
                     first_day, last_day, leave_from, leave_to, is_director, snapshots, unit_at)


def _place_initial_staff(employees: int, units: tuple[Unit, ...], rng: np.random.Generator):
    """Directors sit in the ministry, office and (most) bureau units; everyone else in divisions."""
    directors = _director_posts(units, employees, rng)
    divisions = [u for u in units if u.level == "division"]
    sizes = _division_sizes(employees - len(directors), len(divisions), rng)
    unit_codes, grades, positions = [], [], []
    for unit, grade, position in directors:
        unit_codes.append(unit.code)
        grades.append(grade)
        positions.append(position)
    staff_grade = rng.choice(len(STAFF_GRADES), size=int(sizes.sum()), p=[g[2] for g in STAFF_GRADES])
    k = 0
    for division, size in zip(divisions, sizes):
        for member in range(size):
            unit_codes.append(division.code)
            if member == 0:
                grades.append("4급")
                positions.append(_head_title(division.name_ko))
            else:
                grades.append(STAFF_GRADES[staff_grade[k]][0])
                positions.append(STAFF_GRADES[staff_grade[k]][1])
            k += 1
    is_director = np.zeros(employees, bool)
    is_director[:len(directors)] = True
    return (np.array(unit_codes, dtype="U5"), np.array(grades, dtype="U8"),
            np.array(positions, dtype="U16"), is_director)


def _director_posts(units: tuple[Unit, ...], employees: int, rng: np.random.Generator):
    ministry = units[0]
    posts = [(ministry, "정무직", "장관")]
    if employees >= 300:
        posts.append((ministry, "정무직", "차관"))
    offices = [(u, "고위공무원", "원장" if u.name_ko.endswith("원") else "실장")
               for u in units if u.level == "office"]
    bureaus = [(u, "고위공무원", "국장" if u.name_ko.endswith("국") else u.name_ko)
               for u in units if u.level == "bureau" and rng.random() < BUREAU_DIRECTOR_SHARE]
    cap = max(1, int(employees * MAX_DIRECTOR_SHARE))
    return (posts + offices + bureaus)[:cap]


def _head_title(division_name: str) -> str:
    if division_name.endswith("담당관"):
        return "담당관"
    return "팀장" if division_name.endswith("팀") else "과장"


def _division_sizes(staff: int, n_divisions: int, rng: np.random.Generator) -> np.ndarray:
    """A few divisions of 2-4 people (privacy edge cases); the rest at least 5, lognormal spread."""
    n_tiny = min(n_divisions - 1, max(1, round(n_divisions / TINY_DIVISION_EVERY)))
    sizes = np.zeros(n_divisions, np.int64)
    tiny = rng.choice(n_divisions, size=n_tiny, replace=False)
    sizes[tiny] = rng.integers(2, 5, size=n_tiny)
    normal = np.setdiff1d(np.arange(n_divisions), tiny)
    remaining = staff - int(sizes.sum())
    floor = max(1, min(5, remaining // len(normal)))
    weights = rng.lognormal(0, 0.35, size=len(normal))
    sizes[normal] = floor + rng.multinomial(remaining - floor * len(normal), weights / weights.sum())
    return sizes


def _pick_hire_units(hire_day: np.ndarray, unit0: np.ndarray, org: Organisation, cal: Calendar,
                     rng: np.random.Generator) -> np.ndarray:
    """New staff join divisions existing on their hire date, more often the larger ones."""
    codes, counts = np.unique(unit0, return_counts=True)
    size = dict(zip(codes.tolist(), counts.tolist()))
    picked = []
    for day in hire_day:
        divisions = [u.code for u in org.units_on(cal.days[day]) if u.level == "division"]
        weights = np.array([size.get(c, 8) for c in divisions], float)
        picked.append(divisions[rng.choice(len(divisions), p=weights / weights.sum())])
    return np.array(picked, dtype="U5")


def _past_hire_dates(n: int, start: date, rng: np.random.Generator) -> np.ndarray:
    """Hire dates of current staff: 0-33 years back, more of them recent."""
    days_back = (rng.beta(1.2, 2.2, size=n) * 33 * 365).astype(np.int64) + 30
    return np.datetime64(start) - days_back.astype("timedelta64[D]")


def _leavers_and_leave(employees: int, n: int, is_director: np.ndarray, cal: Calendar,
                       years: float, rng: np.random.Generator):
    last_day = np.full(n, cal.n_days, np.int64)
    leave_from = np.full(n, -1, np.int64)
    leave_to = np.full(n, -1, np.int64)
    staff = np.flatnonzero(~is_director[:employees])
    n_leavers = max(1, round(YEARLY_LEAVER_RATE * employees * years))
    n_leave = max(1, round(LEAVE_SHARE * employees))
    chosen = rng.choice(staff, size=n_leavers + n_leave, replace=False)
    leavers, on_leave = chosen[:n_leavers], chosen[n_leavers:]
    last_day[leavers] = rng.integers(min(14, cal.n_days - 1), cal.n_days, size=n_leavers)
    leave_from[on_leave] = rng.integers(-60, max(-59, cal.n_days - 30), size=n_leave)
    leave_to[on_leave] = leave_from[on_leave] + rng.integers(60, 240, size=n_leave)
    return last_day, leave_from, leave_to


def _apply_moves(unit_at: np.ndarray, is_director: np.ndarray, last_day: np.ndarray,
                 org: Organisation, cal: Calendar, snapshots: tuple[date, ...], years: float,
                 rng: np.random.Generator) -> None:
    """Some staff move to another division, effective on a monthly snapshot.

    Larger divisions take in more movers, so the small ones stay small.
    """
    if len(snapshots) < 2:
        return
    movable = np.flatnonzero(~is_director & (last_day == cal.n_days))
    n_movers = min(len(movable), max(1, round(YEARLY_MOVER_RATE * len(movable) * years)))
    for person in rng.choice(movable, size=n_movers, replace=False):
        s = int(rng.integers(1, len(snapshots)))
        divisions = [u.code for u in org.units_on(snapshots[s])
                     if u.level == "division" and u.code != unit_at[person, s]]
        codes, counts = np.unique(unit_at[:, s], return_counts=True)
        size = dict(zip(codes.tolist(), counts.tolist()))
        weights = np.array([size.get(code, 0) + 0.5 for code in divisions])
        unit_at[person, s:] = divisions[rng.choice(len(divisions), p=weights / weights.sum())]


def _apply_reorg(unit_at: np.ndarray, org: Organisation, snapshots: tuple[date, ...]) -> None:
    if not org.reorg:
        return
    mapping = org.reorg.person_map()
    for s, snapshot in enumerate(snapshots):
        if snapshot >= org.reorg.date:
            column = unit_at[:, s]
            unit_at[:, s] = [mapping.get(code, code) for code in column.tolist()]


def _korean_names(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    weights = np.array([s[2] for s in SURNAMES])
    surname = rng.choice(len(SURNAMES), size=n, p=weights / weights.sum())
    first, second = rng.integers(0, len(GIVEN_SYLLABLES), size=(2, n))
    ko = np.array([s[0] for s in SURNAMES])[surname]
    roman = np.array([s[1] for s in SURNAMES])[surname]
    syl_ko = np.array([g[0] for g in GIVEN_SYLLABLES])
    syl_roman = np.array([g[1] for g in GIVEN_SYLLABLES])
    names = np.char.add(np.char.add(ko, syl_ko[first]), syl_ko[second])
    local = np.char.add(np.char.add(np.char.add(syl_roman[first], syl_roman[second]), "."), roman)
    return names, np.char.add(local, "@" + EMAIL_DOMAIN)

