"""Validation names the place of every problem."""

import pytest

from simulation.validate import validate_scenario


def doc(nodes, edges, **extra):
    return {"nodes": nodes, "edges": edges, **extra}


USERS = {"id": "users", "kind": "users"}
WEB = {"id": "web", "kind": "server"}


def messages(result):
    return [str(i) for i in result.errors]


def test_parameter_out_of_range_is_named_by_node_id():
    bad = dict(WEB, params={"instances": 0})
    result = validate_scenario(doc([USERS, bad], [{"from": "users", "to": "web"}]))
    assert messages(result) == ["nodes[web].params.instances: must be at least 1"]


def test_unknown_kind_is_reported_with_the_known_ones():
    result = validate_scenario(doc([USERS, {"id": "x", "kind": "mainframe"}], []))
    assert len(result.errors) == 1
    assert result.errors[0].path == "nodes[x]"
    assert "unknown kind 'mainframe'" in result.errors[0].message


def test_unknown_parameter_is_an_error():
    bad = dict(WEB, params={"instancs": 2})
    result = validate_scenario(doc([USERS, bad], [{"from": "users", "to": "web"}]))
    assert messages(result) == ["nodes[web].params.instancs: is not a known field"]


def test_dangling_edge_names_the_missing_node():
    result = validate_scenario(
        doc([USERS, WEB], [{"from": "users", "to": "web"}, {"from": "web", "to": "db"}])
    )
    assert messages(result) == ["edges[web->db].to: no node with id 'db'"]


def test_replica_without_primary_is_an_error():
    nodes = [USERS, WEB, {"id": "r", "kind": "replica"}]
    edges = [{"from": "users", "to": "web"}, {"from": "web", "to": "r"}]
    assert "nodes[r]: replica has no primary" in messages(validate_scenario(doc(nodes, edges)))[0]


def test_request_cycle_is_an_error():
    nodes = [USERS, WEB, {"id": "app", "kind": "server"}]
    edges = [
        {"from": "users", "to": "web"},
        {"from": "web", "to": "app"},
        {"from": "app", "to": "web"},
    ]
    errors = messages(validate_scenario(doc(nodes, edges)))
    assert any("cycle" in e for e in errors)


def test_no_path_to_where_writes_complete():
    nodes = [USERS, {"id": "lb", "kind": "load_balancer"}]
    result = validate_scenario(doc(nodes, [{"from": "users", "to": "lb"}]))
    assert "workload.mix.write: no path from users to where write requests complete" in (
        messages(result)
    )


def test_mix_must_add_up_to_one():
    result = validate_scenario(
        doc(
            [USERS, WEB],
            [{"from": "users", "to": "web"}],
            workload={"mix": {"static": 0.5, "read": 0.2, "write": 0.1}},
        )
    )
    assert messages(result) == ["workload.mix: fractions add up to 0.8; they must add up to 1"]


def test_unconnected_node_is_a_warning():
    result = validate_scenario(
        doc([USERS, WEB, {"id": "spare", "kind": "server"}], [{"from": "users", "to": "web"}])
    )
    assert result.ok
    assert [str(w) for w in result.warnings] == ["nodes[spare]: is not connected"]


def test_failure_on_unknown_node_is_named():
    result = validate_scenario(
        doc(
            [USERS, WEB],
            [{"from": "users", "to": "web"}],
            failures=[{"action": "kill", "target": "db", "at_s": 5}],
        )
    )
    assert messages(result) == ["failures[0].target: no node with id 'db'"]


def test_bad_edge_field_is_named_by_edge_id():
    result = validate_scenario(
        doc([USERS, WEB], [{"from": "users", "to": "web", "latency_ms": -1}])
    )
    assert messages(result) == ["edges[users->web].latency_ms: must be at least 0"]


@pytest.mark.parametrize("text", ["{", "[]", "42"])
def test_garbage_is_rejected_without_raising(text):
    assert not validate_scenario(text).ok


def test_database_cannot_send_requests():
    nodes = [USERS, WEB, {"id": "db", "kind": "database"}, {"id": "db2", "kind": "database"}]
    edges = [
        {"from": "users", "to": "web"},
        {"from": "web", "to": "db"},
        {"from": "db", "to": "db2"},
    ]
    assert any(
        e.startswith("edges[db->db2].from") for e in messages(validate_scenario(doc(nodes, edges)))
    )


