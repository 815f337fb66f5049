"""Review page: one claim at a time, with navigation between an article's claims. The page lays
out three parts, each in its own module: the claim and article (``ui.claim_panel``), the verdict bar
(``ui.verdict_bar``) and the evidence (``ui.evidence_list``)."""

from __future__ import annotations

import streamlit as st

from checks import articles, relevance
from checks.vocab import Role
from ui import claim_panel, evidence_list, evidence_search, verdict_bar
from ui.common import can, flash, get_workbench, load_model, show_flashes


def _claims(article_id: int) -> list[dict]:
    return articles.article_claims(get_workbench().store, article_id)


def _go(delta: int, count: int) -> None:
    st.session_state["claim_index"] = (st.session_state.get("claim_index", 0) + delta) % max(count, 1)


def _next_unreviewed(claims: list[dict]) -> None:
    current = st.session_state.get("claim_index", 0)
    order = list(range(current + 1, len(claims))) + list(range(0, current + 1))
    target = next((i for i in order if not claims[i]["verdict"]), None)
    if target is None:
        flash("Every claim of this article has a verdict.", "info")
    else:
        st.session_state["claim_index"] = target


def _article_choice(rows: list[dict]) -> int | None:
    ids = [r["id"] for r in rows]
    if st.session_state.get("review_article") not in ids:
        st.session_state["review_article"] = ids[0]
    return st.sidebar.selectbox(
        "Article",
        ids,
        format_func=lambda i: next(f"#{r['id']} {r['title'][:60]}" for r in rows if r["id"] == i),
        key="review_article",
        on_change=lambda: st.session_state.update(claim_index=0),
    )


def render() -> None:
    st.title("Review")
    show_flashes()
    workbench = get_workbench()
    rows = articles.list_articles(workbench.store)
    if not rows:
        st.info("No articles loaded yet. Add one on the Articles page (or load the demo article there).")
        return
    article_id = _article_choice(rows)
    article = articles.get_article(workbench.store, article_id)
    claims = _claims(article_id)
    if not claims:
        st.warning("This article produced no claims.")
        return
    load_model(workbench)
    index = min(st.session_state.get("claim_index", 0), len(claims) - 1)
    claim = claims[index]

    nav = st.columns([1.4, 1.2, 1.8, 3.6])
    nav[0].button("◀ Previous", key="prev_claim", on_click=_go, args=(-1, len(claims)), shortcut="Alt+K")
    nav[1].button("Next ▶", key="next_claim", on_click=_go, args=(1, len(claims)), shortcut="Alt+J")
    nav[2].button("Next unreviewed", key="next_unreviewed", on_click=_next_unreviewed, args=(claims,), shortcut="Alt+N")
    decided = sum(1 for c in claims if c["verdict"])
    nav[3].progress(decided / len(claims), text=f"Claim {index + 1} of {len(claims)} · {decided} decided")

    with st.spinner("Ranking evidence…"):
        candidates = workbench.candidates(claim["id"])
    left, right = st.columns([5, 6])
    with left:
        claim_panel.render_claim(claim, article)
        verdict_bar.render(
            claim, suggest_unsupported=bool(candidates) and not relevance.has_match(c.relevance_label for c in candidates)
        )
        if can(Role.EDITOR):
            claim_panel.render_claim_editing(claim, claims, article_id)
            claim_panel.render_bulk(claims)
        claim_panel.render_context(claim, article)
    with right:
        evidence_list.render_earlier_factchecks(claim)
        st.subheader("Candidate evidence")
        evidence_list.render_add_evidence(claim)
        evidence_list.render_candidates(claim, article, candidates)
        evidence_search.render(claim)


render()
