"""A run that no host can take yet waits in line in the browser, saying its place, and starts
on its own once a worker is up."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys import open_stage, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_run_waits_with_its_place_in_line_and_starts_when_a_worker_comes(
    page: Page, celery_worker
):
    open_stage(page, 3)
    expect(page.get_by_test_id("run-start")).to_be_enabled()
    page.get_by_test_id("run-duration").select_option("600")  # a minute at 10×: still going
    celery_worker.stop()  # no host: the run can only wait
    try:
        page.get_by_test_id("run-start").click()
        expect(page.get_by_test_id("run-state")).to_have_attribute("data-state", "queued")
        queue = page.get_by_test_id("run-queue")
        expect(queue).to_contain_text("1st in line")
        expect(queue).to_contain_text("no worker is running")
        screenshot(page, "run-waits", "waiting-for-a-worker")
    finally:
        celery_worker.start()

    expect(page.get_by_test_id("run-state")).to_have_attribute(
        "data-state", "running", timeout=30_000
    )
    expect(page.get_by_test_id("run-queue")).to_have_count(0)
    expect(page.get_by_test_id("chart-throughput")).to_have_attribute(
        "data-last", "150", timeout=30_000
    )
    screenshot(page, "run-waits", "running-after-waiting")
    page.get_by_test_id("run-stop").click()
    expect(page.get_by_test_id("run-state")).to_have_attribute(
        "data-state", "cancelled", timeout=30_000
    )
