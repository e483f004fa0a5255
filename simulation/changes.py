"""Failures and live changes applied to a running flow engine at a tick boundary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import TypeAdapter, ValidationError

from simulation.compile import PRIMARY, compile_scenario
from simulation.scenario import Change, Scenario
from simulation.validate import pydantic_issue, validate_scenario

if TYPE_CHECKING:
    from simulation.flow import FlowEngine


class ChangeError(ValueError):
    """A change that cannot apply: unknown target, wrong kind, or a design it would break."""


_CHANGE = TypeAdapter(Change)


def parse_change(change: Change | dict) -> Change:
    """A change model from its JSON form; errors name the field (`factor: must be …`)."""
    if not isinstance(change, dict):
        return change
    try:
        return _CHANGE.validate_python(change)
    except ValidationError as exc:
        raise ChangeError("; ".join(str(pydantic_issue(e, change)) for e in exc.errors())) from None


def _node(engine: FlowEngine, target: str) -> int:
    try:
        return engine.model.index[target]
    except KeyError:
        raise ChangeError(f"no node with id '{target}'") from None


def kill(engine: FlowEngine, i: int, count: float | None = None) -> None:
    m = engine.model
    if engine.alive[i] <= 0:
        return
    engine.alive_before[i] = engine.alive[i]
    engine.alive[i] = max(engine.alive[i] - (count or engine.alive[i]), 0)
    engine.died_at[i] = engine.t
    nid = m.ids[i]
    if engine.alive[i] > 0:
        engine.events.append(
            f"{nid}: {engine.alive_before[i] - engine.alive[i]:.0f} instance(s) down, "
            f"{engine.alive[i]:.0f} left"
        )
        return
    if m.kinds[i] == "cache":
        engine.occupancy[np.flatnonzero(m.cache_nodes == i)] = 0.0
        engine.events.append(f"{nid} is down: reads go straight to the database")
    elif m.group[i] >= 0 and engine.role[i] == PRIMARY:
        engine._primary_died(i)
    else:
        engine.events.append(f"{nid} is down")


def restore(engine: FlowEngine, i: int) -> None:
    m = engine.model
    was_dead = engine.alive[i] <= 0
    engine.alive[i] = m.instances[i]
    engine.alive_before[i] = m.instances[i]
    engine.died_at[i] = -np.inf
    engine.slow[i] = 1.0
    nid = m.ids[i]
    g = m.group[i]
    if g >= 0 and engine.primary[g] == i and not np.isnan(engine.primary_dead_since[g]):
        engine.primary_dead_since[g] = np.nan
        engine.events.append(f"{nid} is back as primary before failover; writes resume")
    elif g >= 0 and engine.role[i] != PRIMARY:
        engine.repl_backlog[i] = 0.0
        engine.events.append(f"{nid} is back as a replica")
    elif was_dead:
        cold = " and cold" if m.kinds[i] in ("cache", "cdn") else ""
        engine.events.append(f"{nid} is back{cold}")


def apply_change(engine: FlowEngine, change: Change) -> None:
    m = engine.model
    action = change.action
    target = getattr(change, "target", None)
    users_targeted = target in m.index and m.kinds[m.index[target]] == "users"
    if action in ("kill", "slow", "remove_node") and users_targeted:
        raise ChangeError("the users cannot fail; set the number of users instead")
    if action == "kill":
        kill(engine, _node(engine, change.target), change.instances)
    elif action == "restore":
        if change.target in m.edge_ids:
            engine.edge_cut[m.edge_ids.index(change.target)] = False
            engine.events.append(f"link {change.target} restored")
        else:
            restore(engine, _node(engine, change.target))
    elif action == "slow":
        i = _node(engine, change.target)
        engine.slow[i] = change.factor
        engine.events.append(f"{change.target} slowed down: service time x{change.factor:g}")
    elif action == "flush":
        i = _node(engine, change.target)
        pos = np.flatnonzero(m.cache_nodes == i)
        if not len(pos):
            raise ChangeError(f"'{change.target}' is not a cache or CDN; only those can be flushed")
        engine.occupancy[pos] = 0.0
        engine.events.append(f"{change.target} flushed: misses go to the origin while it warms up")
    elif action == "cut":
        if change.target not in m.edge_ids:
            raise ChangeError(f"no link '{change.target}' (links are written from->to)")
        e = m.edge_ids.index(change.target)
        engine.edge_cut[e] = True
        engine._cut_at[e] = engine.t
        engine.events.append(f"link {change.target} cut")
    elif action == "zone_down":
        victims = {
            m.ids[i] for i, z in enumerate(m.zones) if z == change.target and m.kinds[i] != "users"
        }
        if not victims:
            raise ChangeError(f"no node in zone '{change.target}'")
        victims = {v for v in victims if engine.alive[m.index[v]] > 0}
        engine.zone_killed[change.target] = victims
        engine.events.append(f"zone {change.target} is down ({len(victims)} nodes)")
        for v in sorted(victims, key=m.index.get):
            kill(engine, m.index[v])
    elif action == "zone_up":
        for v in sorted(engine.zone_killed.pop(change.target, set())):
            if v in m.index:
                restore(engine, m.index[v])
        engine.events.append(f"zone {change.target} is back")
    elif action == "users":
        engine.users = float(change.users)
        engine.events.append(f"users set to {change.users:,}")
    else:
        _change_design(engine, change)


def _change_design(engine: FlowEngine, change: Change) -> None:
    scenario = engine.scenario
    nodes = list(scenario.nodes)
    edges = list(scenario.edges)
    if change.action == "add_node":
        if any(n.id == change.node.id for n in nodes):
            raise ChangeError(f"a node with id '{change.node.id}' already exists")
        nodes.append(change.node)
        edges += change.edges
        words = f"{change.node.id} added"
    elif change.action == "remove_node":
        _node(engine, change.target)
        nodes = [n for n in nodes if n.id != change.target]
        edges = [e for e in edges if change.target not in (e.source, e.target)]
        words = f"{change.target} removed"
    else:
        i = _node(engine, change.target)
        node = nodes[[n.id for n in nodes].index(change.target)]
        updates = {}
        if change.instances is not None:
            if engine.model.kinds[i] != "server":
                raise ChangeError(f"'{change.target}' has no instances to change")
            updates["instances"] = change.instances
        if change.instance_size is not None:
            updates["instance_size"] = change.instance_size
        params = node.params.model_dump()
        params.update(updates)
        data = node.model_dump(by_alias=True)
        data["params"] = params
        nodes[nodes.index(node)] = data
        words = f"{change.target} resized ({', '.join(f'{k}={v}' for k, v in updates.items())})"
    raw = scenario.model_dump(by_alias=True)
    raw["nodes"] = [n if isinstance(n, dict) else n.model_dump(by_alias=True) for n in nodes]
    raw["edges"] = [e.model_dump(by_alias=True) for e in edges]
    raw["failures"] = []
    result = validate_scenario(raw)
    if not result.ok:
        raise ChangeError("; ".join(str(e) for e in result.errors))
    new: Scenario = result.scenario
    state = engine._export()
    engine.scenario = new.model_copy(update={"failures": scenario.failures})
    engine._load(compile_scenario(new), previous=state)
    engine.events.append(words)
