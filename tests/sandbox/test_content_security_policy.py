"""The Content-Security-Policy: no inline script anywhere, on the app's pages and the API
alike; the built app needs none; a brief's HTML is sanitised besides."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sandbox.exercises.briefs import brief_html
from sandbox.web import views

pytestmark = pytest.mark.django_db
INDEX_SOURCES = [
    Path(__file__).resolve().parents[2] / "frontend" / "index.html",
    Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html",
]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/d/some-design", "/api/auth/me", "/api/docs", "/nope"])
def test_every_page_carries_a_policy_without_inline_script(client, path, tmp_path, monkeypatch):
    page = tmp_path / "index.html"
    page.write_text('<!doctype html><div id="root"></div>')
    monkeypatch.setattr(views, "_index_html", lambda: page)

    policy = _policy(client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


class _Inline(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self._in_script = True
        if tag == "style":
            self.found.append("<style>")
        self.found += [
            f"{tag}[{name}]" for name in attrs if name == "style" or name.startswith("on")
        ]

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script


@pytest.mark.parametrize(
    "source", [p for p in INDEX_SOURCES if p.is_file()], ids=lambda p: p.parent.name
)
def test_the_app_page_has_no_inline_script_or_style(source):
    parser = _Inline()
    parser.feed(source.read_text())

    assert parser.found == []


def test_a_brief_with_script_keeps_none_of_it():
    html = brief_html(
        "<script>alert(1)</script><img src=x onerror=alert(2)>"
        '[link](javascript:alert(3)) <a href="javascript:alert(4)">a</a>'
        '<div style="background:url(javascript:alert(5))">s</div>'
    )

    assert not re.search(r"<script|onerror|javascript:|style=", html), html
