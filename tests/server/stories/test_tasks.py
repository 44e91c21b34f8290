"""The cron job that deletes the image files of expired and deleted stories, on real files
uploaded over HTTP: live stories keep theirs, the rows stay, a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from server.models import Role, Story, StoryKind, StoryView
from server.stories.tasks import delete_expired_story_files
from server.worker import cron_jobs
from tests.conftest import LiveServer, base_settings
from tests.helpers import login, make_employee
from tests.server.stories.test_endpoints import PNG


async def post_image(http: httpx.AsyncClient, caption: str) -> tuple[int, Path]:
    created = await http.post(
        "/api/stories/image",
        params={"caption": caption},
        content=PNG,
        headers={"Content-Type": "image/png"},
    )
    assert created.status_code == 201, created.text
    story = await Story.get(id=created.json()["id"])
    assert story.image_path is not None
    return story.id, Path(story.image_path)


async def test_expired_stories_lose_their_files_and_keep_their_rows(
    live: LiveServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    anna = await make_employee("anna@example.com")
    boris = await make_employee("boris@example.com", role=Role.MODERATOR)
    assert (await login(client, "anna@example.com")).status_code == 200
    expired, expired_file = await post_image(client, "yesterday")
    live_id, live_file = await post_image(client, "today")
    removed, removed_file = await post_image(client, "oops")
    pinned, pinned_file = await post_image(client, "company day")
    assert len({expired_file, live_file, removed_file, pinned_file}) == 4
    assert all(f.read_bytes() == PNG for f in (expired_file, live_file, pinned_file))
    await StoryView.create(story_id=expired, viewer=boris)
    assert (await client.delete(f"/api/stories/{removed}")).status_code == 204
    day_ago = datetime.now(UTC) - timedelta(hours=25)
    await Story.filter(id=expired).update(
        created_at=day_ago, expires_at=day_ago + timedelta(hours=24)
    )
    await Story.filter(id=pinned).update(  # pinned by comms for three days
        created_at=day_ago, expires_at=day_ago + timedelta(days=3), pinned=True
    )
    # A path outside the stories folder (a restored backup, a hand-edited row) is never
    # deleted, expired or not.
    elsewhere = tmp_path / "elsewhere.png"
    elsewhere.write_bytes(PNG)
    stray = await Story.create(
        author=anna,
        kind=StoryKind.IMAGE,
        image_path=str(elsewhere),
        image_type="image/png",
        created_at=day_ago,
        expires_at=day_ago + timedelta(hours=24),
    )

    ctx = {"services": live.services}
    assert await delete_expired_story_files(ctx) == 2  # the expired and the deleted one
    assert not expired_file.exists()
    assert not removed_file.exists()
    assert live_file.read_bytes() == PNG
    assert pinned_file.read_bytes() == PNG
    assert elsewhere.read_bytes() == PNG
    assert (await client.get(f"/api/stories/{live_id}/image")).content == PNG
    assert (await client.get(f"/api/stories/{expired}/image")).status_code == 404

    # The rows stay, with who posted what and who saw it.
    row = await Story.get(id=expired)
    assert (row.author_id, row.text, row.kind, row.image_path) == (
        anna.id,
        "yesterday",
        StoryKind.IMAGE,
        None,
    )
    viewers = (await client.get(f"/api/stories/{expired}/viewers")).json()["viewers"]
    assert [v["viewer"]["id"] for v in viewers] == [boris.id]
    assert (await Story.get(id=stray.id)).image_path == str(elsewhere)

    # Again: nothing left to do. Later, the pinned one's days are over too.
    assert await delete_expired_story_files(ctx) == 0
    await Story.filter(id=pinned).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert await delete_expired_story_files(ctx) == 1
    assert not pinned_file.exists()
    assert live_file.exists()


def test_the_worker_runs_it_every_hour(tmp_path: Path) -> None:
    settings = base_settings(tmp_path, tmp_path / "redis.sock", f"sqlite://{tmp_path}/db")
    jobs = {job.name: job for job in cron_jobs(settings)}
    assert jobs["cron:delete_expired_story_files"].minute == {23}
