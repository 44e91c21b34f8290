"""HR import against real databases: upsert, idempotence, dismissal, over CLI and HTTP."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from server.cli import main
from server.models import Employee, EmployeeStatus, Role, Store
from server.settings import Settings
from tests.conftest import LiveServer, http_client
from tests.helpers import login, make_employee, run_jobs

CSV = """employee_id,email,name,position,department,store,store_code,city,region,manager_employee_id,skills,role
E1,anna@corp.example.com,Anna Ivanova,Store director,Sales,"Moscow, Tverskaya",msk-1,Moscow,Central,,leadership;excel,manager
E2,boris@corp.example.com,Boris Petrov,Cashier,Sales,"Moscow, Tverskaya",msk-1,Moscow,Central,E1,customer service,
E3,vera@corp.example.com,Vera Smirnova,Stock keeper,Logistics,Kazan,kzn-1,Kazan,Volga,E1,forklift,
"""


def env_of(settings: Settings) -> dict[str, str]:
    return {
        "PLAZA_VAR_DIR": str(settings.var_dir),
        "PLAZA_DATABASE_URL": settings.database_url,
        "PLAZA_REDIS_URL": settings.redis_url,
        "PLAZA_REDIS_PREFIX": settings.redis_prefix,
        "PLAZA_SECRET_KEY": settings.secret_key,
    }


def run_import(settings: Settings, path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["users", "import", str(path), *extra], env=env_of(settings))
    return result.exit_code, result.output


def test_cli_import_creates_then_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(CSV)
    code, output = run_import(settings, path)
    assert code == 0, output
    assert "created 3, updated 0, unchanged 0, dismissed 0, rejected 0" in output
    code, output = run_import(settings, path)
    assert code == 0
    assert "created 0, updated 0, unchanged 3, dismissed 0, rejected 0" in output


async def test_import_builds_the_organisation(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(CSV)
    import asyncio

    code, _ = await asyncio.to_thread(run_import, settings, path)
    assert code == 0
    from server.db import close_database, open_database

    await open_database(settings)
    try:
        boris = await Employee.get(employee_id="E2").prefetch_related(
            "store__city__region", "manager"
        )
        assert boris.manager is not None and boris.manager.employee_id == "E1"
        assert boris.store is not None and boris.store.code == "msk-1"
        assert boris.store.city.name == "Moscow" and boris.store.city.region.name == "Central"
        assert boris.skills == ["customer service"]
        anna = await Employee.get(employee_id="E1")
        assert anna.role == Role.MANAGER and anna.hr_listed
        assert await Store.all().count() == 2
    finally:
        await close_database()


def test_bad_rows_are_reported_and_the_rest_imported(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(CSV + "E4,broken-address,Broken\n")
    code, output = run_import(settings, path)
    assert code == 1
    assert "created 3," in output and "rejected 1" in output
    assert f"{path}:5: rejected E4: email:" in output


def test_full_import_dismisses_the_missing_but_not_the_mistyped(
    settings: Settings, tmp_path: Path
) -> None:
    first = tmp_path / "all.csv"
    first.write_text(CSV)
    assert run_import(settings, first)[0] == 0
    later = tmp_path / "later.csv"
    lines = CSV.splitlines()
    # E2 left the company; E3's row has a typo this time.
    later.write_text("\n".join([lines[0], lines[1], lines[3].replace("vera@", "vera@@")]) + "\n")
    code, output = run_import(settings, later, "--full")
    assert code == 1  # the mistyped row is a rejection
    assert "dismissed 1" in output and "rejected 1" in output

    import asyncio

    from server.db import close_database, open_database

    async def statuses() -> dict[str, str]:
        await open_database(settings)
        try:
            return {e.employee_id or "": e.status.value for e in await Employee.all()}
        finally:
            await close_database()

    assert asyncio.run(statuses()) == {"E1": "active", "E2": "dismissed", "E3": "active"}


def test_deactivate_command(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(CSV)
    run_import(settings, path)
    result = CliRunner().invoke(
        main,
        ["users", "deactivate", "boris@corp.example.com", "E3", "nobody"],
        env=env_of(settings),
    )
    assert result.exit_code == 1
    assert "dismissed 2" in result.output and "no such employee: nobody" in result.output


async def test_http_import_runs_as_a_job(live: LiveServer) -> None:
    await make_employee("root@example.com", role=Role.ADMIN)
    await make_employee("clerk@example.com")
    async with http_client(live.url) as admin, http_client(live.url) as clerk:
        await login(admin, "root@example.com")
        await login(clerk, "clerk@example.com")
        refused = await clerk.post(
            "/api/admin/hr/imports", content=CSV, headers={"content-type": "text/csv"}
        )
        assert refused.status_code == 403
        wrong_type = await admin.post(
            "/api/admin/hr/imports", content=CSV, headers={"content-type": "text/plain"}
        )
        assert wrong_type.status_code == 415
        started = await admin.post(
            "/api/admin/hr/imports", content=CSV, headers={"content-type": "text/csv"}
        )
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "queued"
        import_id = started.json()["id"]

        await run_jobs(live.settings)

        done = (await admin.get(f"/api/admin/hr/imports/{import_id}")).json()
        assert done["status"] == "done"
        assert done["summary"]["created"] == 3
        assert await Employee.filter(status=EmployeeStatus.ACTIVE, hr_listed=True).count() == 3
