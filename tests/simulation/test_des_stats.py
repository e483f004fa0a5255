"""Output analysis: Student-t quantiles, MSER-5 warm-up deletion, batch means, replications."""

import numpy as np
import pytest

from simulation.stats import batch_means, mser5, replications, t_quantile


@pytest.mark.parametrize(
    ("df", "value"),
    [(1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (9, 2.2622), (19, 2.0930), (99, 1.9842)],
)
def test_t_quantile_matches_tables(df, value):
    assert t_quantile(0.975, df) == pytest.approx(value, abs=2e-3)


def test_mser5_cuts_an_initial_transient_and_keeps_a_stationary_series():
    rng = np.random.default_rng(1)
    noise = rng.normal(size=2000)
    transient = np.concatenate([np.linspace(20, 0, 200), np.zeros(1800)]) + noise
    cut = mser5(transient)
    assert 150 <= cut <= 300
    assert mser5(noise) < 100


def test_batch_means_interval_covers_the_mean_of_an_autocorrelated_series():
    covered = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        x = np.zeros(4000)
        for i in range(1, len(x)):
            x[i] = 0.8 * x[i - 1] + rng.normal()
        covered += batch_means(x + 5.0).contains(5.0)
    assert covered >= 34  # 95 % nominal; 34 of 40 is the binomial 1 % floor


def test_replications_interval_and_single_observation():
    est = replications([1.0, 2.0, 3.0])
    assert est.mean == 2.0
    assert est.half_width == pytest.approx(t_quantile(0.975, 2) * 1.0 / np.sqrt(3))
    assert replications([4.0]).half_width == np.inf
