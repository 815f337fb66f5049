"""Shared UI pieces: the cached workbench, the reviewer and the one way a page runs an action
(:func:`act`), badges and flash messages."""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from typing import Any

import streamlit as st

from checks import accounts, actions
from checks.actions import Actor
from checks.embedding import ModelNotFoundError
from checks.errors import PermissionDenied, WorkbenchError
from checks.service import Workbench
from checks.sources import SourceRating
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
        st.error(str(error))
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
    """A coloured reliability badge with the provenance in its tooltip."""
    provenance = f"{rating.rater or 'no rating imported'}"
    if rating.as_of:
        provenance += f", as of {rating.as_of}"
    if rating.imputed:
        provenance += " (aggregate; some inputs imputed)"
    if rating.updated_by and rating.rater.startswith("override"):
        provenance += f". Reason: {rating.notes}"
    elif rating.notes:
        provenance += f". {rating.notes}"
    st.badge(
        f"{rating.domain or 'no domain'} · {rating.badge()}",
        color=BADGE_COLOURS.get(rating.label, "gray"),
        help=provenance,
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
