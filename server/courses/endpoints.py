"""Courses over HTTP: taking them (everyone), a store's progress (directors, comms, admins)
and writing them (comms, admins). The contract is docs/courses.md; no response sends which
options are correct before the attempt is submitted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel, field_validator
from starlette.responses import Response

from server.api import Api, Ctx
from server.community.access import CHANNEL_EDITORS, Viewer, load_viewer
from server.community.audience import members_of
from server.community.sql import ints
from server.courses import authoring, service
from server.courses.render import render_lesson, uploads_named
from server.errors import ApiError, forbidden, not_found
from server.models import (
    Attachment,
    Attempt,
    AudienceKind,
    Course,
    CourseAssignment,
    CourseCompletion,
    Employee,
    EmployeeStatus,
    Lesson,
    LessonProgress,
    Question,
    Role,
    Store,
)
from server.schemas import MAX_INT64, Strict

api = Api()
TAGS = ["courses"]
COMMS = sorted(CHANNEL_EDITORS)
DIRECTORS = sorted({Role.MANAGER, Role.COMMS, Role.ADMIN})

Status = Literal["not_started", "in_progress", "completed"]
Kind = Literal["single", "multiple", "true_false"]


# -- bodies ----------------------------------------------------------------------------------


class CourseCard(BaseModel):
    id: int
    title: str
    summary: str
    cover_url: str | None
    lessons: int
    done_lessons: int
    status: Status
    due_at: datetime | None
    overdue: bool
    assigned: bool
    completed_at: datetime | None


class CourseList(BaseModel):
    items: list[CourseCard]


class QuizCard(BaseModel):
    questions: int
    time_limit_s: int
    pass_mark: int
    attempts: int
    attempts_used: int
    best_score: int | None
    passed: bool
    open_attempt_id: int | None


class LessonCard(BaseModel):
    id: int
    position: int
    title: str
    done: bool
    quiz: QuizCard | None


class CourseDetail(BaseModel):
    id: int
    title: str
    summary: str
    cover_url: str | None
    lessons: list[LessonCard]
    done_lessons: int
    status: Status
    due_at: datetime | None
    overdue: bool
    assigned: bool
    completed_at: datetime | None
    lesson_count: int
    state: Literal["draft", "published"]


class LessonOut(LessonCard):
    html: str
    prev_id: int | None
    next_id: int | None
    course_id: int
    course_title: str


class QuizOptionOut(BaseModel):
    id: int
    text: str


class QuizQuestionOut(BaseModel):
    id: int
    kind: Kind
    text: str
    options: list[QuizOptionOut]


class AttemptOut(BaseModel):
    id: int
    lesson_id: int
    course_id: int
    started_at: datetime
    deadline: datetime
    submitted: Literal[False]
    time_limit_s: int
    pass_mark: int
    questions: list[QuizQuestionOut]  # shuffled; no correctness anywhere


class OptionResult(BaseModel):
    id: int
    text: str
    correct: bool
    chosen: bool


class QuestionResult(BaseModel):
    id: int
    kind: Kind
    text: str
    options: list[OptionResult]
    right: bool
    explanation: str


class ResultOut(BaseModel):
    attempt_id: int
    lesson_id: int
    course_id: int
    submitted: Literal[True]
    score: int
    correct: int
    total: int
    passed: bool
    pass_mark: int
    attempts_left: int
    late: bool
    course_completed: bool
    points: int | None
    submitted_at: datetime
    questions: list[QuestionResult]


class AttemptOrResult(RootModel[AttemptOut | ResultOut]):
    pass


OptionId = Annotated[int, Field(ge=-MAX_INT64 - 1, le=MAX_INT64)]


class SubmitIn(Strict):
    answers: dict[str, list[OptionId]] = Field(default_factory=dict, max_length=200)


# -- employee --------------------------------------------------------------------------------


def given(body: BaseModel, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a PATCH body sets; null means "unchanged" except where it means "none"
    (`nullable`: a quiz or a cover removed)."""
    return {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in nullable
    }


def cover_url(course: Course) -> str | None:
    return f"/api/courses/{course.id}/cover" if course.cover_id else None


