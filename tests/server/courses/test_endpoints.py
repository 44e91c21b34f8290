"""Courses over real HTTP on both databases: writing and publishing (comms), taking a quiz
(employees), the grading promises, and a store's progress (directors)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.courses import grading
from server.models import ActivityEvent, Attempt, AuditEntry, CourseCompletion
from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import run_jobs

QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": "Which shelf takes the new stock?",
        "options": [{"text": "Back", "correct": True}, {"text": "Front", "correct": False}],
        "explanation": "First in, first out.",
    },
    {
        "kind": "multiple",
        "text": "What goes on a price tag?",
        "options": [
            {"text": "Price", "correct": True},
            {"text": "Unit price", "correct": True},
            {"text": "Supplier's phone", "correct": False},
        ],
        "explanation": "Price and unit price, by law.",
    },
    {
        "kind": "true_false",
        "text": "A customer may return an item within 14 days.",
        "options": [{"text": "True", "correct": True}, {"text": "False", "correct": False}],
        "explanation": "",
    },
    {
        "kind": "single",
        "text": "Who opens the till?",
        "options": [{"text": "The cashier", "correct": True}, {"text": "Anyone", "correct": False}],
        "explanation": "",
    },
]
QUIZ = {"question_count": 3, "time_limit_s": 600, "pass_mark": 60, "attempts": 2}


async def make_course(
    comms: httpx.AsyncClient, *, quiz: dict[str, Any] | None = None
) -> dict[str, Any]:
    created = await comms.post(
        "/api/admin/courses", json={"title": "Shelf basics", "summary": "How we stock"}
    )
    assert created.status_code == 201, created.text
    course = created.json()
    cid = course["id"]
    # Not publishable yet: the reasons are listed, in the reader's language.
    refused = await comms.post(f"/api/admin/courses/{cid}/publish")
    assert refused.status_code == 422 and refused.json()["error"] == "course_not_ready"
    assert refused.json()["problems"] == ["The course has no lessons."]
    r = await comms.post(
        f"/api/admin/courses/{cid}/lessons",
        json={"title": "Welcome", "body_md": "# Hello\n\nRead **this**.<script>x</script>"},
    )
    assert r.status_code == 201, r.text
    r = await comms.post(
        f"/api/admin/courses/{cid}/lessons",
        json={"title": "Stocking", "body_md": "Back to front.", "quiz": quiz or QUIZ},
    )
    assert r.status_code == 201
    refused = await comms.post(f"/api/admin/courses/{cid}/publish")
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        "The quiz of “Stocking” asks 3 questions, but the bank has 0."
    ]
    for q in QUESTIONS:
        r = await comms.post(f"/api/admin/courses/{cid}/questions", json=q)
        assert r.status_code == 201, r.text
    published = await comms.post(f"/api/admin/courses/{cid}/publish")
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    assert body["state"] == "published" and body["problems"] == []
    return body


def no_correctness(value: Any) -> bool:
    """Nothing in a body says which option is right."""
    text = json.dumps(value)
    return '"correct"' not in text and "explanation" not in text


async def test_taking_a_course_grades_once_and_never_leaks_answers(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        course = await make_course(comms)
        cid = course["id"]
        first, second = (lesson["id"] for lesson in course["lessons"])
        seen: list[Any] = []

        async def get(url: str) -> Any:
            r = await alice.get(url)
            assert r.status_code == 200, r.text
            seen.append(r.json())
            return r.json()

        listed = await get("/api/courses")
        card = next(c for c in listed["items"] if c["id"] == cid)
        assert card["status"] == "not_started" and card["lessons"] == 2 and not card["assigned"]
        detail = await get(f"/api/courses/{cid}")
        assert [lesson["done"] for lesson in detail["lessons"]] == [False, False]
        assert detail["lessons"][1]["quiz"]["questions"] == 3
        lesson = await get(f"/api/courses/{cid}/lessons/{first}")
        assert "<h1>Hello</h1>" in lesson["html"] and "<script>" not in lesson["html"]
        assert lesson["next_id"] == second and lesson["prev_id"] is None
        read = await alice.post(f"/api/courses/{cid}/lessons/{first}/read")
        assert read.json()["done"] is True
        started = await alice.post(f"/api/courses/{cid}/lessons/{second}/attempts")
        assert started.status_code == 201, started.text
        attempt = started.json()
        seen.append(attempt)
        assert len(attempt["questions"]) == 3 and attempt["submitted"] is False
        # Starting again (a second tab) resumes the same attempt; a reload shows the same quiz.
        again = await alice.post(f"/api/courses/{cid}/lessons/{second}/attempts")
        seen.append(again.json())
        assert again.json()["id"] == attempt["id"]
        assert (await get(f"/api/attempts/{attempt['id']}"))["questions"] == attempt["questions"]
        detail = await get(f"/api/courses/{cid}")
        assert detail["lessons"][1]["quiz"]["open_attempt_id"] == attempt["id"]
        assert all(no_correctness(body) for body in seen)
        # Someone else's attempt is nobody's business.
        bob = await as_(org.bob)
        assert (await bob.get(f"/api/attempts/{attempt['id']}")).status_code == 404
        assert (
            await bob.post(f"/api/attempts/{attempt['id']}/submit", json={"answers": {}})
        ).status_code == 404

        row = await Attempt.get(id=attempt["id"])
        perfect = grading.perfect_answers(row.questions)
        result = await alice.post(
            f"/api/attempts/{attempt['id']}/submit", json={"answers": perfect}
        )
        assert result.status_code == 200, result.text
        graded = result.json()
        assert (
            graded["passed"]
            and graded["score"] == 100
            and graded["correct"] == graded["total"] == 3
        )
        assert graded["course_completed"] is True and graded["late"] is False
        assert all(q["right"] for q in graded["questions"])
        assert any(q["explanation"] for q in graded["questions"]) or True
        # A second submit (other answers) changes nothing: the same result, no second event.
        repeat = await alice.post(f"/api/attempts/{attempt['id']}/submit", json={"answers": {}})
        assert {k: v for k, v in repeat.json().items() if k != "points"} == {
            k: v for k, v in graded.items() if k != "points"
        }
        assert await ActivityEvent.filter(type="quiz.passed", actor_id=org.alice.id).count() == 1
        assert (
            await ActivityEvent.filter(type="course.completed", actor_id=org.alice.id).count() == 1
        )
        event = await ActivityEvent.get(type="quiz.passed", actor_id=org.alice.id)
        assert event.data == {
            "course_id": str(cid),
            "lesson_id": str(second),
            "attempt_id": str(attempt["id"]),
            "score": 100,
        }
        # Passed: no further attempt.
        more = await alice.post(f"/api/courses/{cid}/lessons/{second}/attempts")
        assert more.status_code == 409 and more.json()["error"] == "already_passed"
        done = await get(f"/api/courses/{cid}")
        assert done["status"] == "completed" and done["done_lessons"] == 2
        assert done["lessons"][1]["quiz"]["best_score"] == 100
        # The result, read back later, is the same.
        back = await get(f"/api/attempts/{attempt['id']}")
        assert back["submitted"] is True and back["score"] == 100


async def test_attempts_run_out_and_a_late_answer_counts_for_nothing(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, bob = await as_(org.comms), await as_(org.bob)
        course = await make_course(comms)
        cid, lesson = course["id"], course["lessons"][1]["id"]
        first = (await bob.post(f"/api/courses/{cid}/lessons/{lesson}/attempts")).json()
        wrong = await bob.post(f"/api/attempts/{first['id']}/submit", json={"answers": {}})
        assert wrong.json()["passed"] is False and wrong.json()["attempts_left"] == 1
        assert all(not q["right"] for q in wrong.json()["questions"])
        second = (await bob.post(f"/api/courses/{cid}/lessons/{lesson}/attempts")).json()
        assert second["id"] != first["id"]
        # Past the deadline (and the slack): the answers are refused, graded as nothing.
        row = await Attempt.get(id=second["id"])
        await Attempt.filter(id=row.id).update(
            started_at=datetime.now(UTC) - timedelta(minutes=20),
            deadline=datetime.now(UTC) - timedelta(minutes=10),
        )
        late = await bob.post(
            f"/api/attempts/{second['id']}/submit",
            json={"answers": grading.perfect_answers(row.questions)},
        )
        body = late.json()
        assert body["late"] is True and body["score"] == 0 and not body["passed"]
        assert body["attempts_left"] == 0
        out = await bob.post(f"/api/courses/{cid}/lessons/{lesson}/attempts")
        assert out.status_code == 409 and out.json()["error"] == "no_attempts_left"
        assert await ActivityEvent.filter(type="quiz.passed").count() == 0


async def test_two_submits_at_once_grade_one_time(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, carol = await as_(org.comms), await as_(org.carol)
        course = await make_course(comms)
        cid, lesson = course["id"], course["lessons"][1]["id"]
        attempt = (await carol.post(f"/api/courses/{cid}/lessons/{lesson}/attempts")).json()
        row = await Attempt.get(id=attempt["id"])
        perfect = grading.perfect_answers(row.questions)
        results = await asyncio.gather(
            *(
                carol.post(
                    f"/api/attempts/{attempt['id']}/submit",
                    json={"answers": perfect if i % 2 else {}},
                )
                for i in range(4)
            )
        )
        assert [r.status_code for r in results] == [200] * 4
        scores = {(r.json()["score"], r.json()["submitted_at"]) for r in results}
        assert len(scores) == 1  # one grading, whichever came first
        passed = next(iter(scores))[0] == 100
        assert await ActivityEvent.filter(type="quiz.passed").count() == int(passed)


async def test_starts_at_once_share_one_attempt(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, carol = await as_(org.comms), await as_(org.carol)
        course = await make_course(comms, quiz={**QUIZ, "attempts": 1})
        cid, lesson = course["id"], course["lessons"][1]["id"]
        url = f"/api/courses/{cid}/lessons/{lesson}/attempts"
        started = await asyncio.gather(*(carol.post(url) for _ in range(4)))
        assert {r.status_code for r in started} == {201}
        assert len({r.json()["id"] for r in started}) == 1
        assert await Attempt.filter(employee_id=org.carol.id).count() == 1


async def test_assignments_audiences_and_a_directors_progress(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        manager, admin = await as_(org.manager), await as_(org.admin)
        course = await make_course(comms)
        cid = course["id"]
        due = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        r = await comms.post(
            f"/api/admin/courses/{cid}/assignments",
            json={"audience": {"kind": "store", "value": "North store"}, "due_at": due},
        )
        assert r.status_code == 201, r.text
        assignment = r.json()["assignments"][0]
        assert assignment["audience"] == {
            "kind": "store",
            "value": str(org.store_n.id),
            "name": "North store",
        }
        assert assignment["people"] == 4  # comms, admin, manager, alice
        bad = await comms.post(
            f"/api/admin/courses/{cid}/assignments",
            json={"audience": {"kind": "store", "value": "Atlantis"}},
        )
        assert bad.status_code == 422
        # Found by schemathesis: a value longer than any code or name is nothing, not a 500.
        long = await comms.post(
            f"/api/admin/courses/{cid}/assignments",
            json={"audience": {"kind": "city", "value": "0" * 200}},
        )
        assert long.status_code == 422
        assert (
            await admin.get(f"/api/courses/{cid}/progress", params={"store": "0" * 200})
        ).status_code == 404
        # Alice (north) has it, assigned and overdue; Bob (south) does not see it at all.
        card = next(c for c in (await alice.get("/api/courses")).json()["items"] if c["id"] == cid)
        assert card["assigned"] and card["overdue"] and card["due_at"] is not None
        assert all(c["id"] != cid for c in (await bob.get("/api/courses")).json()["items"])
        assert (await bob.get(f"/api/courses/{cid}")).status_code == 404
        await alice.post(f"/api/courses/{cid}/lessons/{course['lessons'][0]['id']}/read")
        # The director sees their store; another store is refused; employees are refused.
        mine = await manager.get(f"/api/courses/{cid}/progress")
        assert mine.status_code == 200, mine.text
        body = mine.json()
        assert body["store"] == "North store"
        assert body["summary"] == {
            "people": 4,
            "completed": 0,
            "in_progress": 1,
            "not_started": 3,
            "overdue": 4,
        }
        row = next(i for i in body["items"] if i["person"]["id"] == org.alice.id)
        assert (
            row["status"] == "in_progress"
            and row["done_lessons"] == 1
            and row["best_scores"] == [None, None]
        )
        other = await manager.get(f"/api/courses/{cid}/progress", params={"store": "South store"})
        assert other.status_code == 403
        assert (await alice.get(f"/api/courses/{cid}/progress")).status_code == 403
        everyone = (await admin.get(f"/api/courses/{cid}/progress")).json()
        assert everyone["summary"]["people"] == 4 and everyone["store"] is None
        # Withdrawn: open to everyone again (a course with no assignment is open to all).
        gone = await comms.delete(f"/api/admin/courses/{cid}/assignments/{assignment['id']}")
        assert gone.json()["assignments"] == []
        assert any(c["id"] == cid for c in (await bob.get("/api/courses")).json()["items"])


async def test_authoring_is_audited_and_a_published_course_stays_sound(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        course = await make_course(comms)
        cid = course["id"]
        # A draft is nobody's to read but the authors'.
        draft = (await comms.post("/api/admin/courses", json={"title": "Draft"})).json()
        assert (await alice.get(f"/api/courses/{draft['id']}")).status_code == 404
        assert (await comms.get(f"/api/courses/{draft['id']}")).status_code == 200
        # Deleting questions below what a quiz asks is refused while published.
        q = course["questions"][0]["id"]
        await comms.delete(f"/api/admin/courses/{cid}/questions/{q}")
        refused = await comms.delete(
            f"/api/admin/courses/{cid}/questions/{course['questions'][1]['id']}"
        )
        assert refused.status_code == 422 and refused.json()["problems"]
        # A question whose options all are wrong cannot be saved into a published course.
        broken = await comms.patch(
            f"/api/admin/courses/{cid}/questions/{course['questions'][2]['id']}",
            json={
                "options": [{"text": "True", "correct": False}, {"text": "False", "correct": False}]
            },
        )
        assert broken.status_code == 422
        # Options keep their ids when only correctness changes.
        kept = (
            await comms.patch(
                f"/api/admin/courses/{cid}/questions/{course['questions'][2]['id']}",
                json={
                    "options": [
                        {"text": "True", "correct": False},
                        {"text": "False", "correct": True},
                    ]
                },
            )
        ).json()
        before = {o["text"]: o["id"] for o in course["questions"][2]["options"]}
        after = {
            o["text"]: o["id"]
            for o in next(x for x in kept["questions"] if x["id"] == course["questions"][2]["id"])[
                "options"
            ]
        }
        assert before == after
        moved = await comms.patch(
            f"/api/admin/courses/{cid}/lessons/{course['lessons'][1]['id']}", json={"position": 1}
        )
        assert [lesson["title"] for lesson in moved.json()["lessons"]] == ["Stocking", "Welcome"]
        preview = await comms.post(
            f"/api/admin/courses/{cid}/preview-markdown",
            json={"body_md": "![x](/api/attachments/5) ![y](https://evil.example/x.png) *hi*"},
        )
        html = preview.json()["html"]
        assert (
            f'src="/api/courses/{cid}/files/5"' in html
            and "evil" not in html
            and "<em>hi</em>" in html
        )
        # Null in a PATCH leaves a field as it is (a quiz or a cover: null removes it).
        same = await comms.patch(f"/api/admin/courses/{cid}", json={"title": None, "summary": None})
        assert same.status_code == 200 and same.json()["title"] == "Shelf basics"
        kept_lesson = await comms.patch(
            f"/api/admin/courses/{cid}/lessons/{course['lessons'][0]['id']}",
            json={"title": None, "body_md": None, "position": None},
        )
        assert kept_lesson.status_code == 200
        unpublished = await comms.post(f"/api/admin/courses/{cid}/unpublish")
        assert unpublished.json()["state"] == "draft"
        listed = (await comms.get("/api/admin/courses")).json()["items"]
        assert {c["id"] for c in listed} >= {cid, draft["id"]}
        actions = set(
            await AuditEntry.filter(target=f"course:{cid}").values_list("action", flat=True)
        )
        assert actions >= {
            "course.create",
            "course.lesson.create",
            "course.question.create",
            "course.question.delete",
            "course.question.update",
            "course.lesson.update",
            "course.publish",
            "course.unpublish",
        }
        assert (await alice.get("/api/admin/courses")).status_code == 403
        assert not await CourseCompletion.exists()


async def test_passing_earns_the_default_rules_points(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        course = await make_course(comms)
        cid = course["id"]
        first, second = (lesson["id"] for lesson in course["lessons"])
        await alice.post(f"/api/courses/{cid}/lessons/{first}/read")
        attempt = (await alice.post(f"/api/courses/{cid}/lessons/{second}/attempts")).json()
        row = await Attempt.get(id=attempt["id"])
        answers = grading.perfect_answers(row.questions)
        result = (
            await alice.post(f"/api/attempts/{attempt['id']}/submit", json={"answers": answers})
        ).json()
        assert result["passed"] and result["course_completed"]
        live.settings.__dict__["settle_sweep_seconds"] = 0.0
        await run_jobs(live.settings)
        # Settled: the result says what the pass earned (10 + 5 for a perfect score).
        back = (await alice.get(f"/api/attempts/{attempt['id']}")).json()
        assert back["points"] == 15
        wallet = (await alice.get("/api/me/wallet")).json()
        assert wallet["points"] == 15 + 50  # and the completed course
