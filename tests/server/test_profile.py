from __future__ import annotations

import httpx
import pytest

from server.models import ActivityEvent
from tests.helpers import login, make_employee

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_avatar_upload_checks_type_and_size(client: httpx.AsyncClient) -> None:
    me = await make_employee("pic@example.com")
    await login(client, "pic@example.com")
    lying = await client.put(
        "/api/me/avatar", content=b"<svg onload=alert(1)>", headers={"content-type": "image/png"}
    )
    assert lying.status_code == 415
    mismatched = await client.put(
        "/api/me/avatar", content=PNG, headers={"content-type": "image/jpeg"}
    )
    assert mismatched.status_code == 415
    huge = await client.put(
        "/api/me/avatar", content=PNG + b"\x00" * 3_000_000, headers={"content-type": "image/png"}
    )
    assert huge.status_code == 413
    ok = await client.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"})
    assert ok.status_code == 200
    url = ok.json()["avatar_url"]
    assert url == f"/api/employees/{me.id}/avatar"
    image = await client.get(url)
    assert image.content == PNG and image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"


async def test_profile_edit_and_completion_event_once(client: httpx.AsyncClient) -> None:
    me = await make_employee("new@example.com")
    await login(client, "new@example.com")
    bad = await client.patch("/api/me", json={"timezone": "Nowhere/City"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("timezone")
    updated = await client.patch(
        "/api/me",
        json={
            "position": "Cashier",
            "skills": ["Excel", "excel ", "Python"],
            "interests": ["chess"],
            "locale": "ru",
        },
    )
    assert updated.status_code == 200
    assert updated.json()["skills"] == ["excel", "python"]
    assert not await ActivityEvent.exists(type="profile.completed")
    await client.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"})
    await client.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"})
    events = await ActivityEvent.filter(type="profile.completed", actor_id=me.id)
    assert len(events) == 1
    # The new locale is used for this user's messages from now on.
    assert (await client.get("/api/employees/999999")).json()["detail"] == "Не найдено."


async def test_events_outside_the_contract_are_refused(db: object) -> None:
    import pytest

    from server.activity import EventContractError, record

    employee = await make_employee("contract@example.com")
    with pytest.raises(EventContractError, match="unknown event type"):
        await record("post.exploded", employee.id, {})
    with pytest.raises(EventContractError, match="missing field 'completeness'"):
        await record("profile.completed", employee.id, {})
    assert not await ActivityEvent.exists(actor_id=employee.id)
