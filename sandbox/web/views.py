"""Serves the React app's index.html, built by Vite into frontend/dist."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET


def _index_html() -> Path | None:
    found = finders.find("index.html")
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / "index.html"
    return collected if collected.is_file() else None


@require_GET
@ensure_csrf_cookie
def index(request: HttpRequest) -> HttpResponse:
    path = _index_html()
    if path is None:
        return HttpResponse(
            "The frontend is not built. Run `make run` (or `make frontend`) to build it.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
