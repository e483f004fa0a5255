"""Exercises in the browser, the whole loop: an instructor writes and publishes one, a student
opens the link, builds, submits and reads the report, and the instructor's dashboard shows it."""

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from tests.e2e.journeys import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough passphrase 42"
GRADING_TIMEOUT_MS = 90_000


def shot(page: Page, name: str) -> None:
    screenshot(page, "exercises", name, full_page=True)


def log_in(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_test_id("login-open").click()
    page.get_by_test_id("account-username").fill(username)
    page.get_by_test_id("account-password").fill(PASSWORD)
    page.get_by_test_id("account-submit").click()
    expect(page.get_by_test_id("account-name")).to_have_text(username)


def make_users(settings) -> None:
    # The test settings hash with MD5 for speed; the server process knows only its own hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    users = get_user_model().objects
    instructor = users.create_user("prof", password=PASSWORD)
    instructor.user_permissions.add(
        Permission.objects.get(codename="author_exercises", content_type__app_label="exercises")
    )
    users.create_user("ada", password=PASSWORD)


def write_and_publish(page: Page) -> str:
    """The instructor's part: the exercise, from an empty form to a published link."""
    page.get_by_test_id("exercises-home-link").click()
    expect(page.get_by_test_id("no-exercises")).to_be_visible()
    page.get_by_test_id("exercise-new").click()
    page.get_by_test_id("exercise-title-input").fill("Scale out the web tier")
    page.get_by_test_id("exercise-brief-input").fill(
        "**Your task:** keep static pages up when a web server dies, within budget.\n\n"
        "- the `users` node is locked\n- no CDN\n\n<script>window.pwned = 1</script>"
    )
    expect(page.get_by_test_id("brief-preview").locator("strong")).to_have_text("Your task:")
    page.get_by_test_id("starting-design").select_option("template:02-separate-database")
    page.get_by_test_id("lock-users").check()
    page.get_by_test_id("lock-db").check()
    page.get_by_test_id("ban-cdn").check()
    page.get_by_test_id("limit-server").fill("2")

    page.get_by_test_id("criterion-0-class").select_option("static")
    page.get_by_test_id("criterion-0-weight").fill("2")
    page.get_by_test_id("criterion-add").click()
    page.get_by_test_id("criterion-1-below-ms").fill("500")
    page.get_by_test_id("criterion-add").click()
    page.get_by_test_id("criterion-2-type").select_option("max_users")
    page.get_by_test_id("criterion-2-at-least").fill("5000")
    page.get_by_test_id("criterion-add").click()
    page.get_by_test_id("criterion-3-type").select_option("cost")
    page.get_by_test_id("criterion-3-budget").fill("300")
    expect(page.get_by_test_id("criterion-3-label")).to_have_text("cost at most $300 a month")

    page.get_by_test_id("drill-add").click()
    page.get_by_test_id("drill-0-name").fill("db slows")
    page.get_by_test_id("drill-0-duration").fill("120")
    page.get_by_test_id("drill-0-failure-0-action").select_option("slow")
    page.get_by_test_id("drill-0-failure-0-target").fill("db")
    page.get_by_test_id("criterion-add").click()
    page.get_by_test_id("criterion-4-type").select_option("error_rate")
    page.get_by_test_id("criterion-4-drill").select_option("db slows")
    expect(page.get_by_test_id("criterion-4-label")).to_have_text(
        "error rate below 1.00 % during 'db slows'"
    )

    page.get_by_test_id("exercise-save").click()
    expect(page).to_have_url(re.compile(r"/exercises/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("exercise-state")).to_have_text("draft")
    page.get_by_test_id("exercise-publish").click()
    expect(page.get_by_test_id("exercise-state")).to_have_text("published")
    page.set_viewport_size({"width": 1280, "height": 2300})
    page.get_by_test_id("exercise-editor").evaluate("main => main.scrollTo(0, 0)")
    shot(page, "01-instructor-form")
    page.set_viewport_size({"width": 1280, "height": 800})
    return urlparse(page.get_by_test_id("exercise-link").input_value()).path


def test_an_instructor_publishes_a_student_submits_and_the_dashboard_shows_the_score(
    page: Page, browser, live_app, settings
):
    make_users(settings)
    log_in(page, "prof")
    link = write_and_publish(page)
    assert re.fullmatch(r"/x/[\w-]+", link)

    # The dashboard is open, and empty, before anyone submits: the row arrives live.
    page.get_by_test_id("tab-dashboard").click()
    expect(page.get_by_test_id("dashboard-empty")).to_be_visible()

    context = browser.new_context(base_url=live_app.url, viewport={"width": 1440, "height": 900})
    student = context.new_page()
    errors: list[str] = []
    student.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(student, "ada")
    student.goto(link)
    expect(student.get_by_test_id("exercise-title")).to_have_text("Scale out the web tier")
    expect(student.get_by_test_id("exercise-brief").locator("strong")).to_have_text("Your task:")
    expect(student.get_by_test_id("criteria").locator("li")).to_have_count(5)
    expect(student.get_by_test_id("rules-locked")).to_contain_text("users, db")
    expect(student.get_by_test_id("rules-banned")).to_contain_text("cdn")
    assert student.evaluate("window.pwned") is None, "the brief's script ran"
    shot(student, "02-student-brief")

    student.get_by_test_id("exercise-start").click()
    expect(student).to_have_url(re.compile(r"/x/[\w-]+/work$"))
    expect(student.get_by_test_id("canvas")).to_be_visible()
    expect(student.get_by_test_id("exercise-panel")).to_be_visible()

    # Changing a locked node is refused, in plain words, by the server.
    student.get_by_test_id("node-db").click()
    student.get_by_test_id("field-label").fill("my database")
    expect(student.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    student.get_by_test_id("exercise-submit").click()
    expect(student.get_by_test_id("submit-refusal")).to_contain_text(
        "db is locked by the exercise: it may not change"
    )
    shot(student, "03-student-refused")
    student.get_by_test_id("undo").click()
    expect(student.get_by_test_id("field-label")).to_have_value("")

    # Build: three instances of the web server.
    student.get_by_test_id("node-web").click()
    student.get_by_test_id("field-instances").fill("3")
    expect(student.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    student.get_by_test_id("exercise-submit").click()
    expect(student.get_by_test_id("submit-refusal")).to_have_count(0)
    expect(student.get_by_test_id("grading-state")).to_have_text(
        "Graded", timeout=GRADING_TIMEOUT_MS
    )
    expect(student.get_by_test_id("report-score")).to_have_text("83.3 %")
    for index, passed in enumerate(["true", "true", "true", "false", "true"]):
        expect(student.get_by_test_id(f"report-criterion-{index}")).to_have_attribute(
            "data-passed", passed
        )
    expect(student.get_by_test_id("report-criterion-3")).to_contain_text("above the $300 budget")
    expect(student.get_by_test_id("criterion-3")).to_have_attribute("data-state", "fail")
    expect(student.get_by_test_id("history-row")).to_have_count(1)
    shot(student, "04-student-report")

    # The instructor's dashboard, untouched since it opened, shows the graded row.
    row = page.get_by_test_id("dashboard-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("dashboard-student")).to_have_text("ada")
    expect(row.get_by_test_id("dashboard-score")).to_have_text("83.3 %", timeout=GRADING_TIMEOUT_MS)
    expect(row.get_by_test_id("dashboard-criterion-0")).to_have_attribute("data-passed", "true")
    expect(row.get_by_test_id("dashboard-criterion-3")).to_have_attribute("data-passed", "false")
    csv = page.request.get(page.get_by_test_id("dashboard-csv").get_attribute("href"))
    assert csv.ok and "ada" in csv.text()
    shot(page, "05-instructor-dashboard")

    # The submitted design opens read-only, as the student left it.
    row.get_by_test_id("dashboard-open").click()
    expect(page.get_by_test_id("editor")).to_have_attribute("data-readonly", "true")
    expect(page.get_by_test_id("submission-student")).to_have_text("ada")
    page.get_by_test_id("node-web").click()
    expect(page.get_by_test_id("field-instances")).to_have_value("3")
    page.get_by_test_id("submission-report-toggle").click()
    expect(page.get_by_test_id("report-score")).to_have_text("83.3 %")
    shot(page, "06-instructor-submission")

    page.get_by_test_id("submission-back").click()
    expect(page.get_by_test_id("dashboard-row")).to_have_count(1)
    page.get_by_test_id("exercises-link").click()
    expect(page.get_by_test_id("exercise-row")).to_contain_text("published")
    shot(page, "07-instructor-list")

    context.close()
    assert not errors, f"the student's page raised: {errors}"
