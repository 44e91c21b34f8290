"""Uploaded files: the type is recognised by the first bytes (never by the name or the
declared type alone), then the file is written under `var/uploads/`."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from server.errors import ApiError

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
FILE_TYPES = (*IMAGE_TYPES, "application/pdf")
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def sniff(data: bytes) -> str | None:
    for media_type, signatures in _SIGNATURES.items():
        if any(data.startswith(s) for s in signatures):
            if media_type == "image/webp" and data[8:12] != b"WEBP":
                continue
            return media_type
    return None


def checked_type(data: bytes, declared: str, allowed: tuple[str, ...]) -> str:
    """The file's real type; 415 unless it is allowed and what the client declared."""
    actual = sniff(data)
    if actual is None or actual not in allowed or declared != actual:
        raise ApiError(
            415,
            "unsupported_media_type",
            content_type=declared or "-",
            expected=", ".join(allowed) + " (and the file must really be one)",
        )
    return actual


async def save(folder: Path, stem: str, data: bytes, media_type: str) -> Path:
    """Write under a name nobody can guess (a random suffix), off the event loop."""
    path = folder / f"{stem}-{secrets.token_hex(12)}.{EXTENSIONS[media_type]}"

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    await asyncio.to_thread(write)
    return path
