"""Reads a JSON request body strictly: only what the database can store gets past it. No
`NaN`, `Infinity` or numbers too large for a double (jsonb refuses them), no NUL characters
or lone surrogates in any string or key (text columns and UTF-8 refuse them), and no
nesting deeper than a scenario ever needs. Each refusal names the place it concerns."""

import json
import math
import sys
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

MAX_DEPTH = 32
JSON_TYPES = ("application/json",)


class BodyRejected(Exception):
    """A body that cannot be read or stored; `detail` is the API's error list or message."""

    def __init__(self, detail: str | list[dict[str, Any]], *, status: int) -> None:
        super().__init__(detail if isinstance(detail, str) else detail[0]["msg"])
        self.detail = detail
        self.status = status


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (a half of a UTF-16 pair), which is not text"
    return None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(loc: tuple, msg: str) -> BodyRejected:
    where = _path(loc)
    return BodyRejected([{"loc": ["body", *loc], "path": where, "msg": msg}], status=422)


def json_check(value: Any, loc: tuple = ()) -> None:
    """Raise BodyRejected at the first value that cannot be stored, naming its path."""
    stack = [(value, loc)]
    while stack:
        item, here = stack.pop()
        if len(here) > MAX_DEPTH:
            raise _problem(here, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                raise _problem(here, problem)
        elif isinstance(item, float) and not math.isfinite(item):
            raise _problem(here, "must be a finite number (JSON has no NaN or Infinity)")
        elif isinstance(item, int) and abs(item) > sys.float_info.max:
            raise _problem(here, "is too large: at most about 1.8e308")
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = _text_problem(key)
                if problem:
                    raise _problem(here, f"a key {problem.removeprefix('contains ')}")
                stack.append((child, (*here, key)))
        elif isinstance(item, list):
            stack.extend((child, (*here, i)) for i, child in enumerate(item))


def json_parse(raw: bytes | str, loc: tuple = ()) -> Any:
    """The JSON value of `raw`, checked by json_check; BodyRejected (400) when it is not JSON."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except UnicodeDecodeError:
        raise BodyRejected("the body is not UTF-8 text", status=400) from None
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise BodyRejected(message, status=400) from None
    except (RecursionError, ValueError) as exc:
        # Nesting beyond the interpreter's stack, or an integer of thousands of digits.
        raise BodyRejected(f"not JSON this API accepts: {exc}", status=400) from None
    json_check(value, loc)
    return value


class StrictJsonParser(Parser):
    """The API's body parser; ninja wraps whatever it raises in a 400 (sandbox/api.py
    unwraps BodyRejected to keep its status and detail)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").lower()
        if content_type not in JSON_TYPES:
            raise BodyRejected(
                f"send the body as application/json (the Content-Type was {content_type!r})",
                status=415,
            )
        return json_parse(request.body)
