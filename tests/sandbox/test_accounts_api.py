"""Accounts: sign up, log in, log out, password reset by e-mail, CSRF, and the anonymous
draft handed over to the account made or opened in the same browser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from sandbox.scenarios.models import Scenario
from tests.sandbox.scenario_fixtures import PASSWORD, create, example

pytestmark = pytest.mark.django_db
User = get_user_model()


def post(client: Client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")


def signup(client: Client, username: str = "ada", password: str = PASSWORD):
    body = {"username": username, "email": f"{username}@example.com", "password": password}
    return post(client, "/api/auth/signup", body)


def test_signing_up_logs_in_and_me_says_who(client):
    response = signup(client)

    assert response.status_code == 201
    assert response.json() == {
        "authenticated": True,
        "username": "ada",
        "email": "ada@example.com",
        "drafts_claimed": 0,
    }
    assert client.get("/api/auth/me").json()["username"] == "ada"


def test_a_taken_username_is_a_409_naming_the_field(client):
    signup(client)

    response = signup(Client())

    assert response.status_code == 409
    assert response.json()["detail"][0]["path"] == "username"


def test_a_weak_password_is_refused_with_the_reason(client):
    response = signup(client, password="123")

    assert response.status_code == 400
    [error] = response.json()["detail"]
    assert error["path"] == "password" and "too short" in error["msg"]
    assert not User.objects.exists()


def test_a_malformed_email_is_a_422_naming_it(client):
    response = post(client, "/api/auth/signup", {"username": "a", "email": "nope", "password": "x"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "email"


def test_logging_in_with_a_wrong_password_is_a_401_and_logging_out_ends_the_session(client):
    signup(client)
    post(client, "/api/auth/logout", {})

    wrong = post(client, "/api/auth/login", {"username": "ada", "password": "nope"})
    right = post(client, "/api/auth/login", {"username": "ada", "password": PASSWORD})
    out = post(client, "/api/auth/logout", {})

    assert wrong.status_code == 401 and "wrong username or password" in str(wrong.json())
    assert right.status_code == 200 and right.json()["authenticated"] is True
    assert out.json()["authenticated"] is False
    assert client.get("/api/auth/me").json()["authenticated"] is False


def test_a_password_reset_mails_a_link_that_sets_a_new_password_once(client):
    signup(client)
    post(client, "/api/auth/logout", {})

    asked = post(client, "/api/auth/password-reset", {"email": "ADA@example.com"})
    unknown = post(client, "/api/auth/password-reset", {"email": "nobody@example.com"})

    assert asked.status_code == unknown.status_code == 200
    assert asked.json() == unknown.json()  # no way to learn which addresses have accounts
    [message] = mail.outbox
    uid, token = re.search(r"/account/reset/([^/\s]+)/([^/\s]+)", message.body).groups()
    new = "another-long-passphrase-7"
    confirm = {"uid": uid, "token": token, "new_password": new}
    assert post(client, "/api/auth/password-reset/confirm", confirm).status_code == 200
    assert post(client, "/api/auth/password-reset/confirm", confirm).status_code == 400
    login = post(client, "/api/auth/login", {"username": "ada", "password": new})
    assert login.status_code == 200


def test_a_forged_reset_token_is_refused_naming_the_token(client):
    signup(client)

    response = post(
        client,
        "/api/auth/password-reset/confirm",
        {"uid": "MQ", "token": "forged-token", "new_password": "another-long-passphrase-7"},
    )

    assert response.status_code == 400
    assert response.json()["detail"][0]["path"] == "token"


def test_unsafe_requests_without_the_csrf_token_are_refused_and_with_it_accepted():
    browser = Client(enforce_csrf_checks=True)
    body = {"title": "draft", "document": example()}

    refused = browser.post("/api/scenarios", body, content_type="application/json")
    browser.get("/api/auth/csrf")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/scenarios", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert refused.status_code == 403 and "X-CSRFToken" in refused.json()["detail"]
    assert accepted.status_code == 201


def test_an_anonymous_draft_becomes_the_users_when_they_sign_up(client):
    draft = create(client, "drafted before signing up")
    other_browser = Client()

    response = signup(client)

    assert response.json()["drafts_claimed"] == 1
    stored = Scenario.objects.get(id=draft["id"])
    assert stored.owner.username == "ada" and stored.session_key == ""
    assert [s["title"] for s in client.get("/api/scenarios").json()] == [
        "drafted before signing up"
    ]
    assert other_browser.get(f"/api/scenarios/{draft['id']}").status_code == 404
    revisions = client.get(f"/api/scenarios/{draft['id']}/revisions").json()
    assert [r["number"] for r in revisions] == [1]


def test_an_anonymous_draft_becomes_the_users_when_they_log_in(client):
    User.objects.create_user("grace", "grace@example.com", PASSWORD)
    draft = create(client, "drafted before logging in")

    response = post(client, "/api/auth/login", {"username": "grace", "password": PASSWORD})

    assert response.json()["drafts_claimed"] == 1
    assert Scenario.objects.get(id=draft["id"]).owner.username == "grace"
    assert client.get(f"/api/scenarios/{draft['id']}").status_code == 200


def test_anonymous_drafts_are_private_to_their_browser_session(client):
    draft = create(client, "mine")

    assert client.get(f"/api/scenarios/{draft['id']}").status_code == 200
    assert Client().get(f"/api/scenarios/{draft['id']}").status_code == 404
    assert Client().get("/api/scenarios").json() == []
