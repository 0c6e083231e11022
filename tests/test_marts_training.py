"""The training difference-in-differences is honest: on a synthetic ministry with a known injected
effect (pipelines.sample, ground truth in sample_truth.json) its 95% interval covers the truth,
and with no effect it covers zero. 300 employees over four months keep it quick."""

import json
from datetime import date

import dagster as dg
import duckdb
import numpy as np
import polars as pl
import pytest

from pipelines.definitions import defs
from pipelines.defs.marts.training_impact import training_impact
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from pipelines.sample import generate


@pytest.mark.parametrize("effect", [0.08, 0.0])
def test_did_interval_covers_the_injected_effect(axmeter_home, effect):
    generate(axmeter_home, employees=300, start=date(2026, 1, 1), end=date(2026, 4, 30), seed=42,
             training_effect=effect)
    truth = json.loads((axmeter_home / "sample_truth.json").read_text())["training"]
    with dg.instance_for_test() as instance:
        run_pipeline(defs, instance, AxmeterHome(home=str(axmeter_home)), say=lambda _: None)
    with duckdb.connect(str(axmeter_home / "warehouse.duckdb"), read_only=True) as conn:
        pooled = conn.execute("SELECT did_estimate, did_ci_low, did_ci_high, did_treated FROM marts.training_impact "
                              "WHERE session_id = 'ALL'").fetchall()[0]
    estimate, low, high, treated = pooled
    injected = truth["extra_active_probability_per_workday"]  # the extra daily probability on workdays
    assert injected == effect and treated > 30
    assert low <= injected <= high, (estimate, low, high)
    if effect > 0:
        assert low > 0, "with the injected effect the interval should exclude zero"


def _people(rows):
    """A training_impact.sql frame from (session, employee, treated, before, after) workday counts
    out of 20 workdays each."""
    return pl.DataFrame(
        [{"session_id": s, "session_title": "t", "session_date": date(2026, 4, 8), "format": "online",
          "employee_key": e, "is_attendee": treated, "completed": treated, "is_treated": treated,
          "is_control": not treated, "active_days_before": b, "active_days_after": a,
          "active_workdays_before": b, "active_workdays_after": a, "workdays_before": 20, "workdays_after": 20,
          "first_use_date": date(2026, 1, 5)} for s, e, treated, b, a in rows])


def test_did_by_hand_and_a_degenerate_bootstrap():
    """Every treated person gains 4 of 20 workdays (+0.2), every control 1 (+0.05): the DiD is
    0.15 in every bootstrap replicate, so the interval is [0.15, 0.15]. Session S2's treated gain 2
    (+0.1): 0.05; pooled, weighted by treated counts (2 and 1): (2 * 0.15 + 0.05) / 3."""
    rows = [("S1", "a", True, 2, 6), ("S1", "b", True, 0, 4), ("S1", "c", False, 3, 4), ("S1", "d", False, 0, 1),
            ("S2", "e", True, 1, 3), ("S2", "c", False, 3, 4), ("S2", "d", False, 0, 1)]
    mart = training_impact(_people(rows), "2026.1", replicates=200, seed=1)
    get = {r["session_id"]: r for r in mart.iter_rows(named=True)}
    assert get["S1"]["did_estimate"] == pytest.approx(0.15)
    assert (get["S1"]["did_ci_low"], get["S1"]["did_ci_high"]) == (pytest.approx(0.15), pytest.approx(0.15))
    assert get["S2"]["did_estimate"] == pytest.approx(0.05)
    assert get["ALL"]["did_estimate"] == pytest.approx((2 * 0.15 + 0.05) / 3)
    assert (get["S1"]["did_treated"], get["S1"]["did_controls"], get["ALL"]["did_treated"]) == (2, 2, 3)
    assert get["S1"]["treated_rate_before"] == pytest.approx(0.05) and get["S1"]["control_rate_after"] == pytest.approx(0.125)
    # Seeded: the same input gives the same interval.
    again = training_impact(_people(rows), "2026.1", replicates=200, seed=1)
    assert again.equals(mart)



def test_a_bootstrap_replicate_draws_every_person_count_with_replacement():
    """Each replicate's counts are a draw of all people with replacement: non-negative, summing
    to the number of people, each person drawn once on average; the seed fixes them."""
    from pipelines.defs.marts.training_impact import resample_counts

    counts = resample_counts(np.random.default_rng(5), 40, 3000)
    assert counts.shape == (3000, 40) and counts.min() >= 0
    assert (counts.sum(axis=1) == 40).all()
    # Binomial(40, 1/40) per cell: mean 1, variance 39/40; over 3,000 replicates the column
    # means are within 0.1 of 1 (more than five standard errors of 0.018).
    assert np.abs(counts.mean(axis=0) - 1).max() < 0.1
    assert counts.var() == pytest.approx(39 / 40, rel=0.05)
    assert (resample_counts(np.random.default_rng(5), 40, 3000) == counts).all()


def test_bootstrap_replicates_in_chunks_give_the_same_interval(monkeypatch):
    """Drawing the replicates a chunk at a time (memory) must not change a single number."""
    from pipelines.defs.marts import training_impact as module

    rng = np.random.default_rng(7)
    rows = pl.DataFrame({
        "session_id": [f"S{i % 3}" for i in range(60)],
        "employee_key": [f"p{i % 25}" for i in range(60)],
        "is_treated": [i % 4 == 0 for i in range(60)],
        "change": rng.normal(0.05, 0.1, 60),
    })
    chunked = module.bootstrap_did(rows, ["S0", "S1", "S2"], replicates=250, seed=3)
    monkeypatch.setattr(module, "REPLICATE_CHUNK", 10_000)
    whole = module.bootstrap_did(rows, ["S0", "S1", "S2"], replicates=250, seed=3)
    assert module.REPLICATE_CHUNK != 100 and chunked == whole
    assert all(low < high for low, high in whole.values())
