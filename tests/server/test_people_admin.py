"""The IT admin's people API over real HTTP: find, change a role, deactivate (access ends
at once: session, API token, sign-in), reactivate, end sessions; HR imports listed with
their progress; each change a row of the audit log; the audit viewer's filters."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from server.audit.chain import first_break
from server.models import AuditEntry, Employee, EmployeeStatus, Role
from server.models.hr import HrImport
from server.settings import Settings
from tests.conftest import LiveServer, http_client
from tests.helpers import login, make_employee, run_jobs

# Not about storage (HTTP, permissions, live delivery): SQLite only.
pytestmark = pytest.mark.one_database


async def _admin(live: LiveServer) -> tuple[httpx.AsyncClient, Employee]:
    admin = await make_employee("root@example.com", role=Role.ADMIN, name="Root Admin")
    client = httpx.AsyncClient(base_url=live.url, timeout=30)
    assert (await login(client, admin.email)).status_code == 200
    return client, admin


async def test_find_people_by_name_email_role_and_status(live: LiveServer) -> None:
    admin, _ = await _admin(live)
    async with contextlib.aclosing(admin):
        await make_employee("olga@example.com", name="Olga Petrova", position="Cashier")
        await make_employee("ivan@example.com", name="Ivan", role=Role.COMMS)
        await make_employee("gone@example.com", name="Gone", status=EmployeeStatus.DISMISSED)
        found = (await admin.get("/api/admin/employees", params={"q": "petrov"})).json()
        assert found["total"] == 1 and found["people"][0]["email"] == "olga@example.com"
        comms = (await admin.get("/api/admin/employees", params={"role": "comms"})).json()
        assert [p["name"] for p in comms["people"]] == ["Ivan"]
        gone = (await admin.get("/api/admin/employees", params={"status": "dismissed"})).json()
        assert [p["name"] for p in gone["people"]] == ["Gone"]
        assert gone["people"][0]["sessions"] == 0
        me = (await admin.get("/api/admin/employees", params={"q": "root"})).json()
        assert me["people"][0]["sessions"] == 1


async def test_role_change_is_audited_and_takes_effect(live: LiveServer) -> None:
    admin, root = await _admin(live)
    olga = await make_employee("olga@example.com")
    async with contextlib.aclosing(admin), http_client(live.url) as her:
        await login(her, olga.email)
        assert (await her.get("/api/admin/audit")).status_code == 403
        changed = await admin.put(f"/api/admin/employees/{olga.id}/role", json={"role": "comms"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["role"] == "comms"
        assert (await her.get("/api/admin/audit")).status_code == 200  # the next request
        row = await AuditEntry.get(action="employee.role.change")
        assert row.actor_id == root.id and row.target == f"employee:{olga.id}"
        assert row.detail["from"] == "employee" and row.detail["to"] == "comms"
        # The same role again changes nothing and writes nothing.
        await admin.put(f"/api/admin/employees/{olga.id}/role", json={"role": "comms"})
        assert await AuditEntry.filter(action="employee.role.change").count() == 1
        own = await admin.put(f"/api/admin/employees/{root.id}/role", json={"role": "employee"})
        assert own.status_code == 409 and "another admin" in own.json()["detail"]


async def test_deactivate_ends_access_at_once_and_reactivate_gives_it_back(
    live: LiveServer,
) -> None:
    admin, root = await _admin(live)
    olga = await make_employee("olga@example.com")
    async with contextlib.aclosing(admin), http_client(live.url) as her:
        await login(her, olga.email)
        token = (await her.post("/api/tokens", json={"name": "cli"})).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await her.get("/api/me", headers=bearer)).status_code == 200
        done = await admin.post(f"/api/admin/employees/{olga.id}/deactivate")
        assert done.status_code == 200 and done.json()["status"] == "dismissed"
        assert done.json()["sessions"] == 0 and done.json()["tokens"] == 0
        assert (await her.get("/api/me")).status_code in (401, 403)
        assert (await her.get("/api/me", headers=bearer)).status_code in (401, 403)
        async with http_client(live.url) as again:
            refused = await login(again, olga.email)
            assert refused.status_code == 403
            assert refused.json()["error"] == "account_dismissed"
        row = await AuditEntry.get(action="employee.deactivate")
        assert row.actor_id == root.id and row.detail["sessions_ended"] == 1

        back = await admin.post(f"/api/admin/employees/{olga.id}/reactivate")
        assert back.status_code == 200 and back.json()["status"] == "active"
        async with http_client(live.url) as again:
            assert (await login(again, olga.email)).status_code == 200
        assert await AuditEntry.filter(action="employee.reactivate").count() == 1
        own = await admin.post(f"/api/admin/employees/{root.id}/deactivate")
        assert own.status_code == 409


async def test_end_sessions_is_audited(live: LiveServer) -> None:
    admin, root = await _admin(live)
    olga = await make_employee("olga@example.com")
    async with contextlib.aclosing(admin), http_client(live.url) as her:
        await login(her, olga.email)
        ended = await admin.post(
            f"/api/admin/employees/{olga.id}/sessions/end", json={"tokens": True}
        )
        assert ended.status_code == 200 and ended.json()["sessions_ended"] == 1
        assert (await her.get("/api/me")).status_code == 401
        row = await AuditEntry.get(action="employee.sessions.end")
        assert row.actor_id == root.id and row.detail == {
            "name": olga.name,
            "sessions_ended": 1,
            "tokens": True,
        }


CSV = (
    "employee_id,email,name,position\n"
    "E1,anna@example.com,Anna,Cashier\n"
    "E2,not-an-email,Bad,Cashier\n"
    "E3,boris@example.com,Boris,Baker\n"
)


async def test_hr_import_is_listed_with_rejected_rows_and_audited(live: LiveServer) -> None:
    admin, root = await _admin(live)
    async with contextlib.aclosing(admin):
        started = await admin.post(
            "/api/admin/hr/imports", content=CSV, headers={"Content-Type": "text/csv"}
        )
        assert started.status_code == 202, started.text
        first = started.json()
        assert first["status"] == "queued" and first["started_by"]["name"] == "Root Admin"
        await run_jobs(live.settings)
        done = (await admin.get(f"/api/admin/hr/imports/{first['id']}")).json()
        assert done["status"] == "done"
        assert done["summary"]["created"] == 2
        assert [r["line"] for r in done["summary"]["rejected"]] == [3]
        listed = (await admin.get("/api/admin/hr/imports")).json()["imports"]
        assert [i["id"] for i in listed] == [first["id"]]
        actions = [e.action for e in await AuditEntry.all().order_by("seq")]
        assert actions == ["hr.import.start", "hr.import.finish"]
        finish = await AuditEntry.get(action="hr.import.finish")
        assert finish.actor_id == root.id and finish.detail["rejected"] == 1


async def test_a_running_import_shows_its_progress(live: LiveServer) -> None:
    admin, root = await _admin(live)
    record = await HrImport.create(
        started_by_id=root.id,
        filename="x.csv",
        status="running",
        summary={"progress": {"done": 40, "total": 100}},
    )
    async with contextlib.aclosing(admin):
        shown = (await admin.get(f"/api/admin/hr/imports/{record.id}")).json()
        assert (shown["done_rows"], shown["total_rows"]) == (40, 100)
        assert shown["summary"] is None


async def test_audit_viewer_filters_pages_and_verifies(live: LiveServer) -> None:
    admin, _ = await _admin(live)
    people = [await make_employee(f"p{i}@example.com") for i in range(3)]
    async with contextlib.aclosing(admin):
        for person in people:
            await admin.put(f"/api/admin/employees/{person.id}/role", json={"role": "manager"})
        await admin.post(f"/api/admin/employees/{people[0].id}/deactivate")
        page = (await admin.get("/api/admin/audit", params={"limit": 2})).json()
        assert [e["seq"] for e in page["entries"]] == [4, 3]  # newest first
        assert page["entries"][0]["actor_name"] == "Root Admin"
        older = (
            await admin.get("/api/admin/audit", params={"limit": 2, "before": page["next_before"]})
        ).json()
        assert [e["seq"] for e in older["entries"]] == [2, 1] and older["next_before"] is None
        by_action = (await admin.get("/api/admin/audit", params={"action": "employee."})).json()
        assert len(by_action["entries"]) == 4
        deact = (
            await admin.get("/api/admin/audit", params={"action": "employee.deactivate"})
        ).json()
        assert [e["target"] for e in deact["entries"]] == [f"employee:{people[0].id}"]
        target = (
            await admin.get("/api/admin/audit", params={"target": f"employee:{people[1].id}"})
        ).json()
        assert [e["seq"] for e in target["entries"]] == [2]
        nobody = (await admin.get("/api/admin/audit", params={"actor_id": people[2].id})).json()
        assert nobody["entries"] == []
        future = (
            await admin.get("/api/admin/audit", params={"since": "2999-01-01T00:00:00Z"})
        ).json()
        assert future["entries"] == []

        status = (await admin.get("/api/admin/audit/status")).json()
        assert status["rows"] == 4 and status["last_verification"] is None
        assert "employee.deactivate" in status["actions"]
        verified = (await admin.post("/api/admin/audit/verify")).json()
        assert verified["last_verification"]["ok"] is True
        assert verified["last_verification"]["rows"] == 4
        entries = await AuditEntry.all().order_by("seq")
        from server.audit import as_row

        assert first_break(as_row(e) for e in entries) is None


async def test_a_moderator_sees_only_moderation_rows(live: LiveServer) -> None:
    from server import audit

    await audit.record(1, "moderation.hide", "post:1", {})
    await audit.record(1, "employee.role.change", "employee:1", {})
    mod = await make_employee("mod@example.com", role=Role.MODERATOR)
    async with http_client(live.url) as client:
        await login(client, mod.email)
        rows = (await client.get("/api/admin/audit")).json()["entries"]
        assert [r["action"] for r in rows] == ["moderation.hide"]
        status = (await client.get("/api/admin/audit/status")).json()
        assert status["actions"] == ["moderation.hide"]
        assert (await client.post("/api/admin/audit/verify")).status_code == 403


async def test_the_command_line_changes_are_audited_too(db: Settings) -> None:
    from tests.server.test_rewards_cli import plaza

    olga = await make_employee("olga@example.com", name="Olga")
    assert plaza(db, "users", "set-role", "olga@example.com", "comms").returncode == 0
    assert plaza(db, "users", "deactivate", "olga@example.com").returncode == 0
    rows = await AuditEntry.all().order_by("seq")
    assert [(r.action, r.actor_id, r.target) for r in rows] == [
        ("employee.role.change", None, f"employee:{olga.id}"),
        ("employee.deactivate", None, f"employee:{olga.id}"),
    ]
    assert rows[0].detail["via"] == "cli" and rows[0].detail["to"] == "comms"
