"""Queueing formulas: Erlang C (exact and tabulated for vector use) and M/M/c sojourn tails."""

from __future__ import annotations

import math

import numpy as np

RHO_MAX = 0.99  # above this the stochastic wait is frozen and the fluid backlog takes over
_GRID = 4096
_RHO_GRID = np.linspace(RHO_MAX / _GRID, RHO_MAX, _GRID)


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c with `offered_load` = arrival rate x service time."""
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (offered_load < servers)."""
    if offered_load <= 0:
        return 0.0
    rho = offered_load / servers
    if rho >= 1:
        return 1.0
    b = erlang_b(servers, offered_load)
    return b / (1 - rho * (1 - b))


_EXACT_SERVERS = 400  # above this, rows use the Poisson form, as exact and much faster


def _erlang_c_row(servers: int) -> np.ndarray:
    """log Erlang C over the utilisation grid for one server count."""
    a = _RHO_GRID * servers
    if servers > _EXACT_SERVERS:
        b = _erlang_b_poisson(servers, a)
    else:
        b = np.ones_like(a)
        for k in range(1, servers + 1):
            b = a * b / (k + a * b)
    return np.log(np.maximum(b / (1 - _RHO_GRID * (1 - b)), 1e-300))


def _erlang_b_poisson(servers: int, a: np.ndarray) -> np.ndarray:
    """Erlang B as Poisson pmf(c; a) / cdf(c; a), the cdf from the gamma distribution with
    Wilson and Hilferty's approximation: relative error about 1e-6 from 400 servers up."""
    log_pmf = servers * np.log(a) - a - math.lgamma(servers + 1)
    k = servers + 1.0
    z = (np.cbrt(a / k) - (1 - 1 / (9 * k))) / math.sqrt(1 / (9 * k))
    cdf = 1 - normal_cdf(z)  # P(Poisson(a) <= c) = P(Gamma(c + 1) > a)
    return np.exp(np.minimum(log_pmf - np.log(np.maximum(cdf, 1e-300)), 0.0))


class ErlangTable:
    """log Erlang C per server count on a fine utilisation grid, interpolated for whole arrays.

    Exact rows are built once per distinct server count; lookups cost a few array operations
    whatever the number of servers, so a tick's cost does not grow with capacity.
    """

    def __init__(self) -> None:
        self._rows: dict[int, int] = {}
        self._table = np.zeros((0, _GRID))

    def rows_for(self, servers: np.ndarray) -> np.ndarray:
        servers = np.maximum(servers.astype(np.int64), 1)
        missing = [int(c) for c in np.unique(servers) if int(c) not in self._rows]
        if missing:
            new_rows = [_erlang_c_row(c) for c in missing]
            for c in missing:
                self._rows[c] = len(self._rows)
            self._table = np.vstack([self._table, *new_rows])
        lookup = np.array([self._rows[int(c)] for c in servers], dtype=np.int64)
        return lookup

    def server_counts(self) -> list[int]:
        """The server counts tabulated so far, in the order of their rows."""
        return list(self._rows)

    @classmethod
    def with_rows(cls, counts: list[int]) -> ErlangTable:
        """A table whose rows are those server counts in that order (rows are recomputed)."""
        table = cls()
        for c in counts:
            table.rows_for(np.array([c]))
        return table

    def erlang_c(self, rows: np.ndarray, servers: np.ndarray, rho: np.ndarray) -> np.ndarray:
        """Erlang C for utilisations `rho` (clipped to RHO_MAX) at the given table rows."""
        rho = np.clip(rho, 0.0, RHO_MAX)
        pos = rho * (_GRID / RHO_MAX) - 1.0
        low = np.clip(np.floor(pos).astype(np.int64), 0, _GRID - 2)
        frac = pos - low
        t = self._table
        inside = np.exp(t[rows, low] * (1 - frac) + t[rows, low + 1] * frac)
        # Below the first grid point Erlang C behaves like rho ** servers.
        first = np.exp(t[rows, 0])
        ratio = np.clip(rho / _RHO_GRID[0], 0.0, 1.0)
        below = first * ratio ** np.maximum(servers, 1)
        out = np.where(pos < 0, below, inside)
        return np.where(rho <= 0, 0.0, out)


