"""Courses for the people who take them: which courses I see, my progress, reading lessons,
and quiz attempts (drawn, resumed, graded once).

Rules kept here:
- A published course with no assignment is open to everyone; one with assignments is seen by
  the people in one of their audiences. Comms and admins may open any course (a preview).
- A lesson is done when read and, if it has a quiz, the quiz passed; a course is completed
  when every lesson is done (once: `course_completion` is unique, `course.completed` has a
  deterministic id).
- An attempt is graded once: `submitted_at` is set by a conditional update, so two submits
  at once grade it once and the second returns the first's result. After its deadline (plus
  `SLACK`) answers are refused and the attempt is graded as empty, `late`.
- Once a quiz is passed no new attempt starts (409 already_passed): `quiz.passed` is one
  event per lesson and person.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import activity
from server.community.access import CHANNEL_EDITORS, Viewer
from server.community.sql import ints
from server.courses import grading
from server.errors import ApiError, not_found
from server.models import (
    ActivityEvent,
    Attempt,
    AudienceKind,
    Course,
    CourseAssignment,
    CourseCompletion,
    CourseState,
    LedgerTransfer,
    Lesson,
    LessonProgress,
    Question,
)
from server.services import Services

# Network and clock slack after an attempt's deadline before its answers are refused.
SLACK = timedelta(seconds=5)

_TOKEN_KIND = {
    AudienceKind.STORE: "store",
    AudienceKind.DEPARTMENT: "dept",
    AudienceKind.CITY: "city",
    AudienceKind.REGION: "region",
}


def audience_token(kind: AudienceKind | str, value: str | None) -> str | None:
    """The audience token of an assignment (server/community/audience.py); None: everyone."""
    kind = AudienceKind(kind)
    if kind is AudienceKind.EVERYONE:
        return None
    return f"{_TOKEN_KIND[kind]}:{value}"


def reaches(assignment: CourseAssignment, tokens: Iterable[str]) -> bool:
    token = audience_token(assignment.kind, assignment.value)
    return token is None or token in set(tokens)


@dataclass
class Access:
    """How a person sees a course: assigned to them (and due when), or open to all."""

    course: Course
    assigned: bool
    due_at: datetime | None


def _access(
    course: Course, assignments: Sequence[CourseAssignment], viewer: Viewer
) -> Access | None:
    if not assignments:
        return Access(course, False, None)
    mine = [a for a in assignments if reaches(a, viewer.tokens)]
    if not mine:
        return None
    dues = [a.due_at for a in mine if a.due_at is not None]
    return Access(course, True, min(dues) if dues else None)


async def my_courses(viewer: Viewer) -> list[Access]:
    courses = await Course.filter(state=CourseState.PUBLISHED).order_by("-published_at", "-id")
    by_course: dict[int, list[CourseAssignment]] = {}
    for a in await CourseAssignment.filter(course_id__in=[c.id for c in courses]):
        by_course.setdefault(a.course_id, []).append(a)
    found = [_access(c, by_course.get(c.id, []), viewer) for c in courses]
    return [a for a in found if a is not None]


async def course_access(viewer: Viewer, course_id: int) -> Access:
    """The course as I may see it, or 404 (a course not for me is as good as absent)."""
    course = await Course.get_or_none(id=course_id)
    if course is None:
        raise not_found()
    assignments = await CourseAssignment.filter(course_id=course.id)
    found = _access(course, assignments, viewer) if course.state == CourseState.PUBLISHED else None
    if found is None:
        if viewer.role not in CHANNEL_EDITORS:
            raise not_found()
        found = Access(course, False, None)  # comms and admins preview any course
    return found


async def lessons_of(course_id: int) -> list[Lesson]:
    return await Lesson.filter(course_id=course_id).order_by("position", "id")


async def lesson_of(course_id: int, lesson_id: int) -> Lesson:
    lesson = await Lesson.get_or_none(id=lesson_id, course_id=course_id)
    if lesson is None:
        raise not_found()
    return lesson


def lesson_done(lesson: Lesson, progress: LessonProgress | None) -> bool:
    if progress is None or progress.read_at is None:
        return False
    return not lesson.quiz or progress.passed_at is not None


@dataclass
class Progress:
    """One person's state in some courses: progress rows by lesson, completions by course,
    attempts by lesson (count, and the open one)."""

    lessons: dict[int, LessonProgress]
    completed: dict[int, datetime]
    attempts: dict[int, int]
    open_attempt: dict[int, int]


async def progress_of(employee_id: int, course_ids: Sequence[int]) -> Progress:
    now = datetime.now(UTC)
    rows = await LessonProgress.filter(employee_id=employee_id, course_id__in=list(course_ids))
    completions = await CourseCompletion.filter(
        employee_id=employee_id, course_id__in=list(course_ids)
    )
    attempts: dict[int, int] = {}
    open_attempt: dict[int, int] = {}
    for a in await Attempt.filter(employee_id=employee_id, course_id__in=list(course_ids)):
        attempts[a.lesson_id] = attempts.get(a.lesson_id, 0) + 1
        if a.submitted_at is None and a.deadline + SLACK > now:
            open_attempt[a.lesson_id] = a.id
    return Progress(
        lessons={r.lesson_id: r for r in rows},
        completed={c.course_id: c.completed_at for c in completions},
        attempts=attempts,
        open_attempt=open_attempt,
    )


def course_status(done: int, started: bool, completed: bool) -> str:
    if completed:
        return "completed"
    return "in_progress" if done or started else "not_started"


async def ensure_progress(lesson: Lesson, employee_id: int) -> LessonProgress:
    """The progress row of a lesson and person, created on first need (a race of two first
    needs: the loser reads the winner's row)."""
    row = await LessonProgress.get_or_none(lesson_id=lesson.id, employee_id=employee_id)
    if row is not None:
        return row
    try:
        return await LessonProgress.create(
            lesson_id=lesson.id, course_id=lesson.course_id, employee_id=employee_id
        )
    except IntegrityError:
        return await LessonProgress.get(lesson_id=lesson.id, employee_id=employee_id)


async def mark_read(services: Services, viewer: Viewer, lesson: Lesson) -> bool:
    """Mark a lesson read; returns whether the course became completed by it."""
    row = await ensure_progress(lesson, viewer.id)
    if row.read_at is None:
        await LessonProgress.filter(id=row.id, read_at=None).update(read_at=datetime.now(UTC))
    return await complete_if_done(services, lesson.course_id, viewer.id)


async def complete_if_done(services: Services, course_id: int, employee_id: int) -> bool:
    """Record the completion (and `course.completed`, once) when every lesson is done;
    returns whether the course is completed now."""
    if await CourseCompletion.exists(course_id=course_id, employee_id=employee_id):
        return True
    lessons = await lessons_of(course_id)
    if not lessons:
        return False
    rows = {
        r.lesson_id: r
        for r in await LessonProgress.filter(course_id=course_id, employee_id=employee_id)
    }
    if not all(lesson_done(lesson, rows.get(lesson.id)) for lesson in lessons):
        return False
    now = datetime.now(UTC)
    try:
        async with in_transaction() as conn:
            await CourseCompletion.create(
                course_id=course_id, employee_id=employee_id, completed_at=now, using_db=conn
            )
            event = await activity.record(
                "course.completed",
                employee_id,
                {"course_id": str(course_id)},
                at=now,
                event_id=activity.deterministic_id("course.completed", course_id, employee_id),
                using_db=conn,
            )
    except IntegrityError:
        return True  # completed at the same moment by another request
    await activity.hand_off(services, [event.id] if event else [])
    return True


# -- attempts --------------------------------------------------------------------------------


def bank_entry(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "kind": q.kind.value,
        "text": q.text,
        "options": [
            {"id": int(o["id"]), "text": str(o["text"]), "correct": bool(o.get("correct"))}
            for o in q.options
        ],
        "explanation": q.explanation,
    }


async def start_attempt(
    services: Services, viewer: Viewer, course_id: int, lesson_id: int
) -> Attempt:
    """A running attempt at a lesson's quiz: the open one if there is one (a second click or
    another tab resumes it), else a new draw, if attempts are left."""
    await course_access(viewer, course_id)
    lesson = await lesson_of(course_id, lesson_id)
    if not lesson.quiz:
        raise not_found()
    progress = await ensure_progress(lesson, viewer.id)
    if progress.passed_at is not None:
        raise ApiError(409, "already_passed", detail_key="courses.already_passed")
    await _close_expired(services, lesson.id, viewer.id)
    now = datetime.now(UTC)
    running = await _open_attempt(lesson.id, viewer.id, now)
    if running is not None:
        return running
    used = await Attempt.filter(lesson_id=lesson.id, employee_id=viewer.id).count()
    if used >= lesson.quiz_attempts:
        # A start at the same moment may have just taken the last attempt: resume that one.
        running = await _open_attempt(lesson.id, viewer.id, now)
        if running is not None:
            return running
        raise ApiError(409, "no_attempts_left", detail_key="courses.no_attempts_left")
    bank = [bank_entry(q) for q in await Question.filter(course_id=course_id)]
    if len(bank) < lesson.quiz_questions or lesson.quiz_questions < 1:
        raise ApiError(409, "quiz_unavailable", detail_key="courses.quiz_unavailable")
    seed = secrets.randbits(62)
    drawn = grading.draw(bank, lesson.quiz_questions, seed)
    try:
        attempt = await Attempt.create(
            course_id=course_id,
            lesson_id=lesson.id,
            employee_id=viewer.id,
            number=used + 1,
            seed=seed,
            questions=drawn,
            pass_mark=lesson.quiz_pass_mark,
            started_at=now,
            deadline=now + timedelta(seconds=lesson.quiz_time_limit_s),
        )
    except IntegrityError:  # another start at the same moment took this number
        running = await _open_attempt(lesson.id, viewer.id, now)
        if running is None:
            raise ApiError(409, "no_attempts_left", detail_key="courses.no_attempts_left") from None
        return running
    if progress.read_at is None:  # taking the quiz means the lesson was open
        await LessonProgress.filter(id=progress.id, read_at=None).update(read_at=now)
    return attempt


async def _open_attempt(lesson_id: int, employee_id: int, now: datetime) -> Attempt | None:
    return (
        await Attempt.filter(
            lesson_id=lesson_id,
            employee_id=employee_id,
            submitted_at=None,
            deadline__gt=now - SLACK,
        )
        .order_by("-number")
        .first()
    )


async def _close_expired(services: Services, lesson_id: int, employee_id: int) -> None:
    """Grade attempts left running past their deadline as empty (late)."""
    expired = await Attempt.filter(
        lesson_id=lesson_id,
        employee_id=employee_id,
        submitted_at=None,
        deadline__lte=datetime.now(UTC) - SLACK,
    )
    for attempt in expired:
        await submit(services, attempt, {})


async def my_attempt(viewer: Viewer, attempt_id: int) -> Attempt:
    attempt = await Attempt.get_or_none(id=attempt_id, employee_id=viewer.id)
    if attempt is None:
        raise not_found()
    return attempt


async def submit(
    services: Services, attempt: Attempt, answers: Mapping[str, Sequence[int]]
) -> Attempt:
    """Grade an attempt once. A submitted attempt is returned as it is (the same result, no
    second event); a late one is graded with nothing."""
    if attempt.submitted_at is not None:
        return attempt
    now = datetime.now(UTC)
    late = now > attempt.deadline + SLACK
    drawn = attempt.questions
    kept: dict[str, list[int]] = {}
    if not late:
        for q in drawn:
            valid = {int(o["id"]) for o in q["options"]}
            chosen = sorted({int(c) for c in answers.get(str(q["id"]), ()) if int(c) in valid})
            kept[str(q["id"])] = chosen
    graded = grading.grade(drawn, kept, attempt.pass_mark)
    lesson = await Lesson.get(id=attempt.lesson_id)
    progress = await ensure_progress(lesson, attempt.employee_id)
    event: ActivityEvent | None = None
    async with in_transaction() as conn:
        won = (
            await Attempt.filter(id=attempt.id, submitted_at=None)
            .using_db(conn)
            .update(
                submitted_at=now,
                answers=kept,
                score=graded.score,
                correct=graded.correct,
                passed=graded.passed,
                late=late,
            )
        )
        if won:
            fresh = await LessonProgress.get(id=progress.id, using_db=conn)
            best = (
                max(graded.score, fresh.best_score or 0)
                if fresh.best_score is not None
                else graded.score
            )
            changes: dict[str, Any] = {"best_score": best}
            if fresh.read_at is None:
                changes["read_at"] = now
            if graded.passed and fresh.passed_at is None:
                changes["passed_at"] = now
                event_id = activity.deterministic_id("quiz.passed", lesson.id, attempt.employee_id)
                if not await ActivityEvent.filter(id=event_id).using_db(conn).exists():
                    event = await activity.record(
                        "quiz.passed",
                        attempt.employee_id,
                        {
                            "course_id": str(attempt.course_id),
                            "lesson_id": str(lesson.id),
                            "attempt_id": str(attempt.id),
                            "score": graded.score,
                        },
                        at=now,
                        event_id=event_id,
                        using_db=conn,
                    )
                    await Attempt.filter(id=attempt.id).using_db(conn).update(event_id=event_id)
            await LessonProgress.filter(id=progress.id).using_db(conn).update(**changes)
    await activity.hand_off(services, [event.id] if event else [])
    if won and graded.passed:
        await complete_if_done(services, attempt.course_id, attempt.employee_id)
    return await Attempt.get(id=attempt.id)


async def finalize_if_expired(services: Services, attempt: Attempt) -> Attempt:
    if attempt.submitted_at is None and datetime.now(UTC) > attempt.deadline + SLACK:
        return await submit(services, attempt, {})
    return attempt


async def points_for(attempt: Attempt) -> int | None:
    """Points the rules awarded for this attempt's `quiz.passed`, once settled."""
    if attempt.event_id is None:
        return None
    event = await ActivityEvent.get_or_none(id=attempt.event_id)
    if event is None or event.settled_at is None:
        return None
    amounts = await LedgerTransfer.filter(
        event_id=attempt.event_id, user_id=attempt.employee_id, currency="points", kind="award"
    ).values_list("amount", flat=True)
    return sum(ints(amounts))
