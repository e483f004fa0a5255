"""The pipeline end to end: browser ⇄ daphne ⇄ channels-redis ⇄ Celery worker."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.runs.models import Run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_app_shows_every_frame_of_a_ping_run_a_real_worker_produced(
    page, celery_worker, tmp_path
):
    page.goto("/pipeline")
    expect(page.get_by_test_id("pipeline")).to_be_visible()
    expect(page.get_by_test_id("ws-status")).to_have_text("idle")

    page.get_by_test_id("ping-start").click()

    expect(page.get_by_test_id("ping-status")).to_contain_text("finished", timeout=20_000)
    frames = page.get_by_test_id("ping-frame")
    expect(frames).to_have_count(10)
    seqs = [frames.nth(i).get_attribute("data-seq") for i in range(10)]
    assert seqs == [str(n) for n in range(1, 11)]
    expect(frames.first).to_contain_text(celery_worker.name)
    expect(frames.last).to_contain_text(re.compile(r"ping 10 of 10"))
    [run] = Run.objects.all()
    assert run.state == "finished" and run.worker == celery_worker.name
    page.screenshot(path=str(tmp_path / "ping-run.png"), full_page=True)


def test_the_app_page_and_its_assets_are_served_by_daphne(page, live_app):
    response = page.goto("/")

    assert response is not None and response.status == 200
    assert page.title() == "ScaleLab"
    asset = page.locator("script[type=module]").first.get_attribute("src")
    assert asset and asset.startswith("/static/assets/")
    assert page.request.get(asset).status == 200
