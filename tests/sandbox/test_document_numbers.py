"""Numbers in a stored document: the types the format names, nothing coerced; and numbers at
the edge of a double (1e308, 5e-324) in analyze answer 200 or 422, never 500."""

import json

import pytest
from django.test import Client

from simulation import scenario as engine_format
from tests.sandbox.scenario_fixtures import create, example, save, user_client

pytestmark = pytest.mark.django_db

PARAMS = {
    "load_balancer": engine_format.LoadBalancerParams,
    "server": engine_format.ServerParams,
    "cache": engine_format.CacheParams,
    "database": engine_format.DatabaseParams,
    "replica": engine_format.ReplicaParams,
    "cdn": engine_format.CdnParams,
    "dns": engine_format.DnsParams,
}


def _numeric_params(stage: str) -> list[tuple[int, str, str, type]]:
    """(node index, node id, parameter, type) of every number parameter of the stage's nodes."""
    found = []
    for i, node in enumerate(example(stage)["nodes"]):
        model = PARAMS.get(node["kind"])
        for name, info in model.model_fields.items() if model else ():
            if info.annotation in (int, float):
                found.append((i, node["id"], name, info.annotation))
    return found


STAGES = ["03-load-balancer.json", "04-replication.json", "05-cache.json", "06-cdn.json"]
NUMERIC = [(stage, *param) for stage in STAGES for param in _numeric_params(stage)]


def _with_param(stage: str, index: int, name: str, value) -> dict:
    document = example(stage)
    document["nodes"][index].setdefault("params", {})[name] = value
    return document


@pytest.mark.parametrize("wrong", ["1000", True, None, [1000], {"n": 1}], ids=repr)
def test_users_of_the_wrong_type_are_refused_not_stored(wrong):
    client = user_client("ada")
    document = example()
    document["workload"]["users"] = wrong

    response = client.post(
        "/api/scenarios", {"title": "t", "document": document}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert [e["path"] for e in response.json()["detail"]] == ["document.workload.users"]


@pytest.mark.parametrize(
    "stage, index, node, name, kind", NUMERIC, ids=[f"{n[2]}.{n[3]}" for n in NUMERIC]
)
def test_a_number_parameter_given_as_text_or_boolean_is_refused_on_save(
    stage, index, node, name, kind
):
    client = user_client("ada")
    scenario = create(client, document=example(stage))
    for wrong in ("1", True):
        scenario["document"] = _with_param(stage, index, name, wrong)

        response = save(client, scenario, 1)

        assert response.status_code == 422, (wrong, response.content)
        paths = [e["path"] for e in response.json()["detail"]]
        assert paths == [f"document.nodes[{node}].params.{name}"], (wrong, paths)
    assert client.get(f"/api/scenarios/{scenario['id']}").json()["revision"] == 1


def test_whole_numbers_for_decimal_parameters_are_still_accepted():
    client = user_client("ada")
    document = example()
    document["nodes"][1].setdefault("params", {})["capacity_rps"] = 1000

    assert (
        create(client, document=document)["document"]["nodes"][1]["params"]["capacity_rps"] == 1000
    )


EDGES = [1e308, 1e-308, 5e-324]


@pytest.mark.parametrize("value", EDGES, ids=repr)
@pytest.mark.parametrize(
    "stage, index, node, name, kind",
    [p for p in NUMERIC if p[4] is float],
    ids=[f"{n[2]}.{n[3]}" for n in NUMERIC if n[4] is float],
)
def test_analyze_answers_numbers_at_the_edge_of_a_double_without_a_server_error(
    stage, index, node, name, kind, value
):
    client = Client(raise_request_exception=False)
    document = _with_param(stage, index, name, value)

    response = client.post(
        "/api/scenarios/analyze", {"document": document}, content_type="application/json"
    )

    assert response.status_code in {200, 422}, response.content
    json.loads(response.content, parse_constant=lambda c: pytest.fail(f"{c} in {name}"))
