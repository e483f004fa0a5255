"""Who is asking: a signed-in user, or the browser session that owns anonymous drafts.
The API's authentication runs this on every request and checks CSRF on unsafe methods,
since a cookie identifies both."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


@dataclass(frozen=True)
class Visitor:
    user: AbstractBaseUser | None
    session_key: str

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None


def visitor_from_request(request: HttpRequest, *, create_session: bool) -> Visitor:
    user = request.user if request.user.is_authenticated else None
    if user is None and create_session and not request.session.session_key:
        request.session.create()
    return Visitor(user=user, session_key=request.session.session_key or "")


class VisitorAuth(APIKeyCookie):
    """Session cookie authentication that also admits anonymous visitors."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Visitor:
        unsafe = request.method not in SAFE_METHODS
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and not exempt and check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the value of the csrftoken cookie in the "
                "X-CSRFToken header (GET /api/auth/csrf sets the cookie).",
            )
        return visitor_from_request(request, create_session=unsafe)

    def authenticate(self, request: HttpRequest, key: str | None) -> Visitor:
        return visitor_from_request(request, create_session=False)
