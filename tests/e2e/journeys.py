"""Steps the browser journeys share: keeping a screenshot as a test artefact, and opening
one of the chapter's stages as a new design."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results"


def screenshot(page: Page, journey: str, name: str, *, full_page: bool = False) -> None:
    """Keep a screenshot under test-results/<journey>/<name>.png."""
    folder = ARTEFACTS / journey
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def open_stage(page: Page, stage: int) -> str:
    """Start a design from stage `stage` on the start page; the new design's id."""
    page.goto("/")
    page.get_by_test_id(f"template-{stage}").click()
    expect(page).to_have_url(re.compile(r"/d/[0-9a-f-]+$"))
    expect(page.get_by_test_id("canvas")).to_be_visible()
    return page.url.rsplit("/", 1)[1]
