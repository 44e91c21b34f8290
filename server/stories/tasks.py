"""Stories' jobs for the arq worker."""

from __future__ import annotations

from typing import Any

from server.services import Services
from server.stories.service import delete_expired_files


async def delete_expired_story_files(ctx: dict[str, Any]) -> int:
    """Cron: the files of stories past their 24 hours (or 7 days, pinned) or deleted."""
    services: Services = ctx["services"]
    return await delete_expired_files(services.settings.uploads_dir)
