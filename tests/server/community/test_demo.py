from __future__ import annotations

from server.community.access import load_viewer
from server.demo import DEMO_DOMAIN, load_demo
from server.feed.service import home_feed
from server.models import Channel, Employee, Event, Group, Post
from server.services import Services
from server.settings import Settings


async def test_demo_is_a_living_community_and_loads_twice(db: Settings) -> None:
    services = await Services.start(db)
    try:
        await load_demo(services)
        await load_demo(services)
    finally:
        await services.close()
    assert await Channel.filter(mandatory=True).count() == 3
    assert await Group.all().count() == 5 and await Event.all().count() == 1
    employee = await Employee.get(email=f"employee@{DEMO_DOMAIN}")
    page = await home_feed(await load_viewer(employee), None, 20)
    assert len(page.posts) >= 4 and page.posts[0].pinned
    assert await Post.filter(kind="kudos").count() == 3
