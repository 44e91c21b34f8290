from __future__ import annotations

from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import make_employee


async def test_search_finds_only_what_i_may_see_in_english_and_russian(live: LiveServer) -> None:
    org = await make_org()
    async with Clients(live.url) as as_:
        comms, alice, bob = await as_(org.comms), await as_(org.alice), await as_(org.bob)
        channel = (
            await comms.post("/api/channels", json={"name": "News", "mandatory": True})
        ).json()
        await comms.post(
            "/api/posts",
            json={"body": "Inventory counting starts on Monday", "channel_id": channel["id"]},
        )
        await comms.post(
            "/api/posts",
            json={"body": "Инвентаризация в магазинах севера", "channel_id": channel["id"],
                  "audience": [f"region:{org.north.id}"]},
        )  # fmt: skip
        secret = (
            await alice.post("/api/groups", json={"name": "Quiet", "visibility": "secret"})
        ).json()
        await alice.post("/api/posts", json={"body": "Inventory secrets", "group_id": secret["id"]})
        post = (await alice.post("/api/posts", json={"body": "Hello"})).json()
        await bob.post(
            f"/api/posts/{post['id']}/comments", json={"body": "counted the inventories"}
        )

        def bodies(result: dict[str, list[dict[str, str]]]) -> set[str]:
            return {p["body"] for p in result["posts"]}

        mine = (await alice.get("/api/search", params={"q": "inventory", "kind": "posts"})).json()
        assert bodies(mine) == {"Inventory counting starts on Monday", "Inventory secrets"}
        assert len(mine["comments"]) == 1  # "inventories" matches by stem or prefix
        theirs = (await bob.get("/api/search", params={"q": "inventory"})).json()
        assert bodies(theirs) == {"Inventory counting starts on Monday"}
        russian = (await alice.get("/api/search", params={"q": "магазин"})).json()
        assert bodies(russian) == {"Инвентаризация в магазинах севера"}
        assert (await bob.get("/api/search", params={"q": "магазин"})).json()["posts"] == []
        groups = (await bob.get("/api/search", params={"q": "quiet", "kind": "groups"})).json()
        assert groups["groups"] == []
        assert [
            g["name"]
            for g in (await alice.get("/api/search", params={"q": "quiet"})).json()["groups"]
        ] == ["Quiet"]


async def test_find_an_expert_by_skill_position_department_or_store(live: LiveServer) -> None:
    org = await make_org()
    await make_employee(
        "expert@example.com", name="Pavel Sokolov", position="Forklift instructor",
        skills=["forklift", "first aid"], store=org.store_s, department=org.it,
    )  # fmt: skip
    await make_employee("gone@example.com", name="Old Forklift", status="dismissed")
    async with Clients(live.url) as as_:
        alice = await as_(org.alice)

        async def names(q: str) -> list[str]:
            found = (await alice.get("/api/search", params={"q": q, "kind": "people"})).json()
            return [p["person"]["name"] for p in found["people"]]

        assert await names("forklift") == ["Pavel Sokolov"]
        assert await names("first aid") == ["Pavel Sokolov"]
        assert await names("instructor") == ["Pavel Sokolov"]
        assert "Pavel Sokolov" in await names("south store")
        assert set(await names("sales floor")) == {"Manager", "Alice", "Carol"}
        await alice.patch("/api/me", json={"skills": ["Merchandising"]})
        assert await names("merchandising") == ["Alice"]
