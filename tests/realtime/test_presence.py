"""Presence across tabs and processes: online once, away when every tab is idle, offline
with a last-seen time, told only to those who watch, in coalesced batches."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from gamification.keys import Keys
from realtime.presence import Presence
from tests.conftest import LiveServer
from tests.helpers import login, make_employee
from tests.realtime.support import check_schema, connect, session_cookie

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

Nodes = tuple[LiveServer, LiveServer]


async def states_over_http(url: str, ids: list[int]) -> dict[int, str]:
    async with httpx.AsyncClient(base_url=url) as http:
        await login(http, "vera@example.com")
        response = await http.get("/api/presence", params={"ids": ",".join(map(str, ids))})
        assert response.status_code == 200, response.text
        return {p["id"]: p["state"] for p in response.json()["people"]}


async def test_presence_across_tabs_and_processes(nodes: Nodes) -> None:
    a, b = nodes
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com")
    await make_employee("vera@example.com")
    anna_cookie = await session_cookie(a.url, "anna@example.com")
    vera_cookie = await session_cookie(a.url, "vera@example.com")
    async with connect(b.url, cookie=vera_cookie) as watcher:
        ack = await watcher.call("presence.watch", {"ids": [anna.id, boris.id]})
        assert ack["ok"] is True
        assert {s["id"]: s["state"] for s in ack["states"]} == {
            anna.id: "offline",
            boris.id: "offline",
        }
        async with connect(a.url, cookie=anna_cookie) as tab1:
            change = await watcher.got.wait_for("presence.changed")
            check_schema("presence.changed", change)
            assert [(c["id"], c["state"]) for c in change["changes"]] == [(anna.id, "online")]
            async with connect(b.url, cookie=anna_cookie) as tab2:
                # A second tab is not news; both processes agree she is online.
                for node in nodes:
                    assert (await states_over_http(node.url, [anna.id])) == {anna.id: "online"}
                await tab1.call("presence.set", {"state": "away"})
                await asyncio.sleep(1.5)
                assert len(watcher.got.of("presence.changed")) == 1  # tab2 is still online
                await tab2.call("presence.set", {"state": "away"})
                away = await watcher.got.wait_for(
                    "presence.changed", lambda d: d["changes"][0]["state"] == "away"
                )
                assert away["changes"][0]["id"] == anna.id
            await tab1.call("presence.set", {"state": "online"})
            await watcher.got.wait_for(
                "presence.changed",
                lambda d: d["changes"][0]["state"] == "online" and d is not change,
            )
        gone = await watcher.got.wait_for(
            "presence.changed", lambda d: d["changes"][0]["state"] == "offline"
        )
        assert abs(gone["changes"][0]["last_seen"] - time.time()) < 5
        assert await states_over_http(a.url, [anna.id, boris.id]) == {
            anna.id: "offline",
            boris.id: "offline",
        }


async def test_changes_of_unwatched_people_are_not_sent(nodes: Nodes) -> None:
    a, _ = nodes
    await make_employee("anna@example.com")
    vera = await make_employee("vera@example.com")
    vera_cookie = await session_cookie(a.url, "vera@example.com")
    anna_cookie = await session_cookie(a.url, "anna@example.com")
    async with connect(a.url, cookie=vera_cookie) as watcher:
        await watcher.call("presence.watch", {"ids": [vera.id]})
        async with connect(a.url, cookie=anna_cookie):
            await asyncio.sleep(1.5)
        assert watcher.got.of("presence.changed") == []


async def test_a_dead_process_takes_its_sockets_offline(nodes: Nodes) -> None:
    a, _ = nodes
    services = a.services
    # Keys of their own, so that the live processes' janitors do not race this test.
    keys = Keys(services.keys.prefix + ":janitor")
    dead = Presence(services.redis, keys, "deadnode")
    await dead.heartbeat()
    await dead.connected(4242, "sid1")
    assert (await dead.states([4242]))[0].state == "online"
    await services.redis.delete(keys.presence_node_alive("deadnode"))
    survivor = Presence(services.redis, keys, "alive")
    assert await survivor.sweep_dead_nodes() == 1
    assert (await survivor.states([4242]))[0].state == "offline"
    assert await survivor.sweep_dead_nodes() == 0
