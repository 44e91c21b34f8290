"""Backups that restore: a populated instance (posts, comments, chats, transfers, prizes,
uploads, stories) is backed up, restored into an empty one and found equal, table by table
and byte by byte, with the ledger verifying and the leaderboards rebuilt; on both databases.
A non-empty instance and a damaged archive are refused."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import tarfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from gamification import sql
from gamification.boards import Boards
from gamification.keys import Keys
from server import backup
from server.db import close_database, open_database
from server.models import AuditEntry, Role
from server.settings import Settings
from tests.conftest import LiveServer, base_settings
from tests.gamification.support import SIMPLE_RULES, publish_rules
from tests.helpers import login, make_employee, run_jobs

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PDF = b"%PDF-1.4\n" + b"\x02" * 80
WHEEL = """\
version: 1
period: day
wishes: [{en: Have a lovely day}]
prizes:
  mug: {title: {en: A mug}, stock: 10}
segments:
  - {id: mug, weight: 1, prize: mug}
"""


async def _client(live: LiveServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    assert (await login(client, email)).status_code == 200
    return client


async def populate(live: LiveServer) -> None:
    await publish_rules(live.settings, SIMPLE_RULES)
    await make_employee("comms@example.com", role=Role.COMMS)
    ann = await make_employee("ann@example.com")
    bob = await make_employee("bob@example.com")
    comms = await _client(live, "comms@example.com")
    a = await _client(live, "ann@example.com")
    b = await _client(live, "bob@example.com")
    try:
        ok = [
            await a.put("/api/me/avatar", content=PNG, headers={"content-type": "image/png"}),
            await a.post("/api/attachments", content=PDF,
                         headers={"content-type": "application/pdf"}, params={"name": "plan.pdf"}),
        ]  # fmt: skip
        attachment = ok[-1].json()["id"]
        post = await a.post("/api/posts", json={"body": "Hello", "attachment_ids": [attachment]})
        ok.append(post)
        ok.append(await b.post("/api/posts", json={"body": "Second post"}))
        ok.append(await b.post(f"/api/posts/{post.json()['id']}/comments", json={"body": "Nice"}))
        chat = await a.post("/api/chats/direct", json={"employee_id": bob.id})
        ok.append(chat)
        chat_id = chat.json()["id"]
        ok.append(await a.post(f"/api/chats/{chat_id}/messages", json={"body": "hi Bob"}))
        ok.append(await b.post(f"/api/chats/{chat_id}/attachments", params={"name": "shelf.png"},
                               content=PNG, headers={"Content-Type": "image/png"}))  # fmt: skip
        ok.append(await a.post("/api/stories", json={"text": "Company day!"}))
        ok.append(await a.post("/api/stories/image", params={"caption": "shelf"},
                               content=PNG, headers={"Content-Type": "image/png"}))  # fmt: skip
        ok.append(await comms.put("/api/admin/wheel", json={"text": WHEEL}))
        for who, key in ((ann, "g-ann-01"), (bob, "g-bob-01")):
            ok.append(
                await comms.post(
                    "/api/admin/grants",
                    json={
                        "user_id": who.id,
                        "currency": "spins",
                        "amount": 2,
                        "reason": "contest",
                        "idempotency_key": key,
                    },
                )
            )
        ok.append(
            await comms.post(
                "/api/admin/grants",
                json={
                    "user_id": ann.id,
                    "currency": "points",
                    "amount": 100,
                    "reason": "welcome",
                    "idempotency_key": "grant-0001",
                },
            )
        )
        ok.append(await a.post("/api/wheel/spins", json={"idempotency_key": "spin-0001"}))
        ok.append(
            await comms.put(
                "/api/admin/shop/items/lunch",
                json={
                    "title": {"en": "Lunch"},
                    "price": 60,
                    "add_stock": 2,
                    "idempotency_key": "stock-01",
                },
            )
        )
        ok.append(await a.post("/api/shop/redemptions",
                               json={"item_id": "lunch", "idempotency_key": "redeem-001"}))  # fmt: skip
        for response in ok:
            assert response.status_code < 300, (response.request.url, response.text)
    finally:
        for c in (comms, a, b):
            await c.aclose()
    await run_jobs(live.settings)
    live.settings.__dict__["settle_sweep_seconds"] = 0.0
    await run_jobs(live.settings)


async def snapshot(database_url: str, uploads_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (sorted), with upload paths made relative to the uploads folder."""
    prefix = str(uploads_dir).rstrip("/") + "/"

    def norm(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(prefix):
            return "<uploads>/" + value[len(prefix) :]
        if isinstance(value, memoryview | bytearray):
            return bytes(value)
        return value

    tables: dict[str, list[tuple[Any, ...]]] = {}
    if database_url.startswith("sqlite://"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite://"))
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )]  # fmt: skip
            for name in names:
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
                tables[name] = sorted((tuple(norm(v) for v in r) for r in rows), key=repr)
        finally:
            conn.close()
        return tables
    pg = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        names = [r["table_name"] for r in await pg.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )]  # fmt: skip
        for name in names:
            rows = await pg.fetch(f'SELECT * FROM "{name}"')
            tables[name] = sorted((tuple(norm(v) for v in r.values()) for r in rows), key=repr)
    finally:
        await pg.close()
    return tables


