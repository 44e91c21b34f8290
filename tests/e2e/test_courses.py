"""Courses as people use them: the comms team writes a course in the workspace (a lesson
with a quiz, the question bank), is told what keeps it from publishing, assigns it to a
store and publishes it; the store's employee on a 360 px phone reads the lesson, takes the
quiz (answers survive a reload, unanswered questions are confirmed), sees the result with
the explanations and the points in the wallet; the store's director sees the progress."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    PHONE,
    Plaza,
    new_context,
    png,
    screenshot,
    serious_axe_violations,
    sideways_overflow,
)

RIGHT = "Offer help within a minute"
WRONG = "Wait until the customer asks"


def _notice(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main div.live[role=status]")


def _write_course(page: Page, title: str, store: str) -> int:
    page.goto("/admin/courses")
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary").fill("How we greet and help customers on the floor.")
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    course_id = int(re.search(r"/admin/courses/(\d+)", page.url).group(1))  # type: ignore[union-attr]

    # A cover, saved as soon as it is chosen.
    cover = page.get_by_role("group", name="Cover picture")
    expect(cover).to_contain_text("No cover")
    cover.locator("input[type=file]").set_input_files(
        {"name": "cover.png", "mimeType": "image/png", "buffer": png(160, 90, seed=7)}
    )
    expect(_notice(page)).to_contain_text("The cover is saved.")
    expect(cover.get_by_role("img", name="The course's cover")).to_be_visible()
    expect(cover.get_by_role("button", name="Change the cover")).to_be_visible()

    # The lesson, with a preview of its Markdown and a quiz of two questions.
    lesson = page.get_by_test_id("lesson-editor").last
    lesson.get_by_label("Lesson title").fill("Greeting customers")
    lesson.get_by_label("Text (Markdown)").fill(
        "## Greet everyone\n\nSay **hello** within a minute."
    )
    # A picture uploaded from the editor goes in at the cursor and shows in the preview.
    lesson.locator("input[type=file]").set_input_files(
        {"name": "shelf-display.png", "mimeType": "image/png", "buffer": png(64, 36)}
    )
    expect(lesson.get_by_role("status")).to_contain_text("The picture is in the text")
    expect(lesson.get_by_label("Text (Markdown)")).to_have_value(
        re.compile(r"\!\[shelf display\]\(/api/attachments/\d+\)")
    )
    lesson.get_by_role("button", name="Preview").click()
    expect(lesson.locator(".preview strong")).to_have_text("hello")
    shown = lesson.locator(".preview img[alt='shelf display']")
    expect(shown).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 64", arg=shown.element_handle()
    )
    lesson.get_by_label("A quiz after this lesson").check()
    lesson.get_by_label("Questions drawn from the bank").fill("2")
    lesson.get_by_label("Time limit, minutes").fill("5")
    lesson.get_by_label("Pass mark, %").fill("50")
    lesson.get_by_role("button", name="Add a lesson").click()
    expect(page.locator("[data-lesson]")).to_have_count(1)

    # Publishing now is refused: the quiz asks for more questions than the bank has.
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_test_id("publish-problems")).to_be_visible()
    expect(page.get_by_test_id("course-state")).to_have_text("Draft")

    questions = page.get_by_test_id("question-editor").last
    questions.get_by_label("Question", exact=True).fill("A customer walks in. What do you do?")
    questions.get_by_label("Answer 1", exact=True).fill(RIGHT)
    questions.get_by_label("Answer 2", exact=True).fill(WRONG)
    questions.get_by_label("Answer 3", exact=True).fill("Keep stocking the shelf")
    questions.get_by_label("Answer 1 is correct").check()
    questions.get_by_label("Explanation, shown with the results").fill("A minute is the promise.")
    questions.get_by_role("button", name="Add a question").click()
    expect(page.locator("[data-question]")).to_have_count(1)

    # The adder closed once there was a question: open it again for the second one.
    page.locator("details.adder").last.locator("summary").click()
    questions = page.get_by_test_id("question-editor").last
    questions.get_by_label("Type").select_option("true_false")
    questions.get_by_label("Question", exact=True).fill("A smile counts as a greeting.")
    questions.get_by_label("Answer 1 is correct").check()
    questions.get_by_label("Explanation, shown with the results").fill("Smiles are greetings too.")
    questions.get_by_role("button", name="Add a question").click()
    expect(page.locator("[data-question]")).to_have_count(2)
    # What the problems said is fixed: the list empties as the course changes.
    expect(page.get_by_test_id("publish-problems")).to_have_count(0)

    page.get_by_label("Who").select_option("store")
    page.get_by_label("Which one").select_option(store)
    page.get_by_label("Due date").fill("2031-01-31")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("[data-assignment]")).to_contain_text(store)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_test_id("course-state")).to_have_text("Published")
    expect(_notice(page)).to_contain_text("Published")
    return course_id


def test_a_course_written_in_the_workspace_is_taken_on_a_phone_and_seen_by_the_director(
    browser: Browser, plaza: Plaza
) -> None:
    title = f"Customer greeting {uuid.uuid4().hex[:6]}"
    store = plaza.api("employee").get("/api/me").json()["store"]["name"]

    comms = new_context(browser, plaza, "comms")
    editor = comms.new_page()
    course_id = _write_course(editor, title, store)
    screenshot(editor, "courses-editor-desktop-en")

    # The employee, on a phone: the course is among those assigned, with its due date.
    context = new_context(browser, plaza, "employee", viewport=PHONE)
    page = context.new_page()
    page.goto("/courses")
    tile = page.locator(f"article[data-course='{course_id}']")
    expect(tile.locator(".cover img")).to_be_visible()
    expect(tile).to_contain_text("Due")
    expect(tile).to_contain_text("0 of 1 lesson")
    assert sideways_overflow(page) == 0
    tile.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    page.get_by_test_id("continue").click()
    expect(page.locator(".prose h2")).to_have_text("Greet everyone")
    # The lesson's picture, served to the course's reader.
    picture = page.locator(".prose img[alt='shelf display']")
    expect(picture).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 64", arg=picture.element_handle()
    )
    page.get_by_test_id("take-quiz").click()
    page.get_by_test_id("start-quiz").click()
    expect(page.get_by_test_id("countdown")).to_contain_text(re.compile(r"[45]:\d\d"))
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(2)
    screenshot(page, "courses-quiz-phone-en")
    assert sideways_overflow(page) == 0
    assert serious_axe_violations(page) == []

    # One answer, then a reload: the chosen option is still chosen.
    page.get_by_label(RIGHT).check()
    page.reload()
    expect(page.get_by_label(RIGHT)).to_be_checked()

    # Submitting with a question unanswered asks first.
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("1 question has no answer")
    dialog.get_by_role("button", name="Keep answering").click()
    page.locator("fieldset.question", has_text="A smile counts").get_by_label("True").check()
    page.get_by_role("button", name="Submit answers").click()

    result = page.get_by_test_id("quiz-result")
    expect(result.get_by_test_id("score")).to_have_text("100%")
    expect(result).to_contain_text("Passed")
    expect(result).to_contain_text("You completed the course!")
    expect(page.locator(".review .why").first).to_contain_text("Why:")
    expect(page.get_by_text("A minute is the promise.")).to_be_visible()
    # The rules settle the pass in the worker: the points arrive on the result.
    expect(result.get_by_test_id("points")).to_contain_text("points earned", timeout=20_000)
    screenshot(page, "courses-result-phone-en")
    assert sideways_overflow(page) == 0

    page.goto("/wallet")
    expect(page.get_by_test_id("history")).to_contain_text("Passed a quiz")

    page.goto(f"/courses/{course_id}")
    expect(page.get_by_text(re.compile("You completed this course"))).to_be_visible()

    # The store's director sees the employee's progress from the course page.
    director = new_context(browser, plaza, "director")
    board = director.new_page()
    board.goto(f"/courses/{course_id}")
    board.get_by_role("link", name="Store progress").click()
    expect(board.get_by_role("heading", name="Training progress", level=1)).to_be_visible()
    employee_id = plaza.api("employee").get("/api/me").json()["id"]
    row = board.locator(f"tr[data-person='{employee_id}']")
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("100%")
    screenshot(board, "courses-progress-desktop-en")
    assert serious_axe_violations(board) == []

    for ctx in (comms, context, director):
        ctx.close()


def test_an_employee_has_no_course_workspace(browser: Browser, plaza: Plaza) -> None:
    context = new_context(browser, plaza, "employee")
    page = context.new_page()
    page.goto("/admin/courses")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    context.close()
