"""Writes of accounts: sign up, log in (handing the session's drafts over), log out, and
password reset by e-mail."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from sandbox.scenarios.services import scenario_drafts_claim
from sandbox.web.throttling import (
    Counter,
    Rate,
    client_address,
    counters_give_back,
    counters_take,
)

User = get_user_model()


class AccountError(Exception):
    """A request about an account that cannot be carried out; `field` names the input."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


def _check_password(password: str, user: AbstractBaseUser) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("password", " ".join(exc.messages)) from None


def _login_claiming_drafts(request: HttpRequest, user: AbstractBaseUser) -> int:
    # login() gives the session a new key; the drafts are filed under the old one.
    anonymous_key = request.session.session_key or ""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return scenario_drafts_claim(session_key=anonymous_key, user=user)


def user_signup(*, request: HttpRequest, username: str, email: str, password: str) -> int:
    """Create the account and log in; returns how many drafts it took over."""
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("username", "this username is taken", status=409)
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError("email", "an account with this e-mail exists; log in", status=409)
    user = User(username=username, email=email)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.full_clean(exclude=["password"])
            user.save()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise AccountError(field, " ".join(messages)) from None
    except IntegrityError:
        raise AccountError("username", "this username is taken", status=409) from None
    return _login_claiming_drafts(request, user)


def _login_counters(request: HttpRequest, username: str) -> list[Counter]:
    return [
        Counter("login-name", username.casefold(), Rate.parse(settings.LOGIN_FAILURES_PER_NAME)),
        Counter(
            "login-address",
            client_address(request),
            Rate.parse(settings.LOGIN_FAILURES_PER_ADDRESS),
        ),
    ]


def user_login(*, request: HttpRequest, username: str, password: str) -> int:
    """Log in; refused with RateLimited once the name or the address has failed too often
    (docs/limits.md), even with the right password, until the window ends. An attempt
    counts as a failure from the start, so parallel guesses cannot pass the limit."""
    counters = _login_counters(request, username)
    taken_at = counters_take(counters, "too many failed log-ins for this name or from here")
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise AccountError("password", "wrong username or password", status=401)
    counters_give_back(counters, taken_at)
    return _login_claiming_drafts(request, user)


def user_logout(*, request: HttpRequest) -> None:
    logout(request)


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """Mail a reset link to each active account with this address. Says nothing about
    whether one exists, so the endpoint cannot be used to find accounts."""
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = request.build_absolute_uri(f"/account/reset/{uid}/{token}")
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        send_mail(
            subject="Reset your ScaleLab password",
            message=(
                f"Someone asked to reset the password of the ScaleLab account {user.username}.\n"
                f"To choose a new one, open {link} within {hours} hours.\n"
                "If it was not you, ignore this e-mail: nothing changes."
            ),
            from_email=None,
            recipient_list=[user.email],
        )


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> AbstractBaseUser:
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise AccountError("token", "this reset link is invalid or has expired; ask again")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user
