"""The home feed served from the in-process caches: the same page as the database gives,
every change visible on the next request (on this node at once, on another within moments),
and credentials that stop working the moment they are ended."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from server.community.access import load_viewer
from server.feed import service
from server.feed.cached import Entry, Head, page_ids
from server.feed.endpoints import FeedPage
from server.models import Employee
from server.posts.out import posts_out
from tests.community import Clients, make_org
from tests.conftest import LiveServer, http_client


async def until_cached(server: LiveServer) -> None:
    """The caches serve only once the invalidation channel is subscribed."""
    for _ in range(200):
        if server.services.caches.viewers.enabled:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the cache invalidation channel was never subscribed")


async def eventually(probe: Callable[[], Awaitable[bool]], seconds: float = 3.0) -> None:
    """For another node: invalidations travel through Redis (milliseconds, not zero)."""
    for _ in range(int(seconds / 0.02)):
        if await probe():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the change never showed")


async def database_page(employee: Employee, cursor: str | None, limit: int) -> dict[str, object]:
    viewer = await load_viewer(employee, with_streams=True)
    page = await service.home_feed(viewer, cursor, limit)
    items = await posts_out(viewer, page.posts, page.marker)
    out = FeedPage(items=items, next_cursor=page.next_cursor, last_seen_id=page.marker)
    return out.model_dump(mode="json")


async def test_the_cached_page_is_the_database_page(live: LiveServer) -> None:
    org = await make_org()
    await until_cached(live)
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        news = (await comms.post("/api/channels", json={"name": "News", "mandatory": True})).json()
        group = (await bob.post("/api/groups", json={"name": "Bikes"})).json()
        assert (await alice.post(f"/api/groups/{group['id']}/join")).status_code < 300
        assert (await alice.put(f"/api/people/{org.bob.id}/follow")).status_code < 300
        made = []
        for n in range(9):
            where: dict[str, object] = [
                {"channel_id": news["id"]},
                {"channel_id": news["id"], "audience": [f"region:{org.north.id}"]},
                {"channel_id": news["id"], "audience": [f"region:{org.south.id}"]},
                {"group_id": group["id"]},
                {},
            ][n % 5]
            author = comms if "channel_id" in where else bob
            r = await author.post("/api/posts", json={"body": f"post **{n}**", **where})
            assert r.status_code == 201, r.text
            made.append(r.json()["id"])
        confirm = await comms.post(
            "/api/posts",
            json={"body": "read me", "channel_id": news["id"], "needs_confirmation": True},
        )
        await comms.put(f"/api/posts/{confirm.json()['id']}/pin")
        await alice.post(f"/api/posts/{confirm.json()['id']}/confirm")
        await alice.put(f"/api/posts/{made[3]}/reactions/👍")
        await bob.put(f"/api/posts/{made[3]}/reactions/🎉")

        first = await alice.get("/api/feed", params={"limit": 4})  # fills the caches
        again = await alice.get("/api/feed", params={"limit": 4})  # served from them
        assert live.services.caches.cards.hits > 0 and live.services.caches.viewers.hits > 0
        assert first.status_code == again.status_code == 200
        expected = await database_page(org.alice, None, 4)
        assert again.json() == expected
        south_only = made[2]
        assert south_only not in {p["id"] for p in again.json()["items"]}
        pinned = again.json()["items"][0]
        assert pinned["pinned"] and pinned["confirmed"] and pinned["needs_confirmation"]
        cursor = again.json()["next_cursor"]
        deeper = await alice.get("/api/feed", params={"limit": 4, "cursor": cursor})
        assert deeper.json() == await database_page(org.alice, cursor, 4)
        mine = next(p for p in deeper.json()["items"] + again.json()["items"] if p["id"] == made[3])
        assert mine["my_reactions"] == ["like"] and mine["reactions"] == {"like": 1, "party": 1}


async def test_every_change_shows_on_the_next_page(live: LiveServer) -> None:
    org = await make_org()
    await until_cached(live)
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        news = (await comms.post("/api/channels", json={"name": "News", "mandatory": True})).json()
        post = (
            await comms.post("/api/posts", json={"body": "v1", "channel_id": news["id"]})
        ).json()

        async def items() -> dict[int, dict[str, object]]:
            r = await alice.get("/api/feed")
            assert r.status_code == 200, r.text
            return {p["id"]: p for p in r.json()["items"]}

        assert (await items())[post["id"]]["body"] == "v1"
        await comms.patch(f"/api/posts/{post['id']}", json={"body": "v2"})
        assert (await items())[post["id"]]["body"] == "v2"
        await bob.put(f"/api/posts/{post['id']}/reactions/🎉")
        assert (await items())[post["id"]]["reactions"] == {"party": 1}
        await bob.post(f"/api/posts/{post['id']}/comments", json={"body": "nice"})
        assert (await items())[post["id"]]["comment_count"] == 1
        await bob.post(f"/api/posts/{post['id']}/view")
        assert (await items())[post["id"]]["view_count"] == 1
        await comms.put(f"/api/posts/{post['id']}/pin")
        assert (await items())[post["id"]]["pinned"] is True
        later = (
            await comms.post("/api/posts", json={"body": "new", "channel_id": news["id"]})
        ).json()
        assert later["id"] in await items()
        assert (await comms.patch("/api/me", json={"position": "Editor"})).status_code == 200
        assert (await items())[later["id"]]["author"]["position"] == "Editor"
        await comms.delete(f"/api/posts/{post['id']}")
        assert post["id"] not in await items()
        group = (await bob.post("/api/groups", json={"name": "Chess"})).json()
        chess = (await bob.post("/api/posts", json={"body": "e4", "group_id": group["id"]})).json()
        assert chess["id"] not in await items()
        await alice.post(f"/api/groups/{group['id']}/join")
        assert chess["id"] in await items()
        await alice.post(f"/api/groups/{group['id']}/leave")
        assert chess["id"] not in await items()


async def test_a_change_through_one_node_shows_on_the_other(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    org = await make_org()
    await until_cached(a)
    await until_cached(b)
    async with Clients(a.url) as on_a, Clients(b.url) as on_b:
        alice_a, bob_b = await on_a(org.alice), await on_b(org.bob)
        alice_b = await on_b(org.alice)
        group = (await bob_b.post("/api/groups", json={"name": "Vinyl"})).json()
        assert (await alice_b.post(f"/api/groups/{group['id']}/join")).status_code < 300

        async def feed_on_a() -> set[int]:
            r = await alice_a.get("/api/feed")
            assert r.status_code == 200, r.text
            return {p["id"] for p in r.json()["items"]}

        await eventually(lambda: _true(feed_on_a()))
        post = (
            await bob_b.post("/api/posts", json={"body": "b-side", "group_id": group["id"]})
        ).json()

        async def shows() -> bool:
            return post["id"] in await feed_on_a()

        await eventually(shows)
        # Leaving through B: A stops showing the group's posts (the cached viewer is gone).
        assert (await alice_b.post(f"/api/groups/{group['id']}/leave")).status_code < 300

        async def hidden() -> bool:
            return post["id"] not in await feed_on_a()

        await eventually(hidden)


async def _true(value: Awaitable[object]) -> bool:
    await value
    return True


async def test_ended_credentials_stop_at_once_on_every_node(
    nodes: tuple[LiveServer, LiveServer],
) -> None:
    a, b = nodes
    org = await make_org()
    await until_cached(a)
    await until_cached(b)
    async with Clients(a.url) as on_a, Clients(b.url) as on_b:
        admin = await on_a(org.admin)
        alice = await on_a(org.alice)
        token = (await alice.post("/api/tokens", json={"name": "script"})).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        async with (
            http_client(a.url, headers=bearer) as script_a,
            http_client(b.url, headers=bearer) as script_b,
        ):
            for client in (script_a, script_b):  # both nodes have the credential cached
                assert (await client.get("/api/feed")).status_code == 200
                assert (await client.get("/api/feed")).status_code == 200
            ended = await admin.post(
                f"/api/admin/employees/{org.alice.id}/sessions/end", json={"tokens": True}
            )
            assert ended.status_code == 200, ended.text
            assert (await script_a.get("/api/feed")).status_code == 401  # this node: at once

            async def refused_on_b() -> bool:
                return (await script_b.get("/api/feed")).status_code == 401

            await eventually(refused_on_b)
            assert (await alice.get("/api/feed")).status_code == 401  # the session too

        bob = await on_b(org.bob)
        assert (await bob.get("/api/feed")).status_code == 200  # cached on B now
        stolen = bob.cookies.get("plaza_session")
        assert stolen
        assert (await bob.post("/api/auth/logout")).status_code < 300
        async with http_client(b.url, cookies={"plaza_session": stolen}) as replay:
            assert (await replay.get("/api/feed")).status_code == 401


# -- the page merge, against a brute-force page -------------------------------------------

TOKENS = ["region:1", "region:2", "store:1", "role:manager"]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[list[list[Entry]], frozenset[str], int, int, int]:
    ids = iter(range(1, 10_000))
    streams = []
    for _ in range(draw(st.integers(1, 5))):
        count = draw(st.integers(0, 30))
        posts = []
        for _ in range(count):
            post_id = next(ids) + draw(st.integers(0, 3))
            targeted = draw(st.booleans())
            audience = frozenset(draw(st.sets(st.sampled_from(TOKENS)))) if targeted else None
            posts.append(Entry(post_id, draw(st.integers(1, 3)), audience))
        streams.append(sorted(set(posts), key=lambda e: -e.id))
    mine = frozenset(draw(st.sets(st.sampled_from(TOKENS))))
    head = draw(st.integers(1, 12))
    want = draw(st.integers(1, 8))
    before = draw(st.integers(1, 200))
    return streams, mine, head, want, before


@settings(max_examples=300, deadline=None)
@given(feeds())
def test_the_merged_page_is_the_brute_force_page_or_defers_to_the_database(
    case: tuple[list[list[Entry]], frozenset[str], int, int, int],
) -> None:
    from server.community.access import Viewer
    from server.models import Role

    streams, mine, size, want, before = case
    viewer = Viewer(Employee(id=1, role=Role.EMPLOYEE), mine, frozenset(), frozenset())

    def sees(e: Entry) -> bool:
        return e.audience is None or e.author_id == 1 or bool(e.audience & mine)

    truth = sorted((e.id for s in streams for e in s if e.id < before and sees(e)), reverse=True)
    heads = [Head.of(s[:size], len(s) <= size, ()) for s in streams]
    page = page_ids(viewer, heads, before, want)
    if all(h.complete for h in heads):
        assert page is not None
    if page is not None:
        assert page == truth[:want]
