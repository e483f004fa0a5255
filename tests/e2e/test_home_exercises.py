"""A learner finds the exercises that come with ScaleLab on the start page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_start_page_lists_the_shipped_exercises_and_opens_one(page):
    call_command("load_exercises")

    page.goto("/")
    cards = page.get_by_test_id("shipped-exercise")
    expect(cards).to_have_count(4)
    expect(cards.first).to_contain_text("availability at least 98.00 %")
    cards.first.get_by_role("link").click()

    expect(page.get_by_test_id("exercise-title")).to_have_text(
        "Survive the primary database failing"
    )
    expect(page.get_by_test_id("exercise-brief")).to_contain_text("Your task:")
