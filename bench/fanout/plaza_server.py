"""Plaza's realtime layer as the benchmark serves it: `realtime.Realtime` (the production
manager, presence, publisher) on uvicorn with `--ws websockets-sansio`, with a stub
authenticator (one shared token) and every client in the company room; GET /go publishes
`count` `post.created` events through `Publisher.publish` (schema check, sequence number,
replay stream, emit) to that room."""

from __future__ import annotations

import argparse
import contextlib
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from gamification.keys import Keys
from realtime import rooms
from realtime.direct import WS_PROTOCOL
from realtime.errors import Refused
from realtime.events import PostEvent
from realtime.server import Handshake, Identity, Realtime

TOKEN = "bench"  # a benchmark-only shared token


def build(redis_url: str, prefix: str) -> Starlette:
    people = itertools.count(1)

    async def authenticate(handshake: Handshake) -> Identity:
        if handshake.auth.get("token") != TOKEN:
            raise Refused("not_authenticated", "Sign in first.")
        return Identity(employee_id=next(people))  # one person per socket

    async def resolve(employee_id: int) -> set[str]:
        return {rooms.COMPANY}

    live = Realtime(
        redis_url=redis_url, keys=Keys(prefix), authenticate=authenticate, resolve_rooms=resolve
    )

    async def go(request: Request) -> Response:
        count = int(request.query_params["count"])
        body = "x" * int(request.query_params["size"])
        tag = request.query_params["tag"]
        moment = datetime.now(UTC)
        for i in range(count):
            event = PostEvent(post_id=i, author_id=1, title=tag, excerpt=body, at=moment)
            await live.publisher.publish("post.created", event, rooms.COMPANY)
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await live.start()
        try:
            yield
        finally:
            await live.stop()

    return Starlette(
        routes=[Route("/go", go), Mount("/socket.io", app=live.asgi_app)], lifespan=lifespan
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    args = parser.parse_args()
    uvicorn.run(
        build(args.redis, args.prefix),
        host="127.0.0.1",
        port=args.port,
        ws=WS_PROTOCOL,
        ws_per_message_deflate=False,
        log_level="warning",
        access_log=False,
        backlog=4096,
    )


if __name__ == "__main__":
    main()
