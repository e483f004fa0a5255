"""Exercises as data, and grading: an exercise's specification (starting design, locks, bans,
traffic profile, failure drills, typed pass criteria), the checks a submitted design must pass
before it is graded, and the grading itself, split into units that run independently (the
steady-state unit and one unit per drill) so that workers can share a class's submissions.

Grading is deterministic: the flow engine draws nothing at random, and every unit runs the
same design for the same simulated time, so the same design always gets the same score."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from simulation.analysis import analyze
from simulation.flow import FlowEngine
from simulation.frames import SummaryAccumulator
from simulation.scenario import NODE_KINDS, Change, Model, NodeId, Scenario, Workload
from simulation.validate import Issue, validate_scenario

STEADY = "steady"
# A latency bound is met only while at most this share of requests fails: a system that
# drops most requests answers the few it keeps quickly, and that is not fast.
LATENCY_ERROR_RATE_OK = 0.01
RequestClass = Literal["all", "static", "read", "write"]
Kind = Literal[NODE_KINDS]  # type: ignore[valid-type]


class Drill(Model):
    """A schedule of failures the design must survive, run on its own."""

    name: str = Field(min_length=1, max_length=80)
    users: int | None = Field(None, ge=0, le=10**9, description="Default: the traffic profile's.")
    duration_s: float = Field(300.0, gt=0, le=7200, description="Simulated seconds.")
    failures: list[Change] = Field(default_factory=list)


class CriterionBase(Model):
    weight: float = Field(1.0, gt=0, le=100, description="Share of the score.")


class LatencyCriterion(CriterionBase):
    type: Literal["latency"]
    percentile: Literal[50, 95, 99] = 99
    below_ms: float = Field(gt=0)
    users: int = Field(ge=1, le=10**9)
    request_class: RequestClass = "all"


class AvailabilityCriterion(CriterionBase):
    type: Literal["availability"]
    at_least: float = Field(ge=0, le=1, description="Share of requests answered, 0 to 1.")
    drill: str


class ErrorRateCriterion(CriterionBase):
    type: Literal["error_rate"]
    below: float = Field(ge=0, le=1)
    users: int | None = Field(None, ge=0, le=10**9, description="Steady state at these users.")
    drill: str | None = Field(None, description="Or: during this drill.")


class NoSpofCriterion(CriterionBase):
    type: Literal["no_spof"]
    request_class: Literal["any", "static", "read", "write"] = "any"


class CostCriterion(CriterionBase):
    type: Literal["cost"]
    below_per_month: float = Field(gt=0, description="USD a month.")


class MaxUsersCriterion(CriterionBase):
    type: Literal["max_users"]
    at_least: int = Field(ge=1)


Criterion = Annotated[
    LatencyCriterion
    | AvailabilityCriterion
    | ErrorRateCriterion
    | NoSpofCriterion
    | CostCriterion
    | MaxUsersCriterion,
    Field(discriminator="type"),
]


class ExerciseSpec(Model):
    starting_design: Scenario
    locked: list[NodeId] = Field(
        default_factory=list, description="Nodes of the starting design that stay as they are."
    )
    banned: list[Kind] = Field(default_factory=list, description="Kinds that may not be used.")
    limits: dict[Kind, int] = Field(
        default_factory=dict, description="Most nodes of a kind allowed."
    )
    workload: Workload | None = Field(
        None, description="The traffic profile; replaces whatever the submission says."
    )
    drills: list[Drill] = Field(default_factory=list)
    criteria: list[Criterion] = Field(min_length=1)
    steady_duration_s: float = Field(120.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _references(self) -> ExerciseSpec:
        names = [drill.name for drill in self.drills]
        if len(set(names)) != len(names):
            raise ValueError("drills: names must be unique")
        for i, criterion in enumerate(self.criteria):
            drill = getattr(criterion, "drill", None)
            if drill is not None and drill not in names:
                raise ValueError(f"criteria[{i}].drill: no drill named {drill!r}")
        ids = {node.id for node in self.starting_design.nodes}
        for node_id in self.locked:
            if node_id not in ids:
                raise ValueError(f"locked: no node {node_id!r} in the starting design")
        return self


# --- what a submission must respect ------------------------------------------------------------


def constraint_violations(spec: ExerciseSpec, document: dict[str, Any]) -> list[Issue]:
    """Locks, bans and limits, checked on the server whatever the browser sent."""
    nodes = [n for n in document.get("nodes", []) if isinstance(n, dict)]
    issues: list[Issue] = []
    by_id = {n.get("id"): n for n in nodes}
    for node_id in spec.locked:
        start = next(n for n in spec.starting_design.nodes if n.id == node_id)
        given = by_id.get(node_id)
        if given is None:
            issues.append(
                Issue(f"nodes[{node_id}]", "is locked by the exercise: it may not be removed")
            )
            continue
        want = start.model_dump(mode="json", by_alias=True, exclude={"position"})
        ours = {k: v for k, v in given.items() if k != "position"}
        validated = validate_scenario({"nodes": [given]}).scenario
        if validated is not None:
            ours = validated.nodes[0].model_dump(mode="json", by_alias=True, exclude={"position"})
        if ours != want:
            issues.append(
                Issue(f"nodes[{node_id}]", "is locked by the exercise: it may not change")
            )
    for node in nodes:
        if node.get("kind") in spec.banned:
            issues.append(
                Issue(f"nodes[{node.get('id')}]", f"{node.get('kind')} is banned in this exercise")
            )
    for kind, most in spec.limits.items():
        count = sum(1 for n in nodes if n.get("kind") == kind)
        if count > most:
            issues.append(Issue("nodes", f"{count} {kind} nodes; this exercise allows {most}"))
    graded = _with_exercise_traffic(spec, document)
    if graded is not document:
        own = set(validate_scenario(document).errors)
        issues += [i for i in validate_scenario(graded).errors if i not in own]
    return issues


def _with_exercise_traffic(spec: ExerciseSpec, document: dict[str, Any]) -> dict[str, Any]:
    """The document carrying the exercise's workload, which is what gets graded: a design that
    validates only under its own traffic (say, with no writes, so that a server holding its
    own data looks safe to clone) must not slip through."""
    if spec.workload is None or not isinstance(document, dict):
        return document
    return {**document, "workload": spec.workload.model_dump(mode="json", by_alias=True)}


def graded_scenario(spec: ExerciseSpec, document: dict[str, Any]) -> Scenario:
    """The submission as graded: the exercise's traffic, no failures of its own, seed 0."""
    result = validate_scenario(_with_exercise_traffic(spec, document))
    if not result.ok:
        raise ValueError("; ".join(str(issue) for issue in result.errors))
    scenario = result.scenario.model_copy(deep=True)
    scenario.failures = []
    scenario.seed = 0
    return scenario


