"""Writing to the search index, in the caller's transaction (people are indexed by a
database trigger; see migration 0002)."""

from __future__ import annotations

import re

from tortoise.backends.base.client import BaseDBAsyncClient

from server.models import SearchDoc

_TAGS = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    return _TAGS.sub(" ", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def put(
    kind: str,
    ref_id: int,
    text: str,
    *,
    post_id: int | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    doc = await SearchDoc.get_or_none(kind=kind, ref_id=ref_id, using_db=using_db)
    if doc is None:
        await SearchDoc.create(
            kind=kind, ref_id=ref_id, body=text, post_id=post_id, using_db=using_db
        )
    elif doc.body != text:
        doc.body = text
        await doc.save(update_fields=["body"], using_db=using_db)


async def remove(kind: str, ref_id: int, using_db: BaseDBAsyncClient | None = None) -> None:
    await SearchDoc.filter(kind=kind, ref_id=ref_id).using_db(using_db).delete()
