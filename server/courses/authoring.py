"""Writing courses (comms and admins): courses, lessons, the question bank, assignments,
publishing. Every change is one transaction with its audit row; a change to a published
course that would leave it broken (a quiz asking for more questions than the bank has...)
is refused with the list of problems, as publishing is."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from server import audit
from server.community.sql import ints
from server.courses import grading
from server.courses.render import render_lesson
from server.errors import ApiError, not_found
from server.i18n import translate
from server.models import (
    Attachment,
    AudienceKind,
    City,
    Course,
    CourseAssignment,
    CourseState,
    Department,
    Lesson,
    Question,
    QuestionKind,
    Region,
    Store,
)

T = TypeVar("T")

_PLACES: dict[AudienceKind, Any] = {
    AudienceKind.STORE: Store,
    AudienceKind.DEPARTMENT: Department,
    AudienceKind.CITY: City,
    AudienceKind.REGION: Region,
}


async def course_or_404(course_id: int, conn: BaseDBAsyncClient | None = None) -> Course:
    query = Course.filter(id=course_id)
    if conn is not None:
        query = query.using_db(conn)
    course = await query.first()
    if course is None:
        raise not_found()
    return course


async def problems(course_id: int, locale: str, conn: BaseDBAsyncClient | None = None) -> list[str]:
    """What keeps a course from being published, in the reader's language ([] when none)."""
    lessons = Lesson.filter(course_id=course_id).order_by("position", "id")
    questions = Question.filter(course_id=course_id).order_by("position", "id")
    if conn is not None:
        lessons, questions = lessons.using_db(conn), questions.using_db(conn)
    lesson_rows, question_rows = await lessons, await questions
    found: list[str] = []
    if not lesson_rows:
        found.append(translate(locale, "courses.problem.no_lessons"))
    for lesson in lesson_rows:
        if not lesson.title.strip():
            found.append(
                translate(locale, "courses.problem.lesson_untitled", position=lesson.position)
            )
        if lesson.quiz and lesson.quiz_questions > len(question_rows):
            found.append(
                translate(
                    locale,
                    "courses.problem.bank_too_small",
                    lesson=lesson.title,
                    asks=lesson.quiz_questions,
                    has=len(question_rows),
                )
            )
    for number, question in enumerate(question_rows, start=1):
        for key in grading.problems_of_question(question.kind.value, question.options):
            found.append(translate(locale, key, number=number, text=question.text[:60]))
    return found


async def change(
    course_id: int,
    actor_id: int,
    action: str,
    locale: str,
    work: Callable[[Course, BaseDBAsyncClient], Awaitable[dict[str, Any]]],
) -> None:
    """Run one change of a course in a transaction with its audit row; a published course
    must still pass the publish checks afterwards."""
    async with in_transaction() as conn:
        course = await course_or_404(course_id, conn)
        detail = await work(course, conn)
        if course.state == CourseState.PUBLISHED:
            found = await problems(course.id, locale, conn)
            if found:
                raise publish_refused(found)
        await Course.filter(id=course.id).using_db(conn).update(updated_at=datetime.now(UTC))
        await audit.record(actor_id, action, f"course:{course.id}", detail)


def publish_refused(found: list[str]) -> ApiError:
    return ApiError(
        422,
        "course_not_ready",
        detail_key="courses.not_ready",
        problems="; ".join(found),
        extra={"problems": found},
    )


async def create_course(actor_id: int, title: str, summary: str) -> Course:
    async with in_transaction() as conn:
        course = await Course.create(
            title=title, summary=summary, created_by_id=actor_id, using_db=conn
        )
        await audit.record(actor_id, "course.create", f"course:{course.id}", {"title": title})
    return course


async def update_course(
    course_id: int, actor_id: int, locale: str, changes: dict[str, Any]
) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("title", "summary"):
            if name in changes:
                values[name] = changes[name]
        if "cover_upload_id" in changes:
            upload_id = changes["cover_upload_id"]
            if upload_id is not None:
                upload = await Attachment.filter(id=upload_id).using_db(conn).first()
                if (
                    upload is None
                    or upload.post_id is not None
                    or not upload.media_type.startswith("image/")
                ):
                    raise ApiError(
                        422,
                        "validation_failed",
                        field="cover_upload_id",
                        reason="an image you uploaded",
                    )
            values["cover_id"] = upload_id
        if values:
            await Course.filter(id=course.id).using_db(conn).update(**values)
        return {k: v for k, v in values.items()}

    await change(course_id, actor_id, "course.update", locale, work)


