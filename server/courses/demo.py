"""The demo's course: published, assigned to everyone and due in two weeks, three lessons (two
with a quiz) and a ten-question bank, so the demo employee has something to take and the
demo director's store has some progress to look at. Safe to load twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.community.access import load_viewer
from server.courses import authoring, service
from server.models import AudienceKind, Course, Employee, EmployeeStatus, Lesson, Role
from server.services import Services

TITLE = "Service at the till"

LESSONS: list[tuple[str, str, dict[str, Any] | None]] = [
    (
        "Welcome at the till",
        "## The first ten seconds\n\nLook up, smile and **greet every customer** before you "
        "scan the first item.\n\n- Say hello, and your name if they ask.\n- Ask whether they "
        "have our loyalty card.\n- Keep the belt moving: offer a bag early.\n\n> A customer "
        "remembers the greeting longer than the queue.",
        None,
    ),
    (
        "Payments and receipts",
        "## Taking payment\n\nCards first, cash second. For cash, **count the change back** "
        "aloud, from the price up.\n\n1. Say the total.\n2. Take the payment and say what you "
        "were given.\n3. Count the change back and hand over the receipt.\n\nA receipt is "
        "always offered, and printed unless the customer declines it.",
        {"question_count": 4, "time_limit_s": 300, "pass_mark": 75, "attempts": 3},
    ),
    (
        "Returns and complaints",
        "## Returns\n\nA customer may return an item **within 14 days** with the receipt. "
        "Call the shift lead for anything above 5,000 ₽ or without a receipt.\n\n## "
        "Complaints\n\nListen to the end, apologise for the trouble, and offer what you can "
        "do now. Never argue at the till.",
        {"question_count": 4, "time_limit_s": 300, "pass_mark": 75, "attempts": 3},
    ),
]


def _q(kind: str, text: str, options: list[tuple[str, bool]], explanation: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "text": text,
        "options": [{"text": t, "correct": c} for t, c in options],
        "explanation": explanation,
    }


QUESTIONS: list[dict[str, Any]] = [
    _q(
        "single",
        "When do you greet a customer?",
        [
            ("Before scanning the first item", True),
            ("After payment", False),
            ("Only if they greet you", False),
        ],
        "The greeting comes first, before the first item.",
    ),
    _q(
        "multiple",
        "What do you offer every customer?",
        [("The loyalty card", True), ("A bag", True), ("A discount", False)],
        "The card and a bag; discounts are not ours to give.",
    ),
    _q(
        "true_false",
        "Change is counted back aloud.",
        [("True", True), ("False", False)],
        "From the price up, so both of you can follow it.",
    ),
    _q(
        "single",
        "Which payment goes first?",
        [("Card", True), ("Cash", False), ("Whichever is larger", False)],
        "Cards first, cash second.",
    ),
    _q(
        "true_false",
        "A receipt is printed only when the customer asks.",
        [("True", False), ("False", True)],
        "It is printed unless the customer declines it.",
    ),
    _q(
        "multiple",
        "What do you say during a cash payment?",
        [("The total", True), ("What you were given", True), ("The customer's card number", False)],
        "The total, then what you were given, then the change.",
    ),
    _q(
        "single",
        "How long may a customer return an item?",
        [("14 days", True), ("7 days", False), ("30 days", False)],
        "Within 14 days, with the receipt.",
    ),
    _q(
        "single",
        "A return of 8,000 ₽: who decides?",
        [("The shift lead", True), ("You", False), ("The customer", False)],
        "Anything above 5,000 ₽ goes to the shift lead.",
    ),
    _q(
        "multiple",
        "How do you handle a complaint?",
        [
            ("Listen to the end", True),
            ("Apologise for the trouble", True),
            ("Explain why they are wrong", False),
        ],
        "Listen, apologise, and offer what you can do now.",
    ),
    _q(
        "true_false",
        "A return without a receipt needs the shift lead.",
        [("True", True), ("False", False)],
        "No receipt: call the shift lead.",
    ),
]


async def load_demo_course(services: Services) -> Course | None:
    if await Course.exists(title=TITLE):
        return None
    people = await Employee.filter(status=EmployeeStatus.ACTIVE).order_by("id")
    comms = next((p for p in people if p.role == Role.COMMS), None)
    director = next((p for p in people if p.role == Role.MANAGER), None)
    if comms is None:
        return None
    course = await authoring.create_course(
        comms.id, TITLE, "Three short lessons on greeting, payment and returns, with two quizzes."
    )
    for title, body, quiz in LESSONS:
        await authoring.add_lesson(course.id, comms.id, "en", title, body, quiz)
    for question in QUESTIONS:
        await authoring.add_question(course.id, comms.id, "en", question)
    await authoring.set_state(course.id, comms.id, "en", publish=True)
    due = (datetime.now(UTC) + timedelta(days=14)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    await authoring.add_assignment(course.id, comms.id, "en", AudienceKind.EVERYONE, None, due)
    # Some progress in the director's store: two colleagues have read the first lesson.
    if director is not None and director.store_id is not None:
        first = await Lesson.filter(course_id=course.id).order_by("position").first()
        colleagues = [
            p for p in people if p.store_id == director.store_id and p.role == Role.EMPLOYEE
        ]
        if first is not None:
            for person in [p for p in colleagues if not p.email.startswith("employee@")][:2]:
                await service.mark_read(services, await load_viewer(person), first)
    return course