def quiz_card(lesson: Lesson, progress: service.Progress) -> QuizCard | None:
    if not lesson.quiz:
        return None
    row = progress.lessons.get(lesson.id)
    return QuizCard(
        questions=lesson.quiz_questions,
        time_limit_s=lesson.quiz_time_limit_s,
        pass_mark=lesson.quiz_pass_mark,
        attempts=lesson.quiz_attempts,
        attempts_used=progress.attempts.get(lesson.id, 0),
        best_score=row.best_score if row else None,
        passed=bool(row and row.passed_at),
        open_attempt_id=progress.open_attempt.get(lesson.id),
    )


def lesson_card(lesson: Lesson, progress: service.Progress) -> LessonCard:
    return LessonCard(
        id=lesson.id,
        position=lesson.position,
        title=lesson.title,
        done=service.lesson_done(lesson, progress.lessons.get(lesson.id)),
        quiz=quiz_card(lesson, progress),
    )


def card(access: service.Access, lessons: list[Lesson], progress: service.Progress) -> CourseCard:
    course = access.course
    done = sum(
        1 for lesson in lessons if service.lesson_done(lesson, progress.lessons.get(lesson.id))
    )
    completed_at = progress.completed.get(course.id)
    started = any(progress.lessons.get(lesson.id) for lesson in lessons)
    now = datetime.now(UTC)
    return CourseCard(
        id=course.id,
        title=course.title,
        summary=course.summary,
        cover_url=cover_url(course),
        lessons=len(lessons),
        done_lessons=done,
        status=service.course_status(done, started, completed_at is not None),
        due_at=access.due_at,
        overdue=access.due_at is not None and completed_at is None and access.due_at < now,
        assigned=access.assigned,
        completed_at=completed_at,
    )


async def _lessons_by_course(course_ids: list[int]) -> dict[int, list[Lesson]]:
    found: dict[int, list[Lesson]] = {c: [] for c in course_ids}
    for lesson in await Lesson.filter(course_id__in=course_ids).order_by("position", "id"):
        found[lesson.course_id].append(lesson)
    return found


@api.route("GET", "/api/courses", summary="My courses: assigned to me or open to all",
           tags=TAGS, response=CourseList)  # fmt: skip
async def list_courses(ctx: Ctx) -> CourseList:
    viewer = await load_viewer(ctx.me)
    found = await service.my_courses(viewer)
    ids = [a.course.id for a in found]
    lessons = await _lessons_by_course(ids)
    progress = await service.progress_of(viewer.id, ids)
    cards = [card(a, lessons[a.course.id], progress) for a in found]
    # Unfinished before finished; the nearest due date first.
    order = {"in_progress": 0, "not_started": 1, "completed": 2}
    cards.sort(
        key=lambda c: (
            order[c.status],
            c.due_at is None,
            c.due_at or datetime.max.replace(tzinfo=UTC),
        )
    )
    return CourseList(items=cards)


async def course_detail(viewer: Viewer, course_id: int) -> CourseDetail:
    access = await service.course_access(viewer, course_id)
    lessons = await service.lessons_of(course_id)
    progress = await service.progress_of(viewer.id, [course_id])
    base = card(access, lessons, progress)
    return CourseDetail(
        **base.model_dump(exclude={"lessons"}),
        lessons=[lesson_card(lesson, progress) for lesson in lessons],
        lesson_count=len(lessons),
        state=access.course.state.value,
    )


@api.route("GET", "/api/courses/{id:int}", summary="A course with its lessons and my progress",
           tags=TAGS, response=CourseDetail)  # fmt: skip
async def get_course(ctx: Ctx) -> CourseDetail:
    return await course_detail(await load_viewer(ctx.me), ctx.path_int("id"))


async def lesson_out(viewer: Viewer, course_id: int, lesson_id: int) -> LessonOut:
    access = await service.course_access(viewer, course_id)
    lessons = await service.lessons_of(course_id)
    index = next((i for i, lesson in enumerate(lessons) if lesson.id == lesson_id), None)
    if index is None:
        raise not_found()
    lesson = lessons[index]
    progress = await service.progress_of(viewer.id, [course_id])
    return LessonOut(
        **lesson_card(lesson, progress).model_dump(),
        html=lesson.html,
        prev_id=lessons[index - 1].id if index > 0 else None,
        next_id=lessons[index + 1].id if index + 1 < len(lessons) else None,
        course_id=course_id,
        course_title=access.course.title,
    )


