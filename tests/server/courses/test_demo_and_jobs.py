"""The demo course, and the course jobs: the assigned hear about a course, and those not done
hear again a day before it is due (once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.community.access import load_viewer
from server.community.sql import ints
from server.courses import authoring
from server.courses import demo as course_demo
from server.courses.endpoints import course_detail
from server.courses.tasks import notify_assignment, send_course_reminders
from server.demo import DEMO_DOMAIN, load_demo
from server.models import (
    AudienceKind,
    Course,
    CourseAssignment,
    CourseCompletion,
    Employee,
    LessonProgress,
    Notification,
    Question,
)
from server.services import Services
from server.settings import Settings
from tests.community import make_org


async def test_the_demo_course_is_there_once_for_the_employee_and_the_director(
    db: Settings,
) -> None:
    services = await Services.start(db)
    try:
        await load_demo(services)
        await course_demo.load_demo_course(services)
    finally:
        await services.close()
    course = await Course.get(title=course_demo.TITLE)
    assert await Course.filter(title=course_demo.TITLE).count() == 1
    assert await Question.filter(course_id=course.id).count() == 10
    employee = await Employee.get(email=f"employee@{DEMO_DOMAIN}")
    detail = await course_detail(await load_viewer(employee), course.id)
    assert detail.assigned and detail.due_at is not None and detail.status == "not_started"
    assert [lesson.quiz is not None for lesson in detail.lessons] == [False, True, True]
    director = await Employee.get(email=f"director@{DEMO_DOMAIN}")
    readers = await LessonProgress.filter(course_id=course.id).prefetch_related("employee")
    assert readers and all(r.employee.store_id == director.store_id for r in readers)


async def test_assigned_people_are_notified_and_reminded_once(db: Settings) -> None:
    org = await make_org()
    services = await Services.start(db)
    try:
        course = await authoring.create_course(org.comms.id, "Safety", "")
        await authoring.add_lesson(course.id, org.comms.id, "en", "Helmets", "Wear one.", None)
        due = datetime.now(UTC) + timedelta(hours=20)
        # Assigned while a draft: nobody hears of it yet.
        assignment = await authoring.add_assignment(
            course.id, org.comms.id, "en", AudienceKind.STORE, "South store", due
        )
        assert await notify_assignment(services, assignment.id) == 0
        await authoring.set_state(course.id, org.comms.id, "en", publish=True)
        assert await notify_assignment(services, assignment.id) == 3  # moderator, bob, carol
        assert await notify_assignment(services, assignment.id) == 0  # once per person
        assigned = await Notification.filter(kind="course.assigned").order_by("employee_id")
        assert {n.employee_id for n in assigned} == {org.moderator.id, org.bob.id, org.carol.id}
        assert assigned[0].payload["title"] == "Safety"
        # Bob has finished; the others hear a day before the due date, once.
        await CourseCompletion.create(course_id=course.id, employee_id=org.bob.id, completed_at=due)
        ctx = {"services": services}
        assert await send_course_reminders(ctx) == 2
        assert await send_course_reminders(ctx) == 0
        reminded = set(
            ints(
                await Notification.filter(kind="course.due_soon").values_list(
                    "employee_id", flat=True
                )
            )
        )
        assert reminded == {org.moderator.id, org.carol.id}
        assert (await CourseAssignment.get(id=assignment.id)).reminded_at is not None
    finally:
        await services.close()