# --- grading units -------------------------------------------------------------------------------


def grading_units(spec: ExerciseSpec) -> list[str]:
    return [STEADY, *(drill.name for drill in spec.drills)]


def _run(scenario: Scenario, users: int, duration_s: float, failures: list) -> dict[str, Any]:
    scenario = scenario.model_copy(deep=True)
    scenario.workload.users = users
    scenario.failures = list(failures)
    engine = FlowEngine(scenario, node_percentiles=False)
    if not failures:
        # Steady state: let queues and caches settle, then measure.
        engine.run_until(duration_s / 2)
        engine.summary = SummaryAccumulator()
    engine.run_until(duration_s)
    return engine.summary.result()


def run_unit(spec: ExerciseSpec, document: dict[str, Any], unit: str) -> dict[str, Any]:
    """The measurements one unit contributes to the report."""
    scenario = graded_scenario(spec, document)
    if unit == STEADY:
        users_needed = {c.users for c in spec.criteria if isinstance(c, LatencyCriterion)}
        users_needed |= {
            c.users
            for c in spec.criteria
            if isinstance(c, ErrorRateCriterion) and c.drill is None and c.users is not None
        }
        runs = {
            str(users): _run(scenario, users, spec.steady_duration_s, []) for users in users_needed
        }
        return {"analysis": analyze(scenario), "runs": runs}
    drill = next(d for d in spec.drills if d.name == unit)
    users = drill.users if drill.users is not None else scenario.workload.users
    return {"drill": _run(scenario, users, drill.duration_s, drill.failures)}


# --- the report ----------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.2f} %"


def _top_error(system: dict[str, Any]) -> str:
    errors = system.get("errors") or {}
    if not errors:
        return ""
    reason = max(errors, key=errors.get)
    return f" (mostly '{reason}')"


