"""Published figures the scenario defaults come from: instance sizes, prices and engine profiles.

Prices are AWS on-demand, us-east-1, Linux, as listed on the AWS pricing pages in 2024.
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


# EC2 general purpose (t3, m5) and RDS for PostgreSQL (db.t3, db.m5) on-demand prices.
INSTANCE_SIZES: dict[str, InstanceSize] = {
    "t3.micro": InstanceSize(2, 1, 0.0104, 0.018),
    "t3.small": InstanceSize(2, 2, 0.0208, 0.036),
    "t3.medium": InstanceSize(2, 4, 0.0416, 0.072),
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
