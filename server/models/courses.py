"""Short courses: lessons with optional quizzes drawn from a per-course question bank,
attempts graded on the server, assignments to audiences, and who has done what."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from server.models.org import Employee
from server.models.posts import Attachment


class CourseState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


class AudienceKind(StrEnum):
    EVERYONE = "everyone"
    STORE = "store"
    DEPARTMENT = "department"
    CITY = "city"
    REGION = "region"


class Course(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    cover: fields.ForeignKeyNullableRelation[Attachment] = fields.ForeignKeyField(
        "plaza.Attachment", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    state = fields.CharEnumField(CourseState, max_length=16, default=CourseState.DRAFT)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)

    cover_id: int | None
    created_by_id: int | None

    class Meta:
        table = "course"


class Lesson(Model):
    """A lesson in its courses order, with quiz on, quiz_questions questions are drawn
    from the courses bank for each attempt."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name="lessons", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    title = fields.CharField(max_length=200)
    body_md = fields.TextField(default="")
    html = fields.TextField(default="")
    quiz = fields.BooleanField(default=False)
    quiz_questions = fields.IntField(default=5)
    quiz_time_limit_s = fields.IntField(default=600)
    quiz_pass_mark = fields.IntField(default=70)
    quiz_attempts = fields.IntField(default=3)

    course_id: int

    class Meta:
        table = "course_lesson"
        indexes = (("course_id", "position"),)


class Question(Model):
    """A question of the bank. options is [{id, text, correct}], option ids are random, so
    that neither their order nor their numbers say which one is right."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name="questions", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    kind = fields.CharEnumField(QuestionKind, max_length=16)
    text = fields.TextField()
    options = fields.JSONField[list[dict[str, Any]]](default=list)
    explanation = fields.TextField(default="")

    course_id: int

    class Meta:
        table = "course_question"


class Attempt(Model):
    """One try at a lessons quiz. questions is the drawn set as it was when drawn (text,
    options in shown order, correctness, explanation): grading reads only this, so a reload
    shows the same questions and an edit of the bank does not change a running attempt.
    number is unique per lesson and person, so two starts at once cannot both use the last
    attempt, submitted_at is set once, by a conditional update (one grading per attempt)."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name=False, on_delete=fields.CASCADE
    )
    lesson: fields.ForeignKeyRelation[Lesson] = fields.ForeignKeyField(
        "plaza.Lesson", related_name="attempts", on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    number = fields.IntField()
    seed = fields.BigIntField()
    questions = fields.JSONField[list[dict[str, Any]]](default=list)
    pass_mark = fields.IntField()
    started_at = fields.DatetimeField()
    deadline = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    answers = fields.JSONField[dict[str, list[int]]](default=dict)
    score = fields.IntField(null=True)
    correct = fields.IntField(null=True)
    passed = fields.BooleanField(default=False)
    late = fields.BooleanField(default=False)
    event_id = fields.CharField(max_length=32, null=True)

    course_id: int
    lesson_id: int
    employee_id: int

    class Meta:
        table = "course_attempt"
        unique_together = (("lesson", "employee", "number"),)


class LessonProgress(Model):
    """What a person has done in a lesson: read it, passed its quiz, their best score."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name=False, on_delete=fields.CASCADE
    )
    lesson: fields.ForeignKeyRelation[Lesson] = fields.ForeignKeyField(
        "plaza.Lesson", related_name=False, on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    read_at = fields.DatetimeField(null=True)
    passed_at = fields.DatetimeField(null=True)
    best_score = fields.IntField(null=True)

    course_id: int
    lesson_id: int
    employee_id: int

    class Meta:
        table = "course_lesson_progress"
        unique_together = (("lesson", "employee"),)
        indexes = (("course_id", "employee_id"),)


class CourseCompletion(Model):
    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name=False, on_delete=fields.CASCADE
    )
    employee: fields.ForeignKeyRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, on_delete=fields.CASCADE
    )
    completed_at = fields.DatetimeField()

    course_id: int
    employee_id: int

    class Meta:
        table = "course_completion"
        unique_together = (("course", "employee"),)


class CourseAssignment(Model):
    """A course given to an audience (everyone, or a store, department, city or region by
    id), optionally by a date."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "plaza.Course", related_name="assignments", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(AudienceKind, max_length=16)
    value = fields.CharField(max_length=64, null=True)
    due_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Employee] = fields.ForeignKeyField(
        "plaza.Employee", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    reminded_at = fields.DatetimeField(null=True)

    course_id: int

    class Meta:
        table = "course_assignment"
