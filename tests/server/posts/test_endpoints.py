from __future__ import annotations

import pytest

from server.models import ActivityEvent, ArchivedText
from tests.community import Clients, make_org
from tests.conftest import LiveServer

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_channel_post_with_an_audience_reaches_only_that_audience(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms = await as_(org.comms)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        post = await comms.post(
            "/api/posts",
            json={
                "body": "North only",
                "channel_id": channel["id"],
                "audience": [f"region:{org.north.id}"],
            },
        )
        assert post.status_code == 201, post.text
        post_id = post.json()["id"]
        assert post.json()["audience"] == [f"region:{org.north.id}"]
        alice, bob = await as_(org.alice), await as_(org.bob)
        assert (await alice.get(f"/api/posts/{post_id}")).status_code == 200
        assert post_id in [p["id"] for p in (await alice.get("/api/feed")).json()["items"]]
        assert (await bob.get(f"/api/posts/{post_id}")).status_code == 404
        assert (await bob.get("/api/feed")).json()["items"] == []
        assert (await bob.get(f"/api/channels/{channel['id']}/posts")).json()["items"] == []
        # A saved segment is expanded into its tokens.
        segment = await comms.post(
            "/api/segments", json={"name": "South IT", "tokens": [f"dept:{org.it.id}"]}
        )
        assert segment.status_code == 201 and segment.json()["size"] == 4
        targeted = await comms.post(
            "/api/posts",
            json={
                "body": "IT",
                "channel_id": channel["id"],
                "audience": [f"segment:{segment.json()['id']}"],
            },
        )
        assert targeted.json()["audience"] == [f"dept:{org.it.id}"]
        assert (await bob.get(f"/api/posts/{targeted.json()['id']}")).status_code == 200
        assert (await alice.get(f"/api/posts/{targeted.json()['id']}")).status_code == 404


async def test_only_comms_posts_in_channels_and_only_members_in_groups(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = (await comms.post("/api/channels", json={"name": "News"})).json()
        denied = await alice.post("/api/posts", json={"body": "x", "channel_id": channel["id"]})
        assert denied.status_code == 403
        group = (await alice.post("/api/groups", json={"name": "Runners"})).json()
        not_member = await bob.post("/api/posts", json={"body": "x", "group_id": group["id"]})
        assert not_member.status_code == 403 and not_member.json()["error"] == "not_a_member"
        unknown = await alice.post("/api/posts", json={"body": "x", "colour": "red"})
        assert unknown.status_code == 422 and "colour" in unknown.json()["detail"]
        huge = await alice.post("/api/posts", content=b'{"body": "' + b"a" * 1_100_000 + b'"}',
                                headers={"content-type": "application/json"})  # fmt: skip
        assert huge.status_code == 413
        too_long = await alice.post("/api/posts", json={"body": "a" * 20_001})
        assert too_long.status_code == 422


async def test_edit_and_delete_keep_every_text_in_the_archive(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob, moderator = await as_(org.alice), await as_(org.bob), await as_(org.moderator)
        post = (await alice.post("/api/posts", json={"body": "first **text**"})).json()
        assert post["html"] == "<p>first <strong>text</strong></p>\n"
        assert (
            await bob.patch(f"/api/posts/{post['id']}", json={"body": "hacked"})
        ).status_code == 403
        edited = await alice.patch(f"/api/posts/{post['id']}", json={"body": "second"})
        assert edited.status_code == 200 and edited.json()["edited_at"]
        comment = (
            await bob.post(f"/api/posts/{post['id']}/comments", json={"body": "rude"})
        ).json()
        assert (await moderator.delete(f"/api/comments/{comment['id']}")).status_code == 200
        assert (await bob.delete(f"/api/posts/{post['id']}")).status_code == 403
        assert (await alice.delete(f"/api/posts/{post['id']}")).status_code == 200
        assert (await alice.get(f"/api/posts/{post['id']}")).status_code == 404
        assert (await alice.get("/api/archive")).status_code == 403
        archive = (await moderator.get("/api/archive", params={"post_id": post["id"]})).json()
        texts = [(i["reason"], i["body"], i["comment_id"]) for i in archive["items"]]
        assert texts == [
            ("deleted", "second", None),
            ("deleted", "rude", comment["id"]),
            ("edited", "first **text**", None),
        ]
        assert await ArchivedText.filter(post_id=post["id"]).count() == 3
        assert await ActivityEvent.exists(type="post.deleted", actor_id=org.alice.id)


async def test_kudos_is_a_post_kind_with_its_event(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        manager = await as_(org.manager)
        self_thanks = await manager.post(
            "/api/posts", json={"body": "me", "kudos_to": org.manager.id}
        )
        assert self_thanks.status_code == 422
        kudos = await manager.post(
            "/api/posts", json={"body": "Thank you for the inventory!", "kudos_to": org.alice.id}
        )
        assert kudos.status_code == 201
        body = kudos.json()
        assert body["kind"] == "kudos" and body["kudos_to"]["id"] == org.alice.id
        event = await ActivityEvent.get(type="kudos.given")
        assert event.actor_id == org.manager.id and event.subject_id == org.alice.id
        assert event.data["recipient_id"] == str(org.alice.id)
        created = await ActivityEvent.get(type="post.created")
        assert created.data["kind"] == "kudos"


async def test_banner_with_read_confirmation(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        not_comms = await alice.post("/api/posts", json={"body": "x", "banner": True})
        assert not_comms.status_code == 403
        post = (
            await comms.post(
                "/api/posts",
                json={
                    "body": "New safety rules",
                    "channel_id": channel["id"],
                    "banner": True,
                    "needs_confirmation": True,
                    "audience": [f"store:{org.store_n.id}"],
                },
            )
        ).json()
        assert post["pinned"] and post["banner"]
        assert [b["id"] for b in (await alice.get("/api/banners")).json()["items"]] == [post["id"]]
        assert (await bob.get("/api/banners")).json()["items"] == []
        assert (await bob.post(f"/api/posts/{post['id']}/confirm")).status_code == 404
        assert (await alice.post(f"/api/posts/{post['id']}/confirm")).status_code == 200
        assert (await alice.post(f"/api/posts/{post['id']}/confirm")).status_code == 200
        assert (await alice.get(f"/api/posts/{post['id']}/confirmations")).status_code == 403
        report = (await comms.get(f"/api/posts/{post['id']}/confirmations")).json()
        assert [p["id"] for p in report["confirmed"]] == [org.alice.id]
        assert {p["id"] for p in report["not_confirmed"]} == {org.admin.id, org.manager.id}
        assert await ActivityEvent.filter(type="post.read_confirmed").count() == 1


async def test_attachments_are_checked_and_follow_the_post(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        alice, bob = await as_(org.alice), await as_(org.bob)
        lying = await alice.post(
            "/api/attachments",
            content=b"<svg onload=alert(1)>",
            headers={"content-type": "image/png"},
        )
        assert lying.status_code == 415
        big = await alice.post(
            "/api/attachments",
            content=PNG + b"\x00" * live.settings.max_upload_bytes,
            headers={"content-type": "image/png"},
        )
        assert big.status_code == 413
        upload = await alice.post(
            "/api/attachments?name=shelf.png", content=PNG, headers={"content-type": "image/png"}
        )
        assert upload.status_code == 201
        file_id = upload.json()["id"]
        assert (await bob.get(f"/api/attachments/{file_id}")).status_code == 404
        stolen = await bob.post("/api/posts", json={"body": "mine", "attachment_ids": [file_id]})
        assert stolen.status_code == 422
        group = (
            await alice.post("/api/groups", json={"name": "Shelf", "visibility": "private"})
        ).json()
        post = await alice.post(
            "/api/posts",
            json={"body": "look", "group_id": group["id"], "attachment_ids": [file_id]},
        )
        assert post.status_code == 201 and post.json()["attachments"][0]["id"] == file_id
        own = await alice.get(f"/api/attachments/{file_id}")
        assert own.content == PNG and own.headers["x-content-type-options"] == "nosniff"
        assert (await bob.get(f"/api/attachments/{file_id}")).status_code == 404
        created = await ActivityEvent.get(type="post.created")
        assert created.data["has_image"] is True
