"""The Content-Security-Policy on every response: scripts, styles and connections only from
this origin, nothing inline, nothing framed. An exercise brief's HTML is sanitised by nh3
(sandbox/exercises/briefs.py); this is the second line."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# The built app is a module script and a stylesheet from /static/; React sets styles
# through the DOM (allowed), and the icon is a data: URI. Nothing inline may run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
