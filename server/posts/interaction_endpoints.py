"""Comments, reactions and views over HTTP."""

from __future__ import annotations

from pydantic import Field

from server.api import Api, Ctx
from server.community.access import load_viewer
from server.models import Comment
from server.posts import interactions
from server.posts.out import people
from server.posts.schemas import (
    CommentEdit,
    CommentIn,
    CommentOut,
    CommentPage,
    Ok,
    ReactionsOut,
)
from server.schemas import Strict

api = Api()
TAGS = ["posts"]


async def comments_out(comments: list[Comment]) -> list[CommentOut]:
    persons = await people({c.author_id for c in comments})
    return [
        CommentOut(
            id=c.id,
            post_id=c.post_id,
            parent_id=c.parent_id,
            author=persons[c.author_id],
            body=c.body,
            html=c.html,
            created_at=c.created_at,
            edited_at=c.edited_at,
            held=c.deleted_at is not None,  # only its author gets it so
        )
        for c in comments
    ]


@api.route("POST", "/api/posts/{id:int}/comments", summary="Comment on a post or reply",
           tags=TAGS, body=CommentIn, response=CommentOut, status=201)  # fmt: skip
async def add_comment(ctx: Ctx, body: CommentIn) -> CommentOut:
    viewer = await load_viewer(ctx.me)
    comment = await interactions.add_comment(
        ctx.services, viewer, ctx.path_int("id"), body.body, body.parent_id
    )
    return (await comments_out([comment]))[0]


class CommentQuery(Strict):
    cursor: int = 0
    limit: int = Field(default=50, ge=1, le=200)


@api.route("GET", "/api/posts/{id:int}/comments", summary="Comments of a post, oldest first",
           tags=TAGS, query=CommentQuery, response=CommentPage)  # fmt: skip
async def list_comments(ctx: Ctx, query: CommentQuery) -> CommentPage:
    viewer = await load_viewer(ctx.me)
    rows, more = await interactions.list_comments(
        viewer, ctx.path_int("id"), query.cursor, query.limit
    )
    return CommentPage(
        items=await comments_out(rows), next_cursor=str(rows[-1].id) if more else None
    )


@api.route("PATCH", "/api/comments/{id:int}", summary="Edit a comment (the old text is archived)",
           tags=TAGS, body=CommentEdit, response=CommentOut)  # fmt: skip
async def edit_comment(ctx: Ctx, body: CommentEdit) -> CommentOut:
    viewer = await load_viewer(ctx.me)
    comment = await interactions.edit_comment(ctx.services, viewer, ctx.path_int("id"), body.body)
    return (await comments_out([comment]))[0]


@api.route("DELETE", "/api/comments/{id:int}", summary="Delete a comment (kept in the archive)",
           tags=TAGS, response=Ok)  # fmt: skip
async def delete_comment(ctx: Ctx) -> Ok:
    await interactions.delete_comment(ctx.services, await load_viewer(ctx.me), ctx.path_int("id"))
    return Ok()


class ReactionPath(Strict):
    # By name (PUT /api/posts/1/reactions/like) or by the emoji itself; the service says
    # which (422 for another).
    emoji: str = Field(
        json_schema_extra={"enum": [*interactions.EMOJI, *interactions.EMOJI.values()]}
    )


async def _react(ctx: Ctx, emoji: str, on: bool) -> ReactionsOut:
    post_id = ctx.path_int("id")
    counts, mine = await interactions.react(
        ctx.services, await load_viewer(ctx.me), post_id, emoji, on
    )
    return ReactionsOut(post_id=post_id, reactions=counts, my_reactions=mine)


@api.route("PUT", "/api/posts/{id:int}/reactions/{emoji}",
           summary="React (like, heart, laugh, wow, sad, party, clap, fire)", tags=TAGS,
           path_params=ReactionPath, response=ReactionsOut)  # fmt: skip
async def put_reaction(ctx: Ctx, path: ReactionPath) -> ReactionsOut:
    return await _react(ctx, path.emoji, True)


@api.route("DELETE", "/api/posts/{id:int}/reactions/{emoji}", summary="Take a reaction back",
           tags=TAGS, path_params=ReactionPath, response=ReactionsOut)  # fmt: skip
async def delete_reaction(ctx: Ctx, path: ReactionPath) -> ReactionsOut:
    return await _react(ctx, path.emoji, False)
