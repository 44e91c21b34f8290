"""Post and comment bodies: a Markdown subset rendered on the server, then sanitised.

Raw HTML in the source is escaped by the parser (html=False); the output still goes through
nh3 with a tag safelist, so neither a parser bug nor a crafted link can carry a script, an
event handler or a javascript: URL to a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("strikethrough")
_md.disable("image")  # pictures come as checked attachments, never as remote URLs

TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# `@[Name](person:12)`: what the editor inserts when one picks someone after typing "@".
MENTION = re.compile(r"@\[([^\]\n]{1,100})\]\((person|department|store|group):(\d{1,10})\)")
_MENTION_PATHS = {
    "person": "/people/",
    "department": "/departments/",
    "store": "/stores/",
    "group": "/groups/",
}
MENTION_TOKENS = {"person": "employee", "department": "dept", "store": "store", "group": "group"}


@dataclass(frozen=True)
class Rendered:
    html: str
    mentions: tuple[str, ...]  # audience tokens: "employee:12", "dept:3", ...


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(source: str) -> Rendered:
    mentions: list[str] = []

    def link(match: re.Match[str]) -> str:
        name, kind, ident = match.group(1), match.group(2), match.group(3)
        mentions.append(f"{MENTION_TOKENS[kind]}:{int(ident)}")
        label = name.replace("[", "").replace("\\", "")
        return f"[@{label}]({_MENTION_PATHS[kind]}{int(ident)})"

    markdown = MENTION.sub(link, source)
    html = sanitise(_md.render(markdown))
    return Rendered(html=html, mentions=tuple(dict.fromkeys(mentions)))
