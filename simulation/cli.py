"""Command line: `python -m simulation validate|analyze|run|schema`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic import TypeAdapter, ValidationError

from simulation.changes import ChangeError
from simulation.scenario import Change, scenario_json_schema_text
from simulation.validate import ScenarioError, validate_scenario

INJECT_ACTIONS = ("kill", "restore", "slow", "flush", "cut", "zone_down", "zone_up")


class UsageError(ValueError):
    """A bad command-line argument."""


def parse_inject(text: str) -> dict[str, Any]:
    """`ACTION:TARGET@T`, with `slow:TARGET=FACTOR@T` for a slow-down factor."""
    action, sep, rest = text.partition(":")
    target, at, when = rest.rpartition("@")
    if not sep or not at or not target:
        raise UsageError(f"--inject {text!r}: expected ACTION:TARGET@SECONDS, e.g. kill:db@60")
    if action not in INJECT_ACTIONS:
        raise UsageError(
            f"--inject {text!r}: unknown action {action!r}; one of " + ", ".join(INJECT_ACTIONS)
        )
    try:
        at_s = float(when)
    except ValueError:
        raise UsageError(f"--inject {text!r}: {when!r} is not a time in seconds") from None
    change: dict[str, Any] = {"action": action, "at_s": at_s}
    if action == "slow" and "=" in target:
        target, _, factor = target.partition("=")
        try:
            change["factor"] = float(factor)
        except ValueError:
            raise UsageError(f"--inject {text!r}: {factor!r} is not a factor") from None
    change["target"] = target
    return change


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a scenario file; exit 1 if it has errors")
    v.add_argument("file")
    v.add_argument("--json", action="store_true", help="print errors and warnings as JSON")
    a = sub.add_parser("analyze", help="SPOFs, capacity and cost without running")
    a.add_argument("file")
    r = sub.add_parser("run", help="run the scenario and print a JSON summary")
    r.add_argument("file")
    r.add_argument("--duration", type=float, help="simulated seconds (default: the file's)")
    r.add_argument("--seed", type=int, help="seed (default: the file's)")
    r.add_argument("--users", type=int, help="users (default: the file's)")
    r.add_argument("--engine", choices=["flow", "des"], default="flow")
    r.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="N",
        help="independent DES runs for confidence intervals (--engine des)",
    )
    r.add_argument("--tick", type=float, help="tick length in seconds (default: the file's)")
    r.add_argument(
        "--inject",
        action="extend",
        nargs="+",
        default=[],
        metavar="ACTION:TARGET@T",
        help="failures to inject, e.g. kill:db@60 slow:web=5@30 cut:web->db@10 (repeatable)",
    )
    r.add_argument("--frames", metavar="OUT.jsonl", help="write every frame as a JSON line")
    sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    return p


def _load(path: str):
    result = validate_scenario(_read(path))
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not result.ok:
        raise ScenarioError(result.errors)
    return result.scenario


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def cmd_validate(args) -> int:
    result = validate_scenario(_read(args.file))
    if args.json:
        print(
            json.dumps(
                {
                    "valid": result.ok,
                    "errors": [i.as_dict() for i in result.errors],
                    "warnings": [i.as_dict() for i in result.warnings],
                },
                indent=2,
            )
        )
        return 0 if result.ok else 1
    for w in result.warnings:
        print(f"warning: {w}")
    for e in result.errors:
        print(f"error: {e}")
    if result.ok:
        print(
            f"{args.file}: valid"
            + (f" ({len(result.warnings)} warnings)" if result.warnings else "")
        )
        return 0
    print(f"{args.file}: {len(result.errors)} error(s)")
    return 1


def cmd_analyze(args) -> int:
    from simulation.analysis import analyze

    print(json.dumps(analyze(_load(args.file)), indent=2))
    return 0


def cmd_run(args) -> int:
    from simulation.flow import FlowEngine

    scenario = _load(args.file)
    changes = TypeAdapter(list[Change])
    try:
        injected = changes.validate_python([parse_inject(t) for t in args.inject])
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"--inject: {first['msg']}") from None
    duration = args.duration if args.duration is not None else scenario.run.duration_s
    if duration <= 0:
        raise UsageError("--duration must be positive")
    if args.users is not None and args.users < 0:
        raise UsageError("--users must not be negative")
    if args.tick is not None and args.tick <= 0:
        raise UsageError("--tick must be positive")
    update: dict[str, Any] = {"failures": [*scenario.failures, *injected]}
    if args.seed is not None:
        update["seed"] = args.seed
    if args.users is not None:
        update["workload"] = scenario.workload.model_copy(update={"users": args.users})
    scenario = scenario.model_copy(update=update)
    result = validate_scenario(scenario)
    if not result.ok:
        raise ScenarioError(result.errors)
    out = None
    if args.frames:
        try:
            out = open(args.frames, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot write {args.frames}: {exc.strerror}") from None

    def write(frame) -> None:
        out.write(json.dumps(frame, separators=(",", ":")) + "\n")

    if args.replications < 1:
        raise UsageError("--replications must be at least 1")
    if args.engine == "des":
        from simulation.des import run_des

        try:
            summary = run_des(
                result.scenario,
                duration,
                replications=args.replications,
                tick_s=args.tick,
                on_frame=write if out else None,
            )
        finally:
            if out:
                out.close()
        print(json.dumps(summary, indent=2))
        return 0
    engine = FlowEngine(
        result.scenario, args.seed, on_frame=write if out else None, tick_s=args.tick
    )
    try:
        engine.run_until(duration)
    finally:
        if out:
            out.close()
    summary = {
        "scenario": scenario.name,
        "engine": "flow",
        "seed": result.scenario.seed,
        "tick_s": engine.dt,
        **engine.summary.result(),
    }
    print(json.dumps(summary, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "schema":
            sys.stdout.write(scenario_json_schema_text())
            return 0
        return {"validate": cmd_validate, "analyze": cmd_analyze, "run": cmd_run}[args.command](
            args
        )
    except ScenarioError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 1
    except (UsageError, ChangeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback for a person at a terminal
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3
