from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from server.models import ActivityEvent, PollAnswer
from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_single_choice_poll_one_answer_each(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, carol = await as_(org.alice), await as_(org.bob), await as_(org.carol)
        post = (
            await alice.post(
                "/api/posts",
                json={
                    "body": "Lunch?",
                    "poll": {"question": "Where?", "options": ["Pizza", "Sushi"]},
                },
            )
        ).json()
        poll = (await bob.get(f"/api/polls/{post['poll_id']}")).json()
        pizza, sushi = (o["id"] for o in poll["options"])
        both = await bob.post(
            f"/api/polls/{poll['id']}/answer", json={"option_ids": [pizza, sushi]}
        )
        assert both.status_code == 422
        # Two answers at once from the same person: the database lets exactly one in.
        results = await asyncio.gather(
            *(
                bob.post(f"/api/polls/{poll['id']}/answer", json={"option_ids": [pizza]})
                for _ in range(4)
            )
        )
        assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
        await carol.post(f"/api/polls/{poll['id']}/answer", json={"option_ids": [sushi]})
        shown = (await alice.get(f"/api/polls/{poll['id']}")).json()
        assert shown["total"] == 2 and [o["votes"] for o in shown["options"]] == [1, 1]
        assert shown["options"][0]["voters"][0]["id"] == org.bob.id
        assert await PollAnswer.filter(poll_id=poll["id"]).count() == 2
        assert await ActivityEvent.filter(type="poll.answered").count() == 2


async def test_anonymous_multiple_choice_poll_with_a_deadline(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        closes = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        post = (
            await alice.post(
                "/api/posts",
                json={
                    "body": "Team day",
                    "poll": {
                        "question": "Which activities?",
                        "options": ["Bowling", "Karaoke", "Hike"],
                        "multiple": True,
                        "anonymous": True,
                        "closes_at": closes,
                    },
                },
            )
        ).json()
        poll = (await bob.get(f"/api/polls/{post['poll_id']}")).json()
        ids = [o["id"] for o in poll["options"]]
        answered = await bob.post(f"/api/polls/{poll['id']}/answer", json={"option_ids": ids[:2]})
        assert [o["votes"] for o in answered.json()["options"]] == [1, 1, 0]
        assert all(o["voters"] == [] for o in answered.json()["options"])
        await asyncio.sleep(2.1)
        late = await alice.post(f"/api/polls/{poll['id']}/answer", json={"option_ids": ids[2:]})
        assert late.status_code == 409 and late.json()["error"] == "poll_closed"