def mmc_mean_wait(servers: int, arrival_rate: float, service_time: float) -> float:
    """Mean waiting time in queue of M/M/c, closed form (used by tests and analysis)."""
    a = arrival_rate * service_time
    c = erlang_c(servers, a)
    return c * service_time / (servers - a)


def mmc_sojourn_quantile(servers: int, arrival_rate: float, service_time: float, q: float) -> float:
    """Quantile q of the M/M/c response time (wait + exponential service), by bisection."""
    out = sojourn_quantiles(
        np.array([float(servers)]),
        np.array([arrival_rate]),
        np.array([service_time]),
        np.array([0.0]),
        np.array([erlang_c(servers, arrival_rate * service_time)]),
        (q,),
    )
    return float(out[0, 0])


def sojourn_tail(
    t: np.ndarray, mu: np.ndarray, theta: np.ndarray, wait_prob: np.ndarray
) -> np.ndarray:
    """P(T > t) for T = W + S, S ~ Exp(mu), W = 0 w.p. 1 - C else Exp(theta)."""
    # Exponents are floored so that underflow never reaches slow subnormal arithmetic.
    e_mu = np.exp(np.maximum(-mu * t, -700.0))
    e_theta = np.exp(np.maximum(-theta * t, -700.0))
    diff = theta - mu
    close = np.abs(diff) < 1e-9 * mu
    safe = np.where(close, 1.0, diff)
    hypo = np.where(
        close,
        (1 + mu * t) * e_mu,
        (theta * e_mu - mu * e_theta) / safe,
    )
    return (1 - wait_prob) * e_mu + wait_prob * hypo


def sojourn_quantiles(
    servers: np.ndarray,
    arrival_rate: np.ndarray,
    service_time: np.ndarray,
    delay: np.ndarray,
    wait_prob: np.ndarray,
    quantiles: tuple[float, ...],
    iterations: int = 40,
) -> np.ndarray:
    """Quantiles (rows) of delay + M/M/c sojourn per station (columns), by log bisection."""
    mu = 1.0 / service_time
    rho = np.minimum(arrival_rate * service_time / np.maximum(servers, 1), RHO_MAX)
    theta = servers * mu * (1 - rho)
    q = np.asarray(quantiles)[:, None]
    target = 1 - q
    lo = np.broadcast_to(np.log(service_time * 1e-6), (len(quantiles), len(mu))).copy()
    hi = np.broadcast_to(np.log(service_time * 60 + 60 / np.maximum(theta, 1e-12)), lo.shape).copy()
    tail = _SojournTail(mu, theta, wait_prob)
    mid = np.empty_like(lo)
    for _ in range(iterations):
        np.add(lo, hi, out=mid)
        mid *= 0.5
        above = tail(np.exp(mid)) > target
        np.copyto(lo, mid, where=above)
        np.copyto(hi, mid, where=~above)
    return delay + np.exp(0.5 * (lo + hi))


class _SojournTail:
    """`sojourn_tail` for fixed stations, evaluated many times (the bisection above): the
    parts that do not depend on t are computed once; the arithmetic per t is the same."""

    def __init__(self, mu: np.ndarray, theta: np.ndarray, wait_prob: np.ndarray) -> None:
        self.mu, self.theta, self.wait_prob = mu, theta, wait_prob
        self.neg_mu, self.neg_theta = -mu, -theta
        diff = theta - mu
        self.close = np.abs(diff) < 1e-9 * mu
        self.any_close = bool(self.close.any())
        self.safe = np.where(self.close, 1.0, diff)
        self.stay = 1 - wait_prob

    def __call__(self, t: np.ndarray) -> np.ndarray:
        # -mu * t == -(mu * t) exactly, so the floors below match sojourn_tail's.
        e_mu = np.exp(np.maximum(self.neg_mu * t, -700.0))
        e_theta = np.exp(np.maximum(self.neg_theta * t, -700.0))
        hypo = (self.theta * e_mu - self.mu * e_theta) / self.safe
        if self.any_close:
            hypo = np.where(self.close, (1 + self.mu * t) * e_mu, hypo)
        return self.stay * e_mu + self.wait_prob * hypo


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    x = np.abs(z) / math.sqrt(2)
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1 - poly * np.exp(-x * x)
    return 0.5 * (1 + np.sign(z) * erf)
