"""Cache models: Zipf buckets, Che's approximation for LRU, FIFO, LFU, TTL and invalidation."""

from collections import OrderedDict, deque

import numpy as np
import pytest

from simulation.popularity import cache_curves, zipf_buckets


def zipf(keys, exponent):
    p = np.arange(1, keys + 1, dtype=float) ** -exponent
    return p / p.sum()


def hit(curves, policy, capacity, ttl_reads=np.inf):
    one = np.array([float(capacity)])
    return float(curves.hit_ratio(np.array([policy]), one, one, np.array([ttl_reads]))[0])


def test_bucketed_zipf_matches_the_exact_distribution():
    count, p = zipf_buckets(200_000, 0.9)
    assert float((count * p).sum()) == pytest.approx(1.0, rel=1e-12)
    exact = zipf(200_000, 0.9)
    assert p[:1024] == pytest.approx(exact[:1024], rel=1e-4)


def test_lru_table_matches_a_direct_solution_of_ches_equations():
    p = zipf(2_000, 0.8)
    lo, hi = 0.0, 1e9
    for _ in range(200):
        t = (lo + hi) / 2
        lo, hi = (lo, t) if (1 - np.exp(-p * t)).sum() > 300 else (t, hi)
    expected = float((p * (1 - np.exp(-p * t))).sum())
    assert hit(cache_curves(2_000, 0.8, 0.0), 0, 300) == pytest.approx(expected, rel=1e-3)


def simulate(policy, p, capacity, requests, rng):
    keys = rng.choice(len(p), size=requests, p=p)
    cache: OrderedDict = OrderedDict()
    order: deque = deque()
    hits = 0
    for k in keys:
        if k in cache:
            hits += 1
            if policy == "lru":
                cache.move_to_end(k)
            continue
        cache[k] = True
        order.append(k)
        if len(cache) > capacity:
            if policy == "lru":
                cache.popitem(last=False)
            else:
                del cache[order.popleft()]
    return hits / requests


@pytest.mark.parametrize(("policy", "code"), [("lru", 0), ("fifo", 1)])
def test_hit_ratio_agrees_with_a_simulated_cache(policy, code):
    rng = np.random.default_rng(5)
    p = zipf(1_000, 0.8)
    simulated = simulate(policy, p, 100, 300_000, rng)
    assert hit(cache_curves(1_000, 0.8, 0.0), code, 100) == pytest.approx(simulated, abs=0.01)


def test_lfu_beats_lru_beats_fifo_and_capacity_helps():
    curves = cache_curves(1_000_000, 0.99, 0.1)
    assert hit(curves, 2, 10_000) > hit(curves, 0, 10_000) > hit(curves, 1, 10_000)
    assert hit(curves, 0, 100_000) > hit(curves, 0, 10_000)


def test_writes_invalidate_so_the_hit_ratio_stays_below_the_read_share():
    assert hit(cache_curves(1_000, 0.9, 0.25), 0, 10**9) == pytest.approx(0.75, rel=1e-6)
    assert hit(cache_curves(1_000, 0.9, 0.0), 0, 10**9) == pytest.approx(1.0, rel=1e-6)


def test_short_ttl_lowers_the_hit_ratio():
    curves = cache_curves(1_000_000, 0.99, 0.0)
    assert hit(curves, 0, 500_000, ttl_reads=1_000) < 0.5 * hit(curves, 0, 500_000)


def test_stale_fraction_grows_with_writes_in_the_lag_window():
    curves = cache_curves(1_000_000, 0.99, 0.1)
    small, large = curves.stale_fraction(np.array([0.1, 100.0]))
    assert 0 < small < large < 1
