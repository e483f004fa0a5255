"""Odd bodies, odd bytes and odd numbers never get a 500: each is refused with a 4xx JSON
answer that names the place it concerns. Run with DEBUG off, as in production, and on
PostgreSQL too (which refuses NUL characters, lone surrogates and non-finite numbers)."""

import copy
import json
import re
import uuid

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sandbox.api import api
from tests.sandbox.scenario_fixtures import create, example, user_client
from tests.sandbox.test_exercises_api import instructor_client, shipped

pytestmark = pytest.mark.django_db
CSRF = "a" * 16 + "B" * 16
REFUSED = {400, 413, 415, 422}


def api_client(client: Client) -> Client:
    """The client as a browser is: CSRF enforced, the token in cookie and header, and a 500
    seen as a response rather than raised."""
    client.handler.enforce_csrf_checks = True
    client.raise_request_exception = False
    client.cookies["csrftoken"] = CSRF
    return client


def send(client: Client, method: str, path: str, body: bytes | str, content_type: str):
    return client.generic(method, path, body, content_type=content_type, HTTP_X_CSRFTOKEN=CSRF)


def unsafe_endpoints() -> list[tuple[str, str]]:
    """Every unsafe operation of the API that reads a body, from its OpenAPI document."""
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            if method in {"post", "put", "patch"} and "requestBody" in operation:
                found.append((method.upper(), path))
    return found


def _fill(path: str, scenario_id: str) -> str:
    path = path.replace("{scenario_id}", scenario_id).replace("{number}", "1")
    return re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)


NESTED = "[" * 100_000 + "]" * 100_000
ODD_BODIES = {
    "an array": ("[]", "application/json"),
    "a string": ('"text"', "application/json"),
    "nested 100,000 deep": (NESTED, "application/json"),
    "nested 40 deep": ('{"a":' * 40 + "1" + "}" * 40, "application/json"),
    "NaN": ('{"document": {"nodes": [NaN]}}', "application/json"),
    "Infinity": ('{"title": Infinity}', "application/json"),
    "-Infinity": ("-Infinity", "application/json"),
    "1e999": ('{"document": {"seed": 1e999}}', "application/json"),
    "an integer of 400 digits": ('{"base_revision": 1' + "0" * 400 + "}", "application/json"),
    "an integer of 5,000 digits": ('{"base_revision": 1' + "0" * 5000 + "}", "application/json"),
    "a NUL in a value": ('{"title": "a\\u0000b"}', "application/json"),
    "a NUL in a key": ('{"a\\u0000b": 1}', "application/json"),
    "a lone surrogate": ('{"title": "\\ud800"}', "application/json"),
    "not UTF-8": (b"\xff\xfe{}", "application/json"),
    "not JSON": ("{'title': 1}", "application/json"),
    "JSON sent as text/plain": ("{}", "text/plain"),
    "a form": ("title=x", "application/x-www-form-urlencoded"),
    "multipart without a boundary": ("{}", "multipart/form-data"),
    "multipart with a broken boundary": ("--x\r\nnonsense", "multipart/form-data; boundary=x"),
}


