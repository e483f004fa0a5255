"""Scenario format version 1: the Pydantic models that define design, workload and failures.

These models are the single definition of the format; the committed JSON Schema is generated
from them (`scenario_json_schema`) and `docs/scenario-format.md` documents every field.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from simulation.catalogue import CACHE_SIZES, INSTANCE_SIZES

SCENARIO_VERSION = 1
REQUEST_CLASSES = ("static", "read", "write")

InstanceSizeName = Literal[tuple(INSTANCE_SIZES)]  # type: ignore[valid-type]
CacheSizeName = Literal[tuple(CACHE_SIZES)]  # type: ignore[valid-type]
NodeId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Model(BaseModel):
    """Base: unknown fields are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Position(Model):
    """Where the node sits on the canvas, in canvas pixels; no effect on the simulation."""

    x: float = 0.0
    y: float = 0.0


# --- node parameters -------------------------------------------------------------------------


class UsersParams(Model):
    """The client population; how many and how they behave is in `workload`."""


class DnsParams(Model):
    lookup_latency_ms: float = Field(
        1.0,
        ge=0,
        description="Lookup time added to each request, ms (amortised: resolvers cache answers).",
    )
    price_per_month_usd: float = Field(
        0.50, ge=0, description="Hosted zone price, USD per month (Route 53)."
    )


class CdnParams(Model):
    cache_size_gb: float = Field(
        100.0, gt=0, description="Edge cache size per point of presence, GB."
    )
    ttl_s: float = Field(86_400.0, gt=0, description="Time to live of a cached object, seconds.")
    edge_latency_ms: float = Field(
        2.0, ge=0, description="Time an edge takes to answer a hit, ms (beyond the link RTT)."
    )
    price_per_gb_usd: float = Field(
        0.085, ge=0, description="Data transfer out price, USD per GB (CloudFront, first 10 TB)."
    )


class LoadBalancerParams(Model):
    algorithm: Literal["round_robin", "least_connections", "weighted", "random"] = Field(
        "round_robin", description="How requests are spread over healthy targets."
    )
    weights: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description=(
            "Target node id to relative weight, for the weighted and random algorithms (default 1)."
        ),
    )
    mode: Literal["single", "active_passive", "active_active"] = Field(
        "single", description="One instance (a single point of failure) or an HA pair."
    )
    capacity_rps: float = Field(
        50_000.0, gt=0, description="Requests per second one instance forwards."
    )
    latency_ms: float = Field(0.2, ge=0, description="Processing time per request, ms.")
    health_check_interval_s: float = Field(
        30.0, gt=0, description="Seconds between health checks of each target."
    )
    unhealthy_threshold: int = Field(
        2, ge=1, le=10, description="Failed checks in a row before a target is taken out."
    )
    failover_time_s: float = Field(
        30.0, ge=0, description="Seconds for the standby of an active-passive pair to take over."
    )
    price_per_hour_usd: float = Field(
        0.0225, ge=0, description="Price of one instance, USD per hour (AWS ALB hourly charge)."
    )


class ServerParams(Model):
    instances: int = Field(1, ge=1, le=10_000, description="Identical instances (horizontal).")
    instance_size: InstanceSizeName = Field(  # type: ignore[valid-type]
        "m5.large", description="Instance size (vertical): vCPU, memory and price per hour."
    )
    static_ms: float = Field(
        1.0, gt=0, description="CPU time to serve a static asset, ms per request on one vCPU."
    )
    read_ms: float = Field(
        10.0, gt=0, description="CPU time of a read (page render), ms per request on one vCPU."
    )
    write_ms: float = Field(
        15.0, gt=0, description="CPU time of a write, ms per request on one vCPU."
    )
    local_read_ms: float = Field(
        8.0,
        gt=0,
        description="Extra CPU time for a read when the server hosts its own data, ms.",
    )
    local_write_ms: float = Field(
        20.0,
        gt=0,
        description="Extra CPU time for a write when the server hosts its own data, ms.",
    )
    concurrency: int = Field(
        256,
        ge=1,
        description="Worker slots per instance; requests run at once = min(concurrency, vCPU).",
    )
    queue_limit: int = Field(
        2_048, ge=0, description="Requests that may wait per instance; more are rejected."
    )
    timeout_ms: float = Field(
        30_000.0, gt=0, description="A request waiting longer than this fails, ms."
    )


class CacheParams(Model):
    instance_size: CacheSizeName = Field(  # type: ignore[valid-type]
        "cache.r6g.large", description="Cache node size: memory (capacity) and price per hour."
    )
    eviction: Literal["lru", "fifo", "lfu"] = Field("lru", description="Eviction policy.")
    ttl_s: float = Field(3_600.0, gt=0, description="Time to live of an entry, seconds.")
    latency_ms: float = Field(
        0.2, gt=0, description="Service time of a get, ms (Redis GET on one core)."
    )
    servers: int = Field(1, ge=1, le=64, description="Requests served at once (cores).")