async def set_state(course_id: int, actor_id: int, locale: str, publish: bool) -> None:
    async with in_transaction() as conn:
        course = await course_or_404(course_id, conn)
        if publish:
            found = await problems(course.id, locale, conn)
            if found:
                raise publish_refused(found)
            await (
                Course.filter(id=course.id)
                .using_db(conn)
                .update(
                    state=CourseState.PUBLISHED,
                    published_at=course.published_at or datetime.now(UTC),
                )
            )
        else:
            await Course.filter(id=course.id).using_db(conn).update(state=CourseState.DRAFT)
        action = "course.publish" if publish else "course.unpublish"
        await audit.record(actor_id, action, f"course:{course.id}", {"title": course.title})


def _quiz_values(quiz: dict[str, Any] | None) -> dict[str, Any]:
    if quiz is None:
        return {"quiz": False}
    return {
        "quiz": True,
        "quiz_questions": quiz["question_count"],
        "quiz_time_limit_s": quiz["time_limit_s"],
        "quiz_pass_mark": quiz["pass_mark"],
        "quiz_attempts": quiz["attempts"],
    }


async def add_lesson(
    course_id: int,
    actor_id: int,
    locale: str,
    title: str,
    body_md: str,
    quiz: dict[str, Any] | None,
) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        count = await Lesson.filter(course_id=course.id).using_db(conn).count()
        lesson = await Lesson.create(
            course_id=course.id,
            position=count + 1,
            title=title,
            body_md=body_md,
            html=render_lesson(body_md, course.id),
            using_db=conn,
            **_quiz_values(quiz),
        )
        return {"lesson": lesson.id, "title": title, "quiz": quiz}

    await change(course_id, actor_id, "course.lesson.create", locale, work)


async def update_lesson(
    course_id: int, lesson_id: int, actor_id: int, locale: str, changes: dict[str, Any]
) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        lesson = await Lesson.filter(id=lesson_id, course_id=course.id).using_db(conn).first()
        if lesson is None:
            raise not_found()
        values: dict[str, Any] = {}
        if "title" in changes:
            values["title"] = changes["title"]
        if "body_md" in changes:
            values["body_md"] = changes["body_md"]
            values["html"] = render_lesson(changes["body_md"], course.id)
        if "quiz" in changes:
            values.update(_quiz_values(changes["quiz"]))
        if values:
            await Lesson.filter(id=lesson.id).using_db(conn).update(**values)
        if changes.get("position") is not None:
            await _move(course.id, lesson.id, int(changes["position"]), conn)
        detail = {k: v for k, v in changes.items() if k != "body_md"}
        if "body_md" in changes:
            detail["body_md_length"] = len(changes["body_md"])
        return {"lesson": lesson.id, **detail}

    await change(course_id, actor_id, "course.lesson.update", locale, work)


