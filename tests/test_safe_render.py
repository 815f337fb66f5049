"""Untrusted text renders as text: safe_md and highlight leave no image, link, HTML, formatting or
Streamlit syntax (colour, badge, icon, emoji, LaTeX) for Streamlit's Markdown to act on.

The rendering side is checked with a CommonMark parser (markdown-it, with GFM tables and
strikethrough) for the standard syntax, and with the patterns Streamlit's frontend applies to the
source (directives, icons, LaTeX) and to the parsed text (emoji, autolinks, arrows) for the rest.
"""

from __future__ import annotations

import html as html_module
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from ui.common import highlight, safe_md

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak"}
JOINER = "\u2060"

HOSTILE = [
    "![](https://attacker.example/pixel.png)",
    "![x][ref]\n\n[ref]: https://attacker.example/p.png",
    "[click](https://attacker.example) and <https://attacker.example/auto>",
    "bare https://attacker.example/p and www.attacker.example and spy@attacker.example",
    '<img src="https://attacker.example/p.png"> <script>alert(1)</script> &lt;b&gt;',
    "<div>\n\n![](https://attacker.example/in-html-block.png)\n\n</div>",
    "# Heading\n## two\nSetext\n===\n---\n* bullet\n+ plus\n- minus\n1. one\n2) two\n> quote",
    "    indented code\n```\nfenced\n```\n~~~\nfenced\n~~~ `inline`",
    "**bold** __bold__ *em* _em_ ~~struck~~ ~one~",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\na | b\n--- | ---",
    ":red[coloured] :blue-background[bg] :green-badge[badge] :small[s] :shimmer[x] :color[c]{foreground=\"red\"}",
    ":material/thumb_up: :smile: :+1: :streamlit: 10:30:45",
    "$x^2$ and $$\\int$$ cost $5 and $10",
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "back\\slash \\*not em\\* line end\\\nnext",
    "[^1] footnote\n\n[^1]: https://attacker.example",
    "- [ ] task",
    "Saved: disputed.",
]


def _render(source: str) -> tuple[set[str], str]:
    """Token kinds and the text a reader sees (paragraphs split by a blank line, breaks by a newline)."""
    kinds, paragraphs = set(), []
    for token in PARSER.parse(source):
        kinds.add(token.type)
        if token.type == "inline":
            parts = []
            for child in token.children or []:
                kinds.add(child.type)
                parts.append("\n" if child.type in ("softbreak", "hardbreak") else child.content)
            paragraphs.append("".join(parts))
    return kinds, "\n\n".join(paragraphs)


def _as_read(text: str) -> str:
    """What a literal rendering of ``text`` shows: lines trimmed, runs of blank lines as one."""
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip(" \t"):
            current.append(line.strip(" \t"))
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return "\n\n".join(blocks)


def assert_literal(text: str, source: str) -> None:
    kinds, shown = _render(source)
    assert kinds <= PLAIN, f"{sorted(kinds - PLAIN)} from {text!r}"
    assert shown.replace(JOINER, "") == _as_read(text)
    # Streamlit's own syntax, read from the source before parsing...
    assert "$" not in source  # LaTeX
    assert not re.search(r":[A-Za-z]", source)  # directives (:red[…], :blue-badge[…]) and :material/…:
    # ...and from the parsed text afterwards (the word joiners stay in it).
    assert not re.search(r":[\w+-]+:", shown)  # emoji shortcodes and :streamlit:
    assert not re.search(r"(?i)(https?://|www\.)[-.\w]", shown)  # bare URLs as links
    assert not re.search(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", shown)  # bare e-mail addresses as links
    assert not re.search(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)", shown)  # arrows and dashes


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_md_renders_hostile_text_literally(text):
    assert_literal(text, safe_md(text))


def test_plain_text_is_left_as_it_is():
    for text in ("Saved: disputed.", "Added 'Minsk rally draws crowds' with 12 claims.", "Police held 32 people (officials)."):
        assert safe_md(text) == text


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp"], include_characters=" \n"),
    max_size=80,
)
SYNTAX = st.lists(
    st.sampled_from([*"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \n0123456789ab", "http://", "www.", "@x.org", ":smile:", "    "]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, SYNTAX))
def test_any_text_renders_literally(text):
    assert_literal(text, safe_md(text))