def test_cache_without_a_database_behind_it_is_flagged():
    nodes = [USERS, WEB, {"id": "cache", "kind": "cache"}]
    edges = [{"from": "users", "to": "web"}, {"from": "web", "to": "cache"}]
    assert messages(validate_scenario(doc(nodes, edges))) == [
        "workload.mix.read: no path from users to where read requests complete "
        "(misses at cache have nowhere to go)"
    ]


def test_weights_for_a_non_target_are_a_warning():
    lb = {"id": "lb", "kind": "load_balancer",
          "params": {"algorithm": "weighted", "weights": {"ghost": 2}}}  # fmt: skip
    edges = [{"from": "users", "to": "lb"}, {"from": "lb", "to": "web"}]
    result = validate_scenario(doc([USERS, lb, WEB], edges))
    assert result.ok
    assert [str(w) for w in result.warnings] == [
        "nodes[lb].params.weights.ghost: is not a target of this load balancer"
    ]


def test_resize_instances_of_a_database_is_an_error():
    nodes = [USERS, WEB, {"id": "db", "kind": "database"}]
    edges = [{"from": "users", "to": "web"}, {"from": "web", "to": "db"}]
    result = validate_scenario(
        doc(nodes, edges, failures=[{"action": "resize", "target": "db", "instances": 3}])
    )
    assert messages(result) == [
        "failures[0].instances: 'db' is a database; only servers have instances"
    ]


def test_the_engine_never_imports_the_web_stack():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "simulation"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"django", "channels", "celery"}, path.name


def stage_1(**web_params):
    """Stage 1: the users and one server that keeps its data on itself."""
    return doc([USERS, {**WEB, "params": web_params}], [{"from": "users", "to": "web"}])


def test_a_server_holding_its_own_data_cannot_have_more_than_one_instance():
    result = validate_scenario(stage_1(instances=5))

    assert [i.path for i in result.errors] == ["nodes[web].params.instances"]
    assert "web keeps its data on the server itself" in result.errors[0].message
    assert "Move the data to a database first (stage 2)" in result.errors[0].message


def test_a_server_holding_its_own_data_cannot_sit_behind_a_balancer_with_siblings():
    lb = {"id": "lb", "kind": "load_balancer"}
    web_2 = {"id": "web-2", "kind": "server"}
    links = [{"from": "users", "to": "lb"}, {"from": "lb", "to": "web"}]

    alone = validate_scenario(doc([USERS, lb, WEB], links))
    siblings = validate_scenario(
        doc([USERS, lb, WEB, web_2], [*links, {"from": "lb", "to": "web-2"}])
    )

    assert alone.ok, messages(alone)
    assert messages(siblings) == [
        "nodes[web]: web keeps its data on the server itself: lb also sends writes to web-2, "
        "each holding a different copy. Move the data to a database first (stage 2), "
        "then add servers behind a load balancer.",
        "nodes[web-2]: web-2 keeps its data on the server itself: lb also sends writes to web, "
        "each holding a different copy. Move the data to a database first (stage 2), "
        "then add servers behind a load balancer.",
    ]


def test_servers_that_keep_no_data_of_their_own_may_be_cloned():
    db = {"id": "db", "kind": "database"}
    with_database = doc(
        [USERS, {**WEB, "params": {"instances": 5}}, db],
        [{"from": "users", "to": "web"}, {"from": "web", "to": "db"}],
    )
    no_writes = stage_1(instances=5)
    no_writes["workload"] = {"mix": {"static": 0.5, "read": 0.5, "write": 0.0}}

    assert validate_scenario(with_database).ok
    assert validate_scenario(no_writes).ok  # a read-only copy can be baked into every clone


def test_a_scheduled_scale_out_of_a_server_holding_its_own_data_is_an_error():
    data = stage_1()
    data["failures"] = [{"at_s": 10, "action": "resize", "target": "web", "instances": 3}]

    result = validate_scenario(data)

    assert [i.path for i in result.errors] == ["failures[0].instances"]
    assert "web keeps its data on the server itself" in result.errors[0].message