async def _move(course_id: int, lesson_id: int, position: int, conn: BaseDBAsyncClient) -> None:
    ids = ints(
        await Lesson.filter(course_id=course_id)
        .using_db(conn)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    ids.remove(lesson_id)
    ids.insert(max(0, min(position - 1, len(ids))), lesson_id)
    await _renumber(ids, conn)


async def _renumber(ids: list[int], conn: BaseDBAsyncClient) -> None:
    for number, ident in enumerate(ids, start=1):
        await Lesson.filter(id=ident).using_db(conn).update(position=number)


async def delete_lesson(course_id: int, lesson_id: int, actor_id: int, locale: str) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        lesson = await Lesson.filter(id=lesson_id, course_id=course.id).using_db(conn).first()
        if lesson is None:
            raise not_found()
        await Lesson.filter(id=lesson.id).using_db(conn).delete()
        ids = ints(
            await Lesson.filter(course_id=course.id)
            .using_db(conn)
            .order_by("position", "id")
            .values_list("id", flat=True)
        )
        await _renumber(ids, conn)
        return {"lesson": lesson.id, "title": lesson.title}

    await change(course_id, actor_id, "course.lesson.delete", locale, work)


def _options(
    kind: QuestionKind, options: list[dict[str, Any]], old: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Options with ids: an option that keeps its text keeps its id; new ones get a random
    id, so ids say nothing about order or correctness."""
    by_text = {str(o["text"]): int(o["id"]) for o in old}
    used: set[int] = set()
    out = []
    for option in options:
        ident = by_text.get(option["text"])
        if ident is None or ident in used:
            ident = secrets.randbelow(2**31 - 1) + 1
            while ident in used:
                ident = secrets.randbelow(2**31 - 1) + 1
        used.add(ident)
        out.append({"id": ident, "text": option["text"], "correct": bool(option["correct"])})
    return out


async def add_question(course_id: int, actor_id: int, locale: str, body: dict[str, Any]) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        kind = QuestionKind(body["kind"])
        count = await Question.filter(course_id=course.id).using_db(conn).count()
        question = await Question.create(
            course_id=course.id,
            position=count + 1,
            kind=kind,
            text=body["text"],
            options=_options(kind, body["options"], []),
            explanation=body.get("explanation", ""),
            using_db=conn,
        )
        return {"question": question.id, "text": body["text"][:200]}

    await change(course_id, actor_id, "course.question.create", locale, work)


async def update_question(
    course_id: int, question_id: int, actor_id: int, locale: str, changes: dict[str, Any]
) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        question = await Question.filter(id=question_id, course_id=course.id).using_db(conn).first()
        if question is None:
            raise not_found()
        values: dict[str, Any] = {}
        kind = QuestionKind(changes.get("kind") or question.kind)
        if "kind" in changes:
            values["kind"] = kind
        for name in ("text", "explanation"):
            if name in changes:
                values[name] = changes[name]
        if changes.get("options") is not None:
            values["options"] = _options(kind, changes["options"], question.options)
        if values:
            await Question.filter(id=question.id).using_db(conn).update(**values)
        return {"question": question.id, **{k: v for k, v in changes.items() if k != "options"}}

    await change(course_id, actor_id, "course.question.update", locale, work)


async def delete_question(course_id: int, question_id: int, actor_id: int, locale: str) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        question = await Question.filter(id=question_id, course_id=course.id).using_db(conn).first()
        if question is None:
            raise not_found()
        await Question.filter(id=question.id).using_db(conn).delete()
        return {"question": question.id, "text": question.text[:200]}

    await change(course_id, actor_id, "course.question.delete", locale, work)


def is_id(text: str) -> bool:
    """Digits that fit a database id (not "²", not 30 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


async def by_code_or_name(model: Any, text: str) -> Any:
    """A place by its code (at most 64 characters) or its name (200)."""
    if len(text) <= 64:
        found = await model.get_or_none(code=text)
        if found is not None:
            return found
    return await model.filter(name=text[:200]).first() if len(text) <= 200 else None


async def place_value(kind: AudienceKind, value: str | None) -> str | None:
    """An assignment's place as stored (the place's id), from its id, code or name."""
    if kind is AudienceKind.EVERYONE:
        return None
    model = _PLACES[kind]
    text = (value or "").strip()
    place = None
    if is_id(text):
        place = await model.get_or_none(id=int(text))
    if place is None and text:
        place = await by_code_or_name(model, text)
    if place is None:
        raise ApiError(
            422, "validation_failed", field="audience.value", reason=f"no {kind.value} {text!r}"
        )
    return str(place.id)


async def add_assignment(
    course_id: int,
    actor_id: int,
    locale: str,
    kind: AudienceKind,
    value: str | None,
    due_at: datetime | None,
) -> CourseAssignment:
    stored = await place_value(kind, value)
    created: list[CourseAssignment] = []

    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        row = await CourseAssignment.create(
            course_id=course.id,
            kind=kind,
            value=stored,
            due_at=due_at,
            created_by_id=actor_id,
            using_db=conn,
        )
        created.append(row)
        return {
            "assignment": row.id,
            "audience": {"kind": kind.value, "value": stored},
            "due_at": due_at.isoformat() if due_at else None,
        }

    await change(course_id, actor_id, "course.assign", locale, work)
    return created[0]


async def delete_assignment(course_id: int, assignment_id: int, actor_id: int, locale: str) -> None:
    async def work(course: Course, conn: BaseDBAsyncClient) -> dict[str, Any]:
        row = (
            await CourseAssignment.filter(id=assignment_id, course_id=course.id)
            .using_db(conn)
            .first()
        )
        if row is None:
            raise not_found()
        await CourseAssignment.filter(id=row.id).using_db(conn).delete()
        return {"assignment": row.id, "audience": {"kind": row.kind.value, "value": row.value}}

    await change(course_id, actor_id, "course.unassign", locale, work)


async def place_names(assignments: list[CourseAssignment]) -> dict[int, str | None]:
    """The readable name of each assignment's place (None for everyone)."""
    names: dict[int, str | None] = {}
    for a in assignments:
        kind = AudienceKind(a.kind)
        if kind is AudienceKind.EVERYONE or a.value is None or not is_id(a.value):
            names[a.id] = None
            continue
        place = await _PLACES[kind].get_or_none(id=int(a.value))
        names[a.id] = place.name if place else None
    return names
