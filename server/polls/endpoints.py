"""Polls over HTTP: read with results, answer once."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community.access import Viewer, load_viewer
from server.models import Poll, PollAnswer
from server.polls import service
from server.posts.out import people
from server.posts.schemas import PersonRef
from server.schemas import Strict

api = Api()
TAGS = ["posts"]


class OptionOut(BaseModel):
    id: int
    text: str
    votes: int
    voters: list[PersonRef]  # empty in an anonymous poll


class PollOut(BaseModel):
    id: int
    post_id: int
    question: str
    multiple: bool
    anonymous: bool
    closes_at: datetime | None
    total: int
    answered: bool
    options: list[OptionOut]


class AnswerIn(Strict):
    option_ids: list[int] = Field(min_length=1, max_length=10)


async def poll_out(viewer: Viewer, poll: Poll) -> PollOut:
    rows, total = await service.results(poll)
    persons = await people({v for _, _, voters in rows for v in voters})
    return PollOut(
        id=poll.id,
        post_id=poll.post_id,
        question=poll.question,
        multiple=poll.multiple,
        anonymous=poll.anonymous,
        closes_at=poll.closes_at,
        total=total,
        answered=await PollAnswer.exists(poll_id=poll.id, employee_id=viewer.id),
        options=[
            OptionOut(id=o.id, text=o.text, votes=n, voters=[persons[v] for v in voters])
            for o, n, voters in rows
        ],
    )


@api.route("GET", "/api/polls/{id:int}", summary="A poll with its results", tags=TAGS,
           response=PollOut)  # fmt: skip
async def get_poll(ctx: Ctx) -> PollOut:
    viewer = await load_viewer(ctx.me)
    return await poll_out(viewer, await service.visible_poll(viewer, ctx.path_int("id")))


@api.route("POST", "/api/polls/{id:int}/answer", summary="Answer a poll (once)", tags=TAGS,
           body=AnswerIn, response=PollOut)  # fmt: skip
async def answer(ctx: Ctx, body: AnswerIn) -> PollOut:
    viewer = await load_viewer(ctx.me)
    poll = await service.vote(ctx.services, viewer, ctx.path_int("id"), body.option_ids)
    return await poll_out(viewer, poll)
