"""Demo data for `make run`: a retail company with stores, departments and people, and its
community (channels, groups, posts, events).

People are loaded through the HR import, so running it twice changes nothing.
"""

from __future__ import annotations

import random

from server.analytics.demo import load_demo_visits
from server.auth.passwords import hash_password
from server.community.demo import load_demo_community
from server.contests.demo import load_demo_contest
from server.courses.demo import load_demo_course
from server.hr.parse import HrRow, Parsed
from server.hr.service import import_rows
from server.models import Company, Employee, Role
from server.rewards.demo import load_demo_rewards, load_demo_shop
from server.services import Services

DEMO_PASSWORD = "Plaza-demo-2026"  # noqa: S105 - documented demo login, printed by `make run`
DEMO_DOMAIN = "plaza.example.com"

_STORES = [
    ("msk-1", "Moscow, Tverskaya", "msk", "Moscow", "central", "Central"),
    ("msk-2", "Moscow, Arbat", "msk", "Moscow", "central", "Central"),
    ("spb-1", "Saint Petersburg, Nevsky", "spb", "Saint Petersburg", "north-west", "North-West"),
    ("kzn-1", "Kazan, Baumana", "kzn", "Kazan", "volga", "Volga"),
    ("ekb-1", "Yekaterinburg, Lenina", "ekb", "Yekaterinburg", "ural", "Ural"),
    ("nsk-1", "Novosibirsk, Krasny", "nsk", "Novosibirsk", "siberia", "Siberia"),
]
_DEPARTMENTS = ["Sales floor", "Logistics", "Customer care", "Communications", "IT"]
_SKILLS = [
    "merchandising",
    "excel",
    "customer service",
    "inventory",
    "python",
    "training",
    "visual display",
    "negotiation",
    "first aid",
    "forklift",
]

DEMO_PEOPLE: list[dict[str, str]] = [
    {
        "email": f"admin@{DEMO_DOMAIN}",
        "name": "Alexandra Admin",
        "role": "admin",
        "position": "IT administrator",
        "department": "IT",
        "store": "msk-1",
    },
    {
        "email": f"comms@{DEMO_DOMAIN}",
        "name": "Konstantin Comms",
        "role": "comms",
        "position": "Internal communications lead",
        "department": "Communications",
        "store": "msk-1",
    },
    {
        "email": f"director@{DEMO_DOMAIN}",
        "name": "Marina Director",
        "role": "manager",
        "position": "Store director",
        "department": "Sales floor",
        "store": "msk-2",
    },
    {
        "email": f"moderator@{DEMO_DOMAIN}",
        "name": "Mikhail Moderator",
        "role": "moderator",
        "position": "Community moderator",
        "department": "Communications",
        "store": "spb-1",
    },
    {
        "email": f"employee@{DEMO_DOMAIN}",
        "name": "Elena Employee",
        "role": "employee",
        "position": "Sales associate",
        "department": "Sales floor",
        "store": "msk-2",
    },
]

_FIRST = ["Anna", "Boris", "Vera", "Dmitry", "Irina", "Pavel", "Olga", "Sergey", "Yulia", "Igor"]
_LAST = ["Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Kozlov"]


def demo_rows(count: int = 60) -> list[dict[str, str]]:
    rng = random.Random(2026)  # the same people every time
    people = list(DEMO_PEOPLE)
    for index in range(count - len(people)):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        people.append(
            {
                "email": f"{first.lower()}.{last.lower()}.{index}@{DEMO_DOMAIN}",
                "name": f"{first} {last}",
                "role": "employee",
                "position": rng.choice(["Sales associate", "Cashier", "Stock keeper", "Team lead"]),
                "department": rng.choice(_DEPARTMENTS),
                "store": rng.choice(_STORES)[0],
                "skills": ";".join(rng.sample(_SKILLS, 2)),
            }
        )
    rows = []
    for index, person in enumerate(people):
        store = next(s for s in _STORES if s[0] == person["store"])
        rows.append(
            {
                **person,
                "employee_id": f"E{index + 1:05d}",
                "store_code": store[0],
                "store": store[1],
                "city_code": store[2],
                "city": store[3],
                "region_code": store[4],
                "region": store[5],
                "manager_employee_id": "E00003" if index > 4 else "",
                "locale": "ru" if index % 2 else "en",
            }
        )
    return rows


async def load_demo(services: Services) -> list[tuple[str, str]]:
    if not await Company.exists():
        await Company.create(name="Plaza Demo Retail")
    rows = [(line + 1, HrRow.model_validate(r)) for line, r in enumerate(demo_rows())]
    parsed = Parsed(rows=rows, rejected=[], mentioned_ids={r.employee_id for _, r in rows})
    await import_rows(parsed, full=False, redis=services.redis, keys=services.keys)
    password_hash = hash_password(DEMO_PASSWORD)
    await Employee.filter(email__endswith=f"@{DEMO_DOMAIN}", password_hash=None).update(
        password_hash=password_hash
    )
    for person in DEMO_PEOPLE:
        await Employee.filter(email=person["email"]).update(role=Role(person["role"]))
    # Before the community's posts: they are judged by the rules live when they happen,
    # and the store contest counts what those rules award (its first prize is from the shop).
    await load_demo_shop(DEMO_DOMAIN)
    await load_demo_contest(services)
    await load_demo_community(services)
    await load_demo_rewards(services, DEMO_DOMAIN)
    await load_demo_visits(services.settings)
    await load_demo_course(services)
    return [(p["email"], p["role"]) for p in DEMO_PEOPLE]
