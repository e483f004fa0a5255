"""Live runs in the browser: run the chapter's stage 3, watch the charts and the canvas move,
break a web server and see the load balancer's health check route around it, and replay a
finished run through a share link."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys import open_stage, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The worker paces a run at 10 simulated seconds per wall second by default; the load
# balancer notices a dead target after 2 health checks 30 s apart, so about 6 s of wall time.
RUN_TIMEOUT_MS = 30_000


def shot(page: Page, name: str) -> None:
    screenshot(page, "run", name)


def open_stage_ready(page: Page, stage: int) -> None:
    open_stage(page, stage)
    expect(page.get_by_test_id("run-start")).to_be_enabled()


def wait_until(page: Page, predicate, what: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Poll from Python: the page's Content-Security-Policy forbids the string evaluation
    that Playwright's wait_for_function uses."""
    for _ in range(timeout_ms // 100):
        if predicate():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def points(page: Page, chart: str) -> int:
    return int(page.get_by_test_id(chart).get_attribute("data-points") or 0)


def test_a_run_moves_the_charts_and_a_killed_web_server_fails_until_the_health_check(page: Page):
    open_stage_ready(page, 3)
    page.get_by_test_id("run-duration").select_option("600")
    page.get_by_test_id("run-start").click()

    expect(page.get_by_test_id("run-state")).to_have_attribute(
        "data-state", "running", timeout=RUN_TIMEOUT_MS
    )
    throughput = page.get_by_test_id("chart-throughput")
    expect(throughput).to_have_attribute("data-last", "150", timeout=RUN_TIMEOUT_MS)
    before = points(page, "chart-throughput")
    wait_until(page, lambda: points(page, "chart-throughput") > before + 5, "the chart to grow")
    expect(page.get_by_test_id("chart-latency").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("live-web-1")).to_have_attribute("data-health", "ok")
    shot(page, "run-stage-3")

    # More users while it runs: the next frames offer 1,500 × 0.15 requests a second.
    page.get_by_test_id("users-input").fill("1500")
    page.get_by_test_id("users-input").press("Enter")
    expect(page.get_by_test_id("run-control").first).to_have_attribute("data-status", "applied")
    expect(throughput).to_have_attribute("data-last", "225", timeout=RUN_TIMEOUT_MS)

    page.get_by_test_id("node-web-1").click(button="right")
    menu = page.get_by_test_id("node-menu")
    expect(menu).to_be_visible()
    menu.get_by_test_id("node-menu-kill").click()

    errors = page.get_by_test_id("chart-errors")
    expect(errors).to_have_attribute("data-last", re.compile(r"^[1-9]"), timeout=RUN_TIMEOUT_MS)
    expect(errors).to_contain_text("node down at web-1")
    expect(page.get_by_test_id("live-web-1")).to_have_attribute("data-health", "dead")
    expect(page.get_by_test_id("event-log")).to_contain_text("web-1")
    shot(page, "run-web-1-killed")

    expect(errors).to_have_attribute("data-last", "0", timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("event-log")).to_contain_text("health check")
    expect(throughput).to_contain_text("served 225")
    shot(page, "run-web-1-routed-around")

    # One more web server like web-2, while it runs: the load balancer shares the load with it.
    busy = float(page.get_by_test_id("live-web-2").get_attribute("data-utilization"))
    page.get_by_test_id("node-web-2").click(button="right")
    page.get_by_test_id("node-menu").get_by_test_id("node-menu-add-like").click()
    expect(page.get_by_test_id("node-web-3")).to_be_visible()
    expect(page.get_by_test_id("live-web-3")).to_have_attribute(
        "data-health", "ok", timeout=RUN_TIMEOUT_MS
    )
    web_2 = page.get_by_test_id("live-web-2")
    wait_until(
        page,
        lambda: float(web_2.get_attribute("data-utilization")) < busy * 0.7,
        "web-2 to lose load to web-3",
    )
    shot(page, "run-web-3-added")

    line = page.get_by_test_id("event-line").filter(has_text="health check").first
    line.get_by_role("button").click()
    expect(page.get_by_test_id("inspector-node")).to_have_attribute(
        "data-node", re.compile(r"lb|web-1")
    )

    page.get_by_test_id("run-stop").click()
    expect(page.get_by_test_id("run-state")).to_have_attribute(
        "data-state", "cancelled", timeout=RUN_TIMEOUT_MS
    )
    expect(page.get_by_test_id("run-again")).to_be_visible()


def test_a_finished_run_is_replayed_with_the_scrubber_through_the_share_link(page: Page, browser):
    open_stage_ready(page, 3)
    page.get_by_test_id("run-duration").select_option("60")
    page.get_by_test_id("run-start").click()
    expect(page.get_by_test_id("run-state")).to_have_attribute(
        "data-state", "finished", timeout=RUN_TIMEOUT_MS
    )
    expect(page.get_by_test_id("recorded-run").first).to_have_attribute("data-state", "finished")

    page.get_by_test_id("share-open").click()
    page.get_by_test_id("share-create").click()
    url = page.get_by_test_id("share-url").input_value()
    page.get_by_test_id("share-dialog-close").click()

    visitor = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        viewer = visitor.new_page()
        viewer.goto(url)
        expect(viewer.get_by_test_id("readonly-banner")).to_be_visible()
        expect(viewer.get_by_test_id("run-start")).to_have_count(0)
        viewer.get_by_test_id("recorded-run-replay").first.click()

        expect(viewer.get_by_test_id("replay-status")).to_have_text(re.compile(r"^\d+ frames$"))
        total = int(viewer.get_by_test_id("replay-status").inner_text().split()[0])
        assert total > 10
        scrubber = viewer.get_by_test_id("replay-scrubber")
        expect(scrubber).to_be_enabled()
        expect(viewer.get_by_test_id("replay-time")).to_contain_text("1:00 / 1:00")
        assert points(viewer, "chart-throughput") == total

        scrubber.focus()
        scrubber.press("Home")
        expect(viewer.get_by_test_id("replay-time")).to_contain_text(re.compile(r"^0:0\d / 1:00"))
        expect(viewer.get_by_test_id("chart-throughput")).to_have_attribute("data-points", "1")
        for _ in range(20):
            scrubber.press("ArrowRight")
        expect(viewer.get_by_test_id("chart-throughput")).to_have_attribute("data-points", "21")
        expect(viewer.get_by_test_id("live-web-1")).to_have_attribute("data-health", "ok")
        screenshot(viewer, "run", "replay-shared")
    finally:
        visitor.close()
