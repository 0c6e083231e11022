"""Who uses AI on which day: adoption S-curve, daily rhythm, training lift, pioneers."""

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.sample.org import Organisation
from pipelines.sample.programs import Pioneers, Training
from pipelines.sample.workdays import Calendar
from pipelines.sample.workforce import Workforce

DEFAULT_TRAINING_EFFECT = 0.08

# Adoption: logistic in calendar time, earlier and higher in some functions than others.
ADOPTION_MIDPOINT = date(2026, 3, 20)
ADOPTION_SCALE_DAYS = 50.0
FUNCTION_SHIFT_DAYS = {"planning": -25, "trade": -10, "industry_resources": 0,
                       "standards_certification": 30, "support": 20}
FUNCTION_CEILING = {"planning": 0.92, "trade": 0.88, "industry_resources": 0.85,
                    "standards_certification": 0.72, "support": 0.70}
UNIT_SHIFT_SD_DAYS, UNIT_CEILING_SD = 20.0, 0.05

# Daily rhythm and intensity.
PROPENSITY_BETA = (1.1, 2.2)  # daily activity probability once adopted: many light, few power users
NON_WORKDAY_FACTOR = 0.05
WEEKDAY_FACTOR = (1.0, 1.0, 0.98, 0.97, 0.88)  # Friday afternoons are quieter
SUMMER_BREAK = ((7, 27), (8, 14), 0.85)
MAX_DAILY_PROBABILITY = 0.97
PIONEER_MULTIPLIER = 1.6
EVENTS_PER_ACTIVE_DAY = 13.0  # mean extra events on an active day for an average user
ONAI_SHARE_BETA = (2.0, 4.67)  # mean 0.3: the rest goes to the portal
WINDOW_DAYS = 28  # the training-impact mart compares 28 days before and after a session


@dataclass(frozen=True)
class Activity:
    active: np.ndarray  # (person, day) -> at least one event that day
    cell_person: np.ndarray  # one entry per active person-day
    cell_day: np.ndarray
    n_portal: np.ndarray
    n_onai: np.ndarray
    truth: dict


def simulate_activity(staff: Workforce, org: Organisation, cal: Calendar, training: Training,
                      pioneers: Pioneers, training_effect: float,
                      rng: np.random.Generator) -> Activity:
    n, days = staff.size, np.arange(cal.n_days)
    adopt_day = _adoption_days(staff, org, cal, rng)
    pioneer = pioneers.member_mask(n, cal.n_days)
    adopt_day[pioneers.person] = np.minimum(adopt_day[pioneers.person], pioneers.joined_day)
    propensity = rng.beta(*PROPENSITY_BETA, size=n)

    day_factor = _day_factor(cal)
    adopted = days[None, :] >= adopt_day[:, None]
    base = np.where(adopted, propensity[:, None], 0.0) * day_factor[None, :]
    base = np.where(pioneer, base * PIONEER_MULTIPLIER, base)
    lifted = days[None, :] >= training.lift_from[:, None]
    lift = np.where(lifted, training_effect, 0.0) * np.where(cal.workday, 1.0, NON_WORKDAY_FACTOR)[None, :]
    present = _present(staff, days)
    draw = rng.random(base.shape)
    active = draw < np.minimum(MAX_DAILY_PROBABILITY, base + lift) * present
    # The same draws without the lift: the exact counterfactual of every trained person.
    untrained = draw < np.minimum(MAX_DAILY_PROBABILITY, base) * present
    truth = _model_truth(training_effect, adopt_day, cal)
    truth["training_effect"].update(_realised_lift(active, untrained, training.lift_from, cal))

    cell_person, cell_day = np.nonzero(active)
    intensity = EVENTS_PER_ACTIVE_DAY * rng.lognormal(-0.125, 0.5, size=n) * (0.4 + 1.6 * propensity)
    mean_extra = intensity[cell_person] * np.where(cal.workday[cell_day], 1.0, 0.5)
    mean_extra = np.where(pioneer[cell_person, cell_day], mean_extra * 1.3, mean_extra)
    total = 1 + rng.poisson(mean_extra)
    onai_share = rng.beta(*ONAI_SHARE_BETA, size=n)
    n_onai = rng.binomial(total, onai_share[cell_person])
    return Activity(active, cell_person, cell_day, total - n_onai, n_onai, truth)


def _realised_lift(active: np.ndarray, untrained: np.ndarray, lift_from: np.ndarray,
                   cal: Calendar) -> dict:
    """What the lift actually added in the 28 days from each trained person's first lifted day."""
    trained = np.flatnonzero(lift_from < cal.n_days)
    days = np.arange(cal.n_days)
    first = lift_from[trained, None]
    window = (days[None, :] >= first) & (days[None, :] < first + WINDOW_DAYS)
    added = (active[trained] & ~untrained[trained]) & window
    workdays = window & cal.workday[None, :]
    per_person = added.sum() / max(1, len(trained))
    per_workday = (added & workdays).sum() / max(1, workdays.sum())
    return {
        "realised_window_days": WINDOW_DAYS,
        "realised_trained_people": int(len(trained)),
        "realised_extra_active_days_per_person": round(float(per_person), 4),
        "realised_extra_active_share_of_workdays": round(float(per_workday), 4),
    }


