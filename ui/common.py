"""Shared UI pieces: the cached workbench, the reviewer and the one way a page runs an action
(:func:`act`), badges and flash messages."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import streamlit as st

from checks.actions import Actor
from checks.embedding import ModelNotFoundError
from checks.errors import WorkbenchError
from checks.service import Workbench
from checks.sources import SourceRating, provenance
from checks.vocab import Role

BADGE_COLOURS = {"high": "green", "medium": "orange", "low": "red", "unreliable (listed)": "red"}


@st.cache_resource(show_spinner="Opening the workbench database…")
def get_workbench() -> Workbench:
    """One workbench (store, model, index) per server process."""
    workbench = Workbench()
    workbench.seed_demo_data()
    return workbench


@st.cache_resource(show_spinner="Loading the embedding model (once per server)…")
def _load_model(_workbench: Workbench) -> str:
    return _workbench.encoder.model_id


def load_model(workbench: Workbench) -> str:
    """Load the model once per process (cached), or stop the page with the reason it cannot load."""
    try:
        return _load_model(workbench)
    except ModelNotFoundError as error:
        st.error(str(error))
        st.stop()


def clear_caches() -> None:
    """Forget the cached workbench and model (tests and benchmarks switch databases)."""
    get_workbench.clear()
    _load_model.clear()


def reviewer() -> str:
    return st.session_state.get("reviewer", "").strip()


def act(
    run: Callable[[Actor], Any], success: str | None = None, kind: str = "success", quiet: bool = False, refused: str = ""
) -> Any:
    """Run an action as the signed-in reviewer and put its message (``success`` if given; none when
    ``quiet``), or its one-line refusal, in the message slot. Returns the result, or None if refused."""
    try:
        result = run(Actor.named(reviewer(), Role.EDITOR))
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
        f"{rating.key or rating.looked_up or rating.domain or 'no domain'} · {rating.badge()}",
        color=colour,
        help="\n\n".join(provenance(rating)),
    )


def flash(message: str, kind: str = "success") -> None:
    """Queue a message for the next render (callbacks run before the page redraws)."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flashes() -> None:
    # Always one keyed container, messages or not, so what follows keeps its place (an expander
    # that moved would be redrawn closed).
    with st.container(key="flash_slot"):
        for kind, message in st.session_state.pop("flash", []):
            getattr(st, kind)(message)


VERDICT_COLOURS = {"verified": "#2e7d32", "disputed": "#c62828", "unsupported": "#f9a825"}


def verdict_chart(container, verdicts, by: str) -> None:
    """Stacked verdict counts per ``by`` value, coloured green / red / amber like the verdicts."""
    counts = verdicts.groupby([by, "verdict"]).size().unstack(fill_value=0)
    counts = counts[[v for v in VERDICT_COLOURS if v in counts.columns]]
    container.bar_chart(counts, color=[VERDICT_COLOURS[v] for v in counts.columns], horizontal=True)


def when(timestamp: str | None) -> str:
    """Stored UTC timestamps as reviewers read them: ``2026-11-25 23:03 UTC``."""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC" if timestamp else ""


def highlight(text: str, start: int, end: int) -> str:
    """HTML of text with [start, end) marked; everything else escaped."""
    return (html.escape(text[:start]) + "<mark>" + html.escape(text[start:end]) + "</mark>" + html.escape(text[end:])).replace(
        "\n", "<br>"
    )
