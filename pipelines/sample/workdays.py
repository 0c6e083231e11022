"""The ministry calendar: days of the period, Korean public holidays, closure days."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import holidays
import numpy as np

from pipelines.sample.vocab import CLOSURE_REASONS

KST = timezone(timedelta(hours=9), "KST")
DAY_MS = 86_400_000
KST_OFFSET_MS = 9 * 3_600_000


@dataclass(frozen=True)
class Calendar:
    start: date
    end: date
    days: tuple[date, ...]
    workday: np.ndarray  # bool per day
    holiday_names: dict[date, str]
    closures: tuple[tuple[date, str], ...]

    @property
    def n_days(self) -> int:
        return len(self.days)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day_start_utc_ms(self) -> np.ndarray:
        """Epoch milliseconds (UTC) of each day's KST midnight."""
        epoch0 = int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=KST).timestamp())
        return epoch0 * 1000 + np.arange(self.n_days, dtype=np.int64) * DAY_MS

    def month_firsts(self) -> list[date]:
        """The 1st of every month from the start's month to the end's."""
        firsts, d = [], self.start.replace(day=1)
        while d <= self.end:
            firsts.append(d)
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return firsts


def build_calendar(start: date, end: date, rng: np.random.Generator) -> Calendar:
    days = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    kr = holidays.country_holidays("KR", years=range(start.year, end.year + 1))
    base_workday = np.array([d.weekday() < 5 and d not in kr for d in days])
    closures = _pick_closures(days, base_workday, rng)
    closed = {d for d, _ in closures}
    workday = base_workday & np.array([d not in closed for d in days])
    holiday_names = {d: kr[d] for d in days if d in kr}
    return Calendar(start, end, days, workday, holiday_names, closures)


def _pick_closures(days: tuple[date, ...], workday: np.ndarray,
                   rng: np.random.Generator) -> tuple[tuple[date, str], ...]:
    """One closure day per ~five months (1 or 2 at the default size), away from the edges."""
    candidates = np.flatnonzero(workday[7:-7]) + 7 if len(days) > 21 else np.flatnonzero(workday)
    if len(candidates) == 0:
        return ()
    n = min(len(candidates), 1 if len(days) < 150 else 2)
    picked = np.sort(rng.choice(candidates, size=n, replace=False))
    reasons = rng.choice(len(CLOSURE_REASONS), size=n, replace=False)
    return tuple((days[i], CLOSURE_REASONS[r]) for i, r in zip(picked, reasons))
