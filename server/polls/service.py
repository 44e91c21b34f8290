"""Polls in posts: single or multiple choice, optionally anonymous, with a deadline. One
answer per employee is the database's job (unique poll+employee), not a check-then-insert."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from realtime.events import PollOptionCount, PollResults
from server import activity
from server.community.access import Viewer, visible_post
from server.errors import ApiError, not_found
from server.models import Poll, PollAnswer, PollChoice, PollOption, Post
from server.posts import live
from server.services import Services


async def visible_poll(viewer: Viewer, poll_id: int) -> Poll:
    poll = await Poll.get_or_none(id=poll_id)
    if poll is None:
        raise not_found()
    await visible_post(viewer, poll.post_id)
    return poll


async def vote(services: Services, viewer: Viewer, poll_id: int, option_ids: list[int]) -> Poll:
    poll = await visible_poll(viewer, poll_id)
    if poll.closes_at is not None and poll.closes_at <= datetime.now(UTC):
        raise ApiError(409, "poll_closed")
    chosen = sorted(set(option_ids))
    valid = set(await PollOption.filter(poll_id=poll.id).values_list("id", flat=True))
    if not chosen or not set(chosen) <= valid or (not poll.multiple and len(chosen) != 1):
        raise ApiError(422, "validation_failed", field="option_ids", reason="options of this poll")
    try:
        async with in_transaction() as conn:
            answer = await PollAnswer.create(poll_id=poll.id, employee_id=viewer.id, using_db=conn)
            await PollChoice.bulk_create(
                [PollChoice(answer_id=answer.id, option_id=o) for o in chosen], using_db=conn
            )
            event = await activity.record(
                "poll.answered",
                viewer.id,
                {"poll_id": str(poll.id), "post_id": str(poll.post_id)},
                using_db=conn,
            )
    except IntegrityError:
        raise ApiError(409, "already_answered") from None
    await activity.hand_off(services, [event.id] if event else [])
    await _publish_results(services, poll)
    return poll


async def results(poll: Poll) -> tuple[list[tuple[PollOption, int, list[int]]], int]:
    """Per option: the option, its count, and its voters (ids; empty when anonymous)."""
    options = await PollOption.filter(poll_id=poll.id).order_by("position")
    voters: dict[int, list[int]] = {o.id: [] for o in options}
    for option_id, employee_id in await PollChoice.filter(answer__poll_id=poll.id).values_list(
        "option_id", "answer__employee_id"
    ):
        voters[option_id].append(int(employee_id))
    total = await PollAnswer.filter(poll_id=poll.id).count()
    return [
        (o, len(voters[o.id]), [] if poll.anonymous else sorted(voters[o.id])) for o in options
    ], total


async def _publish_results(services: Services, poll: Poll) -> None:
    """After a vote commits: the counts to everyone whose feed holds the post, at most once
    per window (`server/posts/live.py:COUNT_WINDOW_MS`)."""
    if not await live.first_in_window(services, "poll", poll.id):
        return
    post = await Post.get_or_none(id=poll.post_id, deleted_at=None)
    if post is None:
        return
    rows, total = await results(poll)
    payload = PollResults(
        poll_id=poll.id,
        post_id=post.id,
        total=total,
        options=[PollOptionCount(option_id=o.id, votes=n) for o, n, _ in rows],
    )
    await live.publish(services, post, "poll.results", payload)
