"""A path or query with a NUL character is refused before it reaches a view: no database
can look it up (PostgreSQL refuses it outright)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from sandbox.web.errors import is_api


class NulCharacterMiddleware:
    """A NUL in the path answers 404, in the query 400 naming the parameter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return _refuse(request, 404, "no such page: the path contains a NUL character")
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return _refuse(request, 400, f"{name!r}: the query contains a NUL character")
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
