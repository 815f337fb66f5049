"""The review page's "Search for evidence" panel: the configured search connectors, the query for
the current claim (editable), and one click that adds what they find (through the search action)."""

from __future__ import annotations

import streamlit as st

from checks import actions
from checks.connectors import configured_connectors, query_for_claim
from checks.vocab import Role
from ui.common import act, can, flash, get_workbench, safe_md


def _search(claim_id: int) -> None:
    query = st.session_state.get(f"search_query_{claim_id}", "")
    result = act(lambda actor: actions.search_for_evidence(get_workbench().store, actor, claim_id, query), quiet=True)
    if result is not None:
        flash(result.message, "warning" if result.problems else "success")


def render(claim: dict) -> None:
    """A collapsed panel under the candidates; editors only (searching adds to the shared corpus)."""
    if not can(Role.EDITOR):
        return
    connectors = configured_connectors()
    with st.expander("Search for evidence", expanded=False):
        if not connectors:
            st.caption(
                "No search connector is configured: see 'Search connectors' in the README (Wikipedia, SearXNG, "
                "Google Fact Check Tools, GDELT)."
            )
            return
        st.caption(safe_md("Searches " + ", ".join(c.name for c in connectors) + "; what they find is added to the corpus."))
        key = f"search_query_{claim['id']}"
        st.session_state.setdefault(key, query_for_claim(claim["text"]))
        st.text_input("Query", key=key)
        st.button("Search and add", key=f"search_{claim['id']}", on_click=_search, args=(claim["id"],))