class DatabaseParams(Model):
    engine: Literal["sql", "nosql"] = Field("sql", description="Engine profile.")
    instance_size: InstanceSizeName = Field(  # type: ignore[valid-type]
        "m5.large", description="Instance size: vCPU, memory and price per hour."
    )
    read_ms: float | None = Field(
        None, gt=0, description="CPU time of a read, ms per request on one vCPU (profile)."
    )
    write_ms: float | None = Field(
        None, gt=0, description="CPU time of a write, ms per request on one vCPU (profile)."
    )
    connection_limit: int | None = Field(
        None, ge=1, description="Open connections at most; requests beyond are rejected."
    )
    failover_time_s: float = Field(
        60.0, ge=0, description="Seconds from primary failure to a replica's promotion."
    )


class ReplicaParams(Model):
    instance_size: InstanceSizeName = Field(  # type: ignore[valid-type]
        "m5.large", description="Instance size: vCPU, memory and price per hour."
    )
    replication: Literal["async", "sync"] = Field(
        "async", description="Asynchronous (lag, lost writes) or synchronous replication."
    )
    base_lag_ms: float = Field(
        20.0, ge=0, description="Replication lag with no backlog, ms (network + apply)."
    )
    apply_workers: int = Field(
        4, ge=1, le=64, description="Threads applying the primary's writes (MySQL 8.0.27+: 4)."
    )


# --- nodes and edges ---------------------------------------------------------------------------


class NodeBase(Model):
    id: NodeId
    label: str = Field("", max_length=200, description="Display name; no effect.")
    position: Position = Field(default_factory=Position)
    zone: str = Field("zone-a", min_length=1, max_length=64, description="Availability zone.")


class UsersNode(NodeBase):
    kind: Literal["users"]
    params: UsersParams = Field(default_factory=UsersParams)


class DnsNode(NodeBase):
    kind: Literal["dns"]
    params: DnsParams = Field(default_factory=DnsParams)


class CdnNode(NodeBase):
    kind: Literal["cdn"]
    params: CdnParams = Field(default_factory=CdnParams)


class LoadBalancerNode(NodeBase):
    kind: Literal["load_balancer"]
    params: LoadBalancerParams = Field(default_factory=LoadBalancerParams)


class ServerNode(NodeBase):
    kind: Literal["server"]
    params: ServerParams = Field(default_factory=ServerParams)


class CacheNode(NodeBase):
    kind: Literal["cache"]
    params: CacheParams = Field(default_factory=CacheParams)


class DatabaseNode(NodeBase):
    kind: Literal["database"]
    params: DatabaseParams = Field(default_factory=DatabaseParams)


class ReplicaNode(NodeBase):
    kind: Literal["replica"]
    params: ReplicaParams = Field(default_factory=ReplicaParams)


Node = Annotated[
    UsersNode
    | DnsNode
    | CdnNode
    | LoadBalancerNode
    | ServerNode
    | CacheNode
    | DatabaseNode
    | ReplicaNode,
    Field(discriminator="kind"),
]
NODE_KINDS = (
    "users",
    "dns",
    "cdn",
    "load_balancer",
    "server",
    "cache",
    "database",
    "replica",
)


class Edge(Model):
    source: NodeId = Field(alias="from", description="Node id the requests come from.")
    target: NodeId = Field(alias="to", description="Node id the requests go to.")
    kind: Literal["request", "replication"] = Field(
        "request", description="Requests flow, or a primary's replication stream to a replica."
    )
    latency_ms: float = Field(
        0.5, ge=0, description="Round-trip network time added per request, ms (same-zone RTT)."
    )

    @property
    def id(self) -> str:
        return f"{self.source}->{self.target}"


# --- workload ----------------------------------------------------------------------------------


class Mix(Model):
    """Fractions of requests per class; they must add up to 1."""

    static: float = Field(0.5, ge=0, le=1, description="Static assets (images, scripts, CSS).")
    read: float = Field(0.45, ge=0, le=1, description="Reads of application data.")
    write: float = Field(0.05, ge=0, le=1, description="Writes of application data.")


class KeyPopularity(Model):
    keys: int = Field(1_000_000, ge=1, le=10**10, description="Distinct data keys.")
    zipf_exponent: float = Field(
        0.99, ge=0, le=3, description="Zipf exponent of key popularity (YCSB's default)."
    )
    value_size_kb: float = Field(2.0, gt=0, description="Average cached value size, KB.")


class StaticCatalogue(Model):
    objects: int = Field(100_000, ge=1, le=10**10, description="Distinct static objects.")
    zipf_exponent: float = Field(0.8, ge=0, le=3, description="Zipf exponent of object popularity.")
    object_size_kb: float = Field(50.0, gt=0, description="Average object size, KB.")


class ResponseSizes(Model):
    """Bytes of the answer to a data request; a static answer is the catalogue's object size."""

    read_kb: float = Field(5.0, ge=0, description="Average answer to a read (a page), KB.")
    write_kb: float = Field(1.0, ge=0, description="Average answer to a write, KB.")


class ConstantShape(Model):
    type: Literal["constant"]