@pytest.mark.parametrize("body, content_type", ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_no_odd_body_on_any_unsafe_endpoint_gets_a_server_error(body, content_type):
    client = user_client("ada")
    scenario_id = create(client)["id"]
    api_client(client)
    for method, path in unsafe_endpoints():
        response = send(client, method, _fill(path, scenario_id), body, content_type)

        where = f"{method} {path}: {response.status_code} {response.content[:200]!r}"
        assert response.status_code in REFUSED, where
        assert response["Content-Type"].startswith("application/json"), where
        assert response.json()["detail"], where


@pytest.mark.parametrize(
    "body, path",
    [
        ('{"title": "t", "document": {"seed": NaN}}', "document.seed"),
        ('{"title": "t", "document": {"seed": Infinity}}', "document.seed"),
        (
            '{"title": "t", "document": {"nodes": [{"position": {"x": 1e999}}]}}',
            "document.nodes[0].position.x",
        ),
        ('{"title": "a\\u0000b", "document": {}}', "title"),
        (
            '{"title": "t", "document": {"nodes": [{"label": "\\udc00"}]}}',
            "document.nodes[0].label",
        ),
    ],
)
def test_a_number_or_text_that_cannot_be_stored_is_a_422_naming_its_path(body, path):
    client = api_client(user_client("ada"))

    response = send(client, "POST", "/api/scenarios", body, "application/json")

    assert response.status_code == 422, response.content
    assert [error["path"] for error in response.json()["detail"]] == [path]


def test_json_sent_as_text_plain_is_a_415():
    client = api_client(user_client("ada"))
    body = json.dumps({"title": "t", "document": example()})

    response = send(client, "POST", "/api/scenarios", body, "text/plain")

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


# --- odd text in every text field ---------------------------------------------------------------


def _text_leaves(value, loc=()):
    if isinstance(value, str):
        yield loc
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _text_leaves(child, (*loc, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _text_leaves(child, (*loc, i))


def _replaced(body: dict, loc: tuple, text: str) -> dict:
    body = copy.deepcopy(body)
    cursor = body
    for part in loc[:-1]:
        cursor = cursor[part]
    cursor[loc[-1]] = text
    return body


def _bodies() -> dict[str, tuple[str, str, dict]]:
    """Valid requests, whose every text field the property test spoils in turn."""
    exercise = shipped()
    return {
        "create": (
            "POST",
            "/api/scenarios",
            {"title": "t", "description": "d", "document": example()},
        ),
        "save": (
            "PUT",
            "/api/scenarios/{id}",
            {"base_revision": 1, "title": "t", "description": "d", "document": example()},
        ),
        "validate": ("POST", "/api/scenarios/validate", {"document": example()}),
        "analyze": ("POST", "/api/scenarios/analyze", {"document": example()}),
        "signup": (
            "POST",
            "/api/auth/signup",
            {"username": "grace", "email": "g@example.com", "password": "a-long-passphrase-1"},
        ),
        "login": (
            "POST",
            "/api/auth/login",
            {"username": "ada", "password": "a-long-passphrase-1"},
        ),
        "reset": ("POST", "/api/auth/password-reset", {"email": "ada@example.com"}),
        "reset confirm": (
            "POST",
            "/api/auth/password-reset/confirm",
            {"uid": "MQ", "token": "abc-def", "new_password": "a-long-passphrase-2"},
        ),
        "exercise": (
            "POST",
            "/api/exercises",
            {
                "title": exercise["title"],
                "brief_md": exercise["brief_md"],
                "spec": exercise["spec"],
            },
        ),
    }


BODIES = _bodies()
FIELDS = [(name, loc) for name, (_, _, body) in BODIES.items() for loc in _text_leaves(body)]
BAD = st.sampled_from(["\x00", "\ud800", "\udfff", "\udbff"])
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(FIELDS), text=st.tuples(TEXT, BAD, TEXT).map("".join))
def test_a_nul_or_lone_surrogate_in_any_text_field_is_a_422_naming_the_field(field, text, settings):
    settings.AUTH_RATE = "100000/m"  # every example comes from the same address
    client = instructor_client(f"i{uuid.uuid4().hex[:8]}")
    scenario_id = create(client)["id"]
    api_client(client)
    name, loc = field
    method, path, body = BODIES[name]
    spoiled = json.dumps(_replaced(body, loc, text))

    response = send(client, method, path.replace("{id}", scenario_id), spoiled, "application/json")

    assert response.status_code == 422, (name, loc, response.content)
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", *loc], (name, loc, error)


# --- odd bytes in paths and queries, odd pages ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/shared/ab%00cd",
        "/api/shared/ab%00cd/runs",
        "/api/x/%00",
        "/api/scenarios/%00",
        "/s/ab%00cd",
    ],
)
def test_a_nul_in_the_path_is_a_404(client, path):
    client.raise_request_exception = False

    response = client.get(path)

    assert response.status_code == 404


def test_a_nul_in_the_query_is_a_400_naming_the_parameter(client):
    client.raise_request_exception = False

    response = client.get("/api/runs?scenario=ab%00cd")

    assert response.status_code == 400
    assert "scenario" in response.json()["detail"]


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "/api/no-such-thing: no such endpoint"}


def test_a_server_error_in_the_api_is_json_with_debug_off(client, monkeypatch, settings):
    settings.DEBUG = False
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("sandbox.scenarios.selectors.scenarios_owned_by", broken)

    response = client.get("/api/scenarios")

    assert response.status_code == 500
    assert response.json()["detail"].startswith("internal server error")
    assert "a bug" not in response.content.decode()


def test_a_server_error_outside_ninja_is_json_under_api(rf):
    from sandbox.web.errors import server_error

    assert server_error(rf.get("/api/anything")).status_code == 500
    assert json.loads(server_error(rf.get("/api/anything")).content)["detail"]
    assert server_error(rf.get("/d/x"))["Content-Type"].startswith("text/html")


# --- odd files to import ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    ["[]", '"a scenario"', "1", "null", NESTED, '{"nodes": [NaN]}', '{"name": "a\\u0000b"}'],
    ids=["array", "string", "number", "null", "deeply nested", "NaN", "NUL"],
)
def test_importing_json_that_is_not_a_storable_object_is_a_422(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(user_client("ada"))
    upload = SimpleUploadedFile("s.json", content.encode(), content_type="application/json")

    response = client.post("/api/scenarios/import", {"file": upload}, HTTP_X_CSRFTOKEN=CSRF)

    assert response.status_code in {400, 422}, response.content
    assert response.json()["detail"]
