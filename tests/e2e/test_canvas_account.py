"""The start page's account menu: a visitor's drafts follow them into a new account."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_keeps_their_draft_and_logs_out(page: Page):
    page.goto("/")
    expect(page.get_by_test_id("no-designs")).to_be_visible()
    page.get_by_test_id("template-2").click()
    expect(page).to_have_url(re.compile(r"/d/[0-9a-f-]+$"))
    page.get_by_test_id("home-link").click()
    expect(page.get_by_test_id("design-row")).to_have_count(1)

    page.get_by_test_id("signup-open").click()
    page.get_by_test_id("account-username").fill("ada")
    page.get_by_test_id("account-email").fill("ada@example.com")
    page.get_by_test_id("account-password").fill("a long enough passphrase 42")
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("account-name")).to_have_text("ada")
    expect(page.get_by_test_id("design-row")).to_have_count(1)
    expect(page.get_by_test_id("design-row")).to_contain_text("Stage 2")

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-open")).to_be_visible()
    expect(page.get_by_test_id("no-designs")).to_be_visible()

    page.get_by_test_id("login-open").click()
    page.get_by_test_id("account-username").fill("ada")
    page.get_by_test_id("account-password").fill("wrong")
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("account-error")).to_be_visible()
    page.get_by_test_id("account-password").fill("a long enough passphrase 42")
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("design-row")).to_have_count(1)
