"""Chat logic: membership, messages, receipts, the moderation archive. Every change is
committed first and published after (write, then notify)."""

from __future__ import annotations

from realtime import rooms
from server.models import ChatMember


async def chat_rooms(employee_id: int) -> list[str]:
    """Room source for the resolver: one room per chat the employee is in."""
    rows = await ChatMember.filter(employee_id=employee_id).values("chat_id")
    return [rooms.chat(row["chat_id"]) for row in rows]
