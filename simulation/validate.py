"""Validate a scenario document: errors and warnings that name the place they concern,
such as `nodes[web].params.instances: must be at least 1`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from pydantic import ValidationError

from simulation.catalogue import CACHE_SIZES, INSTANCE_SIZES
from simulation.scenario import NODE_KINDS, REQUEST_CLASSES, Scenario

if TYPE_CHECKING:
    from simulation.compile import Compiled


@dataclass(frozen=True)
class Issue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class ValidationResult:
    scenario: Scenario | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ScenarioError(ValueError):
    """A scenario that does not validate; `issues` holds every error."""

    def __init__(self, issues: list[Issue]):
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError listing every error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([Issue("", f"cannot read {path}: {exc.strerror}")]) from None
    result = validate_scenario(text)
    if not result.ok:
        raise ScenarioError(result.errors)
    return result.scenario


def validate_scenario(data: Any) -> ValidationResult:
    """Check a scenario (JSON text, dict or Scenario); never raises on bad input."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            return ValidationResult(
                None, [Issue("", f"not valid JSON: {exc.msg} at line {exc.lineno}")]
            )
    if isinstance(data, Scenario):
        data = data.model_dump(by_alias=True)
    if not isinstance(data, dict):
        return ValidationResult(None, [Issue("", "a scenario must be a JSON object")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        return ValidationResult(None, [pydantic_issue(err, data) for err in exc.errors()])
    result = ValidationResult(scenario)
    _check(scenario, result)
    return result


# --- turning Pydantic errors into named places ---------------------------------------------------


def _label(items: Any, index: int, kind: str) -> str:
    try:
        item = items[index]
    except (TypeError, IndexError, KeyError):
        return str(index)
    if isinstance(item, dict):
        if kind == "nodes" and isinstance(item.get("id"), str):
            return item["id"]
        if (
            kind == "edges"
            and isinstance(item.get("from"), str)
            and isinstance(item.get("to"), str)
        ):
            return f"{item['from']}->{item['to']}"
    return str(index)


def pydantic_issue(err: dict, data: dict) -> Issue:
    """A Pydantic error as an Issue whose path names nodes and edges by id."""
    loc = list(err["loc"])
    parts: list[str] = []
    cursor: Any = data
    tags = set(NODE_KINDS) | {
        "kill", "restore", "slow", "flush", "cut", "zone_down", "zone_up", "users",
        "add_node", "remove_node", "resize", "constant", "ramp", "step", "spike", "diurnal",
    }  # fmt: skip
    prev = None
    for item in loc:
        if isinstance(item, int):
            label = _label(cursor, item, prev if isinstance(prev, str) else "")
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            cursor = cursor[item] if isinstance(cursor, list) and item < len(cursor) else None
        elif item in tags and isinstance(cursor, dict) and item not in cursor:
            continue  # the discriminator's branch name, not a field
        else:
            parts.append(str(item))
            cursor = cursor.get(item) if isinstance(cursor, dict) else None
        prev = item
    return Issue(".".join(parts), _message(err))


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx['ge'])}"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx['le'])}"
    if kind == "less_than":
        return f"must be less than {_num(ctx['lt'])}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} {ctx.get('tag')!r}" + (
            f" (expected one of {ctx.get('expected_tags')})"
        )
    if kind == "union_tag_not_found":
        return f"{ctx.get('discriminator', 'kind').strip(chr(39))} is required"
    msg = err["msg"]
    return msg[0].lower() + msg[1:] if msg else kind


# --- rules across fields -----------------------------------------------------------------------


