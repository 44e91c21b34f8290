"""The comms team's content tools over HTTP and the scheduled-post job, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.content import service
from server.models import AuditEntry, Notification, Post, ScheduledPost
from tests.community import Clients, make_org
from tests.conftest import LiveServer


async def _channel(comms: Any) -> int:
    made = await comms.post("/api/channels", json={"name": "News", "mandatory": True})
    return int(made.json()["id"])


async def _actions() -> list[str]:
    return [a.action for a in await AuditEntry.all().order_by("seq")]


async def test_pins_banners_and_segments_are_listed_edited_and_audited(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        channel = await _channel(comms)
        banner = (
            await comms.post(
                "/api/posts", json={"body": "Banner", "channel_id": channel, "banner": True}
            )
        ).json()
        plain = (
            await comms.post("/api/posts", json={"body": "Plain", "channel_id": channel})
        ).json()
        assert (await comms.put(f"/api/posts/{plain['id']}/pin")).status_code == 200
        pinned = (await comms.get("/api/content/pinned")).json()["items"]
        assert [p["id"] for p in pinned] == [plain["id"], banner["id"]]
        assert (await alice.get("/api/content/pinned")).status_code == 403
        # Ending a banner unpins it; everyone's banner list follows.
        assert [b["id"] for b in (await alice.get("/api/banners")).json()["items"]] == [
            banner["id"]
        ]
        await comms.delete(f"/api/posts/{banner['id']}/pin")
        assert (await alice.get("/api/banners")).json()["items"] == []
        # Saved audiences: create, redefine (the size follows), delete.
        made = await comms.post(
            "/api/segments", json={"name": "IT", "tokens": [f"dept:{org.it.id}"]}
        )
        segment = made.json()
        changed = await comms.patch(
            f"/api/segments/{segment['id']}",
            json={"name": "North", "tokens": [f"store:{org.store_n.id}"]},
        )
        assert changed.status_code == 200, changed.text
        count = await comms.post(
            "/api/audience/count", json={"tokens": [f"store:{org.store_n.id}"]}
        )
        assert changed.json()["name"] == "North"
        assert changed.json()["size"] == count.json()["count"] > 0
        assert changed.json()["tokens"] == [f"store:{org.store_n.id}"]
        assert (await alice.delete(f"/api/segments/{segment['id']}")).status_code == 403
        assert (await comms.delete(f"/api/segments/{segment['id']}")).status_code == 200
        assert (await comms.get("/api/segments")).json()["items"] == []
    actions = await _actions()
    for action in ("banner.create", "post.pin", "banner.end", "segment.create",
                   "segment.edit", "segment.delete"):  # fmt: skip
        assert action in actions


async def test_the_digest_is_edited_up_to_five_and_the_daily_job_keeps_it(
    live: LiveServer,
) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        channel = await _channel(comms)
        ids = [
            (
                await comms.post("/api/posts", json={"body": f"news {i}", "channel_id": channel})
            ).json()["id"]
            for i in range(7)
        ]
        hidden = (
            await comms.post(
                "/api/posts",
                json={
                    "body": "north",
                    "channel_id": channel,
                    "audience": [f"region:{org.north.id}"],
                },
            )
        ).json()["id"]
        editor = (await comms.get("/api/content/digest")).json()
        assert editor["limit"] == 5 and not editor["edited"]
        assert len(editor["items"]) == 5 and set(ids) <= {p["id"] for p in editor["candidates"]}
        day = editor["day"]
        too_many = await comms.put("/api/content/digest", json={"day": day, "post_ids": ids[:6]})
        assert too_many.status_code == 422 and too_many.json()["error"] == "digest_too_long"
        assert "5" in too_many.json()["detail"]
        refused = await comms.put("/api/content/digest", json={"day": day, "post_ids": [hidden]})
        assert refused.json()["error"] == "digest_post_hidden"
        assert (
            await alice.put("/api/content/digest", json={"day": day, "post_ids": ids[:1]})
        ).status_code == 403
        chosen = [ids[0], ids[6], ids[3]]
        saved = await comms.put("/api/content/digest", json={"day": day, "post_ids": chosen})
        assert saved.status_code == 200, saved.text
        assert [p["id"] for p in saved.json()["items"]] == chosen and saved.json()["edited"]
        assert saved.json()["edited_by"]["id"] == org.comms.id
        # The daily job's rebuild keeps the edited choice; readers see it in that order.
        from server.digest.service import build_digest

        await build_digest(datetime.fromisoformat(day).date(), live.settings.zone)
        assert [p["id"] for p in (await alice.get("/api/digest")).json()["items"]] == chosen
    assert "digest.edit" in await _actions()


async def test_confirmation_statistics_and_the_one_reminder(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = await _channel(comms)
        post = (
            await comms.post(
                "/api/posts",
                json={"body": "Read me\nplease", "channel_id": channel, "needs_confirmation": True},
            )
        ).json()
        await alice.post(f"/api/posts/{post['id']}/confirm")
        listed = (await comms.get("/api/content/confirmations")).json()["items"]
        assert [(i["post"]["id"], i["confirmed"], i["audience"]) for i in listed] == [
            (post["id"], 1, 6)
        ]
        stats = (await comms.get(f"/api/content/confirmations/{post['id']}")).json()
        north = next(r for r in stats["by_store"] if r["id"] == org.store_n.id)
        assert (north["audience"], north["confirmed"]) == (3, 1)  # admin, manager, alice
        assert sum(r["audience"] for r in stats["by_department"]) == 6
        assert (await bob.post(f"/api/posts/{post['id']}/remind")).status_code == 403
        sent = await comms.post(f"/api/posts/{post['id']}/remind")
        assert sent.status_code == 200 and sent.json()["recipients"] == 5
        again = await comms.post(f"/api/posts/{post['id']}/remind")
        assert again.status_code == 409 and again.json()["error"] == "already_reminded"
        reminded = await Notification.filter(kind="post.confirm_reminder").values_list(
            "employee_id", flat=True
        )
        assert org.bob.id in reminded and org.alice.id not in reminded and len(reminded) == 5
        stats = (await comms.get(f"/api/content/confirmations/{post['id']}")).json()
        assert stats["reminded"] == 5 and stats["reminded_at"]
    assert (await _actions()).count("post.confirmations.remind") == 1


async def test_scheduled_posts_are_edited_cancelled_and_published_once(
    live: LiveServer,
) -> None:
    org = await make_org()
    soon = datetime.now(UTC) + timedelta(minutes=5)
    async with Clients(live.url) as as_:
        comms, alice = await as_(org.comms), await as_(org.alice)
        channel = await _channel(comms)
        body = {"body": "Later", "channel_id": channel, "publish_at": soon.isoformat()}
        assert (await alice.post("/api/scheduled", json=body)).status_code == 403
        past = {**body, "publish_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
        refused = await comms.post("/api/scheduled", json=past)
        assert refused.status_code == 422 and refused.json()["error"] == "schedule_in_past"
        first = (await comms.post("/api/scheduled", json=body)).json()
        second = (await comms.post("/api/scheduled", json={**body, "body": "Dropped"})).json()
        assert first["state"] == "scheduled"
        edited = await comms.patch(f"/api/scheduled/{first['id']}", json={"body": "Later, edited"})
        assert edited.status_code == 200 and edited.json()["body"] == "Later, edited"
        assert (await comms.delete(f"/api/scheduled/{second['id']}")).json()["state"] == "cancelled"
        # Not yet due: nothing happens.
        assert await service.publish_due(live.services) == []
        # Two workers race at the time: exactly one post.
        at = soon + timedelta(seconds=1)
        results = await asyncio.gather(
            service.publish_due(live.services, at=at), service.publish_due(live.services, at=at)
        )
        assert sorted(len(r) for r in results) == [0, 1]
        assert await Post.filter(body="Later, edited").count() == 1
        assert await Post.filter(body="Dropped").count() == 0
        feed = (await alice.get("/api/feed")).json()["items"]
        assert feed[0]["body"] == "Later, edited"
        gone = await comms.patch(f"/api/scheduled/{first['id']}", json={"body": "Too late"})
        assert gone.status_code == 409 and gone.json()["error"] == "schedule_gone"
        listed = (await comms.get("/api/scheduled")).json()
        assert listed["timezone"] and {i["state"] for i in listed["items"]} == {
            "published",
            "cancelled",
        }
    actions = await _actions()
    assert "post.schedule" in actions and "post.schedule.cancel" in actions


async def test_a_worker_dying_mid_publish_leaves_it_for_the_next_run(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = await make_org()
    soon = datetime.now(UTC) + timedelta(minutes=1)
    async with Clients(live.url) as as_:
        comms = await as_(org.comms)
        channel = await _channel(comms)
        body = {"body": "Once", "channel_id": channel, "publish_at": soon.isoformat()}
        row = (await comms.post("/api/scheduled", json=body)).json()
    from server.posts import service as posts

    original = posts.live.post_created

    async def crash(*args: Any) -> None:
        raise RuntimeError("the worker died")

    # Dies after its transaction committed: the post exists once, the row says so.
    monkeypatch.setattr(posts.live, "post_created", crash)
    with pytest.raises(RuntimeError):
        await service.publish_due(live.services, at=soon + timedelta(seconds=1))
    monkeypatch.setattr(posts.live, "post_created", original)
    assert await service.publish_due(live.services, at=soon + timedelta(seconds=2)) == []
    assert await Post.filter(body="Once").count() == 1
    # Dies inside the transaction: nothing is left, and the next run publishes it.
    await ScheduledPost.filter(id=row["id"]).update(state="scheduled", post_id=None)
    await Post.filter(body="Once").delete()

    async def broken_claim(self: Any, *args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(posts.audit, "record", broken_claim)  # raises inside the transaction
    payload = {"body": "Once", "channel_id": channel, "banner": True}
    await ScheduledPost.filter(id=row["id"]).update(payload=payload)
    with pytest.raises(RuntimeError):
        await service.publish_due(live.services, at=soon + timedelta(seconds=3))
    monkeypatch.undo()
    assert await Post.filter(body="Once").count() == 0
    assert (await ScheduledPost.get(id=row["id"])).state == "scheduled"
    published = await service.publish_due(live.services, at=soon + timedelta(seconds=4))
    assert len(published) == 1 and await Post.filter(body="Once").count() == 1