@api.route("GET", "/api/courses/{id:int}/lessons/{lesson_id:int}",
           summary="A lesson to read, with my progress in it", tags=TAGS,
           response=LessonOut)  # fmt: skip
async def get_lesson(ctx: Ctx) -> LessonOut:
    viewer = await load_viewer(ctx.me)
    return await lesson_out(viewer, ctx.path_int("id"), ctx.path_int("lesson_id"))


@api.route("POST", "/api/courses/{id:int}/lessons/{lesson_id:int}/read",
           summary="Mark a lesson read (done, when it has no quiz)", tags=TAGS,
           response=LessonOut)  # fmt: skip
async def read_lesson(ctx: Ctx) -> LessonOut:
    viewer = await load_viewer(ctx.me)
    course_id = ctx.path_int("id")
    await service.course_access(viewer, course_id)
    lesson = await service.lesson_of(course_id, ctx.path_int("lesson_id"))
    await service.mark_read(ctx.services, viewer, lesson)
    return await lesson_out(viewer, course_id, lesson.id)


def attempt_out(attempt: Attempt) -> AttemptOut:
    return AttemptOut(
        id=attempt.id,
        lesson_id=attempt.lesson_id,
        course_id=attempt.course_id,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted=False,
        time_limit_s=int((attempt.deadline - attempt.started_at).total_seconds()),
        pass_mark=attempt.pass_mark,
        questions=[
            QuizQuestionOut(
                id=int(q["id"]),
                kind=q["kind"],
                text=q["text"],
                options=[QuizOptionOut(id=int(o["id"]), text=o["text"]) for o in q["options"]],
            )
            for q in attempt.questions
        ],
    )


async def result_out(attempt: Attempt) -> ResultOut:
    lesson = await Lesson.get_or_none(id=attempt.lesson_id)
    used = await Attempt.filter(
        lesson_id=attempt.lesson_id, employee_id=attempt.employee_id
    ).count()
    passed_ever = await LessonProgress.exists(
        lesson_id=attempt.lesson_id, employee_id=attempt.employee_id, passed_at__not_isnull=True
    )
    allowed = lesson.quiz_attempts if lesson else used
    questions = []
    for q in attempt.questions:
        chosen = set(attempt.answers.get(str(q["id"]), []))
        right = sorted(int(o["id"]) for o in q["options"] if o["correct"])
        questions.append(
            QuestionResult(
                id=int(q["id"]),
                kind=q["kind"],
                text=q["text"],
                options=[
                    OptionResult(
                        id=int(o["id"]),
                        text=o["text"],
                        correct=bool(o["correct"]),
                        chosen=int(o["id"]) in chosen,
                    )
                    for o in q["options"]
                ],
                right=bool(right) and sorted(chosen) == right,
                explanation=q.get("explanation", ""),
            )
        )
    assert attempt.submitted_at is not None
    return ResultOut(
        attempt_id=attempt.id,
        lesson_id=attempt.lesson_id,
        course_id=attempt.course_id,
        submitted=True,
        score=attempt.score or 0,
        correct=attempt.correct or 0,
        total=len(attempt.questions),
        passed=attempt.passed,
        pass_mark=attempt.pass_mark,
        attempts_left=0 if passed_ever else max(0, allowed - used),
        late=attempt.late,
        course_completed=await CourseCompletion.exists(
            course_id=attempt.course_id, employee_id=attempt.employee_id
        ),
        points=await service.points_for(attempt),
        submitted_at=attempt.submitted_at,
        questions=questions,
    )


@api.route("POST", "/api/courses/{id:int}/lessons/{lesson_id:int}/attempts",
           summary="Start (or resume) an attempt at a lesson's quiz", tags=TAGS,
           response=AttemptOut, status=201)  # fmt: skip
