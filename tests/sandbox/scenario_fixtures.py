"""Helpers for the scenario API tests: example documents and signed-in clients."""

import copy
import json
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "a-long-enough-passphrase-42"


@cache
def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def example(name: str = "03-load-balancer.json") -> dict:
    return copy.deepcopy(_example(name))


def user_client(username: str) -> Client:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def create(client: Client, title: str = "My design", document: dict | None = None) -> dict:
    response = client.post(
        "/api/scenarios",
        {"title": title, "document": document or example()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def save(client: Client, scenario: dict, base_revision: int, **changes):
    body = {"base_revision": base_revision, "document": scenario["document"], **changes}
    return client.put(f"/api/scenarios/{scenario['id']}", body, content_type="application/json")