def _raw_html(source: str) -> set[str]:
    """Every tag the parser passes through as raw HTML, inline or as a block."""
    tags = set()
    for token in PARSER.parse(source):
        if token.type == "html_block":
            tags.update(re.findall(r"<[^>]*>", token.content))
        tags.update(child.content for child in token.children or [] if child.type == "html_inline")
    return tags


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXT, SYNTAX), st.data())
def test_highlight_is_literal_in_markdown_and_marks_only_the_span(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    marked, plain = highlight(text, start, end), highlight(text)
    assert marked.count("<mark>") == 1 and marked.count("</mark>") == 1 and "<mark>" not in plain
    assert "\n" not in marked + plain  # one line: a blank line would end an enclosing HTML block
    for html in (marked, plain):
        kinds, _ = _render(html)
        assert kinds <= PLAIN | {"html_inline", "html_block"}
        assert _raw_html(html) <= {"<mark>", "</mark>", "<br>"}  # the only HTML is ours
    # read as HTML (inside an HTML block), the text comes back exactly
    assert html_module.unescape(plain.replace("<br>", "\n")).replace(JOINER, "") == text


def _hostile_page(texts: list[str]) -> None:
    import streamlit as st

    from ui.common import safe_md

    for text in texts:
        st.markdown(safe_md(text))
        st.caption(safe_md(text))


def test_apptest_renders_hostile_text_without_images_or_links():
    at = AppTest.from_function(_hostile_page, args=(HOSTILE,), default_timeout=30).run()
    assert not at.exception
    bodies = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert len(bodies) == 2 * len(HOSTILE)
    for text, body in zip(HOSTILE * 2, bodies, strict=True):
        kinds, _ = _render(body)
        assert not kinds & {"image", "link_open", "html_inline", "html_block"}, text
        assert_literal(text, body)


def test_articles_page_fetches_urls_and_shows_hostile_titles_as_text(tmp_path, monkeypatch):
    import http.server
    import threading
    from pathlib import Path

    from checks import actions
    from checks.actions import Actor
    from checks.store import Store
    from checks.vocab import Role
    from ui.common import clear_caches

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path != "/story":
                self.send_error(404)
                return
            pixel = f"http://127.0.0.1:{self.server.server_port}/pixel.png"
            body = (
                f"<html><head><title>Minsk ![]({pixel}) rally</title></head><body><article><h1>Minsk ![]({pixel}) rally</h1>"
                f"<p>Police detained 32 people in Minsk, the ministry said. [details]({pixel}) :red[alarm]</p>"
                "<p>Opposition leaders called for new elections from exile in Lithuania.</p></article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WORKBENCH_FETCH_ALLOW_HOSTS", "127.0.0.1")  # the test server only
    clear_caches()
    try:
        store = Store(tmp_path / "workbench.db")
        actions.add_account(store, Actor("setup", Role.ADMIN), "Ann", Role.EDITOR, password="a long enough password")
        store.close()
        at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "workbench.py"), default_timeout=180)
        at.session_state["actor"], at.session_state["signed_in_at"] = Actor("Ann", Role.EDITOR), time.time()
        at.run()
        at.text_area(key="fetch_urls").input(f"{base}/story\n{base}/gone\nhttp://[::1]:{server.server_port}/story").run()
        at.button(key="fetch_button").click().run()
    finally:
        server.shutdown()
    assert not at.exception
    assert sorted(hits) == ["/gone", "/story"]  # fetched in parallel; the IPv6 loopback URL refused before connecting
    warnings = [w.value for w in at.warning]
    added = [m.value for m in at.markdown if "added (" in m.value]
    assert len(added) == 1 and len(warnings) == 2
    for body in [*added, *warnings]:
        kinds, _ = _render(body)
        assert not kinds & {"image", "link_open", "html_inline", "html_block"}, body
    shown = [_render(body)[1].replace(JOINER, "") for body in [*added, *warnings]]
    assert f"'Minsk ![]({base}/pixel.png) rally' added (" in shown[0]  # the title as the page wrote it
    assert shown[1] == f"Skipped: {base}/gone: failed, the server answered HTTP 404 Not Found."
    assert shown[2].endswith("failed, refused: ::1 resolves to a loopback address ::1.")
