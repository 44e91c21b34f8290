"""Backup and restore of a big SQLite instance: 1,000,000 posts (and their search index),
`plaza backup` then `plaza restore` into an empty instance; prints both times.

    python -m bench.backup_restore            # 1,000,000 posts
    python -m bench.backup_restore --quick    # 20,000 posts (make test runs this)

The rows are synthetic and inserted with executemany (not through the API): the point is
the size of the database the archive carries, not how it was filled. The restored
instance is checked: the same number of posts, the ledger verifying.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.settle import start_redis
from server import backup
from server.db import apply_migrations, close_database, open_database
from server.settings import Settings

PEOPLE = 1_000
BATCH = 50_000
WORDS = [
    "shelf",
    "delivery",
    "store",
    "team",
    "launch",
    "customer",
    "price",
    "training",
    "shift",
    "inventory",
    "promo",
    "window",
    "display",
    "coffee",
    "plan",
    "report",
    "thanks",
    "welcome",
    "safety",
    "week",
    "target",
]


def settings_for(var: Path, sock: Path) -> Settings:
    return Settings(
        var_dir=var,
        database_url=f"sqlite://{var / 'plaza.sqlite3'}",
        redis_url=f"unix://{sock}",
        redis_prefix="bench",
        secret_key="bench-secret-" + "x" * 40,
        log_format="text",
        gc_freeze=False,
    )


def fill(path: Path, posts: int) -> None:
    """Employees, posts and the posts' search documents, straight into the tables."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC)
    stamp = now.isoformat()
    with conn:
        conn.executemany(
            "INSERT INTO employee (id, email, name, position, skills, interests, locale, timezone,"
            " role, status, hr_listed, created_at, updated_at)"
            " VALUES (?, ?, ?, '', '[]', '[]', 'en', '', 'employee', 'active', 0, ?, ?)",
            [(i, f"p{i}@example.com", f"Person {i}", stamp, stamp) for i in range(1, PEOPLE + 1)],
        )
    done = 0
    while done < posts:
        rows, docs = [], []
        for n in range(done + 1, min(posts, done + BATCH) + 1):
            body = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 25))
            at = (now - timedelta(seconds=posts - n)).isoformat()
            rows.append((n, "post", "all", n % PEOPLE + 1, body, f"<p>{body}</p>", at))
            docs.append(("post", n, n, body))
        with conn:
            conn.executemany(
                "INSERT INTO post (id, kind, stream, author_id, body, html, audience_all, pinned,"
                " banner, needs_confirmation, comment_count, reaction_count, view_count,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0, 0, 0, 0, 0, 0, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO search_doc (kind, ref_id, post_id, body) VALUES (?, ?, ?, ?)", docs
            )
        done += len(rows)
    conn.close()


async def run(posts: int, root: Path) -> None:
    process, sock = start_redis(root)
    try:
        source = settings_for(root / "source", sock)
        await apply_migrations(source)
        started = time.perf_counter()
        await asyncio.to_thread(fill, backup.sqlite_path(source.database_url), posts)
        filled = time.perf_counter() - started
        size = backup.sqlite_path(source.database_url).stat().st_size
        print(f"{posts:,} posts: database {size / 1e6:,.0f} MB, filled in {filled:.1f} s")

        await open_database(source)
        try:
            started = time.perf_counter()
            archive, manifest = await backup.write_backup(source, root / "backups" / "b.tar")
            wrote = time.perf_counter() - started
        finally:
            await close_database()
        print(f"backup:  {wrote:6.2f} s  ({archive.stat().st_size / 1e6:,.0f} MB archive)")

        target = settings_for(root / "target", sock)
        target = target.model_copy(update={"redis_prefix": "bench-restored"})
        started = time.perf_counter()
        report = await backup.restore(target, archive)
        restored = time.perf_counter() - started
        print(f"restore: {restored:6.2f} s  (checksums, database, leaderboards, ledger check)")

        conn = sqlite3.connect(backup.sqlite_path(target.database_url))
        count = conn.execute("SELECT COUNT(*) FROM post").fetchone()[0]
        conn.close()
        assert count == posts, f"restored {count} posts of {posts}"
        assert report.ledger_problems == [], report.ledger_problems
        assert manifest["members"][backup.SQLITE_MEMBER]["size"] > 0
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 posts")
    parser.add_argument("--posts", type=int, default=None)
    args = parser.parse_args()
    posts = args.posts or (20_000 if args.quick else 1_000_000)
    root = Path(tempfile.mkdtemp(prefix="plaza-bench-backup-"))
    try:
        asyncio.run(run(posts, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
