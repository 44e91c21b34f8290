"""Markdown in, safe HTML out: a corpus of known XSS payloads and random text stay inert."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.posts.render import ATTRIBUTES, TAGS, render

CORPUS = [
    line
    for line in (Path(__file__).parents[2] / "data" / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
MULTILINE = [
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "[click][ref]\n\n[ref]: <javascript:alert(1)> 'title'",
    "```\n<script>alert(1)</script>\n```",
    "[x](java\nscript:alert(1))",
    "<div>\n<script>alert(1)</script>\n</div>",
]


class Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name not in ATTRIBUTES.get(tag, set()) | {"rel"}:
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in ("", "http", "https", "mailto"):
                    self.problems.append(f"href scheme {scheme}")


def problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 200


@pytest.mark.parametrize("payload", CORPUS + MULTILINE)
def test_known_payloads_render_inert(payload: str) -> None:
    html = render(payload).html
    assert problems(html) == [], html


def test_markdown_subset_and_mentions() -> None:
    rendered = render("**b** _i_ ~~s~~ `c`\n\n- one\n\n> q\n\n[site](https://example.com)")
    assert "<strong>b</strong>" in rendered.html and "<em>i</em>" in rendered.html
    assert "<s>s</s>" in rendered.html and "<code>c</code>" in rendered.html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">' in rendered.html
    mentions = render("@[Anna](person:3) @[Sales](department:2) @[Shop](store:5) @[Club](group:7)")
    assert mentions.mentions == ("employee:3", "dept:2", "store:5", "group:7")
    assert '<a href="/groups/7"' in mentions.html


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=/:;&#() []!`*_~\n@abcjsvxonerrorscript")), max_size=200
    )
)
def test_any_text_renders_without_active_content(text: str) -> None:
    assert problems(render(text).html) == []
