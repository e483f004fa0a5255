"""The React app's page is served at / with a CSRF cookie for the API."""

import pytest

from sandbox.web import views

pytestmark = pytest.mark.django_db


def test_the_index_serves_the_built_app_and_sets_the_csrf_cookie(client, tmp_path, monkeypatch):
    page = tmp_path / "index.html"
    page.write_text('<!doctype html><div id="root"></div>')
    monkeypatch.setattr(views, "_index_html", lambda: page)

    response = client.get("/")

    assert response.status_code == 200
    assert b'<div id="root">' in response.content
    assert "csrftoken" in response.cookies


def test_without_a_built_frontend_the_index_says_how_to_build_it(client, monkeypatch):
    monkeypatch.setattr(views, "_index_html", lambda: None)

    response = client.get("/")

    assert response.status_code == 503
    assert b"make run" in response.content
