"""Lesson bodies: the posts' Markdown subset (server/posts/render.py) plus pictures, which
may only be files uploaded to Plaza (`![alt](/api/attachments/<id>)`, as the editor inserts
them); they are served to the course's readers from the course's own address."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from server.posts.render import ATTRIBUTES, TAGS, URL_SCHEMES

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("strikethrough")

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'src="/api/attachments/(\d{1,12})"')
UPLOAD_REF = re.compile(r"/api/attachments/(\d{1,12})")


def render_lesson(source: str, course_id: int) -> str:
    html = nh3.clean(
        _md.render(source),
        tags=TAGS | {"img"},
        attributes={**ATTRIBUTES, "img": {"src", "alt", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )

    def picture(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if src is None:
            return ""  # a remote or unknown picture is dropped
        return tag.replace(src.group(0), f'src="/api/courses/{course_id}/files/{src.group(1)}"', 1)

    return _IMG.sub(picture, html)


def uploads_named(source: str) -> set[int]:
    """The uploads a lesson body shows."""
    return {int(m) for m in UPLOAD_REF.findall(source)}
