"""The bill by line: instance hours as provisioned, data sent to the internet from the origin
and from a CDN at the month's volume tiers, and the CDN's requests, all per month."""

from __future__ import annotations

import numpy as np

from simulation.catalogue import (
    BILL_LINES,
    CLOUDFRONT_HTTPS_PER_10K_REQUESTS_USD,
    CLOUDFRONT_TRANSFER_OUT_TIERS,
    EC2_TRANSFER_OUT_TIERS,
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
)
from simulation.compile import Compiled


def tiered_cost(gb: float, tiers: tuple[tuple[float, float], ...], scale: float = 1.0) -> float:
    """USD for `gb` in a month, each tier's GB at its price (prices times `scale`)."""
    cost = 0.0
    left = gb
    for size, price in tiers:
        part = min(left, size)
        cost += part * price * scale
        left -= part
        if left <= 0:
            break
    return cost


def instance_lines(model: Compiled) -> dict[str, float]:
    """USD per month of the instances as provisioned, by bill line."""
    hourly = model.price_per_hour * model.instances
    monthly = np.bincount(model.bill_line, hourly, minlength=len(BILL_LINES)) * HOURS_PER_MONTH
    return dict(zip(BILL_LINES, monthly.tolist(), strict=True))


def monthly_bill(model: Compiled, answered_rps: np.ndarray) -> dict[str, float]:
    """USD per month, by line, if `answered_rps` (per class) went on for a month.

    Each answer leaves either through a CDN (the class's CDN share) or from the origin's
    servers and load balancers; origin-to-CDN transfer is free, so a miss is not billed twice.
    """
    lines = instance_lines(model)
    per_month = np.asarray(answered_rps, dtype=float) * SECONDS_PER_MONTH
    via_cdn = per_month * model.cdn_share
    origin_gb = float(((per_month - via_cdn) * model.response_gb).sum())
    cdn_gb = float((via_cdn * model.response_gb).sum())
    lines["bandwidth"] = tiered_cost(origin_gb, EC2_TRANSFER_OUT_TIERS)
    lines["cdn"] = (
        tiered_cost(cdn_gb, CLOUDFRONT_TRANSFER_OUT_TIERS, model.cdn_price_scale)
        + float(via_cdn.sum()) / 10_000 * CLOUDFRONT_HTTPS_PER_10K_REQUESTS_USD
    )
    return lines