def _adoption_days(staff: Workforce, org: Organisation, cal: Calendar,
                   rng: np.random.Generator) -> np.ndarray:
    """Day index each person starts using AI (inf: not within reach of the S-curve)."""
    units = org.all_units()
    home = staff.unit_at[:, 0]
    codes = np.unique(home)
    function = [units[c].function for c in codes.tolist()]
    midpoint = (cal.index(ADOPTION_MIDPOINT) + np.array([FUNCTION_SHIFT_DAYS[f] for f in function])
                + rng.normal(0, UNIT_SHIFT_SD_DAYS, size=len(codes)))
    ceiling = np.clip(np.array([FUNCTION_CEILING[f] for f in function])
                      + rng.normal(0, UNIT_CEILING_SD, size=len(codes)), 0.3, 0.98)
    which = np.searchsorted(codes, home)
    u = rng.random(staff.size)
    reach = np.clip(u / ceiling[which], 1e-9, 1 - 1e-9)
    day = midpoint[which] + ADOPTION_SCALE_DAYS * np.log(reach / (1 - reach))
    return np.where(u < ceiling[which], day, np.inf)


def _day_factor(cal: Calendar) -> np.ndarray:
    weekday = np.array([d.weekday() for d in cal.days])
    factor = np.where(cal.workday, np.array(WEEKDAY_FACTOR + (1.0, 1.0))[weekday], NON_WORKDAY_FACTOR)
    (m0, d0), (m1, d1), dip = SUMMER_BREAK
    summer = np.array([(m0, d0) <= (d.month, d.day) <= (m1, d1) for d in cal.days])
    return np.where(summer, factor * dip, factor)


def _present(staff: Workforce, days: np.ndarray) -> np.ndarray:
    d = days[None, :]
    on_leave = (staff.leave_from[:, None] <= d) & (d < staff.leave_to[:, None])
    return (staff.first_day[:, None] <= d) & (d < staff.last_day[:, None]) & ~on_leave


def _model_truth(training_effect: float, adopt_day: np.ndarray, cal: Calendar) -> dict:
    adopted_by_end = np.isfinite(adopt_day) & (adopt_day < cal.n_days)
    return {
        "adoption": {"curve": "logistic in calendar days, per unit",
                     "midpoint": ADOPTION_MIDPOINT.isoformat(), "scale_days": ADOPTION_SCALE_DAYS,
                     "function_shift_days": FUNCTION_SHIFT_DAYS, "function_ceiling": FUNCTION_CEILING,
                     "share_of_staff_adopted_by_end": round(float(adopted_by_end.mean()), 4)},
        "daily_probability": {"propensity_beta": list(PROPENSITY_BETA),
                              "non_workday_factor": NON_WORKDAY_FACTOR,
                              "weekday_factor_mon_fri": list(WEEKDAY_FACTOR),
                              "summer_dip": {"from": "07-27", "to": "08-14", "factor": SUMMER_BREAK[2]},
                              "cap": MAX_DAILY_PROBABILITY},
        "training_effect": {
            "extra_active_probability_per_workday": training_effect,
            "applies_to": "attendees with completed = Y, from the day after their session",
            "non_workday_extra": round(training_effect * NON_WORKDAY_FACTOR, 6),
            "additive_to": "daily probability of at least one event (portal or OnAI), capped at "
                           f"{MAX_DAILY_PROBABILITY}; also applies before the person's own adoption",
            "attendee_selection": "uniformly at random among staff at work on the session day "
                                  "who had not attended before",
        },
        "pioneer_multiplier": PIONEER_MULTIPLIER,
    }


def event_seconds(rng: np.random.Generator, cell_of_event: np.ndarray, n_cells: int,
                  workday_of_cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds after KST midnight for each event, clustered into 1-3 work sessions per day.

    Also returns each event's session number (cell * 3 + session within the day).
    """
    starts = np.where(workday_of_cell[:, None], _workday_hours(rng, (n_cells, 3)),
                      rng.uniform(9.0, 23.0, size=(n_cells, 3))) * 3600
    sessions = np.minimum(3, 1 + rng.poisson(0.6, size=n_cells))
    pick = (rng.random(len(cell_of_event)) * sessions[cell_of_event]).astype(np.int64)
    start = starts[cell_of_event, pick]
    offset = rng.exponential(600, size=len(cell_of_event))
    # A late session runs backwards from its start rather than spilling into the next day.
    seconds = np.where(start + offset < 86_400, start + offset, start - offset)
    seconds = np.clip(seconds, 0, 86_399.999)
    return seconds, cell_of_event * 3 + pick


def _workday_hours(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Office hours with a lunch dip, and the late evenings Korean ministries are known for."""
    bands = np.array([[7.0, 9.0], [9.0, 12.0], [13.0, 18.0], [18.0, 22.0], [22.0, 23.8]])
    band = rng.choice(len(bands), size=shape, p=[0.05, 0.38, 0.42, 0.12, 0.03])
    low, high = bands[band, 0], bands[band, 1]
    return low + rng.random(shape) * (high - low)