async def start_attempt(ctx: Ctx) -> AttemptOut:
    viewer = await load_viewer(ctx.me)
    attempt = await service.start_attempt(
        ctx.services, viewer, ctx.path_int("id"), ctx.path_int("lesson_id")
    )
    return attempt_out(attempt)


@api.route("GET", "/api/attempts/{id:int}",
           summary="My attempt: running (to resume) or its result", tags=TAGS,
           response=AttemptOrResult)  # fmt: skip
async def get_attempt(ctx: Ctx) -> AttemptOrResult:
    viewer = await load_viewer(ctx.me)
    attempt = await service.my_attempt(viewer, ctx.path_int("id"))
    attempt = await service.finalize_if_expired(ctx.services, attempt)
    if attempt.submitted_at is None:
        return AttemptOrResult(attempt_out(attempt))
    return AttemptOrResult(await result_out(attempt))


@api.route("POST", "/api/attempts/{id:int}/submit",
           summary="Submit my answers (graded once; a second submit returns the same result)",
           tags=TAGS, body=SubmitIn, response=ResultOut)  # fmt: skip
async def submit_attempt(ctx: Ctx, body: SubmitIn) -> ResultOut:
    viewer = await load_viewer(ctx.me)
    attempt = await service.my_attempt(viewer, ctx.path_int("id"))
    graded = await service.submit(ctx.services, attempt, body.answers)
    return await result_out(graded)


