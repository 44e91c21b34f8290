"""Personal data over real HTTP: an employee downloads their own data, an admin anyone's
(nobody else); an admin anonymises a departed employee: the profile is blanked, the posts
stay as a former employee's, the ledger's sums do not move. Everything audited."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import orjson

from gamification import sql, store
from server.models import AuditEntry, LedgerAccount, Role
from tests.conftest import LiveServer
from tests.helpers import login, make_employee

PNG = b"\x89PNG\r\n\x1a\n" + b"\x07" * 64


async def _client(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    assert (await login(client, email)).status_code == 200
    return client


async def _ann_with_data(live: LiveServer) -> tuple[int, int, httpx.AsyncClient]:
    ann = await make_employee("ann@example.com", skills=["python"])
    bob = await make_employee("bob@example.com")
    a = await _client(live, "ann@example.com")
    b = await _client(live, "bob@example.com")
    try:
        await a.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"})
        post = (await a.post("/api/posts", json={"body": "Ann's post"})).json()["id"]
        await a.post(f"/api/posts/{post}/comments", json={"body": "Ann's comment"})
        await b.post(f"/api/posts/{post}/comments", json={"body": "Bob's comment"})
        chat = (await a.post("/api/chats/direct", json={"employee_id": bob.id})).json()["id"]
        await a.post(f"/api/chats/{chat}/messages", json={"body": "from Ann"})
        await b.post(f"/api/chats/{chat}/messages", json={"body": "from Bob"})
        sent = await a.post(f"/api/chats/{chat}/attachments", params={"name": "shelf.png"},
                            content=PNG, headers={"Content-Type": "image/png"})  # fmt: skip
        assert sent.status_code == 201, sent.text
    finally:
        await b.aclose()
    await make_employee("admin@example.com", role=Role.ADMIN)
    admin = await _client(live, "admin@example.com")
    r = await admin.post("/api/admin/grants", json={
        "user_id": ann.id, "currency": "points", "amount": 50, "reason": "welcome",
        "idempotency_key": "grant-0001"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = await admin.post(f"/api/employees/{ann.id}/badges", json={
        "title": {"en": "Saved the launch"}, "tier": "gold", "idempotency_key": "badge-0001"})  # fmt: skip
    assert r.status_code == 201, r.text
    await a.aclose()
    return ann.id, post, admin


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        docs = {n: orjson.loads(z.read(n)) for n in names if n.endswith(".json")}
        files = {n: z.read(n) for n in names if n.startswith("files/")}
    return docs, files


async def test_an_employee_downloads_their_own_data_and_an_admin_anyones(
    live: LiveServer,
) -> None:
    ann_id, _, admin = await _ann_with_data(live)
    ann = await _client(live, "ann@example.com")
    bob = await _client(live, "bob@example.com")
    try:
        r = await ann.get("/api/me/export")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/zip"
        assert "attachment" in r.headers["content-disposition"]
        docs, files = _read(r.content)
        profile = docs["profile.json"]
        assert profile["email"] == "ann@example.com" and profile["skills"] == ["python"]
        assert [p["body"] for p in docs["posts.json"]] == ["Ann's post"]
        assert [c["body"] for c in docs["comments.json"]] == ["Ann's comment"]
        bodies = [m["body"] for m in docs["chat_messages.json"]]
        assert "from Ann" in bodies and "from Bob" not in bodies
        assert [t["amount"] for t in docs["transfers.json"]] == [50]
        assert len(docs["badges.json"]) == 1
        assert "redemptions.json" in docs
        assert sorted(files) == sorted(
            [str(profile["avatar_file"]), *(
                m["attachment_file"] for m in docs["chat_messages.json"]
                if m["attachment_file"]
            )]
        )  # fmt: skip
        assert all(data == PNG for data in files.values()) and len(files) == 2

        assert (await bob.get(f"/api/admin/employees/{ann_id}/export")).status_code == 403
        theirs = await admin.get(f"/api/admin/employees/{ann_id}/export")
        assert theirs.status_code == 200
        assert _read(theirs.content)[0]["profile.json"]["email"] == "ann@example.com"
        assert (await admin.get("/api/admin/employees/999999/export")).status_code == 404
        audited = await AuditEntry.filter(action="privacy.export").order_by("seq")
        assert [(e.actor_id, e.target) for e in audited] == [
            (ann_id, f"employee:{ann_id}"),
            (audited[1].actor_id, f"employee:{ann_id}"),
        ]
        assert audited[1].actor_id != ann_id
    finally:
        for c in (ann, bob, admin):
            await c.aclose()


async def test_anonymising_blanks_the_profile_keeps_posts_and_the_ledger(
    live: LiveServer,
) -> None:
    ann_id, post_id, admin = await _ann_with_data(live)
    bob = await _client(live, "bob@example.com")
    try:
        balances = {a.id: a.balance for a in await LedgerAccount.all()}
        assert (await bob.post(f"/api/admin/employees/{ann_id}/anonymise")).status_code == 403
        r = await admin.post(f"/api/admin/employees/{ann_id}/anonymise")
        assert r.status_code == 200, r.text
        profile = r.json()
        assert profile["name"] == "Former employee"
        assert profile["skills"] == [] and profile["interests"] == []
        assert profile["avatar_url"] is None and profile["position"] == ""
        assert "ann" not in profile["email"] and profile["status"] == "dismissed"
        assert (await bob.get(f"/api/employees/{ann_id}/avatar")).status_code == 404
        post = (await bob.get(f"/api/posts/{post_id}")).json()
        assert post["body"] == "Ann's post"
        assert post["author"]["name"] == "Former employee"
        # The ledger: not one balance moved, and it verifies.
        assert {a.id: a.balance for a in await LedgerAccount.all()} == balances
        assert await store.verify(sql.default()) == []
        # Ann can no longer sign in, under either address.
        with_old = await login(httpx.AsyncClient(base_url=live.url), "ann@example.com")
        assert with_old.status_code == 401
        entry = await AuditEntry.get(action="privacy.anonymise")
        assert entry.target == f"employee:{ann_id}"
        assert {"name", "email", "skills", "avatar_path"} <= set(entry.detail["fields"])
        me = (await admin.get("/api/me")).json()
        refused = await admin.post(f"/api/admin/employees/{me['id']}/anonymise")
        assert refused.status_code == 409
        assert (await admin.post("/api/admin/employees/999999/anonymise")).status_code == 404
    finally:
        await admin.aclose()
        await bob.aclose()


async def test_the_role_matrix_of_the_personal_data_routes(live: LiveServer) -> None:
    target = await make_employee("target@example.com")
    routes = (
        ("GET", f"/api/admin/employees/{target.id}/export"),
        ("POST", f"/api/admin/employees/{target.id}/anonymise"),
    )
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as anonymous:
        assert (await anonymous.get("/api/me/export")).status_code == 401
        for method, path in routes:
            assert (await anonymous.request(method, path)).status_code in (401, 403)
    for role in (Role.EMPLOYEE, Role.MANAGER, Role.COMMS, Role.MODERATOR):
        await make_employee(f"{role.value}@example.com", role=role)
        client = await _client(live, f"{role.value}@example.com")
        try:
            assert (await client.get("/api/me/export")).status_code == 200
            for method, path in routes:
                assert (await client.request(method, path)).status_code == 403, (role, path)
        finally:
            await client.aclose()
    await make_employee("admin@example.com", role=Role.ADMIN)
    admin = await _client(live, "admin@example.com")
    try:
        for method, path in routes:
            assert (await admin.request(method, path)).status_code == 200, path
    finally:
        await admin.aclose()