def _check(s: Scenario, result: ValidationResult) -> None:
    err = result.errors.append
    warn = result.warnings.append
    ids: dict[str, str] = {}
    for node in s.nodes:
        if node.id in ids:
            err(Issue(f"nodes[{node.id}].id", "duplicate id"))
        ids[node.id] = node.kind
    users = [n.id for n in s.nodes if n.kind == "users"]
    if not users:
        err(Issue("nodes", "there must be one users node (the client population)"))
    elif len(users) > 1:
        for u in users[1:]:
            err(Issue(f"nodes[{u}].kind", "only one users node is allowed"))

    seen_edges: set[str] = set()
    good_edges = []
    for e in s.edges:
        p = f"edges[{e.id}]"
        ok = True
        for end, nid in (("from", e.source), ("to", e.target)):
            if nid not in ids:
                err(Issue(f"{p}.{end}", f"no node with id '{nid}'"))
                ok = False
        if not ok:
            continue
        if e.source == e.target:
            err(Issue(p, "a link cannot connect a node to itself"))
            continue
        if e.id in seen_edges:
            warn(Issue(p, "duplicate link"))
        seen_edges.add(e.id)
        src_kind, dst_kind = ids[e.source], ids[e.target]
        if e.kind == "replication":
            if src_kind != "database" or dst_kind != "replica":
                err(Issue(p, "replication links go from a database to a replica"))
                continue
        else:
            if dst_kind == "users":
                err(Issue(f"{p}.to", "nothing sends requests to the users"))
                continue
            if src_kind in ("database", "replica"):
                err(
                    Issue(
                        f"{p}.from",
                        f"a {src_kind} does not send requests; did you mean a replication link?",
                    )
                )
                continue
            if dst_kind == "cdn" and src_kind not in ("users", "dns"):
                warn(Issue(p, "a CDN normally sits between the users and the origin"))
        good_edges.append(e)

    primaries: dict[str, list[str]] = {}
    for e in good_edges:
        if e.kind == "replication":
            primaries.setdefault(e.target, []).append(e.source)
    for node in s.nodes:
        p = f"nodes[{node.id}]"
        if node.kind == "replica":
            got = primaries.get(node.id, [])
            if not got:
                err(Issue(p, "replica has no primary (add a replication link from a database)"))
            elif len(got) > 1:
                err(Issue(p, f"replica has more than one primary: {', '.join(got)}"))
        if node.kind == "load_balancer":
            targets = {e.target for e in good_edges if e.source == node.id}
            for t in node.params.weights:
                if t not in targets:
                    warn(Issue(f"{p}.params.weights.{t}", "is not a target of this load balancer"))
            if node.params.algorithm != "weighted" and node.params.weights:
                warn(Issue(f"{p}.params.weights", "only used by the weighted algorithm"))

    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_edges_from((e.source, e.target) for e in good_edges if e.kind == "request")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        a, b = cycle[0]
        err(
            Issue(
                f"edges[{a}->{b}]",
                "requests would go round in a cycle: "
                + " -> ".join([x for x, _ in cycle] + [cycle[0][0]]),
            )
        )
    if users:
        reach = nx.descendants(graph, users[0]) | {users[0]}
        full = graph.copy()
        full.add_edges_from((e.source, e.target) for e in good_edges if e.kind == "replication")
        reach_any = nx.descendants(full, users[0]) | {users[0]}
        for node in s.nodes:
            if node.id not in reach_any:
                lonely = graph.degree(node.id) == 0 and full.degree(node.id) == 0
                words = "is not connected" if lonely else "is not reachable from the users"
                warn(Issue(f"nodes[{node.id}]", words))
        del reach

    mix = s.workload.mix
    total = mix.static + mix.read + mix.write
    if abs(total - 1) > 1e-6:
        err(Issue("workload.mix", f"fractions add up to {total:g}; they must add up to 1"))
    shape = s.workload.shape
    if shape.type == "ramp" and shape.end_s < shape.start_s:
        err(Issue("workload.shape.end_s", "must not be before start_s"))

    for i, ch in enumerate(s.failures):
        p = f"failures[{i}]"
        target = getattr(ch, "target", None)
        if ch.action in ("kill", "slow", "flush", "remove_node", "resize") and target not in ids:
            err(Issue(f"{p}.target", f"no node with id '{target}'"))
        elif ch.action in ("kill", "slow", "remove_node") and ids[target] == "users":
            err(Issue(f"{p}.target", "the users cannot fail; change the number of users instead"))
        elif ch.action == "flush" and ids[target] not in ("cache", "cdn"):
            err(Issue(f"{p}.target", f"'{target}' is a {ids[target]}; only caches and CDNs flush"))
        elif ch.action == "cut" and target not in seen_edges:
            err(Issue(f"{p}.target", f"no link '{target}' (write it as from->to)"))
        elif ch.action == "restore" and target not in ids and target not in seen_edges:
            err(Issue(f"{p}.target", f"no node or link '{target}'"))
        elif ch.action in ("zone_down", "zone_up") and target not in {n.zone for n in s.nodes}:
            err(Issue(f"{p}.target", f"no node in zone '{target}'"))
        elif ch.action == "resize" and ch.instances is not None and ids[target] != "server":
            err(
                Issue(
                    f"{p}.instances", f"'{target}' is a {ids[target]}; only servers have instances"
                )
            )
        elif ch.action == "resize" and ch.instance_size is not None:
            sizes = CACHE_SIZES if ids[target] == "cache" else INSTANCE_SIZES
            if ch.instance_size not in sizes:
                err(Issue(f"{p}.instance_size", f"unknown size; one of {', '.join(sizes)}"))
        if ch.at_s > s.run.duration_s:
            warn(Issue(f"{p}.at_s", "is after the end of the run"))

    if result.errors:
        return
    _check_paths(s, result)


