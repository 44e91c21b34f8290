"""Course jobs: the people a course is assigned to hear about it (a job after the
assignment commits), and those who have not finished hear again a day before it is due
(cron)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.community.audience import members_of
from server.community.sql import ints
from server.courses.service import audience_token
from server.models import (
    CourseAssignment,
    CourseCompletion,
    CourseState,
    Employee,
    EmployeeStatus,
)
from server.notifications.service import notify
from server.services import Services

REMIND_BEFORE = timedelta(days=1)


async def assigned_people(assignment: CourseAssignment) -> set[int]:
    token = audience_token(assignment.kind, assignment.value)
    if token is None:
        ids = await Employee.filter(status=EmployeeStatus.ACTIVE).values_list("id", flat=True)
        return set(ints(ids))
    return await members_of([token])


def _payload(assignment: CourseAssignment) -> dict[str, Any]:
    return {
        "course_id": assignment.course_id,
        "title": assignment.course.title,
        "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
    }


async def notify_assignment(services: Services, assignment_id: int) -> int:
    """`course.assigned` to everyone the assignment reaches, when the course is published
    (once per assignment and person: the dedupe key)."""
    assignment = await CourseAssignment.filter(id=assignment_id).prefetch_related("course").first()
    if assignment is None or assignment.course.state != CourseState.PUBLISHED:
        return 0
    people = await assigned_people(assignment)
    return len(
        await notify(services, people, "course.assigned", _payload(assignment), str(assignment.id))
    )


async def notify_course_assigned(ctx: dict[str, Any], assignment_id: int) -> int:
    return await notify_assignment(ctx["services"], assignment_id)


async def send_course_reminders(ctx: dict[str, Any]) -> int:
    """A day before an assignment is due, `course.due_soon` to those reached who have not
    completed the course. The claim (an UPDATE only one worker wins) and the dedupe keys make
    a repeat harmless."""
    services: Services = ctx["services"]
    now = datetime.now(UTC)
    due = await CourseAssignment.filter(
        reminded_at=None,
        due_at__gt=now,
        due_at__lte=now + REMIND_BEFORE,
        course__state=CourseState.PUBLISHED,
    ).prefetch_related("course")
    sent = 0
    for assignment in due:
        claimed = await CourseAssignment.filter(id=assignment.id, reminded_at=None).update(
            reminded_at=now
        )
        if not claimed:
            continue
        people = await assigned_people(assignment)
        done = set(
            ints(
                await CourseCompletion.filter(
                    course_id=assignment.course_id, employee_id__in=list(people)
                ).values_list("employee_id", flat=True)
            )
        )
        sent += len(
            await notify(
                services, people - done, "course.due_soon", _payload(assignment), str(assignment.id)
            )
        )
    return sent
