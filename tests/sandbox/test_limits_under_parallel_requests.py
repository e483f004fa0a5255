"""Limits counted before an insert hold when the requests come at the same moment: share
links per scenario, saves (here: forks) per minute, scenarios per owner. Real parallel
requests from threads, on SQLite and on PostgreSQL (DATABASE_URL)."""

import copy

import pytest
from django.test import Client

from sandbox.scenarios.models import ScenarioRevision, ShareLink
from tests.sandbox.parallel import in_parallel
from tests.sandbox.scenario_fixtures import create, example, user_client

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 15


def same_browser(client: Client) -> Client:
    twin = Client()
    twin.cookies = copy.deepcopy(client.cookies)
    return twin


@pytest.fixture(params=["signed-in", "anonymous"])
def owner(request) -> Client:
    if request.param == "signed-in":
        return user_client("ada")
    client = Client()
    client.session.save()  # a browser session of its own, which the threads share
    return client


def test_parallel_share_links_stop_at_the_limit(owner, settings):
    settings.SHARE_LINKS_PER_SCENARIO = 5
    scenario = create(owner)

    statuses = in_parallel(
        PARALLEL, lambda i: same_browser(owner).post(f"/api/scenarios/{scenario['id']}/share")
    )

    assert sorted(statuses) == [201] * 5 + [409] * (PARALLEL - 5)
    assert ShareLink.objects.count() == 5


def test_parallel_forks_stop_at_the_saves_per_minute(owner, settings):
    settings.SCENARIO_SAVES_PER_MINUTE = 6
    scenario = create(owner)  # the first save of the minute

    statuses = in_parallel(
        PARALLEL, lambda i: same_browser(owner).post(f"/api/scenarios/{scenario['id']}/fork")
    )

    assert sorted(statuses) == [201] * 5 + [429] * (PARALLEL - 5)
    assert ScenarioRevision.objects.count() == 6


def test_parallel_creates_stop_at_the_scenarios_per_owner(owner, settings):
    settings.SCENARIOS_PER_OWNER = 4
    body = {"title": "t", "document": example()}

    statuses = in_parallel(
        PARALLEL,
        lambda i: same_browser(owner).post("/api/scenarios", body, content_type="application/json"),
    )

    assert sorted(statuses) == [201] * 4 + [409] * (PARALLEL - 4)
