"""A bounded property-based run of the whole REST API from its OpenAPI document: whatever
schemathesis sends, the answer is never a 5xx."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from sandbox.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# Unmasked 32-character CSRF secret, sent as both cookie and header, so that unsafe requests
# get past CSRF and reach the handlers.
CSRF = "a" * 16 + "B" * 16


@pytest.fixture
def keep_test_connection():
    """What Django's test client does: the WSGI handler would otherwise close the test's
    database connection (and its transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Not transactional: nothing commits, so no ping run reaches the Celery queue.
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_the_api_describes_gets_a_server_error(case):
    response = case.call(headers={"X-CSRFToken": CSRF}, cookies={"csrftoken": CSRF})

    case.validate_response(response, checks=[not_a_server_error])