def _check_paths(s: Scenario, result: ValidationResult) -> None:
    """Every request class with traffic must be able to complete somewhere."""
    from simulation.compile import CompileError, compile_scenario

    try:
        model = compile_scenario(s)
    except CompileError as exc:
        result.errors.append(Issue("edges", str(exc)))
        return
    n = model.n
    r = model.routes
    mix = s.workload.mix
    for k, name in enumerate(REQUEST_CLASSES):
        share = getattr(mix, name)
        g = nx.DiGraph()
        sel = r.cls == k
        g.add_edges_from(zip(r.src[sel].tolist(), r.dst[sel].tolist(), strict=True))
        g.add_nodes_from(range(n))
        reach = nx.descendants(g, model.users_node) | {model.users_node}
        complete = {i for i in reach if model.fwd[k, i] == 0}
        caches = {
            int(c)
            for c, cdn in zip(model.cache_nodes, model.cache_is_cdn, strict=True)
            if (cdn and k == 0) or (not cdn and k == 1)
        }
        complete |= reach & caches
        stuck = [i for i in reach if (model.fwd[k, i] > 0 or i in caches) and g.out_degree(i) == 0]
        if not complete or (stuck and not (complete - caches)):
            words = f"no path from users to where {name} requests complete"
            missing = [model.ids[i] for i in stuck if i in caches]
            if missing:
                words += f" (misses at {', '.join(missing)} have nowhere to go)"
            issue = Issue(f"workload.mix.{name}", words)
            (result.errors if share > 0 else result.warnings).append(issue)
            continue
        for i in stuck:
            if share > 0:
                what = "misses" if i in caches else f"{name} requests"
                result.warnings.append(
                    Issue(f"nodes[{model.ids[i]}]", f"{what} arriving here have nowhere to go")
                )
    _check_state(s, model, result)


def _keeps_its_data(node_id: str, why: str) -> str:
    return (
        f"{node_id} keeps its data on the server itself: {why}, each holding a different copy. "
        "Move the data to a database first (stage 2), then add servers behind a load balancer."
    )


def _check_state(s: Scenario, model: Compiled, result: ValidationResult) -> None:
    """A server that completes writes on itself holds the only copy of its data, so it can't
    be cloned: each instance, or each sibling behind the same sender, would hold a different
    copy. Servers that only read, or pass their writes on, are free to scale out."""
    from simulation.compile import WRITE

    if s.workload.mix.write <= 0:
        return
    holders = {
        i for i, kind in enumerate(model.kinds) if kind == "server" and model.fwd[WRITE, i] == 0
    }
    if not holders:
        return
    r = model.routes
    writes = r.cls == WRITE
    nodes = {node.id: node for node in s.nodes}
    for i in sorted(holders):
        nid = model.ids[i]
        instances = nodes[nid].params.instances
        if instances > 1:
            result.errors.append(
                Issue(
                    f"nodes[{nid}].params.instances",
                    _keeps_its_data(nid, f"there would be {instances} instances"),
                )
            )
        senders = sorted(set(r.src[writes & (r.dst == i)].tolist()))
        for src in senders:
            siblings = sorted(set(r.dst[writes & (r.src == src)].tolist()) - {i})
            if siblings:
                names = ", ".join(model.ids[j] for j in siblings)
                sender = (
                    "the users also send"
                    if model.kinds[src] == "users"
                    else f"{model.ids[src]} also sends"
                )
                result.errors.append(
                    Issue(f"nodes[{nid}]", _keeps_its_data(nid, f"{sender} writes to {names}"))
                )
    for k, change in enumerate(s.failures):
        target = model.index.get(getattr(change, "target", None))
        if change.action == "resize" and target in holders and (change.instances or 1) > 1:
            result.errors.append(
                Issue(
                    f"failures[{k}].instances",
                    _keeps_its_data(
                        model.ids[target], f"there would be {change.instances} instances"
                    ),
                )
            )
