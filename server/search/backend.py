"""Full-text search behind one function, `match`: SQLite FTS5 (porter stems for English,
prefix matching for Russian endings) or PostgreSQL tsvector (Russian and English stems)."""

from __future__ import annotations

import re

from server.community.sql import fetch, is_postgres, placeholders

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def words(q: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(q)][:MAX_WORDS]


async def match(
    kinds: list[str],
    q: str,
    limit: int,
    *,
    join: str = "",
    where: str = "",
    values: list[object] | None = None,
) -> list[tuple[str, int, int | None]]:
    """(kind, ref_id, post_id) of the best matches; `join`/`where` narrow them (e.g. to the
    posts a viewer may see) inside the same statement, so a page is never short because
    invisible matches ranked first."""
    terms = words(q)
    if not terms:
        return []
    extra = f" AND {where}" if where else ""
    if is_postgres():
        query = (
            "SELECT d.kind, d.ref_id, d.post_id FROM search_doc d "  # noqa: S608 - placeholders only
            f"{join} WHERE d.tsv @@ (plainto_tsquery('russian', ?) || "
            f"plainto_tsquery('english', ?)) AND d.kind IN ({placeholders(kinds)}){extra} "
            "ORDER BY ts_rank(d.tsv, plainto_tsquery('russian', ?) || "
            "plainto_tsquery('english', ?)) DESC, d.id DESC LIMIT ?"
        )
        text = " ".join(terms)
        args = [text, text, *kinds, *(values or []), text, text, limit]
    else:
        # Each word as a quoted prefix: "магазин"* finds магазина, магазинов; quoting keeps
        # FTS5 syntax (AND, NEAR, column filters) out of users' hands.
        expression = " ".join(f'"{t}"*' for t in terms)
        query = (
            "SELECT d.kind, d.ref_id, d.post_id FROM search_fts "  # noqa: S608 - placeholders only
            f"JOIN search_doc d ON d.id = search_fts.rowid {join} "
            f"WHERE search_fts MATCH ? AND d.kind IN ({placeholders(kinds)}){extra} "
            "ORDER BY bm25(search_fts), d.id DESC LIMIT ?"
        )
        args = [expression, *kinds, *(values or []), limit]
    rows = await fetch(query, args)
    return [(str(r["kind"]), int(r["ref_id"]), r["post_id"]) for r in rows]
