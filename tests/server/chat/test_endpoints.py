"""Chat over HTTP with live delivery over Socket.IO on two web processes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from server.models import Role
from tests.conftest import LiveServer
from tests.helpers import login, make_employee
from tests.realtime.support import check_schema, connect

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@contextlib.asynccontextmanager
async def signed_in(url: str, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        response = await login(http, email)
        assert response.status_code == 200, response.text
        yield http


async def test_direct_chat_live_history_unread_and_receipts(nodes: Nodes) -> None:
    a, b = nodes
    anna_id = (await make_employee("anna@example.com")).id
    boris = await make_employee("boris@example.com")
    await make_employee("vera@example.com")
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(b.url, "boris@example.com") as boris_http,
        signed_in(b.url, "vera@example.com") as vera_http,
    ):
        opened = await anna_http.post("/api/chats/direct", json={"employee_id": boris.id})
        assert opened.status_code == 200, opened.text
        chat_id = opened.json()["id"]
        again = await boris_http.post("/api/chats/direct", json={"employee_id": 1_000_000})
        assert again.status_code == 422
        assert (await anna_http.post("/api/chats/direct", json={"employee_id": boris.id})).json()[
            "id"
        ] == chat_id

        boris_cookie = boris_http.cookies["plaza_session"]
        vera_cookie = vera_http.cookies["plaza_session"]
        async with (
            connect(b.url, cookie=boris_cookie) as boris_tab,
            connect(a.url, cookie=vera_cookie) as vera_tab,
        ):
            sent = []
            for text in ("one", "two", "three"):
                response = await anna_http.post(
                    f"/api/chats/{chat_id}/messages", json={"body": text}
                )
                assert response.status_code == 201, response.text
                sent.append(response.json()["message_id"])
            live = await boris_tab.got.wait_for("chat.message", lambda d: d["body"] == "three")
            check_schema("chat.message", live)
            assert [d["body"] for d in boris_tab.got.of("chat.message")] == ["one", "two", "three"]

            listing = (await boris_http.get("/api/chats")).json()["chats"]
            assert listing[0]["unread"] == 3
            assert listing[0]["last_message"]["body"] == "three"

            async with connect(a.url, cookie=anna_http.cookies["plaza_session"]) as anna_tab:
                read = await boris_http.post(
                    f"/api/chats/{chat_id}/read", json={"message_id": sent[1]}
                )
                assert read.json() == {"last_read_id": sent[1]}
                receipt = await anna_tab.got.wait_for("chat.read")
                check_schema("chat.read", receipt)
                assert receipt["employee_id"] == boris.id
                assert receipt["message_id"] == sent[1]
            listing = (await boris_http.get("/api/chats")).json()["chats"]
            assert listing[0]["unread"] == 1
            # The author sees how far the other has read after a reload (the "seen" mark).
            anna_listing = (await anna_http.get("/api/chats")).json()["chats"]
            assert anna_listing[0]["read_ids"] == {str(boris.id): sent[1], str(anna_id): sent[2]}
            sticker = await boris_http.post(
                f"/api/chats/{chat_id}/messages", json={"sticker": "thumbs-up"}
            )
            assert sticker.status_code == 201
            bad = await boris_http.post(f"/api/chats/{chat_id}/messages", json={"sticker": "nope"})
            assert bad.status_code == 422

            # Answering marks everything before as read.
            listing = (await boris_http.get("/api/chats")).json()["chats"]
            assert listing[0]["unread"] == 0
            assert listing[0]["last_message"]["sticker"] == "thumbs-up"

            page = (await boris_http.get(f"/api/chats/{chat_id}/messages?limit=2")).json()
            assert [m["body"] for m in page["messages"]] == ["", "three"]
            older = (
                await boris_http.get(
                    f"/api/chats/{chat_id}/messages?limit=2&before={page['next_before']}"
                )
            ).json()
            assert [m["body"] for m in older["messages"]] == ["two", "one"]
            assert older["next_before"] is None

            # Not a member: no history, no sending, no live events.
            assert (await vera_http.get(f"/api/chats/{chat_id}/messages")).status_code == 404
            assert (
                await vera_http.post(f"/api/chats/{chat_id}/messages", json={"body": "hi"})
            ).status_code == 404
            await asyncio.sleep(0.2)
            assert vera_tab.got.of("chat.message") == []


async def test_typing_reaches_the_other_members_only(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(b.url, "boris@example.com") as boris_http,
        connect(a.url, cookie=anna_http.cookies["plaza_session"]) as anna_tab,
    ):
        # The chat is created while Anna is connected: her open socket joins its room.
        opened = await anna_http.post("/api/chats/direct", json={"employee_id": boris.id})
        chat_id = opened.json()["id"]
        async with connect(b.url, cookie=boris_http.cookies["plaza_session"]) as boris_tab:
            await asyncio.sleep(0.2)
            assert (await anna_tab.call("chat.typing", {"chat_id": chat_id})) == {"ok": True}
            typing = await boris_tab.got.wait_for("chat.typing")
            assert typing == {"v": 1, "chat_id": chat_id, "employee_id": anna.id}
            await asyncio.sleep(0.2)
            assert anna_tab.got.of("chat.typing") == []


async def test_leaving_a_group_leaves_its_room_on_every_node(nodes: Nodes) -> None:
    a, b = nodes
    await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(b.url, "boris@example.com") as boris_http,
    ):
        created = await anna_http.post(
            "/api/chats/group", json={"title": "Store 1", "member_ids": [boris.id]}
        )
        assert created.status_code == 201, created.text
        chat_id = created.json()["id"]
        cookie = boris_http.cookies["plaza_session"]
        async with connect(a.url, cookie=cookie) as on_a, connect(b.url, cookie=cookie) as on_b:
            await anna_http.post(f"/api/chats/{chat_id}/messages", json={"body": "before"})
            for tab in (on_a, on_b):
                await tab.got.wait_for("chat.message", lambda d: d["body"] == "before")
            left = await boris_http.delete(f"/api/chats/{chat_id}/members/{boris.id}")
            assert left.status_code == 204
            await asyncio.sleep(0.3)
            await anna_http.post(f"/api/chats/{chat_id}/messages", json={"body": "after"})
            await asyncio.sleep(0.3)
            for tab in (on_a, on_b):
                assert [d["body"] for d in tab.got.of("chat.message")] == ["before"]


async def test_edit_and_delete_keep_originals_for_moderators(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    await make_employee("mod@example.com", role=Role.MODERATOR)
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
        signed_in(a.url, "boris@example.com") as boris_http,
        signed_in(a.url, "mod@example.com") as mod_http,
    ):
        chat_id = (
            await anna_http.post("/api/chats/direct", json={"employee_id": boris.id})
        ).json()["id"]
        message_id = (
            await anna_http.post(f"/api/chats/{chat_id}/messages", json={"body": "rude words"})
        ).json()["message_id"]
        url = f"/api/chats/{chat_id}/messages/{message_id}"
        async with connect(a.url, cookie=boris_http.cookies["plaza_session"]) as boris_tab:
            assert (await boris_http.patch(url, json={"body": "x"})).status_code == 403
            edited = await anna_http.patch(url, json={"body": "kind words"})
            assert edited.status_code == 200
            assert edited.json()["edited_at"] is not None
            change = await boris_tab.got.wait_for("chat.message", lambda d: d["change"] == "edited")
            assert change["body"] == "kind words"
            assert (await anna_http.delete(url)).status_code == 204
            gone = await boris_tab.got.wait_for("chat.message", lambda d: d["change"] == "deleted")
            assert gone["body"] == "" and gone["deleted"] is True
        assert (await anna_http.get("/api/moderation/chat-archive")).status_code == 403
        archive = await mod_http.get(f"/api/moderation/chat-archive?message_id={message_id}")
        assert archive.status_code == 200
        entries = archive.json()["entries"]
        assert [(e["action"], e["body"]) for e in entries] == [
            ("delete", "kind words"),
            ("edit", "rude words"),
        ]


async def test_attachments_are_type_and_size_checked(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    async with (
        signed_in(a.url, "anna@example.com") as anna_http,
    ):
        chat_id = (
            await anna_http.post("/api/chats/direct", json={"employee_id": boris.id})
        ).json()["id"]
        url = f"/api/chats/{chat_id}/attachments"
        ok = await anna_http.post(
            url,
            params={"name": "shelf.png", "caption": "the shelf"},
            content=PNG,
            headers={"Content-Type": "image/png"},
        )
        assert ok.status_code == 201, ok.text
        attachment = ok.json()["attachment"]
        assert attachment["media_type"] == "image/png"
        assert attachment["size"] == len(PNG)
        download = await anna_http.get(attachment["url"])
        assert download.content == PNG
        assert download.headers["x-content-type-options"] == "nosniff"
        lying = await anna_http.post(
            url,
            params={"name": "x.png"},
            content=b"MZ\x90\x00 not an image",
            headers={"Content-Type": "image/png"},
        )
        assert lying.status_code == 415
        a.settings.__dict__["max_upload_bytes"] = 2048
        big = await anna_http.post(
            url,
            params={"name": "big.pdf"},
            content=b"%PDF-" + b"0" * 4096,
            headers={"Content-Type": "application/pdf"},
        )
        assert big.status_code == 413


async def test_sticker_pack_is_shipped(client: httpx.AsyncClient) -> None:
    await make_employee("anna@example.com")
    await login(client, "anna@example.com")
    pack = (await client.get("/api/stickers")).json()
    assert len(pack["stickers"]) >= 10
    assert all({"id", "emoji", "title"} <= set(s) for s in pack["stickers"])
