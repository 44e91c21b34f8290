"""Demo community for `make run`: three mandatory channels and an optional one, groups of
each kind, leader blogs, posts with comments, reactions, kudos, a poll and events."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from server.community.access import load_viewer
from server.events import service as events
from server.groups import service as groups
from server.models import Channel, Employee, EmployeeStatus, Role
from server.posts import interactions
from server.posts import service as posts
from server.posts.schemas import PollIn, PostIn
from server.services import Services

_CHANNELS = [
    ("Company news", "What happens in the company", True),
    ("Safety first", "Rules and reminders that keep us safe", True),
    ("HR and benefits", "Holidays, benefits, training", True),
    ("Sport and leisure", "Tournaments, runs and trips", False),
]
_GROUPS = [
    ("Store directors", "Share what works in your store", "private"),
    ("Visual merchandising", "Shelves, windows and displays", "public"),
    ("Running club", "Weekend runs in every city", "public"),
    ("Excel wizards", "Formulas, pivots and shortcuts", "public"),
    ("New store opening", "Planning the Kazan opening", "secret"),
]
_NEWS = [
    "**Welcome to Plaza!** Our new home for news, groups and thanks.",
    "Inventory counting starts on Monday in every store. Please check the schedule.",
    "New safety rules for the warehouse: helmets on from the gate.",
    "Health insurance now covers dentistry. Details in the HR portal.",
]


async def load_demo_community(services: Services) -> None:
    if await Channel.exists():
        return  # loaded before: `plaza demo` is safe to run twice
    rng = random.Random(2026)
    people = await Employee.filter(status=EmployeeStatus.ACTIVE).order_by("id")
    comms = next(p for p in people if p.role == Role.COMMS)
    director = next(p for p in people if p.role == Role.MANAGER)
    staff = [p for p in people if p.role == Role.EMPLOYEE]
    channels = [
        await Channel.create(name=n, description=d, mandatory=m, created_by_id=comms.id)
        for n, d, m in _CHANNELS
    ]
    comms_view = await load_viewer(comms)
    first = None
    for index, text in enumerate(_NEWS):
        post = await posts.create_post(
            services,
            comms_view,
            PostIn(
                body=text,
                channel_id=channels[index % 3].id,
                banner=index == 2,
                needs_confirmation=index == 2,
            ),
        )
        first = first or post
    await posts.create_post(
        services,
        comms_view,
        PostIn(
            body="Where should the summer party be?",
            channel_id=channels[3].id,
            poll=PollIn(question="Summer party", options=["Park", "River boat", "Rooftop"]),
        ),
    )
    for name, description, visibility in _GROUPS:
        owner = director if visibility != "public" else rng.choice(staff)
        group = await groups.create_group(
            services, await load_viewer(owner), name, description, visibility
        )
        for member in rng.sample(staff, 12):
            if visibility == "public":
                await groups.join(services, await load_viewer(member), group.id)
        viewer = await load_viewer(owner)
        await posts.create_post(
            services,
            viewer,
            PostIn(body=f"Hello, {name}! Introduce yourselves.", group_id=group.id),
        )
    director_view = await load_viewer(director)
    await posts.create_post(
        services, director_view, PostIn(body="My week: we beat the sales plan by 12%. Thank you!")
    )
    for person in rng.sample(staff, 3):
        await posts.create_post(
            services,
            director_view,
            PostIn(body="Thank you for helping customers on Saturday!", kudos_to=person.id),
        )
    if first is not None:
        for person in rng.sample(staff, 15):
            viewer = await load_viewer(person)
            await interactions.react(
                services, viewer, first.id, rng.choice(["like", "heart"]), True
            )
            await interactions.note_view(services, viewer, first)
        for person in rng.sample(staff, 4):
            await interactions.add_comment(
                services, await load_viewer(person), first.id, "Great news!", None
            )
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    await events.create_event(
        services,
        comms_view,
        title="Town hall",
        description="Results of the quarter and questions to the board.",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Moscow, Tverskaya, 3rd floor",
        url="https://meet.example.com/town-hall",
        group_id=None,
        invite=[],
    )
