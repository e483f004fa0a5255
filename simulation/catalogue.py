"""Published figures the scenario defaults come from: instance sizes, prices, data transfer
tiers, engine profiles and the scalability of each component kind by size.

Instance prices are AWS on-demand, us-east-1, Linux, as listed on the AWS pricing pages in 2024;
data transfer and CloudFront prices are the AWS public price list, us-east-1, as of 2025
(sources in docs/fidelity.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceSize:
    """A machine size: vCPUs, memory and the hourly price of a compute and a database instance."""

    vcpu: int
    memory_gb: float
    price_per_hour_usd: float
    db_price_per_hour_usd: float
    baseline: float = 1.0  # share of each vCPU a burstable size sustains once its credits are spent


# EC2 general purpose (t3, m5) and RDS for PostgreSQL (db.t3, db.m5) on-demand prices.
# t3 sizes are burstable: they earn CPU credits at their baseline (10 % of each vCPU for
# t3.micro, 20 % for t3.small and t3.medium, per the EC2 T3 instance page) and a server under
# sustained load runs at that baseline, so their capacity is the baseline's.
INSTANCE_SIZES: dict[str, InstanceSize] = {
    "t3.micro": InstanceSize(2, 1, 0.0104, 0.018, baseline=0.10),
    "t3.small": InstanceSize(2, 2, 0.0208, 0.036, baseline=0.20),
    "t3.medium": InstanceSize(2, 4, 0.0416, 0.072, baseline=0.20),
    "m5.large": InstanceSize(2, 8, 0.096, 0.178),
    "m5.xlarge": InstanceSize(4, 16, 0.192, 0.356),
    "m5.2xlarge": InstanceSize(8, 32, 0.384, 0.712),
    "m5.4xlarge": InstanceSize(16, 64, 0.768, 1.424),
    "m5.8xlarge": InstanceSize(32, 128, 1.536, 2.848),
    "m5.12xlarge": InstanceSize(48, 192, 2.304, 4.272),
    "m5.16xlarge": InstanceSize(64, 256, 3.072, 5.696),
    "m5.24xlarge": InstanceSize(96, 384, 4.608, 8.544),
}
LARGEST_INSTANCE_SIZE = "m5.24xlarge"


@dataclass(frozen=True)
class CacheSize:
    """An in-memory cache node size: usable memory and hourly price (ElastiCache for Redis)."""

    memory_gb: float
    price_per_hour_usd: float


CACHE_SIZES: dict[str, CacheSize] = {
    "cache.t3.micro": CacheSize(0.5, 0.017),
    "cache.t3.medium": CacheSize(3.09, 0.068),
    "cache.r6g.large": CacheSize(13.07, 0.206),
    "cache.r6g.xlarge": CacheSize(26.32, 0.411),
    "cache.r6g.2xlarge": CacheSize(52.82, 0.821),
    "cache.r6g.4xlarge": CacheSize(105.81, 1.642),
}


@dataclass(frozen=True)
class EngineProfile:
    """CPU milliseconds one vCPU spends on a simple indexed read and on a small write."""

    read_ms: float
    write_ms: float
    connection_limit: int


# Read/write costs are the inverse of per-core throughput in sysbench oltp_point_select and
# oltp_write_only on PostgreSQL 15 (about 1,000 point selects and 250 write transactions
# per second per vCPU with durable commits); NoSQL from YCSB workload B/A on MongoDB 6.
# Connection limits: PostgreSQL's default max_connections (100); MongoDB's is far higher.
ENGINE_PROFILES: dict[str, EngineProfile] = {
    "sql": EngineProfile(read_ms=1.0, write_ms=4.0, connection_limit=100),
    "nosql": EngineProfile(read_ms=0.5, write_ms=1.0, connection_limit=10_000),
}

HOURS_PER_MONTH = 730.0

# The bill's lines, and the line each kind's instance hours go on (users and CDN have none).
BILL_LINES = ("compute", "load_balancer", "database", "cache", "dns", "bandwidth", "cdn")
INSTANCE_BILL_LINE = {
    "users": "compute",
    "server": "compute",
    "load_balancer": "load_balancer",
    "database": "database",
    "replica": "database",
    "cache": "cache",
    "dns": "dns",
    "cdn": "cdn",
}
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


@dataclass(frozen=True)
class Scalability:
    """Universal Scalability Law coefficients: contention (sigma) and coherency (kappa)."""

    sigma: float
    kappa: float

    def capacity(self, n: float) -> float:
        """Throughput of n cores in units of one core: n / (1 + sigma(n-1) + kappa n(n-1))."""
        return n / (1 + self.sigma * (n - 1) + self.kappa * n * (n - 1))


# Gunther's Universal Scalability Law (Guerrilla Capacity Planning, 2007). A web server's
# workers share little (locks in the runtime, the allocator, connection pools); a database
# shares its buffer pool, locks and log, so it contends more and pays more for coherency.
SCALABILITY: dict[str, Scalability] = {
    "server": Scalability(sigma=0.02, kappa=0.0001),
    "database": Scalability(sigma=0.01, kappa=0.00002),
}


def core_speed(kind: str, size: InstanceSize, cores: float) -> float:
    """The share of a core's uncontended speed each of `cores` busy cores delivers on `size`."""
    scalability = SCALABILITY["server" if kind == "server" else "database"]
    return scalability.capacity(cores) / cores * size.baseline if cores > 0 else size.baseline


# Data transfer out to the internet, USD per GB by monthly volume: (GB in the tier, price).
# EC2 and Elastic Load Balancing share the EC2 tiers; traffic from an origin in AWS to
# CloudFront is free, so a CDN's misses cost nothing here.
TB = 1024.0
EC2_TRANSFER_OUT_TIERS: tuple[tuple[float, float], ...] = (
    (10 * TB, 0.09),
    (40 * TB, 0.085),
    (100 * TB, 0.07),
    (float("inf"), 0.05),
)
CLOUDFRONT_TRANSFER_OUT_TIERS: tuple[tuple[float, float], ...] = (
    (10 * TB, 0.085),
    (40 * TB, 0.080),
    (100 * TB, 0.060),
    (350 * TB, 0.040),
    (524 * TB, 0.030),
    (4096 * TB, 0.025),
    (float("inf"), 0.020),
)
CLOUDFRONT_HTTPS_PER_10K_REQUESTS_USD = 0.0100
