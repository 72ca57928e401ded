"""A care manager's day in a real browser: sign in, claim the PHQ-9, submit it with an answer missing, read the
field's message, fix it, submit, and land on the next task for the same patient."""
from __future__ import annotations

import re

from tests.e2e.conftest import PASSWORD

ANSWERS = {1: "Several days", 2: "Not at all", 3: "More than half the days", 4: "Several days",
           5: "Not at all", 6: "Not at all", 7: "Several days", 8: "Not at all", 9: "Not at all"}


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer(page, item: int, label: str) -> None:
    group = page.get_by_role("group").filter(has=page.locator(f"input[name='phq9_{item}']"))
    group.get_by_label(label, exact=True).check()


def test_care_manager_fixes_a_missing_phq9_answer_and_lands_on_the_next_task(live, page, mood_screening_task,
                                                                                 artifacts):
    base, service = live
    sign_in(page, base, "carl")
    page.locator(".tabs").get_by_role("link", name=re.compile("Care manager queue")).click()
    page.screenshot(path=str(artifacts / "01-queue.png"), full_page=True)

    row = page.get_by_role("row").filter(has_text="Lopez")
    row.get_by_role("button", name="Claim").click()
    page.locator(".tabs").get_by_role("link", name=re.compile("My tasks")).click()
    page.get_by_role("link", name=mood_screening_task.title).click()
    page.screenshot(path=str(artifacts / "02-task.png"), full_page=True)

    for item, label in ANSWERS.items():
        if item != 5:  # leave item 5 unanswered
            answer(page, item, label)
    page.get_by_role("button", name="Submit").click()

    summary = page.get_by_role("alert")
    summary.wait_for()
    page.screenshot(path=str(artifacts / "03-missing-answer.png"), full_page=True)
    item5 = page.get_by_role("group", name=re.compile("Poor appetite"))
    assert "Choose an answer" in item5.inner_text()
    assert item5.get_by_label("Not at all", exact=True).get_attribute("aria-invalid") == "true"
    # what was typed is still there
    assert page.locator("input[name='phq9_3'][value='2']").is_checked()

    answer(page, 5, "Not at all")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    page.screenshot(path=str(artifacts / "04-next-task.png"), full_page=True)
    assert "GAD-7" in page.locator("h1").inner_text()
    assert service.task(mood_screening_task.id).status == "completed"
