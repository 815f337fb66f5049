"""Shared UI pieces: the cached workbench, the signed-in reviewer and the one way a page runs an
action (:func:`act`), badges, flash messages, and the escaping that makes untrusted text (articles,
claims, evidence, names, reasons) render as text."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from typing import Any

import streamlit as st

from checks import accounts, actions
from checks.actions import Actor
from checks.embedding import ModelNotFoundError
from checks.errors import PermissionDenied, WorkbenchError
from checks.service import Workbench
from checks.sources import SourceRating, provenance
from checks.vocab import Role

BADGE_COLOURS = {"high": "green", "medium": "orange", "low": "red", "unreliable (listed)": "red"}


@st.cache_resource(show_spinner="Opening the workbench database…")
def get_workbench() -> Workbench:
    """One workbench (store, model, index) per server process. On a database with no accounts the
    first admin is created and its one-time password printed on the server console."""
    workbench = Workbench()
    workbench.seed_demo_data()
    password = actions.ensure_first_admin(workbench.store)
    if password:
        print(
            f"Fact-check workbench: created the first admin account '{accounts.FIRST_ADMIN}' with the one-time password "
            f"{password} (it must be changed at first sign-in).",
            file=sys.stderr,
            flush=True,
        )
    return workbench


@st.cache_resource(show_spinner="Loading the embedding model (once per server)…")
def _load_model(_workbench: Workbench) -> str:
    return _workbench.encoder.model_id


def load_model(workbench: Workbench) -> str:
    """Load the model once per process (cached), or stop the page with the reason it cannot load."""
    try:
        return _load_model(workbench)
    except ModelNotFoundError as error:
        st.error(safe_md(str(error)))  # it quotes a configured path, which may hold "_" or "*"
        st.stop()


def clear_caches() -> None:
    """Forget the cached workbench and model (tests and benchmarks switch databases)."""
    get_workbench.clear()
    _load_model.clear()


def current_actor() -> Actor | None:
    """The signed-in actor (``ui.signin`` puts it in the session), or None."""
    return st.session_state.get("actor")


def reviewer() -> str:
    """The signed-in reviewer's name ('' when nobody is signed in)."""
    actor = current_actor()
    return actor.name if actor else ""


def can(role: Role) -> bool:
    """Whether the signed-in actor's role includes ``role`` (controls they cannot use are hidden;
    the action layer refuses them anyway)."""
    actor = current_actor()
    return actor is not None and actor.role.allows(role)


def act(
    run: Callable[[Actor], Any], success: str | None = None, kind: str = "success", quiet: bool = False, refused: str = ""
) -> Any:
    """Run an action as the signed-in reviewer and put its message (``success`` if given; none when
    ``quiet``), or its one-line refusal, in the message slot. Returns the result, or None if refused."""
    try:
        actor = current_actor()
        if actor is None:
            raise PermissionDenied("Sign in first.")
        result = run(actor)
    except WorkbenchError as error:
        flash(refused + str(error), "error")
        return None
    if not quiet:
        flash(success if success is not None else result.message, kind)
    return result


def rating_badge(rating: SourceRating, key_hint: str = "") -> None:
    """A coloured reliability badge: the matched key, score band and number (and a listing as
    unreliable beside it); on hover the raters behind it, the matched key, the data's date and
    any override with who, when and why."""
    colour = BADGE_COLOURS.get(rating.label, "gray")
    if rating.listing and colour == "green":
        colour = "orange"  # a high score and a listing as unreliable disagree: never an all-clear colour
    st.badge(
        safe_md(f"{rating.key or rating.looked_up or rating.domain or 'no domain'} · {rating.badge()}"),
        color=colour,
        help="\n\n".join(safe_md(line) for line in provenance(rating)),
    )


