from __future__ import annotations

import pytest

from tests.community import Clients, make_org
from tests.conftest import LiveServer
from tests.helpers import make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def test_newcomers_get_groups_and_people_from_department_store_and_skills(
    live: LiveServer,
) -> None:
    org = await make_org()
    newcomer = await make_employee(
        "new@example.com", store=org.store_n, department=org.sales, skills=["excel"]
    )
    await make_employee("twin@example.com", store=org.store_s, department=org.it, skills=["excel"])
    async with Clients(live.url) as as_:
        alice, bob, new = await as_(org.alice), await as_(org.bob), await as_(newcomer)
        await alice.patch("/api/me", json={"skills": ["excel"]})
        sales = (await alice.post("/api/groups", json={"name": "Sales tips"})).json()
        await (await as_(org.manager)).post(f"/api/groups/{sales['id']}/join")
        (await bob.post("/api/groups", json={"name": "IT corner"})).json()
        await bob.post("/api/groups", json={"name": "Hidden", "visibility": "secret"})
        found = (await new.get("/api/suggestions")).json()
        assert [g["name"] for g in found["groups"]] == ["Sales tips", "IT corner"]
        people = {p["person"]["id"]: p["reasons"] for p in found["people"]}
        assert people[org.alice.id] == ["department", "store", "skill:excel"]
        assert found["people"][0]["person"]["id"] == org.alice.id
        assert newcomer.id not in people