def _judge(criterion: Any, units: dict[str, dict[str, Any]]) -> tuple[bool, Any, Any, str]:
    steady = units[STEADY]
    analysis = steady["analysis"]
    bottleneck = analysis.get("bottleneck") or {}
    where = (
        f"; the bottleneck is {bottleneck['node']} ({bottleneck['request_class']})"
        if bottleneck.get("node")
        else ""
    )
    if isinstance(criterion, LatencyCriterion):
        summary = steady["runs"][str(criterion.users)]
        part = (
            summary["system"]
            if criterion.request_class == "all"
            else summary["classes"][criterion.request_class]
        )
        key = f"p{criterion.percentile}_ms"
        measured = part[key]
        failing = summary["system"]["error_rate"]
        ok = measured <= criterion.below_ms and failing <= LATENCY_ERROR_RATE_OK
        side = "within" if measured <= criterion.below_ms else "above"
        why = (
            f"p{criterion.percentile} was {measured:,.0f} ms at {criterion.users:,} users, "
            f"{side} the {criterion.below_ms:,.0f} ms bound"
        )
        if failing > LATENCY_ERROR_RATE_OK:
            why += f", but {_pct(failing)} of requests failed{_top_error(summary['system'])}"
        return ok, measured, criterion.below_ms, why + ("" if ok else where)
    if isinstance(criterion, AvailabilityCriterion):
        system = units[criterion.drill]["drill"]["system"]
        measured = system["availability"]
        ok = measured >= criterion.at_least
        why = (
            f"availability was {_pct(measured)} during '{criterion.drill}' "
            f"(at least {_pct(criterion.at_least)} needed){'' if ok else _top_error(system)}"
        )
        return ok, measured, criterion.at_least, why
    if isinstance(criterion, ErrorRateCriterion):
        if criterion.drill is not None:
            system = units[criterion.drill]["drill"]["system"]
            context = f"during '{criterion.drill}'"
        else:
            users = criterion.users
            system = steady["runs"][str(users)]["system"]
            context = f"at {users:,} users"
        measured = system["error_rate"]
        ok = measured < criterion.below
        why = (
            f"{_pct(measured)} of requests failed {context} (below {_pct(criterion.below)} needed)"
        )
        return ok, measured, criterion.below, why + ("" if ok else _top_error(system))
    if isinstance(criterion, NoSpofCriterion):
        wanted = (
            {"static", "read", "write"}
            if criterion.request_class == "any"
            else {criterion.request_class}
        )
        spofs = [s for s in analysis["spofs"] if wanted & set(s["classes"])]
        ok = not spofs
        if ok:
            why = "no single node's failure stops a request class for good"
        else:
            why = "; ".join(
                f"{s['node']} is a single point of failure for {', '.join(s['classes'])}"
                for s in spofs
            )
        return ok, [s["node"] for s in spofs], [], why
    if isinstance(criterion, CostCriterion):
        measured = analysis["cost_per_month"]
        ok = measured <= criterion.below_per_month
        why = (
            f"${measured:,.0f} a month, {'within' if ok else 'above'} the "
            f"${criterion.below_per_month:,.0f} budget"
        )
        return ok, measured, criterion.below_per_month, why
    measured = analysis.get("max_users") or 0
    ok = measured >= criterion.at_least
    why = f"the design carries {measured:,} users{where}; at least {criterion.at_least:,} needed"
    return ok, measured, criterion.at_least, why


def criterion_label(criterion: Any) -> str:
    if isinstance(criterion, LatencyCriterion):
        scope = "" if criterion.request_class == "all" else f" for {criterion.request_class}s"
        return (
            f"p{criterion.percentile} latency{scope} below {criterion.below_ms:g} ms "
            f"at {criterion.users:,} users"
        )
    if isinstance(criterion, AvailabilityCriterion):
        return f"availability at least {_pct(criterion.at_least)} during '{criterion.drill}'"
    if isinstance(criterion, ErrorRateCriterion):
        context = (
            f"during '{criterion.drill}'" if criterion.drill else f"at {criterion.users:,} users"
        )
        return f"error rate below {_pct(criterion.below)} {context}"
    if isinstance(criterion, NoSpofCriterion):
        scope = "" if criterion.request_class == "any" else f" for {criterion.request_class}s"
        return f"no single point of failure{scope}"
    if isinstance(criterion, CostCriterion):
        return f"cost at most ${criterion.below_per_month:,.0f} a month"
    return f"carries at least {criterion.at_least:,} users"


def grade(spec: ExerciseSpec, units: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The report: each criterion passed or failed, measured against target, why; the score."""
    results = []
    total = earned = 0.0
    for i, criterion in enumerate(spec.criteria):
        passed, measured, target, why = _judge(criterion, units)
        total += criterion.weight
        earned += criterion.weight if passed else 0.0
        results.append(
            {
                "index": i,
                "type": criterion.type,
                "label": criterion_label(criterion),
                "weight": criterion.weight,
                "passed": passed,
                "measured": measured,
                "target": target,
                "why": why,
            }
        )
    score = round(100 * earned / total, 1)
    return {"score": score, "passed": all(r["passed"] for r in results), "criteria": results}


def grade_locally(spec: ExerciseSpec, document: dict[str, Any]) -> dict[str, Any]:
    """Every unit in this process, one after the other (tests, the CLI)."""
    units = {unit: run_unit(spec, document, unit) for unit in grading_units(spec)}
    return grade(spec, units)
