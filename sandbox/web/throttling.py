"""Rate limits that hold across processes: counters in the shared cache (Redis), counted in
fixed windows and incremented atomically, so parallel requests cannot slip past a limit;
and the client's address, trusting X-Forwarded-For only as far as NUM_PROXIES proxies."""

import contextlib
import hashlib
import math
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UNIT_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent the request. Each of the NUM_PROXIES proxies in front of
    the app appends the address it saw to X-Forwarded-For, so the one the outermost proxy
    saw is the NUM_PROXIES-th from the right; anything left of it the client wrote itself.
    With no proxies (the default) the header is ignored."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if settings.NUM_PROXIES <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    return hops[-min(settings.NUM_PROXIES, len(hops))]


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """`20/m`, `10/15m`, `30/h`: so many in each window of that length."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", text)
        if not match:
            raise ImproperlyConfigured(f"{text!r}: a rate is COUNT/PERIOD, such as 20/m or 10/15m")
        count, multiple, unit = match.groups()
        return cls(int(count), int(multiple or 1) * UNITS[unit])

    def __str__(self) -> str:
        for seconds, name in sorted(UNIT_NAMES.items(), reverse=True):
            if self.seconds % seconds == 0:
                n = self.seconds // seconds
                return f"{self.count} per {name}" if n == 1 else f"{self.count} per {n} {name}s"
        raise AssertionError("unreachable: a second divides every period")


class RateLimited(Exception):
    """A limit was reached; `retry_after` is the number of seconds until the window ends."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Counter:
    scope: str
    ident: str
    rate: Rate

    def _key(self, now: float) -> str:
        digest = hashlib.sha256(self.ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"rate:{self.scope}:{self.rate.seconds}:{digest}:{int(now // self.rate.seconds)}"

    def seconds_left(self, now: float) -> int:
        return max(1, math.ceil(self.rate.seconds - now % self.rate.seconds))

    def hit(self, now: float) -> int:
        """Count one more in the current window; the count so far, this one included."""
        key = self._key(now)
        for _ in range(2):  # the key may expire between add and incr
            cache.add(key, 0, timeout=self.rate.seconds + 1)
            try:
                return cache.incr(key)
            except ValueError:
                continue
        raise RuntimeError(f"the rate counter {key} keeps expiring")

    def give_back(self, now: float) -> None:
        with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give
            cache.decr(self._key(now))


def counters_take(counters: list[Counter], message: str) -> float:
    """Count one attempt against each counter, atomically; if any is over its limit, give
    them all back and raise RateLimited. Returns the time to pass to counters_give_back."""
    now = time.time()
    over = [c for c in counters if c.hit(now) > c.rate.count]
    if over:
        counters_give_back(counters, now)
        wait = max(c.seconds_left(now) for c in over)
        raise RateLimited(f"{message}; try again in {wait} s", retry_after=wait)
    return now


def counters_give_back(counters: list[Counter], taken_at: float) -> None:
    for counter in counters:
        counter.give_back(taken_at)


class AddressThrottle(BaseThrottle):
    """A ninja throttle: each client address may call at most the rate named by the setting
    (read on every request, so that it can be changed without a restart of the tests)."""

    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        self._waits = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        rate = Rate.parse(getattr(settings, self.setting))
        counter = Counter(self.scope, client_address(request), rate)
        now = time.time()
        self._waits.seconds = counter.seconds_left(now)
        return counter.hit(now) <= rate.count

    def wait(self) -> float | None:
        return getattr(self._waits, "seconds", None)
