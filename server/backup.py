"""Backups that restore: one tar archive with the database (SQLite's online backup API, or
`pg_dump --format=custom`), the uploaded files, the ruleset and wheel history as files for
humans, the secret key, and a manifest with the SHA-256 of every member.

`restore()` checks the whole archive against its manifest before it touches anything,
refuses an instance that holds data unless forced, then rebuilds the leaderboards from the
ledger and verifies the ledger. See docs/operations.md."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

import orjson

FORMAT = "plaza-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/plaza.sqlite3"
POSTGRES_MEMBER = "database/plaza.pgdump"
SECRET_MEMBER = "secret_key"  # noqa: S105 - a member name
UPLOADS = "uploads"
# Tables whose rows name an uploaded file by its path on disk (under the uploads folder).
PATH_COLUMNS = (
    ("employee", "avatar_path"),
    ("attachment", "path"),
    ("chat_message", "attachment_path"),
    ("story", "image_path"),
)
# Bookkeeping, not data: never makes an instance "non-empty".
_NOT_DATA = ("tortoise_migrations", "sqlite_sequence")
_CHUNK = 1 << 20


class BackupError(Exception):
    """The archive is unusable or the instance refuses it; the message says why."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    boards: int | None = None
    ledger_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plaza_version() -> str:
    try:
        return version("plaza")
    except PackageNotFoundError:
        return "0.0.0"


def kind_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite://") else "postgresql"


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite://"))


def postgres_bin(name: str) -> str:
    """`pg_dump`/`pg_restore` of the newest installed PostgreSQL (as tests/conftest.py finds
    `initdb`), else the one on PATH."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / name).exists():
            return str(candidate / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _libpq_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return parts._replace(scheme="postgresql").geturl()


def default_backup_dir(settings: Any) -> Path:
    return Path(settings.backup_dir) if settings.backup_dir else settings.var_dir / "backups"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    """Reads a file for tarfile while hashing what it read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


# -- writing ---------------------------------------------------------------------------------


async def _migrations() -> list[str]:
    from gamification import sql

    rows = await sql.fetch(
        sql.default(), "SELECT name FROM tortoise_migrations WHERE app = ? ORDER BY id", ["plaza"]
    )
    return [str(r["name"]) for r in rows]


async def _history_files() -> dict[str, bytes]:
    """The ruleset and wheel history as files a person can read (the database has them too)."""
    from server.models import RulesetPublication, RulesetVersion, WheelVersion

    files: dict[str, bytes] = {}
    for r in await RulesetVersion.all().order_by("id"):
        files[f"history/rulesets/{r.id:04d}-{r.version[:12]}.yaml"] = r.text.encode()
    publications = [
        {
            "ruleset_id": p.ruleset_id,
            "action": p.action,
            "published_by": p.published_by_id,
            "message": p.message,
            "published_at": p.published_at.isoformat(),
        }
        for p in await RulesetPublication.all().order_by("published_at", "id")
    ]
    files["history/rulesets/publications.json"] = orjson.dumps(
        publications, option=orjson.OPT_INDENT_2
    )
    wheels = []
    for w in await WheelVersion.all().order_by("published_at", "id"):
        files[f"history/wheel/{w.id:04d}-{w.version[:12]}.yaml"] = w.text.encode()
        wheels.append(
            {"id": w.id, "version": w.version, "published_at": w.published_at.isoformat()}
        )
    files["history/wheel/versions.json"] = orjson.dumps(wheels, option=orjson.OPT_INDENT_2)
    return files


