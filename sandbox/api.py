"""The REST API: one NinjaAPI with a router per app; OpenAPI at /api/openapi.json and
interactive docs at /api/docs. Errors are JSON with a `detail` that names what was wrong."""

import logging

import redis
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError as DjangoInterfaceError
from django.db import OperationalError as DjangoOperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from kombu.exceptions import OperationalError as KombuOperationalError
from ninja import NinjaAPI
from ninja.errors import HttpError

from sandbox.accounts.api import router as accounts_router
from sandbox.accounts.services import AccountError
from sandbox.exercises.api import router as exercises_router
from sandbox.exercises.api import student_router, submissions_router
from sandbox.exercises.services import SpecRejected
from sandbox.health.checks import ServiceUnavailable
from sandbox.runs.api import capacity_router, shared_runs_router
from sandbox.runs.api import router as runs_router
from sandbox.scenarios.api import router as scenarios_router
from sandbox.scenarios.api import shared_router
from sandbox.scenarios.documents import DocumentRejected
from sandbox.scenarios.services import LimitExceeded, ScenarioConflict
from sandbox.web.errors import SERVER_ERROR
from sandbox.web.jsonbody import BodyRejected, StrictJsonParser
from sandbox.web.throttling import RateLimited

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="ScaleLab API",
    version="1",
    description=(
        "Designs, runs and exercises of ScaleLab. The browser authenticates with its session "
        "cookie; unsafe methods need the csrftoken cookie's value in the X-CSRFToken header."
    ),
    urls_namespace="api",
    parser=StrictJsonParser(),
)
api.add_router("/auth", accounts_router)
api.add_router("/scenarios", scenarios_router)
api.add_router("/shared", shared_router)
api.add_router("/shared", shared_runs_router)
api.add_router("/runs", runs_router)
api.add_router("/capacity", capacity_router)
api.add_router("/exercises", exercises_router)
api.add_router("/x", student_router)
api.add_router("/submissions", submissions_router)


@api.exception_handler(SpecRejected)
def spec_rejected(request: HttpRequest, exc: SpecRejected) -> HttpResponse:
    detail = [
        {"loc": ["body", "spec"], "path": f"spec.{i.path}" if i.path else "spec", "msg": i.message}
        for i in exc.issues
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DocumentRejected)
def document_rejected(request: HttpRequest, exc: DocumentRejected) -> HttpResponse:
    detail = [
        {
            "loc": ["body", "document"],
            "path": f"document.{issue.path}" if issue.path else "document",
            "msg": issue.message,
        }
        for issue in exc.issues
    ]
    return api.create_response(request, {"detail": detail}, status=exc.status)


@api.exception_handler(ScenarioConflict)
def scenario_conflict(request: HttpRequest, exc: ScenarioConflict) -> HttpResponse:
    body = {"detail": str(exc), "current_revision": exc.current_revision}
    return api.create_response(request, body, status=409)


@api.exception_handler(LimitExceeded)
def limit_exceeded(request: HttpRequest, exc: LimitExceeded) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(AccountError)
def account_error(request: HttpRequest, exc: AccountError) -> HttpResponse:
    detail = [{"loc": ["body", exc.field], "path": exc.field, "msg": exc.message}]
    return api.create_response(request, {"detail": detail}, status=exc.status)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    body = {"detail": "the request body is too large: see docs/limits.md for the limits"}
    return api.create_response(request, body, status=413)


@api.exception_handler(BodyRejected)
def body_rejected(request: HttpRequest, exc: BodyRejected) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail}, status=exc.status)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever the body parser raises in a 400; keep the parser's own answer.
    if isinstance(exc.__cause__, BodyRejected):
        return body_rejected(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ServiceUnavailable)
def service_unavailable(request: HttpRequest, exc: ServiceUnavailable) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=503)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _infrastructure_down(exc: Exception) -> ServiceUnavailable | None:
    """An error that means the database or Redis is down, not that the request was wrong."""
    if isinstance(exc, DjangoOperationalError | DjangoInterfaceError):
        return ServiceUnavailable(
            "the database is unreachable right now; nothing was changed, try again in a few seconds"
        )
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError | KombuOperationalError):
        return ServiceUnavailable(
            "Redis (the task queue and live streams) is unreachable right now; try again in a "
            "few seconds"
        )
    return None


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """What Django would answer, as JSON: 400 for a malformed request, 403, 503 when the
    database or Redis is down, or a logged 500."""
    down = _infrastructure_down(exc)
    if down is not None:
        logger.warning("%s %s: %s (%s)", request.method, request.path, down, exc)
        return service_unavailable(request, down)
    if isinstance(exc, SuspiciousOperation | MultiPartParserError):
        return api.create_response(request, {"detail": f"bad request: {exc}"}, status=400)
    if isinstance(exc, RawPostDataException):
        # A form body, already read as one by the CSRF check, where a JSON body is expected.
        message = "send the body as application/json, not as a form"
        return api.create_response(request, {"detail": message}, status=415)
    if isinstance(exc, PermissionDenied):
        return api.create_response(request, {"detail": "forbidden"}, status=403)
    logger.exception("%s %s failed", request.method, request.path, exc_info=exc)
    return api.create_response(request, SERVER_ERROR, status=500)
