"""Search over posts and comments I may see, people ("find an expert in X") and groups."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community.access import Viewer, load_viewer, visibility_sql
from server.community.sql import placeholders
from server.groups.endpoints import GroupOut, group_out
from server.models import Comment, Department, Employee, Group, Post, Store
from server.posts.out import people, posts_out
from server.posts.schemas import PersonRef, PostOut
from server.schemas import Strict
from server.search.backend import match

api = Api()


class SearchQuery(Strict):
    q: str = Field(min_length=1, max_length=200)
    kind: Literal["all", "posts", "people", "groups"] = "all"
    limit: int = Field(default=20, ge=1, le=50)


class CommentHit(BaseModel):
    id: int
    post_id: int
    author: PersonRef
    html: str


class PersonHit(BaseModel):
    person: PersonRef
    department: str | None
    store: str | None
    skills: list[str]


class SearchOut(BaseModel):
    posts: list[PostOut]
    comments: list[CommentHit]
    people: list[PersonHit]
    groups: list[GroupOut]


async def search_posts(viewer: Viewer, q: str, limit: int) -> tuple[list[Post], list[Comment]]:
    where, values = visibility_sql(viewer)
    hits = await match(
        ["post", "comment"], q, limit, join="JOIN post p ON p.id = d.post_id", where=where,
        values=values,
    )  # fmt: skip
    post_ids = [ref for kind, ref, _ in hits if kind == "post"]
    comment_ids = [ref for kind, ref, _ in hits if kind == "comment"]
    posts = {p.id: p for p in await Post.filter(id__in=post_ids)}
    comments = {c.id: c for c in await Comment.filter(id__in=comment_ids, deleted_at=None)}
    return [posts[i] for i in post_ids if i in posts], [
        comments[i] for i in comment_ids if i in comments
    ]


async def search_people(q: str, limit: int) -> list[PersonHit]:
    hits = await match(
        ["person"], q, limit, join="JOIN employee e ON e.id = d.ref_id", where="e.status = ?",
        values=["active"],
    )  # fmt: skip
    ids = [ref for _, ref, _ in hits]
    found = {e.id: e for e in await Employee.filter(id__in=ids)}
    departments = dict(
        await Department.filter(id__in={e.department_id for e in found.values()}).values_list(
            "id", "name"
        )
    )
    stores = dict(
        await Store.filter(id__in={e.store_id for e in found.values()}).values_list("id", "name")
    )
    refs = await people(set(found))
    return [
        PersonHit(
            person=refs[i],
            department=departments.get(found[i].department_id),
            store=stores.get(found[i].store_id),
            skills=list(found[i].skills or []),
        )
        for i in ids
        if i in found
    ]


async def search_groups(viewer: Viewer, q: str, limit: int) -> list[GroupOut]:
    mine = sorted(viewer.groups) or [0]
    hits = await match(
        ["group"], q, limit, join="JOIN community_group g ON g.id = d.ref_id",
        where=f"(g.visibility <> 'secret' OR g.id IN ({placeholders(mine)}))", values=[*mine],
    )  # fmt: skip
    ids = [ref for _, ref, _ in hits]
    groups = {g.id: g for g in await Group.filter(id__in=ids)}
    return [
        group_out(viewer, groups[i], "member" if i in viewer.groups else None)
        for i in ids
        if i in groups
    ]


@api.route("GET", "/api/search",
           summary="Search posts and comments I may see, people by name, position, department, "
           "store and skills, and groups", tags=["search"], query=SearchQuery,
           response=SearchOut)  # fmt: skip
async def search(ctx: Ctx, query: SearchQuery) -> SearchOut:
    viewer = await load_viewer(ctx.me)
    out = SearchOut(posts=[], comments=[], people=[], groups=[])
    if query.kind in ("all", "posts"):
        posts, comments = await search_posts(viewer, query.q, query.limit)
        out.posts = await posts_out(viewer, posts)
        authors = await people({c.author_id for c in comments})
        out.comments = [
            CommentHit(id=c.id, post_id=c.post_id, author=authors[c.author_id], html=c.html)
            for c in comments
        ]
    if query.kind in ("all", "people"):
        out.people = await search_people(query.q, query.limit)
    if query.kind in ("all", "groups"):
        out.groups = await search_groups(viewer, query.q, query.limit)
    return out
