"""Building designs in the browser: by dragging and connecting, and by the keyboard alone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAGE_3_EDGES = {
    ("users", "lb-1"),
    ("lb-1", "web-1"),
    ("lb-1", "web-2"),
    ("web-1", "db-1"),
    ("web-2", "db-1"),
}


def shot(page: Page, name: str) -> None:
    screenshot(page, "canvas", name)


def open_new_design(page: Page) -> str:
    page.goto("/")
    page.get_by_test_id("new-design").click()
    expect(page).to_have_url(re.compile(r"/d/[0-9a-f-]+$"))
    expect(page.get_by_test_id("canvas")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def drop(page: Page, kind: str, x: int, y: int) -> None:
    page.get_by_test_id(f"palette-{kind}").drag_to(
        page.get_by_test_id("canvas"), target_position={"x": x, "y": y}
    )


def link(page: Page, source: str, target: str, *, release: bool = True) -> None:
    start = page.get_by_test_id(f"handle-out-{source}").bounding_box()
    end = page.get_by_test_id(f"handle-in-{target}").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    if release:
        page.mouse.up()


def saved_design(page: Page, scenario_id: str) -> dict:
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    response = page.request.get(f"/api/scenarios/{scenario_id}")
    assert response.ok
    return response.json()


def stage_3_shape(document: dict) -> tuple[list[str], set[tuple[str, str]]]:
    kinds = sorted(n["kind"] for n in document["nodes"])
    return kinds, {(e["from"], e["to"]) for e in document["edges"]}


def test_stage_3_is_built_from_an_empty_canvas_by_dragging_and_connecting(page: Page):
    page.set_viewport_size({"width": 1600, "height": 900})
    scenario_id = open_new_design(page)
    expect(page.locator(".react-flow__node")).to_have_count(0)

    drop(page, "users", 60, 330)
    drop(page, "load_balancer", 290, 330)
    drop(page, "server", 520, 210)
    drop(page, "server", 520, 450)
    drop(page, "database", 760, 330)
    expect(page.locator(".react-flow__node")).to_have_count(5)

    for source, target in sorted(STAGE_3_EDGES):
        link(page, source, target)
    expect(page.locator(".react-flow__edge")).to_have_count(5)

    # A link that makes no sense is refused on the spot, with the reason, before and after the drop.
    link(page, "db-1", "users", release=False)
    expect(page.get_by_test_id("connection-hint")).to_contain_text("Nothing sends requests")
    shot(page, "refused-link-while-drawing")
    page.mouse.up()
    expect(page.get_by_test_id("toast").last).to_contain_text("Nothing sends requests to the users")
    expect(page.locator(".react-flow__edge")).to_have_count(5)

    expect(page.get_by_test_id("summary-problems")).to_have_text("none")
    expect(page.get_by_test_id("summary-max-users")).not_to_have_text("—")
    expect(page.get_by_test_id("summary-cost")).to_contain_text("/mo")
    expect(page.get_by_test_id("spof-lb-1")).to_be_visible()
    shot(page, "build-stage-3-by-dragging")

    document = saved_design(page, scenario_id)["document"]
    assert stage_3_shape(document) == (
        ["database", "load_balancer", "server", "server", "users"],
        STAGE_3_EDGES,
    )


def test_inspector_edits_parameters_within_their_bounds(page: Page):
    scenario_id = open_new_design(page)
    page.get_by_test_id("palette-server").click()
    instances = page.get_by_test_id("field-instances")
    instances.fill("0")
    expect(page.get_by_test_id("field-instances-error")).to_contain_text("must be at least 1")
    instances.fill("3")
    expect(page.get_by_test_id("node-web-1")).to_contain_text("3 × m5.large")
    expect(page.get_by_test_id("summary-problems")).to_have_text("1 error, 0 warnings")
    document = saved_design(page, scenario_id)["document"]
    assert document["nodes"][0]["params"] == {"instances": 3}


def test_a_deletion_is_undone_and_redone(page: Page):
    page.goto("/")
    page.get_by_test_id("template-3").click()
    expect(page.get_by_test_id("node-web-2")).to_be_visible()

    page.get_by_test_id("node-web-2").click()
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("node-web-2")).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(3)

    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("node-web-2")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(5)

    page.get_by_test_id("redo").click()
    expect(page.get_by_test_id("node-web-2")).to_have_count(0)

    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("node-web-2")).to_be_visible()
    shot(page, "undo-redo-deletion")


def test_several_components_are_selected_copied_and_pasted(page: Page):
    page.goto("/")
    page.get_by_test_id("template-3").click()
    page.get_by_test_id("node-web-1").click()
    page.get_by_test_id("node-db").click(modifiers=["Shift"])
    expect(page.get_by_test_id("inspector-several")).to_contain_text("2 components, 0 links")

    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.get_by_test_id("node-web-3")).to_be_visible()
    expect(page.get_by_test_id("node-db-1")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(6)

    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("node-web-3")).to_have_count(0)


def test_stage_3_is_built_with_the_keyboard_alone(page: Page):
    scenario_id = open_new_design(page)
    page.get_by_test_id("canvas").focus()

    # Add: users, load balancer, two servers, a database (positions in the kind list).
    for downs in (0, 3, 4, 4, 6):
        page.keyboard.press("a")
        expect(page.get_by_test_id("add-dialog")).to_be_visible()
        for _ in range(downs):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("add-dialog")).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(5)

    order = ["users", "lb-1", "web-1", "web-2", "db-1"]
    for source, target in [
        ("users", "lb-1"),
        ("lb-1", "web-1"),
        ("lb-1", "web-2"),
        ("web-1", "db-1"),
        ("web-2", "db-1"),
    ]:
        page.keyboard.press("Escape")
        page.keyboard.press("c")
        expect(page.get_by_test_id("connect-dialog")).to_be_visible()
        for _ in range(order.index(source)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        # The "to" list starts at the first id other than the "from" one: lb-1.
        for _ in range(order.index(target) - 1):
            page.keyboard.press("ArrowDown")
        expect(page.get_by_test_id("connect-verdict")).to_have_text("A request link.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("connect-dialog")).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(5)

    page.keyboard.press("t")
    expect(page.get_by_test_id("table-view")).to_be_visible()
    expect(page.get_by_test_id("table-edge-web-2->db-1")).to_contain_text("request")
    expect(page.get_by_test_id("summary-problems")).to_have_text("none")
    shot(page, "build-stage-3-by-keyboard")

    document = saved_design(page, scenario_id)["document"]
    assert stage_3_shape(document) == (
        ["database", "load_balancer", "server", "server", "users"],
        STAGE_3_EDGES,
    )