def uploads(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


async def empty_instance(source: Settings, tmp_path: Path, redis_socket: Path) -> Settings:
    """A second instance of the same kind: its own var dir, database and Redis prefix."""
    var = tmp_path / "restored"
    if source.database_url.startswith("sqlite://"):
        url = f"sqlite://{var / 'plaza.sqlite3'}"
    else:
        base = source.database_url.rsplit("/", 1)[0]
        name = f"restored_{uuid.uuid4().hex[:10]}"
        pg = await asyncpg.connect(f"{base}/postgres".replace("postgres://", "postgresql://", 1))
        try:
            await pg.execute(f"CREATE DATABASE {name}")  # blank: not even migrated
        finally:
            await pg.close()
        url = f"{base}/{name}"
    return base_settings(var, redis_socket, url)


async def boards_of(settings: Settings) -> dict[str, list[tuple[bytes, float]]]:
    redis = Redis.from_url(settings.redis_url)
    try:
        found = {}
        prefix = settings.redis_prefix
        async for key in redis.scan_iter(match=Keys(prefix).board_match):
            if await redis.type(key) == b"zset":
                found[key.decode()[len(prefix) :]] = await redis.zrange(key, 0, -1, withscores=True)
        return found
    finally:
        await redis.aclose()


async def test_backup_restores_everything_into_an_empty_instance(
    live: LiveServer, tmp_path: Path, redis_socket: Path
) -> None:
    settings = live.settings
    await populate(live)
    before = await snapshot(settings.database_url, settings.uploads_dir)
    files_before = uploads(settings.uploads_dir)
    boards_before = await boards_of(settings)
    assert len(files_before) == 4  # avatar, attachment, chat attachment, story image
    assert before["ledger_transfer"] and before["story"] and before["chat_message"]
    assert boards_before  # points were earned: there is something to rebuild

    archive, manifest = await backup.write_backup(settings, tmp_path / "out" / "b.tar")
    assert manifest["database"] == backup.kind_of(settings.database_url)
    assert manifest["schema_version"] == manifest["migrations"][-1]
    names = set(manifest["members"])
    assert {backup.SECRET_MEMBER, "history/rulesets/publications.json"} <= names
    assert any(n.startswith("history/rulesets/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("history/wheel/") and n.endswith(".yaml") for n in names)
    assert sum(n.startswith("uploads/") for n in names) == 4
    written = await AuditEntry.filter(action="backup.write").first()
    assert written is not None and written.target == "backup:b.tar"
    await close_database()

    target = await empty_instance(settings, tmp_path, redis_socket)
    report = await backup.restore(target, archive)
    assert report.ledger_problems == []
    assert report.boards

    after = await snapshot(target.database_url, target.uploads_dir)
    # The restore is itself audited: one row more in the restored chain.
    restored_rows = [r for r in after["audit_entry"] if "backup.restore" in r]
    assert len(restored_rows) == 1
    after["audit_entry"] = [r for r in after["audit_entry"] if "backup.restore" not in r]
    assert set(after) == set(before)
    for table in before:
        assert after[table] == before[table], table
    assert uploads(target.uploads_dir) == files_before
    assert (target.var_dir / "secret_key").exists() is False  # the key is configured here
    assert report.warnings == []  # ... and it is the same one

    await open_database(target)
    try:
        from gamification.store import verify

        assert await verify(sql.default()) == []
        redis = Redis.from_url(target.redis_url)
        try:
            assert await Boards(redis, Keys(target.redis_prefix), target.zone).check() == []
        finally:
            await redis.aclose()
        assert await boards_of(target) == boards_before
        # The restored instance serves the files it names.
        async with LiveServer(target) as server:
            client = await _client(server, "ann@example.com")
            try:
                me = (await client.get("/api/me")).json()
                avatar = await client.get(f"/api/employees/{me['id']}/avatar")
                assert avatar.status_code == 200 and avatar.content == PNG
            finally:
                await client.aclose()
    finally:
        await close_database()
    await open_database(settings)  # the fixture closes what it opened


async def test_restore_refuses_a_non_empty_instance_unless_forced(
    live: LiveServer, tmp_path: Path
) -> None:
    settings = live.settings
    await make_employee("ann@example.com")
    archive, _ = await backup.write_backup(settings, tmp_path / "b.tar")
    await make_employee("bob@example.com")  # after the backup
    await close_database()
    try:
        with pytest.raises(backup.BackupError, match="not empty"):
            await backup.restore(settings, archive)
        report = await backup.restore(settings, archive, force=True)
        assert report.ledger_problems == []
        await open_database(settings)
        emails = sorted(await sql.fetch(sql.default(), "SELECT email FROM employee"), key=str)
        assert [r["email"] for r in emails] == ["ann@example.com"]
        restored = await AuditEntry.filter(action="backup.restore").first()
        assert restored is not None and restored.detail["forced"] is True
    finally:
        await close_database()
        await open_database(settings)


def _rewrite(archive: Path, change: str, out: Path) -> None:
    """A copy of the archive with one member's bytes changed (its manifest entry kept)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == change:
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


async def test_a_damaged_archive_is_refused_naming_the_member(
    db: Settings, tmp_path: Path, redis_socket: Path
) -> None:
    await make_employee("ann@example.com")
    (db.uploads_dir / "avatars").mkdir(parents=True)
    (db.uploads_dir / "avatars" / "1-x.png").write_bytes(PNG)
    archive, _ = await backup.write_backup(db, tmp_path / "b.tar")
    await close_database()
    try:
        target = base_settings(tmp_path / "t", redis_socket, f"sqlite://{tmp_path / 't.sqlite3'}")
        for member in ("uploads/avatars/1-x.png", backup.SECRET_MEMBER):
            bad = tmp_path / "bad.tar"
            _rewrite(archive, member, bad)
            with pytest.raises(backup.BackupError, match=f"^{member}: checksum mismatch"):
                await asyncio.wait_for(backup.restore(target, bad), 60)
        assert not (tmp_path / "t.sqlite3").exists()  # nothing was touched
        assert not target.uploads_dir.exists()
        not_tar = tmp_path / "junk.tar"
        not_tar.write_bytes(b"junk" * 100)
        with pytest.raises(backup.BackupError, match="not a readable tar archive"):
            await backup.restore(target, not_tar)
    finally:
        await open_database(db)


async def test_the_daily_job_writes_an_archive_and_keeps_the_newest(
    db: Settings, tmp_path: Path
) -> None:
    from server.worker import cron_jobs, daily_backup

    assert "cron:daily_backup" in {job.name for job in cron_jobs(db)}
    off = db.model_copy(update={"backup_keep": 0})
    assert "cron:daily_backup" not in {job.name for job in cron_jobs(off)}

    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 6):  # five older archives, and a file that is not one
        (folder / f"plaza-2026010{day}-024100.tar").write_bytes(b"old")
    (folder / "notes.txt").write_text("keep me")
    settings = db.model_copy(update={"backup_dir": folder, "backup_keep": 3})

    class Ctx:
        pass

    services = Ctx()
    services.settings = settings  # type: ignore[attr-defined]
    path = Path(await daily_backup({"services": services}))
    assert path.parent == folder and backup.read_manifest(path)["format"] == backup.FORMAT
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [
        "notes.txt",
        "plaza-20260104-024100.tar",
        "plaza-20260105-024100.tar",
        path.name,
    ]
    audited = await AuditEntry.filter(action="backup.write").first()
    assert audited is not None and audited.actor_id is None
