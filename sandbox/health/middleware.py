"""Liveness and readiness probes, answered before host validation and the HTTPS redirect so
that a load balancer or container runtime can probe a process by its address."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from sandbox.health.checks import readiness


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "alive"})
        if request.path == "/readyz":
            ready, body = readiness()
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)
