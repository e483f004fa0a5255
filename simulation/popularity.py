"""Zipf key popularity and the cache models built on it (Che's approximation for LRU, its
counterpart for FIFO, ideal LFU), plus the chance that a read meets a recently written key.

Every curve is tabulated once per workload over a log grid and interpolated per tick, so the
hit ratio follows capacity, policy, TTL and load without per-key work in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

_EXACT_RANKS = 1_024
_BUCKET_RATIO = 1.01
X_GRID = np.logspace(-3, 15, 433)  # expected requests of the whole catalogue in a window
_LOG_X = np.log(X_GRID)


def zipf_buckets(keys: int, exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """(count, probability of one key) per rank bucket: exact at the head, log buckets after."""
    head = np.arange(1, min(keys, _EXACT_RANKS) + 1, dtype=float)
    counts = [np.ones_like(head)]
    weights = [head**-exponent]
    if keys > _EXACT_RANKS:
        edges = np.unique(
            np.round(
                np.geomspace(
                    _EXACT_RANKS + 1,
                    keys + 1,
                    int(np.log(keys / _EXACT_RANKS) / np.log(_BUCKET_RATIO)) + 2,
                )
            )
        )
        lo, hi = edges[:-1], edges[1:]
        # Midpoint rule for the sum of i**-s over [lo, hi): accurate far from rank 1.
        if abs(exponent - 1) < 1e-12:
            total = np.log((hi - 0.5) / (lo - 0.5))
        else:
            total = ((hi - 0.5) ** (1 - exponent) - (lo - 0.5) ** (1 - exponent)) / (1 - exponent)
        counts.append(hi - lo)
        weights.append(total / (hi - lo))
    count = np.concatenate(counts)
    weight = np.concatenate(weights)
    return count, weight / np.sum(count * weight)


@dataclass(frozen=True)
class CacheCurves:
    """Hit ratio and occupancy (keys held) against x, for one popularity and write share."""

    hit_lru: np.ndarray
    occupancy_lru: np.ndarray
    hit_fifo: np.ndarray
    occupancy_fifo: np.ndarray
    lfu_capacity: np.ndarray
    lfu_hit: np.ndarray
    stale: np.ndarray
    keys: int
    # The arguments of `cache_curves` that made these curves, so that a snapshot can store
    # them instead of the tables (`simulation.snapshot`).
    source: tuple = field(default=(), compare=False, repr=False)

    def hit_ratio(
        self, policy: np.ndarray, capacity: np.ndarray, occupancy: np.ndarray, x_ttl: np.ndarray
    ) -> np.ndarray:
        """Hit ratio per cache: policy 0 LRU, 1 FIFO, 2 LFU; capacity and occupancy in keys."""
        held = np.minimum(occupancy, capacity)
        # Only the policies present are computed: a tick looks up every cache.
        policies = set(policy.tolist())
        lru = fifo = lfu = held
        if 0 in policies:
            lru = _curve(self.hit_lru, np.minimum(_inverse(self.occupancy_lru, held), x_ttl))
        if 1 in policies:
            fifo = _curve(self.hit_fifo, np.minimum(_inverse(self.occupancy_fifo, held), x_ttl))
        if 2 in policies:
            lfu = np.minimum(
                np.interp(held, self.lfu_capacity, self.lfu_hit), _curve(self.hit_lru, x_ttl)
            )
        return np.where(policy == 0, lru, np.where(policy == 1, fifo, lfu))

    def steady_occupancy(
        self, policy: np.ndarray, capacity: np.ndarray, x_ttl: np.ndarray
    ) -> np.ndarray:
        """Keys held once warm: capacity, unless the TTL or invalidation keeps it emptier."""
        fifo_only, lru_only = (policy == 1).all(), (policy != 1).all()
        lru = x_ttl if fifo_only else _curve(self.occupancy_lru, x_ttl)
        fifo = x_ttl if lru_only else _curve(self.occupancy_fifo, x_ttl)
        held = np.where(policy == 1, fifo, lru)
        return np.minimum(capacity, held)

    def stale_fraction(self, writes_in_window: np.ndarray) -> np.ndarray:
        """Share of reads whose key was written within the window (writes_in_window = W x lag)."""
        return _curve(self.stale, writes_in_window)


def _curve(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    lx = np.log(np.clip(x, X_GRID[0], X_GRID[-1]))
    out = np.interp(lx, _LOG_X, values)
    return np.where(x <= X_GRID[0], values[0] * np.maximum(x, 0) / X_GRID[0], out)


def _inverse(occupancy: np.ndarray, held: np.ndarray) -> np.ndarray:
    """x at which the expected occupancy equals `held` (infinite when everything fits)."""
    lx = np.interp(held, occupancy, _LOG_X)
    x = np.exp(lx)
    x = np.where(held <= occupancy[0], X_GRID[0] * held / max(occupancy[0], 1e-300), x)
    return np.where(held >= occupancy[-1] * (1 - 1e-9), np.inf, x)


@lru_cache(maxsize=32)
def cache_curves(keys: int, exponent: float, write_share: float) -> CacheCurves:
    """Tabulate the cache model for Zipf(keys, exponent); write_share = writes/(reads+writes).

    A read hits if the key was read within the characteristic window and not written since
    (writes invalidate). With per-key read rate r and write rate w, LRU (Che): occupancy and
    hit probability r/(r+w) (1 - exp(-(r+w) tau)); FIFO (Martina et al. 2014): r tau /
    (1 + (r+w) tau). LFU keeps the most popular keys.
    """
    count, p = zipf_buckets(keys, exponent)
    read = 1.0 - write_share
    ratio = max(read, 1e-12)  # per key r/(r+w): reads and writes share the popularity
    rx = X_GRID[:, None] * p[None, :]  # expected reads of each key in the window
    total = rx / ratio  # reads plus writes
    lru_each = ratio * -np.expm1(-total)
    fifo_each = rx / (1 + total)
    hit_lru = (lru_each * p) @ count
    occupancy_lru = lru_each @ count
    hit_fifo = (fifo_each * p) @ count
    occupancy_fifo = fifo_each @ count
    lfu_capacity = np.concatenate([[0.0], np.cumsum(count)])
    lfu_hit = ratio * np.concatenate([[0.0], np.cumsum(count * p)])
    stale = (-np.expm1(-X_GRID[:, None] * p[None, :]) * p) @ count
    return CacheCurves(
        hit_lru=hit_lru,
        occupancy_lru=np.maximum.accumulate(occupancy_lru),
        hit_fifo=hit_fifo,
        occupancy_fifo=np.maximum.accumulate(occupancy_fifo),
        lfu_capacity=lfu_capacity,
        lfu_hit=lfu_hit,
        stale=stale,
        keys=keys,
        source=(keys, exponent, write_share),
    )
