"""`python -m simulation validate|analyze|run|schema`: outputs, exit codes, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from simulation.cli import main, parse_inject

STAGE3 = str(EXAMPLES / "03-load-balancer.json")
STAGE4 = str(EXAMPLES / "04-replication.json")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_valid_file_exits_zero(capsys):
    code, out, _ = run(capsys, "validate", STAGE3)
    assert code == 0
    assert "valid" in out


def test_validate_invalid_file_exits_one_with_named_errors(capsys, tmp_path):
    data = json.loads(Path(STAGE3).read_text())
    data["nodes"][2]["params"] = {"instances": 0}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert "error: nodes[web-1].params.instances: must be at least 1" in out


def test_validate_json_lists_errors_and_warnings_with_their_place(capsys, tmp_path):
    data = json.loads(Path(STAGE3).read_text())
    data["nodes"].append({"id": "spare", "kind": "server"})
    data["workload"]["mix"]["write"] = 0.5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run(capsys, "validate", "--json", str(bad))
    assert code == 1
    result = json.loads(out)
    assert result["valid"] is False
    assert result["errors"][0]["path"] == "workload.mix"
    assert {"path": "nodes[spare]", "message": "is not connected"} in result["warnings"]


def test_analyze_prints_spofs_capacity_bottleneck_and_cost(capsys):
    code, out, _ = run(capsys, "analyze", STAGE3)
    assert code == 0
    result = json.loads(out)
    assert {"node": "lb", "classes": ["static", "read", "write"]} in result["spofs"]
    assert result["max_users"] > 1000
    assert set(result["bottleneck"]) == {"node", "request_class"}
    assert result["cost_per_month"] > 0


def test_run_prints_the_summary_keys_and_writes_frames(capsys, tmp_path):
    frames = tmp_path / "frames.jsonl"
    code, out, _ = run(
        capsys,
        "run",
        STAGE4,
        "--duration",
        "100",
        "--seed",
        "3",
        "--inject",
        "kill:db@30",
        "--frames",
        str(frames),
    )
    assert code == 0
    summary = json.loads(out)
    system = summary["system"]
    for key in (
        "offered_rps",
        "served_rps",
        "goodput_rps",
        "error_rate",
        "errors",
        "availability",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "lost_writes",
        "stale_reads",
        "cost_per_month",
    ):
        assert key in system, key
    assert system["errors"]["no primary"] > 0
    for node in summary["nodes"].values():
        for key in (
            "offered_rps",
            "served_rps",
            "utilization",
            "queue_length",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "errors",
        ):
            assert key in node, key
    assert "replication_lag_ms" in summary["nodes"]["db-replica-2"]
    lines = frames.read_text().splitlines()
    assert len(lines) == 100
    assert json.loads(lines[0])["t"] == 1.0


def test_run_with_users_override_changes_the_load(capsys):
    code, out, _ = run(capsys, "run", STAGE3, "--duration", "5", "--users", "2000")
    assert code == 0
    assert json.loads(out)["system"]["offered_rps"] == pytest.approx(300)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", STAGE3, "--inject", "explode:db@5"], "unknown action 'explode'"),
        (["run", STAGE3, "--inject", "kill:db"], "expected ACTION:TARGET@SECONDS"),
        (["run", STAGE3, "--inject", "kill:nope@5"], "no node with id 'nope'"),
        (["run", STAGE3, "--duration", "-1"], "--duration must be positive"),
        (["run", "/no/such/file.json"], "cannot read /no/such/file.json"),
        (["analyze", "/no/such/file.json"], "cannot read"),
    ],
)
def test_bad_arguments_give_a_clear_message_and_non_zero_exit(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code != 0
    assert message in err
    assert "Traceback" not in err + out


def test_parse_inject_accepts_links_and_slow_factors():
    assert parse_inject("cut:web-1->db@12.5") == {
        "action": "cut",
        "target": "web-1->db",
        "at_s": 12.5,
    }
    assert parse_inject("slow:web=4@3")["factor"] == 4.0


def test_module_entry_point_prints_the_schema():
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "schema"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["title"].startswith("ScaleLab scenario")


def test_module_entry_point_rejects_garbage_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = subprocess.run(
        [sys.executable, "-m", "simulation", "run", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 1
    assert "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_several_injections_after_one_flag(capsys):
    code, out, _ = run(capsys, "run", STAGE3, "--duration", "30",
                       "--inject", "kill:web-1@5", "cut:web-2->db@10")  # fmt: skip
    assert code == 0
    errors = json.loads(out)["system"]["errors"]
    assert errors["node down at web-1"] > 0
    assert errors["link cut web-2->db"] > 0