def flash(message: str, kind: str = "success") -> None:
    """Queue a message for the next render (callbacks run before the page redraws); it is shown
    as plain text, so it may quote titles, names and error messages."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flashes() -> None:
    # Always one keyed container, messages or not, so what follows keeps its place (an expander
    # that moved would be redrawn closed).
    with st.container(key="flash_slot"):
        for kind, message in st.session_state.pop("flash", []):
            getattr(st, kind)(safe_md(message))


VERDICT_COLOURS = {"verified": "#2e7d32", "disputed": "#c62828", "unsupported": "#f9a825"}


def verdict_chart(container, verdicts, by: str) -> None:
    """Stacked verdict counts per ``by`` value, coloured green / red / amber like the verdicts."""
    counts = verdicts.groupby([by, "verdict"]).size().unstack(fill_value=0)
    counts = counts[[v for v in VERDICT_COLOURS if v in counts.columns]]
    container.bar_chart(counts, color=[VERDICT_COLOURS[v] for v in counts.columns], horizontal=True)


def when(timestamp: str | None) -> str:
    """Stored UTC timestamps as reviewers read them: ``2026-11-25 23:03 UTC``."""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC" if timestamp else ""


# Streamlit renders Markdown (GitHub-flavoured, plus its own colour, badge, icon, emoji and LaTeX
# syntax) in st.markdown, captions, alerts, widget labels, help tooltips and badges. Untrusted text
# must show as typed there: no image that fetches an attacker's URL, no link, no formatting.
#
# Syntax characters become numeric character references, which Markdown shows literally in every
# context (labels and badges included) and which also stay literal inside raw HTML.
_SYNTAX = re.compile(
    r"[\\`*\[\]{}<>&$~|^]"
    r"|:(?=[A-Za-z:])"  # ":name" starts a directive: :red[x], :blue-badge[x], :material/x:
    r"|(?<![^\W_])_|_(?![^\W_])"  # "_" between two letters or digits (snake_case) cannot emphasise
)
_BLOCK_START = re.compile(r"[ \t]+|[#\-+=]|\d{1,9}(?=[.)])")  # indented code, heading, list, setext underline
# Some features work on the parsed text rather than the Markdown source, so references alone do not
# stop them: emoji and :streamlit: shortcodes, bare URLs and e-mail addresses becoming links, and
# "->", "--", ">=" becoming arrows and dashes. An invisible word joiner breaks each pattern.
_JOINER = "\u2060"
_AFTER_JOINER = [
    (re.compile(r":(?=[A-Za-z0-9_+-]+:)"), ":"),  # :smile:, :+1:, :streamlit:
    (re.compile(r"(?i)(https?:)(?=//)"), r"\1"),  # http://…, also inside words
    (re.compile(r"(?i)(www)(?=\.)"), r"\1"),  # www.…
    (re.compile(r"@(?=[-\w])"), "@"),  # name@example.org
    (re.compile(r"(?<!\S)([<>~-])(?=(?:->|-|=|>)(?!\S))"), r"\1"),  # <-> -> <- -- >= <= ~=
]


def _inline(text: str) -> str:
    for pattern, kept in _AFTER_JOINER:
        text = pattern.sub(kept + _JOINER, text)
    return _SYNTAX.sub(lambda match: f"&#{ord(match.group())};", text)


def _block_start(line: str) -> str:
    """Make the start of a Markdown line plain text (a digit run keeps its digits, its "." or ")" goes)."""
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    if match.group()[0].isdigit():
        end = match.end()
        return line[:end] + f"&#{ord(line[end])};" + line[end + 1 :]
    return "".join(f"&#{ord(ch)};" for ch in match.group()) + line[match.end() :]


def safe_md(text: object) -> str:
    """Markdown that Streamlit shows as exactly ``text``: every line break kept, nothing formatted,
    linked, embedded or replaced. Leading spaces of a line are dropped (Markdown drops them anyway);
    invisible word joiners are added inside URLs, addresses, shortcodes and arrows."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_block_start(_inline(line.lstrip(" \t"))) for line in lines)  # "  \n": a hard line break


def highlight(text: str, start: int | None = None, end: int | None = None) -> str:
    """HTML of text, with [start, end) marked when given; the text stays literal whether the result
    is read as Markdown (with unsafe_allow_html) or placed inside an HTML block. One line: a blank
    line would end an HTML block and let Markdown read what follows."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if start is None or end is None:
        marked = _inline(text)
    else:
        marked = _inline(text[:start]) + "<mark>" + _inline(text[start:end]) + "</mark>" + _inline(text[end:])
    return _block_start(marked.replace("\n", "<br>"))


def link_html(url: str | None, text: str) -> str:
    """An HTML link to ``url`` showing ``text`` literally, only for http(s) addresses (a
    ``javascript:`` or ``data:`` address from an imported file never becomes a link); else the text."""
    label = safe_md(text)
    if not (url or "").lower().startswith(("http://", "https://")):
        return label
    return f"<a href='{html.escape(url, quote=True)}' target='_blank' rel='noopener noreferrer'>{label}</a>"
