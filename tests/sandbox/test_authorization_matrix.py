"""Who may do what to a scenario: owner, another user, an anonymous visitor, the holder of a
share link and the holder of a revoked one, each against read, write, delete, share and fork.
Nobody but the owner learns that a scenario exists, except through a live link."""

import pytest
from django.test import Client

from sandbox.scenarios.models import Scenario
from tests.sandbox.scenario_fixtures import create, user_client

pytestmark = pytest.mark.django_db

ACTIONS = ["read", "write", "delete", "share", "fork"]


def attempt(client: Client, action: str, scenario: dict, token: str | None) -> list[int]:
    """Every way the actor could try the action; the status code of each."""
    sid = scenario["id"]
    by_id = {
        "read": lambda: client.get(f"/api/scenarios/{sid}"),
        "write": lambda: client.put(
            f"/api/scenarios/{sid}",
            {"base_revision": 1, "title": "hijacked", "document": scenario["document"]},
            content_type="application/json",
        ),
        "delete": lambda: client.delete(f"/api/scenarios/{sid}"),
        "share": lambda: client.post(f"/api/scenarios/{sid}/share"),
        "fork": lambda: client.post(f"/api/scenarios/{sid}/fork"),
    }
    codes = [by_id[action]().status_code]
    if token is not None:
        by_link = {
            "read": lambda: client.get(f"/api/shared/{token}"),
            "write": lambda: client.put(
                f"/api/shared/{token}", {"title": "x"}, content_type="application/json"
            ),
            "delete": lambda: client.delete(f"/api/shared/{token}"),
            "share": lambda: client.post(f"/api/shared/{token}/share"),
            "fork": lambda: client.post(f"/api/shared/{token}/fork"),
        }
        codes.append(by_link[action]().status_code)
    return codes


# Expected status codes: by id, then (for link holders) through the link.
EXPECTED = {
    "owner": {"read": [200], "write": [200], "delete": [204], "share": [201], "fork": [201]},
    "other user": {a: [404] for a in ACTIONS},
    "anonymous": {a: [404] for a in ACTIONS},
    "link holder": {
        "read": [404, 200],
        "write": [404, 405],
        "delete": [404, 405],
        "share": [404, 404],
        "fork": [404, 201],
    },
    "revoked link holder": {
        "read": [404, 404],
        "write": [404, 405],
        "delete": [404, 405],
        "share": [404, 404],
        "fork": [404, 404],
    },
}


@pytest.fixture
def world():
    owner = user_client("owner")
    scenario = create(owner, "Owner's design")
    live = owner.post(f"/api/scenarios/{scenario['id']}/share").json()["token"]
    revoked = owner.post(f"/api/scenarios/{scenario['id']}/share").json()["token"]
    assert owner.delete(f"/api/scenarios/{scenario['id']}/share/{revoked}").status_code == 200
    actors = {
        "owner": (owner, None),
        "other user": (user_client("mallory"), None),
        "anonymous": (Client(), None),
        "link holder": (Client(), live),
        "revoked link holder": (Client(), revoked),
    }
    return scenario, actors


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", list(EXPECTED))
def test_authorization_matrix(world, actor, action):
    scenario, actors = world
    client, token = actors[actor]

    codes = attempt(client, action, scenario, token)

    assert codes == EXPECTED[actor][action]
    if actor != "owner":
        stored = Scenario.objects.get(id=scenario["id"])
        assert stored.title == "Owner's design" and stored.revision == 1
        assert stored.share_links.count() == 2


def test_a_fork_through_a_link_belongs_to_whoever_forked_and_remembers_its_source(world):
    scenario, actors = world
    client = user_client("forker")
    token = actors["link holder"][1]

    fork = client.post(f"/api/shared/{token}/fork").json()

    copy = Scenario.objects.get(id=fork["id"])
    assert copy.owner == client.user and str(copy.forked_from_id) == scenario["id"]
    assert fork["title"] == "Copy of Owner's design" and fork["revision"] == 1
    assert fork["document"] == scenario["document"]
    edited = client.put(
        f"/api/scenarios/{fork['id']}",
        {"base_revision": 1, "title": "Mine now", "document": fork["document"]},
        content_type="application/json",
    )
    assert edited.status_code == 200
    assert Scenario.objects.get(id=scenario["id"]).title == "Owner's design"


def test_share_tokens_are_unguessable_and_a_new_link_does_not_revive_a_revoked_one(world):
    scenario, actors = world
    owner = actors["owner"][0]
    links = owner.get(f"/api/scenarios/{scenario['id']}/share").json()

    fresh = owner.post(f"/api/scenarios/{scenario['id']}/share").json()

    tokens = [link["token"] for link in links] + [fresh["token"]]
    assert len(set(tokens)) == 3
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes, URL-safe base64
    assert [link["active"] for link in links] == [False, True]
    assert fresh["url"].endswith(f"/s/{fresh['token']}")
    revoked = actors["revoked link holder"][1]
    assert Client().get(f"/api/shared/{revoked}").status_code == 404
    assert Client().get(f"/api/shared/{fresh['token']}").status_code == 200


def test_a_shared_view_shows_the_design_but_not_the_owners_private_fields(world):
    scenario, actors = world
    client, token = actors["link holder"]

    body = client.get(f"/api/shared/{token}").json()

    assert body["document"] == scenario["document"] and body["owner"] == "owner"
    assert "id" not in body and "email" not in str(body)