async def _send_file(upload: Attachment | None) -> Response:
    if upload is None:
        raise not_found()
    try:
        data = await asyncio.to_thread(Path(upload.path).read_bytes)
    except FileNotFoundError:
        raise not_found() from None
    return Response(
        data,
        media_type=upload.media_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@api.route("GET", "/api/courses/{id:int}/cover", summary="A course's cover picture", tags=TAGS,
           response_media_type="image/*")  # fmt: skip
async def get_cover(ctx: Ctx) -> Response:
    access = await service.course_access(await load_viewer(ctx.me), ctx.path_int("id"))
    if access.course.cover_id is None:
        raise not_found()
    return await _send_file(await Attachment.get_or_none(id=access.course.cover_id))


@api.route("GET", "/api/courses/{id:int}/files/{file_id:int}",
           summary="A picture shown in a course's lessons", tags=TAGS,
           response_media_type="image/*")  # fmt: skip
async def get_file(ctx: Ctx) -> Response:
    course_id, file_id = ctx.path_int("id"), ctx.path_int("file_id")
    viewer = await load_viewer(ctx.me)
    await service.course_access(viewer, course_id)
    bodies = await Lesson.filter(course_id=course_id).values_list("body_md", flat=True)
    # Comms see any picture while they write (the preview shows it before it is saved).
    if viewer.role not in CHANNEL_EDITORS and not any(
        file_id in uploads_named(str(b)) for b in bodies
    ):
        raise not_found()
    upload = await Attachment.get_or_none(id=file_id)
    if upload is None or not upload.media_type.startswith("image/"):
        raise not_found()
    return await _send_file(upload)


# -- progress (directors: their store; comms and admins: any) --------------------------------


class CoursePersonOut(BaseModel):
    id: int
    name: str
    avatar_url: str | None
    store: str | None


class CourseProgressRow(BaseModel):
    person: CoursePersonOut
    status: Status
    done_lessons: int
    lessons: int
    best_scores: list[int | None]
    completed_at: datetime | None
    overdue: bool


class CourseProgressSummary(BaseModel):
    people: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int


class CourseProgressOut(BaseModel):
    course: CourseCard
    store: str | None
    summary: CourseProgressSummary
    items: list[CourseProgressRow]


class CourseProgressQuery(Strict):
    store: str | None = Field(
        default=None, max_length=200, description="A store's id, code or name"
    )


MAX_PROGRESS_ROWS = 2000


async def _store_named(text: str) -> Store | None:
    if authoring.is_id(text):
        found = await Store.get_or_none(id=int(text))
        if found:
            return found
    found_by_name: Store | None = await authoring.by_code_or_name(Store, text)
    return found_by_name


@api.route("GET", "/api/courses/{id:int}/progress",
           summary="Who has done a course: my store (directors), any store or all (comms)",
           tags=TAGS, query=CourseProgressQuery, response=CourseProgressOut,
           roles=DIRECTORS)  # fmt: skip
async def course_progress(ctx: Ctx, query: CourseProgressQuery) -> CourseProgressOut:
    me = ctx.me
    course = await Course.get_or_none(id=ctx.path_int("id"))
    if course is None:
        raise not_found()
    store: Store | None = None
    if query.store:
        store = await _store_named(query.store)
        if store is None:
            raise not_found()
    if me.role == Role.MANAGER:
        if me.store_id is None or (store is not None and store.id != me.store_id):
            raise forbidden()
        store = await Store.get(id=me.store_id)
    assignments = await CourseAssignment.filter(course_id=course.id)
    people = Employee.filter(status=EmployeeStatus.ACTIVE)
    if store is not None:
        people = people.filter(store_id=store.id)
    tokens = [service.audience_token(a.kind, a.value) for a in assignments]
    if assignments and None not in tokens:
        people = people.filter(id__in=list(await members_of([t for t in tokens if t])))
    rows = await people.order_by("name", "id").prefetch_related("store")
    lessons = await service.lessons_of(course.id)
    ids = [p.id for p in rows]
    progress_rows: dict[tuple[int, int], LessonProgress] = {}
    for r in await LessonProgress.filter(course_id=course.id, employee_id__in=ids):
        progress_rows[(r.employee_id, r.lesson_id)] = r
    completions = {
        c.employee_id: c.completed_at
        for c in await CourseCompletion.filter(course_id=course.id, employee_id__in=ids)
    }
    # The due date a person has: the earliest of the assignments that reach them.
    dues = [a.due_at for a in assignments if a.due_at is not None]
    due = min(dues) if dues else None
    now = datetime.now(UTC)
    items: list[CourseProgressRow] = []
    summary = CourseProgressSummary(people=0, completed=0, in_progress=0, not_started=0, overdue=0)
    for person in rows:
        mine = [progress_rows.get((person.id, lesson.id)) for lesson in lessons]
        done = sum(
            1 for lesson, r in zip(lessons, mine, strict=True) if service.lesson_done(lesson, r)
        )
        completed_at = completions.get(person.id)
        status = service.course_status(done, any(mine), completed_at is not None)
        overdue = due is not None and completed_at is None and due < now
        summary.people += 1
        setattr(summary, status, getattr(summary, status) + 1)
        summary.overdue += int(overdue)
        if len(items) < MAX_PROGRESS_ROWS:
            items.append(
                CourseProgressRow(
                    person=CoursePersonOut(
                        id=person.id,
                        name=person.name,
                        avatar_url=f"/api/employees/{person.id}/avatar"
                        if person.avatar_path
                        else None,
                        store=person.store.name if person.store else None,
                    ),
                    status=status,
                    done_lessons=done,
                    lessons=len(lessons),
                    best_scores=[
                        (r.best_score if r else None) if lesson.quiz else None
                        for lesson, r in zip(lessons, mine, strict=True)
                    ],
                    completed_at=completed_at,
                    overdue=overdue,
                )
            )
    base = CourseCard(
        id=course.id,
        title=course.title,
        summary=course.summary,
        cover_url=cover_url(course),
        lessons=len(lessons),
        done_lessons=0,
        status="not_started",
        due_at=due,
        overdue=False,
        assigned=bool(assignments),
        completed_at=None,
    )
    return CourseProgressOut(
        course=base, store=store.name if store else None, summary=summary, items=items
    )


# -- authoring (comms, admins) ---------------------------------------------------------------


class QuizIn(Strict):
    question_count: int = Field(ge=1, le=50)
    time_limit_s: int = Field(ge=30, le=4 * 3600)
    pass_mark: int = Field(ge=1, le=100)
    attempts: int = Field(ge=1, le=20)


class QuizOutAdmin(BaseModel):
    question_count: int
    time_limit_s: int
    pass_mark: int
    attempts: int


class AdminLesson(BaseModel):
    id: int
    position: int
    title: str
    body_md: str
    quiz: QuizOutAdmin | None


class AdminOption(BaseModel):
    id: int
    text: str
    correct: bool


class AdminQuestion(BaseModel):
    id: int
    kind: Kind
    text: str
    options: list[AdminOption]
    explanation: str


class CourseAudience(Strict):
    kind: Literal["everyone", "store", "department", "city", "region"]
    value: str | None = Field(
        default=None, max_length=200, description="The place's id, code or name"
    )


class CourseAudienceOut(BaseModel):
    kind: Literal["everyone", "store", "department", "city", "region"]
    value: str | None  # the place's id
    name: str | None  # the place's name


class AdminAssignment(BaseModel):
    id: int
    audience: CourseAudienceOut
    due_at: datetime | None
    people: int


class AdminCourse(BaseModel):
    id: int
    title: str
    summary: str
    cover_url: str | None
    state: Literal["draft", "published"]
    lessons: list[AdminLesson]
    questions: list[AdminQuestion]
    assignments: list[AdminAssignment]
    problems: list[str]  # what keeps it from being published, in my language ([] if none)


class AdminCourseCard(BaseModel):
    id: int
    title: str
    summary: str
    cover_url: str | None
    state: Literal["draft", "published"]
    status_draft: Literal["draft", "published"]
    lessons: int
    questions: int
    assignments: int
    completed: int  # people who completed it
    updated_at: datetime


class AdminCourseList(BaseModel):
    items: list[AdminCourseCard]


class CourseIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=2000)


class CoursePatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, max_length=2000)
    cover_upload_id: int | None = None


class LessonIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    body_md: str = Field(default="", max_length=50_000)
    quiz: QuizIn | None = None


class LessonPatch(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body_md: str | None = Field(default=None, max_length=50_000)
    quiz: QuizIn | None = None
    position: int | None = Field(default=None, ge=1, le=1000)


class OptionIn(Strict):
    text: str = Field(min_length=1, max_length=300)
    correct: bool = False


class QuestionIn(Strict):
    kind: Kind
    text: str = Field(min_length=1, max_length=1000)
    options: list[OptionIn] = Field(min_length=2, max_length=10)
    explanation: str = Field(default="", max_length=2000)


class QuestionPatch(Strict):
    kind: Kind | None = None
    text: str | None = Field(default=None, min_length=1, max_length=1000)
    options: list[OptionIn] | None = Field(default=None, min_length=2, max_length=10)
    explanation: str | None = Field(default=None, max_length=2000)


class AssignmentIn(Strict):
    audience: CourseAudience
    due_at: datetime | None = None

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("a date and time with its offset")
        return value


class LessonPreviewIn(Strict):
    body_md: str = Field(max_length=50_000)


class LessonPreviewOut(BaseModel):
    html: str


async def admin_course(course_id: int, locale: str) -> AdminCourse:
    course = await authoring.course_or_404(course_id)
    lessons = await service.lessons_of(course.id)
    questions = await Question.filter(course_id=course.id).order_by("position", "id")
    assignments = await CourseAssignment.filter(course_id=course.id).order_by("id")
    names = await authoring.place_names(assignments)
    reach: dict[int, int] = {}
    for a in assignments:
        token = service.audience_token(a.kind, a.value)
        if token is None:
            reach[a.id] = await Employee.filter(status=EmployeeStatus.ACTIVE).count()
        else:
            reach[a.id] = len(await members_of([token]))
    return AdminCourse(
        id=course.id,
        title=course.title,
        summary=course.summary,
        cover_url=cover_url(course),
        state=course.state.value,
        lessons=[
            AdminLesson(
                id=lesson.id,
                position=lesson.position,
                title=lesson.title,
                body_md=lesson.body_md,
                quiz=QuizOutAdmin(
                    question_count=lesson.quiz_questions,
                    time_limit_s=lesson.quiz_time_limit_s,
                    pass_mark=lesson.quiz_pass_mark,
                    attempts=lesson.quiz_attempts,
                )
                if lesson.quiz
                else None,
            )
            for lesson in lessons
        ],
        questions=[
            AdminQuestion(
                id=q.id,
                kind=q.kind.value,
                text=q.text,
                options=[
                    AdminOption(id=int(o["id"]), text=o["text"], correct=bool(o["correct"]))
                    for o in q.options
                ],
                explanation=q.explanation,
            )
            for q in questions
        ],
        assignments=[
            AdminAssignment(
                id=a.id,
                audience=CourseAudienceOut(kind=a.kind.value, value=a.value, name=names[a.id]),
                due_at=a.due_at,
                people=reach[a.id],
            )
            for a in assignments
        ],
        problems=await authoring.problems(course.id, locale),
    )


@api.route("GET", "/api/admin/courses", summary="Every course, drafts too (comms)", tags=TAGS,
           response=AdminCourseList, roles=COMMS)  # fmt: skip
async def admin_list(ctx: Ctx) -> AdminCourseList:
    courses = await Course.all().order_by("-updated_at", "-id")
    ids = [c.id for c in courses]

    async def counts(
        model: type[Lesson] | type[Question] | type[CourseAssignment] | type[CourseCompletion],
    ) -> dict[int, int]:
        found: dict[int, int] = {}
        for course_id in ints(
            await model.filter(course_id__in=ids).values_list("course_id", flat=True)
        ):
            found[course_id] = found.get(course_id, 0) + 1
        return found

    lessons, questions = await counts(Lesson), await counts(Question)
    assignments, completed = await counts(CourseAssignment), await counts(CourseCompletion)
    return AdminCourseList(
        items=[
            AdminCourseCard(
                id=c.id,
                title=c.title,
                summary=c.summary,
                cover_url=cover_url(c),
                state=c.state.value,
                status_draft=c.state.value,
                lessons=lessons.get(c.id, 0),
                questions=questions.get(c.id, 0),
                assignments=assignments.get(c.id, 0),
                completed=completed.get(c.id, 0),
                updated_at=c.updated_at,
            )
            for c in courses
        ]
    )


@api.route("POST", "/api/admin/courses", summary="Start a course (a draft)", tags=TAGS,
           body=CourseIn, response=AdminCourse, status=201, roles=COMMS)  # fmt: skip
async def admin_create(ctx: Ctx, body: CourseIn) -> AdminCourse:
    course = await authoring.create_course(ctx.me.id, body.title, body.summary)
    return await admin_course(course.id, ctx.locale)


@api.route("GET", "/api/admin/courses/{id:int}", summary="A course to edit", tags=TAGS,
           response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_get(ctx: Ctx) -> AdminCourse:
    return await admin_course(ctx.path_int("id"), ctx.locale)


@api.route("PATCH", "/api/admin/courses/{id:int}", summary="Change a course (title, cover...)",
           tags=TAGS, body=CoursePatch, response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_patch(ctx: Ctx, body: CoursePatch) -> AdminCourse:
    course_id = ctx.path_int("id")
    changes = given(body, ("cover_upload_id",))
    if "cover_upload_id" in changes and changes["cover_upload_id"] is not None:
        upload = await Attachment.get_or_none(id=changes["cover_upload_id"])
        if upload is None or upload.owner_id != ctx.me.id:
            raise ApiError(
                422, "validation_failed", field="cover_upload_id", reason="an image you uploaded"
            )
    await authoring.update_course(course_id, ctx.me.id, ctx.locale, changes)
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/publish",
           summary="Publish a course (422 with the list of problems when it is not ready)",
           tags=TAGS, response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_publish(ctx: Ctx) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.set_state(course_id, ctx.me.id, ctx.locale, publish=True)
    for assignment in await CourseAssignment.filter(course_id=course_id):
        await notify_assigned(ctx, assignment)  # once per person: the notifications' dedupe
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/unpublish", summary="Take a course back to draft",
           tags=TAGS, response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_unpublish(ctx: Ctx) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.set_state(course_id, ctx.me.id, ctx.locale, publish=False)
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/lessons", summary="Add a lesson (at the end)",
           tags=TAGS, body=LessonIn, response=AdminCourse, status=201, roles=COMMS)  # fmt: skip
async def admin_add_lesson(ctx: Ctx, body: LessonIn) -> AdminCourse:
    course_id = ctx.path_int("id")
    quiz = body.quiz.model_dump() if body.quiz else None
    await authoring.add_lesson(course_id, ctx.me.id, ctx.locale, body.title, body.body_md, quiz)
    return await admin_course(course_id, ctx.locale)


@api.route("PATCH", "/api/admin/courses/{id:int}/lessons/{lesson_id:int}",
           summary="Change a lesson (quiz: null removes the quiz; position moves it)",
           tags=TAGS, body=LessonPatch, response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_patch_lesson(ctx: Ctx, body: LessonPatch) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.update_lesson(
        course_id,
        ctx.path_int("lesson_id"),
        ctx.me.id,
        ctx.locale,
        given(body, ("quiz",)),
    )
    return await admin_course(course_id, ctx.locale)


@api.route("DELETE", "/api/admin/courses/{id:int}/lessons/{lesson_id:int}",
           summary="Delete a lesson", tags=TAGS, response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_delete_lesson(ctx: Ctx) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.delete_lesson(course_id, ctx.path_int("lesson_id"), ctx.me.id, ctx.locale)
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/questions", summary="Add a question to the bank",
           tags=TAGS, body=QuestionIn, response=AdminCourse, status=201, roles=COMMS)  # fmt: skip
async def admin_add_question(ctx: Ctx, body: QuestionIn) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.add_question(course_id, ctx.me.id, ctx.locale, body.model_dump())
    return await admin_course(course_id, ctx.locale)


@api.route("PATCH", "/api/admin/courses/{id:int}/questions/{qid:int}",
           summary="Change a question of the bank", tags=TAGS, body=QuestionPatch,
           response=AdminCourse, roles=COMMS)  # fmt: skip
async def admin_patch_question(ctx: Ctx, body: QuestionPatch) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.update_question(
        course_id, ctx.path_int("qid"), ctx.me.id, ctx.locale, given(body)
    )
    return await admin_course(course_id, ctx.locale)


@api.route("DELETE", "/api/admin/courses/{id:int}/questions/{qid:int}",
           summary="Delete a question of the bank", tags=TAGS, response=AdminCourse,
           roles=COMMS)  # fmt: skip
async def admin_delete_question(ctx: Ctx) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.delete_question(course_id, ctx.path_int("qid"), ctx.me.id, ctx.locale)
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/assignments",
           summary="Assign a course to everyone, a store, department, city or region",
           tags=TAGS, body=AssignmentIn, response=AdminCourse, status=201, roles=COMMS)  # fmt: skip
async def admin_assign(ctx: Ctx, body: AssignmentIn) -> AdminCourse:
    course_id = ctx.path_int("id")
    kind = AudienceKind(body.audience.kind)
    assignment = await authoring.add_assignment(
        course_id, ctx.me.id, ctx.locale, kind, body.audience.value, body.due_at
    )
    await notify_assigned(ctx, assignment)
    return await admin_course(course_id, ctx.locale)


async def notify_assigned(ctx: Ctx, assignment: CourseAssignment) -> None:
    """The people reached hear about it from a job (an audience may be thousands)."""
    await ctx.services.enqueue(
        "notify_course_assigned",
        assignment.id,
        job_id=ctx.services.keys.job_id("course-assigned", assignment.id),
    )


@api.route("DELETE", "/api/admin/courses/{id:int}/assignments/{aid:int}",
           summary="Withdraw an assignment", tags=TAGS, response=AdminCourse,
           roles=COMMS)  # fmt: skip
async def admin_unassign(ctx: Ctx) -> AdminCourse:
    course_id = ctx.path_int("id")
    await authoring.delete_assignment(course_id, ctx.path_int("aid"), ctx.me.id, ctx.locale)
    return await admin_course(course_id, ctx.locale)


@api.route("POST", "/api/admin/courses/{id:int}/preview-markdown",
           summary="A lesson body rendered as readers will see it", tags=TAGS, body=LessonPreviewIn,
           response=LessonPreviewOut, roles=COMMS)  # fmt: skip
async def admin_preview(ctx: Ctx, body: LessonPreviewIn) -> LessonPreviewOut:
    course = await authoring.course_or_404(ctx.path_int("id"))
    return LessonPreviewOut(html=render_lesson(body.body_md, course.id))