def _dump_database(database_url: str, into: Path) -> tuple[str, Path]:
    if kind_of(database_url) == "sqlite":
        target = into / "plaza.sqlite3"
        source = sqlite3.connect(sqlite_path(database_url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # the online backup API: a consistent copy while in use
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER, target
    target = into / "plaza.pgdump"
    done = subprocess.run(  # noqa: S603 - our binary, our arguments
        [
            postgres_bin("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={_libpq_url(database_url)}",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return POSTGRES_MEMBER, target


def _write_archive(
    output: Path,
    database: tuple[str, Path],
    uploads_dir: Path,
    extra: dict[str, bytes],
    manifest: dict[str, Any],
) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = {}
    part = output.with_name(output.name + ".part")
    with tarfile.open(part, "w", format=tarfile.PAX_FORMAT) as tar:

        def add_file(name: str, path: Path) -> None:
            try:
                f = path.open("rb")
            except FileNotFoundError:
                return  # an upload deleted meanwhile (a story that expired): nothing to keep
            with f:
                info = tar.gettarinfo(fileobj=f, arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                hashing = _Hashing(f)
                tar.addfile(info, hashing)
            members[name] = {"sha256": hashing.digest.hexdigest(), "size": info.size}

        def add_bytes(name: str, data: bytes, mode: int = 0o644) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

        add_file(*database)
        if uploads_dir.is_dir():
            for path in sorted(p for p in uploads_dir.rglob("*") if p.is_file()):
                add_file(f"{UPLOADS}/{path.relative_to(uploads_dir).as_posix()}", path)
        for name, data in extra.items():
            add_bytes(name, data, 0o600 if name == SECRET_MEMBER else 0o644)
        manifest = {**manifest, "members": members}
        add_bytes(
            MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        )
    os.replace(part, output)
    return manifest


async def write_backup(
    settings: Any, output: Path | None = None, *, actor_id: int | None = None
) -> tuple[Path, dict[str, Any]]:
    """Write one archive (the database must be open: Tortoise is initialised). Returns the
    archive's path and its manifest. Audited as `backup.write`."""
    from server import audit

    now = datetime.now(UTC)
    if output is None:
        output = default_backup_dir(settings) / f"plaza-{now:%Y%m%d-%H%M%S}.tar"
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    migrations = await _migrations()
    extra = await _history_files()
    extra[SECRET_MEMBER] = settings.secret().encode()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plaza_version": plaza_version(),
        "schema_version": migrations[-1] if migrations else None,
        "migrations": migrations,
        "database": kind_of(settings.database_url),
        "created_at": now.isoformat(),
        "uploads_dir": str(settings.uploads_dir),
    }
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as staging:
        database = await asyncio.to_thread(_dump_database, settings.database_url, Path(staging))
        manifest = await asyncio.to_thread(
            _write_archive, output, database, settings.uploads_dir, extra, manifest
        )
    size = output.stat().st_size
    await audit.record(
        actor_id,
        "backup.write",
        f"backup:{output.name}",
        {"path": str(output), "bytes": size, "members": len(manifest["members"])},
    )
    return output, manifest


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives named plaza-*.tar in `folder`."""
    archives = sorted(folder.glob("plaza-*.tar"), key=lambda p: p.name, reverse=True)
    gone = archives[keep:]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


# -- checking and restoring ------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:*") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise BackupError(f"{archive}: no {MANIFEST}: not a Plaza backup") from None
            f = tar.extractfile(member)
            assert f is not None
            manifest = orjson.loads(f.read())
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive}: not a readable tar archive ({exc})") from None
    except orjson.JSONDecodeError:
        raise BackupError(f"{archive}: {MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: {MANIFEST} is not a Plaza backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive}: backup format {manifest.get('format_version')} is not supported"
        )
    return manifest


def check_archive(archive: Path, staging: Path | None = None) -> dict[str, Any]:
    """Check every member against the manifest (and extract into `staging` if given);
    raise BackupError naming the first bad member. Nothing outside `staging` is touched."""
    manifest = read_manifest(archive)
    expected: dict[str, dict[str, Any]] = manifest.get("members") or {}
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"{member.name}: unexpected member in the archive")
                want = expected.get(member.name)
                if want is None:
                    raise BackupError(f"{member.name}: not listed in the manifest")
                source = tar.extractfile(member)
                assert source is not None
                digest = hashlib.sha256()
                out: IO[bytes] | None = None
                if staging is not None:
                    target = staging / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = target.open("wb")
                try:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        if out is not None:
                            out.write(chunk)
                finally:
                    if out is not None:
                        out.close()
                if digest.hexdigest() != want.get("sha256"):
                    raise BackupError(
                        f"{member.name}: checksum mismatch (the archive is damaged or was changed)"
                    )
                seen.add(member.name)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive}: unreadable ({exc})") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{missing[0]}: listed in the manifest but missing from the archive")
    return manifest


async def _tables() -> list[str]:
    from gamification import sql

    conn = sql.default()
    if sql.is_postgres(conn):
        rows = await sql.fetch(
            conn,
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
    else:
        rows = await sql.fetch(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts%'",
        )
    return sorted(str(r["name"]) for r in rows if r["name"] not in _NOT_DATA)


async def holds_data(settings: Any) -> list[str]:
    """What makes the instance non-empty: tables with rows, an uploads folder with files."""
    from gamification import sql

    found = []
    for table in await _tables():
        rows = await sql.fetch(sql.default(), f'SELECT 1 AS x FROM "{table}" LIMIT 1')  # noqa: S608
        if rows:
            found.append(f"table {table}")
    uploads = settings.uploads_dir
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        found.append(f"files in {uploads}")
    return found


def _restore_sqlite(database_url: str, dump: Path) -> None:
    target = sqlite_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # replaces the whole database, WAL included
    finally:
        copy.close()
        source.close()


def _restore_postgres(database_url: str, dump: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our binary, our arguments
        [
            postgres_bin("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq_url(database_url)}",
            str(dump),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _replace_uploads(staged: Path, uploads_dir: Path) -> None:
    if uploads_dir.exists():
        shutil.rmtree(uploads_dir)
    uploads_dir.parent.mkdir(parents=True, exist_ok=True)
    if staged.is_dir():
        shutil.move(str(staged), str(uploads_dir))
    else:
        uploads_dir.mkdir()


async def _rewrite_paths(old: str, new: str) -> None:
    """Rows name their files by path; point them at this instance's uploads folder."""
    from gamification import sql

    if old == new:
        return
    conn = sql.default()
    old_prefix, new_prefix = old.rstrip("/") + "/", new.rstrip("/") + "/"
    for table, column in PATH_COLUMNS:
        await sql.execute(
            conn,
            f'UPDATE "{table}" SET "{column}" = ? || SUBSTR("{column}", ?) '  # noqa: S608
            f'WHERE SUBSTR("{column}", 1, ?) = ?',
            [new_prefix, len(old_prefix) + 1, len(old_prefix), old_prefix],
        )


async def restore(
    settings: Any, archive: Path, *, force: bool = False, actor_id: int | None = None
) -> RestoreReport:
    """Restore `archive` into this instance. The database must NOT be open (this opens and
    closes it); stop the web processes and workers first."""
    from redis.asyncio import Redis

    from gamification import sql
    from gamification.boards import Boards
    from gamification.keys import Keys
    from gamification.store import verify
    from server import audit
    from server.db import apply_migrations, close_database, open_database

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=settings.var_dir) as tmp:
        staging = Path(tmp)
        manifest = await asyncio.to_thread(check_archive, archive, staging)
        kind = kind_of(settings.database_url)
        if manifest["database"] != kind:
            raise BackupError(
                f"the backup holds a {manifest['database']} database; this instance uses {kind}"
            )
        known = {p.stem for p in (Path(__file__).parent / "migrations").glob("0*.py")}
        unknown = [m for m in manifest.get("migrations", []) if m not in known]
        if unknown:
            raise BackupError(
                f"the backup was made by a newer Plaza ({manifest['plaza_version']}: "
                f"migration {unknown[0]} is unknown here): upgrade first"
            )
        await open_database(settings)
        try:
            found = await holds_data(settings)
        finally:
            await close_database()
        if found and not force:
            raise BackupError(
                "this instance is not empty (" + ", ".join(found[:5]) + "): "
                "restore into an empty one, or pass --force to replace everything"
            )
        report = RestoreReport(manifest)
        dump = staging / (SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER)
        if kind == "sqlite":
            await asyncio.to_thread(_restore_sqlite, settings.database_url, dump)
        else:
            await asyncio.to_thread(_restore_postgres, settings.database_url, dump)
        await asyncio.to_thread(_replace_uploads, staging / UPLOADS, settings.uploads_dir)
        secret = (staging / SECRET_MEMBER).read_text().strip()
        if settings.secret_key:
            if settings.secret_key != secret:
                report.warnings.append(
                    "PLAZA_SECRET_KEY differs from the backup's secret key: set it to the "
                    f"backup's (in the archive's {SECRET_MEMBER}) or signed links and "
                    "checkpoints made before will not verify"
                )
        else:
            path = settings.var_dir / "secret_key"
            path.write_text(secret)
            path.chmod(0o600)
    # A backup of an older Plaza: bring its schema up to this version.
    await apply_migrations(settings)
    await open_database(settings)
    redis = Redis.from_url(settings.redis_url)
    try:
        await _rewrite_paths(manifest["uploads_dir"], str(settings.uploads_dir))
        report.ledger_problems = await verify(sql.default())
        boards = Boards(redis, Keys(settings.redis_prefix), settings.zone)
        report.boards = await boards.rebuild()
        await audit.record(
            actor_id,
            "backup.restore",
            f"backup:{archive.name}",
            {
                "archive": str(archive),
                "created_at": manifest["created_at"],
                "plaza_version": manifest["plaza_version"],
                "forced": bool(found),
            },
        )
    finally:
        await redis.aclose()
        await close_database()
    return report