class RampShape(Model):
    type: Literal["ramp"]
    start_s: float = Field(0.0, ge=0, description="Ramp start, seconds.")
    end_s: float = Field(300.0, ge=0, description="Ramp end, seconds.")
    from_factor: float = Field(0.0, ge=0, description="Multiplier of users at the start.")
    to_factor: float = Field(1.0, ge=0, description="Multiplier of users at the end.")


class StepShape(Model):
    type: Literal["step"]
    at_s: float = Field(60.0, ge=0, description="Time of the step, seconds.")
    factor: float = Field(2.0, ge=0, description="Multiplier of users from then on.")


class SpikeShape(Model):
    type: Literal["spike"]
    at_s: float = Field(60.0, ge=0, description="Spike start, seconds.")
    duration_s: float = Field(30.0, gt=0, description="Spike length, seconds.")
    factor: float = Field(5.0, ge=0, description="Multiplier of users during the spike.")


class DiurnalShape(Model):
    type: Literal["diurnal"]
    period_s: float = Field(86_400.0, gt=0, description="Length of a cycle, seconds.")
    min_factor: float = Field(0.3, ge=0, le=1, description="Multiplier at the trough.")
    peak_at_s: float = Field(0.0, ge=0, description="Time of the first peak, seconds.")


Shape = Annotated[
    ConstantShape | RampShape | StepShape | SpikeShape | DiurnalShape,
    Field(discriminator="type"),
]


class Workload(Model):
    users: int = Field(10_000, ge=0, le=10**9, description="Active users.")
    requests_per_user_per_s: float = Field(
        0.2, ge=0, le=1_000, description="Requests each active user sends per second."
    )
    mix: Mix = Field(default_factory=Mix)
    keys: KeyPopularity = Field(default_factory=KeyPopularity)
    static_catalogue: StaticCatalogue = Field(default_factory=StaticCatalogue)
    response_sizes: ResponseSizes = Field(default_factory=ResponseSizes)
    shape: Shape = Field(default_factory=lambda: ConstantShape(type="constant"))
    latency_target_ms: float = Field(
        500.0, gt=0, description="Answers slower than this do not count as goodput, ms."
    )


# --- failures and live changes -----------------------------------------------------------------


class ChangeBase(Model):
    at_s: float = Field(0.0, ge=0, description="Simulated time the change applies, seconds.")


class KillChange(ChangeBase):
    action: Literal["kill"]
    target: NodeId
    instances: int | None = Field(
        None, ge=1, description="Instances to kill; all of them when absent."
    )


class RestoreChange(ChangeBase):
    action: Literal["restore"]
    target: str = Field(description="A node id, or a link `from->to` cut earlier.")


class SlowChange(ChangeBase):
    action: Literal["slow"]
    target: NodeId
    factor: float = Field(3.0, gt=0, description="Service time multiplier (1 restores).")


class FlushChange(ChangeBase):
    action: Literal["flush"]
    target: NodeId


class CutChange(ChangeBase):
    action: Literal["cut"]
    target: str = Field(description="The link, as `from->to`.")


class ZoneDownChange(ChangeBase):
    action: Literal["zone_down"]
    target: str = Field(description="Zone name; every node in it fails.")


class ZoneUpChange(ChangeBase):
    action: Literal["zone_up"]
    target: str = Field(description="Zone name; its nodes come back.")


class UsersChange(ChangeBase):
    action: Literal["users"]
    users: int = Field(ge=0, le=10**9, description="New number of active users.")


class AddNodeChange(ChangeBase):
    action: Literal["add_node"]
    node: Node
    edges: list[Edge] = Field(default_factory=list)


class RemoveNodeChange(ChangeBase):
    action: Literal["remove_node"]
    target: NodeId


class ResizeChange(ChangeBase):
    action: Literal["resize"]
    target: NodeId
    instances: int | None = Field(None, ge=1, le=10_000, description="New instance count.")
    instance_size: str | None = Field(None, description="New instance or cache size name.")


Change = Annotated[
    KillChange
    | RestoreChange
    | SlowChange
    | FlushChange
    | CutChange
    | ZoneDownChange
    | ZoneUpChange
    | UsersChange
    | AddNodeChange
    | RemoveNodeChange
    | ResizeChange,
    Field(discriminator="action"),
]


class RunSettings(Model):
    duration_s: float = Field(300.0, gt=0, le=10**7, description="Simulated run length, s.")
    tick_s: float = Field(1.0, gt=0, le=60, description="Flow engine time step, seconds.")


class Scenario(Model):
    version: Literal[1] = Field(1, description="Format version.")
    name: str = Field("", max_length=200)
    description: str = Field("", max_length=10_000)
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Seed of every random source.")
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    workload: Workload = Field(default_factory=Workload)
    failures: list[Change] = Field(default_factory=list, description="Failure schedule.")
    run: RunSettings = Field(default_factory=RunSettings)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


def scenario_json_schema() -> dict:
    """The JSON Schema of scenario version 1, as committed in `simulation/schema/`."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://scalelab.dev/schema/scenario-v1.schema.json"
    schema["title"] = "ScaleLab scenario, version 1"
    return schema


def scenario_json_schema_text() -> str:
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
