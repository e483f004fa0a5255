"""Output analysis for the discrete-event engine: warm-up deletion (MSER-5), batch means and
independent replications with Student-t confidence intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """A point estimate with the half-width of its confidence interval."""

    mean: float
    half_width: float
    n: int
    confidence: float = 0.95

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "half_width": self.half_width, "n": self.n}


def normal_quantile(p: float) -> float:
    """Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    a = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
         -30.66479806614716, 2.506628277459239)  # fmt: skip
    b = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
         -13.28068155288572)  # fmt: skip
    c = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
         4.374664141464968, 2.938163982698783)  # fmt: skip
    d = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    low = 0.02425
    if p < low:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    if p > 1 - low:
        return -normal_quantile(1 - p)
    q = p - 0.5
    r = q * q
    return (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )


def t_quantile(p: float, df: int) -> float:
    """Quantile p of Student's t with df degrees of freedom.

    Exact for df 1 to 4 (closed forms; Newton on the CDF for df 3); the Cornish-Fisher
    expansion (Abramowitz & Stegun 26.7.5) above, within 1e-3 of the exact value from df 5 on.
    """
    if df < 1:
        raise ValueError("t_quantile needs at least one degree of freedom")
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if df == 4:
        alpha = 4 * p * (1 - p)
        q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
        return math.copysign(2 * math.sqrt(q - 1), p - 0.5)
    if df == 3:
        t = _cornish_fisher(p, df)
        for _ in range(20):
            u = t / math.sqrt(3)
            cdf = 0.5 + (math.atan(u) + u / (1 + u * u)) / math.pi
            pdf = 6 * math.sqrt(3) / (math.pi * (3 + t * t) ** 2)
            t -= (cdf - p) / pdf
        return t
    return _cornish_fisher(p, df)


def _cornish_fisher(p: float, df: int) -> float:
    z = normal_quantile(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mser5(series: np.ndarray | list[float]) -> int:
    """Observations to delete as warm-up, by MSER-5 (White 1997; Franklin & White 2008).

    The series is averaged in batches of five; the truncation point d minimises the squared
    standard error of the mean of what is left, searched over the first half only (a minimum
    in the second half means the run is too short to say).
    """
    x = np.asarray(series, dtype=float)
    b = len(x) // 5
    if b < 2:
        return 0
    z = x[: 5 * b].reshape(b, 5).mean(axis=1)
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_sq = np.cumsum((z**2)[::-1])[::-1]
    count = np.arange(b, 0, -1)
    mean = tail_sum / count
    var = tail_sq / count - mean**2
    stat = var / count
    half = max(b // 2, 1)
    return int(np.argmin(stat[:half])) * 5


def batch_means(
    values: np.ndarray | list[float],
    weights: np.ndarray | list[float] | None = None,
    batches: int = 20,
    confidence: float = 0.95,
) -> Estimate:
    """Confidence interval of a steady-state mean from one long run, by non-overlapping batch
    means. With weights (e.g. requests per tick), each batch mean is a ratio sum(w x)/sum(w)."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    batches = min(batches, len(x))
    if batches < 2:
        total = float(w.sum())
        return Estimate(float((w * x).sum() / total) if total else 0.0, math.inf, 1, confidence)
    size = len(x) // batches
    x = x[: size * batches].reshape(batches, size)
    w = w[: size * batches].reshape(batches, size)
    wsum = w.sum(axis=1)
    keep = wsum > 0
    means = (w * x).sum(axis=1)[keep] / wsum[keep]
    return replications(means, confidence)


def replications(values: np.ndarray | list[float], confidence: float = 0.95) -> Estimate:
    """Confidence interval of a mean from independent observations (replications, batches)."""
    x = np.asarray(values, dtype=float)
    r = len(x)
    if r == 0:
        return Estimate(0.0, math.inf, 0, confidence)
    mean = float(x.mean())
    if r < 2:
        return Estimate(mean, math.inf, r, confidence)
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2, r - 1) * sd / math.sqrt(r)
    return Estimate(mean, half, r, confidence)
