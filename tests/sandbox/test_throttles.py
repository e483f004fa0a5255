"""Throttles that hold across processes: log-in failures per account name and per address,
sign-up and password reset per address, the ping run per address; counted in Redis, so a
second web process (here: a second cache connection) sees the same counts; and the client's
address taken from X-Forwarded-For only as far as NUM_PROXIES proxies."""

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from sandbox.web.throttling import Rate, client_address
from tests.sandbox.parallel import in_parallel
from tests.sandbox.scenario_fixtures import PASSWORD, user_client

pytestmark = pytest.mark.django_db
CSRF = "a" * 16 + "B" * 16


def post(client: Client, path: str, body: dict, address: str = "10.0.0.1", **headers):
    return client.post(path, body, content_type="application/json", REMOTE_ADDR=address, **headers)


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return post(client, "/api/auth/login", {"username": username, "password": password}, address)


@pytest.fixture
def ada():
    return user_client("ada").user


def test_after_ten_wrong_passwords_even_the_right_one_is_refused_for_that_name(ada, settings):
    settings.AUTH_RATE = "1000/m"
    for i in range(10):
        assert login(Client(), "ada", f"wrong-{i}", address=f"10.0.1.{i}").status_code == 401

    refused = login(Client(), "ada", PASSWORD, address="10.0.2.1")

    assert refused.status_code == 429
    assert "too many failed log-ins" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 15 * 60


def test_the_name_limit_ignores_case(ada, settings):
    settings.AUTH_RATE = "1000/m"
    for i in range(10):
        login(Client(), "ADA" if i % 2 else "ada", "wrong", address=f"10.0.1.{i}")

    assert login(Client(), "Ada", PASSWORD, address="10.0.2.1").status_code == 429


def test_right_passwords_do_not_count_as_failures(ada, settings):
    settings.AUTH_RATE = "1000/m"
    for _ in range(15):
        assert login(Client(), "ada", PASSWORD).status_code == 200


def test_one_address_may_fail_thirty_times_over_any_names(settings):
    settings.AUTH_RATE = "1000/m"
    user_client("grace")
    for i in range(30):
        assert login(Client(), f"name-{i}", "wrong").status_code == 401

    assert login(Client(), "grace", PASSWORD).status_code == 429
    assert login(Client(), "grace", PASSWORD, address="10.0.0.2").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_cannot_pass_the_name_limit(ada, settings):
    settings.AUTH_RATE = "1000/m"
    statuses = in_parallel(16, lambda i: login(Client(), "ada", "wrong", f"10.0.3.{i}"))

    assert sorted(statuses) == [401] * 10 + [429] * 6


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/auth/signup", {"username": "x", "email": "x@example.com", "password": "p"}),
        ("/api/auth/login", {"username": "x", "password": "p"}),
        ("/api/auth/password-reset", {"email": "x@example.com"}),
        ("/api/auth/password-reset/confirm", {"uid": "MQ", "token": "t", "new_password": "p"}),
    ],
)
def test_account_endpoints_are_throttled_per_address_though_everyone_is_a_visitor(
    path, body, settings
):
    settings.LOGIN_FAILURES_PER_NAME = settings.LOGIN_FAILURES_PER_ADDRESS = "1000/m"
    answers = [post(Client(), path, body).status_code for _ in range(21)]

    assert 429 not in answers[:20]
    assert answers[20] == 429
    assert post(Client(), path, body, address="10.0.0.2").status_code != 429


def test_the_counts_are_shared_by_every_process_through_redis(ada, settings):
    settings.AUTH_RATE = "1000/m"
    for i in range(10):
        login(Client(), "ada", "wrong", address=f"10.0.1.{i}")
    # What another web process would see: a new connection to the same Redis.
    other = caches.create_connection("default")

    keys = other._cache.get_client().keys(f"{other.key_prefix}:*rate:login-name*")

    assert len(keys) == 1 and int(other._cache.get_client().get(keys[0])) == 10


def test_the_ping_run_is_throttled_per_address_whatever_x_forwarded_for_says(settings):
    settings.PING_RUN_RATE = "3/m"
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF
    answers = [
        post(
            client, "/api/runs/ping", {"frames": 0}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
            HTTP_X_CSRFTOKEN=CSRF,
        ).status_code
        for i in range(4)
    ]  # fmt: skip

    assert answers == [422, 422, 422, 429]


def test_the_ping_run_needs_the_csrf_token_and_json():
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF

    without_token = post(client, "/api/runs/ping", {"frames": 0})
    as_text = client.post(
        "/api/runs/ping", '{"frames": 0}', content_type="text/plain", HTTP_X_CSRFTOKEN=CSRF
    )

    assert without_token.status_code == 403
    assert as_text.status_code == 415


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, None, "10.0.0.1"),
        (0, "1.1.1.1", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (2, "6.6.6.6, 1.1.1.1, 2.2.2.2", "1.1.1.1"),
        (2, "1.1.1.1", "1.1.1.1"),
        (1, " , ", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_as_many_forwarders_as_proxies(
    settings, proxies, forwarded, expected
):
    settings.NUM_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)

    assert client_address(request) == expected


@pytest.mark.parametrize(
    "text, count, seconds, words",
    [("20/m", 20, 60, "20 per minute"), ("10/15m", 10, 900, "10 per 15 minutes"),
     ("30/h", 30, 3600, "30 per hour"), ("5/90s", 5, 90, "5 per 90 seconds")],
)  # fmt: skip
def test_rates_read_as_count_per_period(text, count, seconds, words):
    rate = Rate.parse(text)

    assert (rate.count, rate.seconds, str(rate)) == (count, seconds, words)
