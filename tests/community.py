"""A small organisation for community tests: two regions, stores, departments, people of
every role, and signed-in clients for them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from server.models import City, Department, Employee, Region, Role, Store
from tests.conftest import http_client
from tests.helpers import login, make_employee


@dataclass
class Org:
    north: Region
    south: Region
    store_n: Store
    store_s: Store
    sales: Department
    it: Department
    comms: Employee
    admin: Employee
    moderator: Employee
    manager: Employee  # north store, sales
    alice: Employee  # north store, sales
    bob: Employee  # south store, IT
    carol: Employee  # south store, sales


async def make_org() -> Org:
    north = await Region.create(code="n", name="North")
    south = await Region.create(code="s", name="South")
    city_n = await City.create(code="cn", name="Northtown", region=north)
    city_s = await City.create(code="cs", name="Southtown", region=south)
    store_n = await Store.create(code="sn", name="North store", city=city_n)
    store_s = await Store.create(code="ss", name="South store", city=city_s)
    sales = await Department.create(code="sales", name="Sales floor")
    it = await Department.create(code="it", name="IT")

    async def person(name: str, role: Role, store: Store, dept: Department) -> Employee:
        return await make_employee(
            f"{name}@example.com", role=role, store=store, department=dept, name=name.title()
        )

    return Org(
        north=north,
        south=south,
        store_n=store_n,
        store_s=store_s,
        sales=sales,
        it=it,
        comms=await person("comms", Role.COMMS, store_n, it),
        admin=await person("admin", Role.ADMIN, store_n, it),
        moderator=await person("moderator", Role.MODERATOR, store_s, it),
        manager=await person("manager", Role.MANAGER, store_n, sales),
        alice=await person("alice", Role.EMPLOYEE, store_n, sales),
        bob=await person("bob", Role.EMPLOYEE, store_s, it),
        carol=await person("carol", Role.EMPLOYEE, store_s, sales),
    )


@contextlib.asynccontextmanager
async def signed_in(url: str, employee: Employee) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(url) as client:
        response = await login(client, employee.email)
        assert response.status_code == 200, response.text
        yield client


class Clients:
    """One signed-in client per person, opened on demand and closed together."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stack = contextlib.AsyncExitStack()
        self.by_id: dict[int, httpx.AsyncClient] = {}

    async def __aenter__(self) -> Clients:
        await self.stack.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stack.__aexit__(None, None, None)

    async def __call__(self, employee: Employee) -> httpx.AsyncClient:
        if employee.id not in self.by_id:
            self.by_id[employee.id] = await self.stack.enter_async_context(
                signed_in(self.url, employee)
            )
        return self.by_id[employee.id]
