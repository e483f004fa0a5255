"""Designs leaving the editor: files out and back in, share links, read-only views, forks."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys import open_stage, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def shot(page: Page, name: str) -> None:
    screenshot(page, "canvas", name)


def test_a_design_is_exported_to_a_file_and_imported_back(page: Page, tmp_path):
    open_stage(page, 4)
    page.get_by_test_id("file-menu").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-file").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name == "stage-4-database-replication.json"

    document = json.loads(exported.read_text())
    example = json.loads((REPO / "examples" / "04-replication.json").read_text())
    assert document["nodes"] == example["nodes"]
    assert document["edges"] == example["edges"]
    assert document["workload"] == example["workload"]

    page.get_by_test_id("import-file").set_input_files(str(exported))
    expect(page.get_by_test_id("toast").last).to_contain_text("Imported")
    expect(page.get_by_test_id("design-title")).to_have_value("Stage 4: database replication")
    expect(page.locator(".react-flow__node")).to_have_count(len(example["nodes"]))
    expect(page.locator(".react-flow__edge")).to_have_count(len(example["edges"]))

    page.goto("/")
    expect(page.get_by_test_id("design-row")).to_have_count(2)

    page.goto("/")
    page.get_by_test_id("design-open").first.click()
    page.get_by_test_id("file-menu").click()
    with page.expect_download() as picture:
        page.get_by_test_id("export-png").click()
    assert picture.value.suggested_filename.endswith(".png")
    page.get_by_test_id("file-menu").click()
    with page.expect_download() as vector:
        page.get_by_test_id("export-svg").click()
    assert vector.value.suggested_filename.endswith(".svg")
    shot(page, "export-and-import")


def test_a_share_link_shows_the_design_read_only_and_forks_it(page: Page, browser):
    scenario_id = open_stage(page, 3)
    page.get_by_test_id("share-open").click()
    page.get_by_test_id("share-create").click()
    url = page.get_by_test_id("share-url").input_value()
    assert re.search(r"/s/[\w-]{16,}$", url)
    shot(page, "share-dialog")
    page.get_by_test_id("share-dialog-close").click()

    visitor = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        viewer = visitor.new_page()
        viewer.goto(url)
        expect(viewer.get_by_test_id("readonly-banner")).to_be_visible()
        expect(viewer.get_by_test_id("editor")).to_have_attribute("data-readonly", "true")
        expect(viewer.get_by_test_id("node-web-1")).to_be_visible()
        expect(viewer.get_by_test_id("palette")).to_have_count(0)
        expect(viewer.get_by_test_id("undo")).to_have_count(0)
        viewer.get_by_test_id("node-web-1").click()
        expect(viewer.get_by_test_id("field-instances")).to_have_attribute("readonly", "")
        viewer.keyboard.press("Delete")
        expect(viewer.get_by_test_id("node-web-1")).to_be_visible()
        expect(viewer.get_by_test_id("spof-lb")).to_be_visible()
        shot(viewer, "shared-read-only")

        viewer.get_by_test_id("fork").click()
        expect(viewer).to_have_url(re.compile(r"/d/[0-9a-f-]+$"))
        fork_id = viewer.url.rsplit("/", 1)[1]
        assert fork_id != scenario_id
        expect(viewer.get_by_test_id("editor")).to_have_attribute("data-readonly", "false")
        expect(viewer.get_by_test_id("palette")).to_be_visible()
        viewer.get_by_test_id("node-web-2").click()
        viewer.keyboard.press("Delete")
        expect(viewer.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
        shot(viewer, "forked")
        origin = url.split("/s/")[0]
        saved = viewer.request.get(f"{origin}/api/scenarios/{fork_id}").json()
        assert "web-2" not in [n["id"] for n in saved["document"]["nodes"]]
    finally:
        visitor.close()

    # The owner's design is untouched, and revoking the link closes it.
    page.get_by_test_id("share-open").click()
    page.get_by_test_id("share-revoke").click()
    expect(page.get_by_test_id("share-link")).to_have_count(0)
    gone = page.request.get(url.replace("/s/", "/api/shared/"))
    assert gone.status == 404


def test_a_stale_save_shows_a_conflict_and_keeps_the_work(page: Page):
    scenario_id = open_stage(page, 1)
    current = page.request.get(f"/api/scenarios/{scenario_id}").json()
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    other = page.request.put(
        f"/api/scenarios/{scenario_id}",
        data={"base_revision": current["revision"], "document": current["document"]},
        headers={"X-CSRFToken": csrf},
    )
    assert other.ok

    page.get_by_test_id("palette-cache").click()
    expect(page.get_by_test_id("conflict-banner")).to_be_visible()
    expect(page.get_by_test_id("node-cache-1")).to_be_visible()
    shot(page, "conflict")

    page.get_by_test_id("conflict-copy").click()
    expect(page).not_to_have_url(re.compile(scenario_id))
    expect(page.get_by_test_id("node-cache-1")).to_be_visible()
    expect(page.get_by_test_id("design-title")).to_have_value(re.compile(r"\(my copy\)$"))
