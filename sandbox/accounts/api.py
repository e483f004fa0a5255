"""REST endpoints of accounts: CSRF cookie, sign up, log in, log out, who am I, and
password reset."""

from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Status

from sandbox.accounts import services
from sandbox.accounts.schemas import (
    LoginIn,
    MeOut,
    MessageOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    SignupIn,
)
from sandbox.accounts.visitors import VisitorAuth
from sandbox.web.throttling import AddressThrottle

router = Router(tags=["accounts"], auth=VisitorAuth())
# Per address, across processes; log-in failures are limited per name too (services.py).
AUTH_THROTTLE = [AddressThrottle("auth", "AUTH_RATE")]


def _me(request: HttpRequest, drafts_claimed: int = 0) -> dict:
    user = request.user if request.user.is_authenticated else None
    return {
        "authenticated": user is not None,
        "username": user.get_username() if user else None,
        "email": user.email if user else None,
        "drafts_claimed": drafts_claimed,
    }


@router.get("/csrf", response=MessageOut, auth=None, summary="Set the csrftoken cookie")
def csrf(request: HttpRequest):
    get_token(request)  # the CSRF middleware sets the cookie on the way out
    return {"detail": "the csrftoken cookie is set; send its value as X-CSRFToken"}


@router.get("/me", response=MeOut, summary="Who is signed in")
def me(request: HttpRequest):
    return _me(request)


@router.post("/signup", response={201: MeOut}, throttle=AUTH_THROTTLE)
def signup(request: HttpRequest, payload: SignupIn):
    claimed = services.user_signup(
        request=request,
        username=payload.username,
        email=payload.email,
        password=payload.password,
    )
    return Status(201, _me(request, claimed))


@router.post("/login", response=MeOut, throttle=AUTH_THROTTLE)
def login(request: HttpRequest, payload: LoginIn):
    claimed = services.user_login(
        request=request, username=payload.username, password=payload.password
    )
    return _me(request, claimed)


@router.post("/logout", response=MeOut)
def logout(request: HttpRequest):
    services.user_logout(request=request)
    return _me(request)


@router.post("/password-reset", response=MessageOut, throttle=AUTH_THROTTLE)
def password_reset(request: HttpRequest, payload: PasswordResetIn):
    services.password_reset_request(request=request, email=payload.email)
    return {"detail": "if an account has this address, a reset link is on its way"}


@router.post("/password-reset/confirm", response=MessageOut, throttle=AUTH_THROTTLE)
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn):
    services.password_reset_confirm(
        uid=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return {"detail": "your password is changed; log in with the new one"}
