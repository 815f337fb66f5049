"""Review page: the article with the current claim in context, its ranked evidence with
reliability and signals, evidence marks, and the verdict. Every click is saved in its callback."""

from __future__ import annotations

import html

import streamlit as st

from checks import articles, review, sources
from checks.review import RATIONALE_CHOICES, VERDICTS, ConflictError, ReviewError
from ui.common import flash, get_workbench, highlight, load_model, rating_badge, reviewer, show_flashes

SORTS = {
    "fused rank": lambda c: c.rank,
    "dense similarity": lambda c: -c.dense,
    "BM25 score": lambda c: -c.lexical,
    "source reliability": lambda c: -(c.rating.rating if c.rating.rating is not None else -1),
}
MARK_OPTIONS = list(review.MARKS)


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


def _save_verdict(claim_id: int, verdict: str, version: int) -> None:
    name = reviewer()
    choice = st.session_state.get(f"rationale_choice_{claim_id}") or ""
    note = st.session_state.get(f"rationale_{claim_id}", "").strip()
    rationale = "; ".join(part for part in (choice if verdict != "verified" else "", note) if part)
    try:
        review.set_verdict(get_workbench().store, claim_id, verdict, name, rationale, expected_version=version)
    except (ReviewError, ConflictError) as error:
        flash(str(error), "error")
        return
    flash(f"Saved: {verdict}.")


def _save_mark(claim_id: int, passage_id: int) -> None:
    mark = st.session_state.get(f"mark_{claim_id}_{passage_id}")
    review.mark_passage(get_workbench().store, claim_id, passage_id, mark, reviewer() or "anonymous")


def _undo(audit_id: int) -> None:
    try:
        review.undo(get_workbench().store, audit_id, reviewer() or "anonymous")
        flash("Undone.")
    except ReviewError as error:
        flash(str(error), "error")


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


def _render_candidates(claim: dict, article: dict) -> None:
    workbench = get_workbench()
    with st.spinner("Ranking evidence…"):
        candidates = workbench.candidates(claim["id"])
    marks = review.passage_marks(workbench.store, claim["id"])
    if not candidates:
        st.info("The evidence corpus is empty: import documents on the Corpus page.")
        return
    sort = st.selectbox("Sort candidates by", list(SORTS), key="candidate_sort")
    rated_only = st.checkbox("Only rated sources", key="rated_only")
    shown = sorted((c for c in candidates if c.rating.is_rated or not rated_only), key=SORTS[sort])
    for candidate in shown:
        with st.container(border=True, key=f"candidate_{claim['id']}_{candidate.passage_id}"):
            top = st.columns([3, 2, 2])
            with top[0]:
                rating_badge(candidate.rating)
            top[1].caption(f"{candidate.published or 'undated'} · passage {candidate.passage_id}")
            top[2].caption(
                f"fused #{candidate.rank} ({candidate.fused:.2f}) · dense {candidate.dense:.2f} · BM25 {candidate.lexical:.1f}"
            )
            title = html.escape(candidate.title or "")
            link = f"<a href='{html.escape(candidate.url)}' target='_blank'>{title or 'source'}</a>" if candidate.url else title
            st.markdown(f"**{link}**", unsafe_allow_html=True)
            best = candidate.signals.best_sentence
            body = highlight(candidate.text, *best) if best else html.escape(candidate.text)
            st.markdown(f"<div class='passage'>{body}</div>", unsafe_allow_html=True)
            notes = []
            if candidate.signals.shared_numbers:
                notes.append("shared numbers: " + ", ".join(candidate.signals.shared_numbers))
            if candidate.signals.shared_entities:
                notes.append("shared names: " + ", ".join(candidate.signals.shared_entities[:6]))
            if notes:
                st.caption(" · ".join(notes))
            for mismatch in candidate.signals.mismatched_numbers:
                st.warning(f"Number mismatch: {mismatch}", icon="⚠️")
            if candidate.signals.near_copy_of:
                st.caption(
                    f"Near-copy of passage {candidate.signals.near_copy_of}: syndicated text, not independent corroboration."
                )
            if candidate.signals.self_citation:
                st.caption(f"Same outlet as the article ({article['domain']}): self-citation.")
            key = f"mark_{claim['id']}_{candidate.passage_id}"
            if key not in st.session_state:
                st.session_state[key] = marks.get(candidate.passage_id)
            st.segmented_control(
                "This passage",
                MARK_OPTIONS,
                key=key,
                on_change=_save_mark,
                args=(claim["id"], candidate.passage_id),
            )


def _render_verdict(claim: dict) -> None:
    version = claim["version"] or 0
    if claim["verdict"]:
        st.success(
            f"Current verdict: **{claim['verdict']}** by {claim['reviewer']} at {claim['decided_at']}"
            + (f" — {claim['rationale']}" if claim["rationale"] else "")
        )
    st.selectbox("Why (for disputed / unsupported)", ["", *RATIONALE_CHOICES], key=f"rationale_choice_{claim['id']}")
    st.text_area("Rationale / note", key=f"rationale_{claim['id']}", height=80)
    columns = st.columns(len(VERDICTS))
    for column, verdict in zip(columns, VERDICTS, strict=True):
        column.button(
            verdict.capitalize(),
            key=f"verdict_{verdict}_{claim['id']}",
            on_click=_save_verdict,
            args=(claim["id"], verdict, version),
            type="primary" if claim["verdict"] == verdict else "secondary",
            disabled=not reviewer(),
            use_container_width=True,
        )
    if not reviewer():
        st.caption("Enter your name in the sidebar to record verdicts.")
    entries = review.history(get_workbench().store, claim["id"])
    if entries:
        with st.expander(f"History ({len(entries)})"):
            for entry in entries[:20]:
                new = entry["new"] or {}
                summary = new.get("verdict") or new.get("mark") or ("removed" if not entry["new"] else "restored")
                line = st.columns([4, 1])
                line[0].caption(f"{entry['at']} · {entry['reviewer']} · {entry['action']} → {summary}")
                if entry["action"] != "undo" and entry["undone_by"] is None:
                    line[1].button("Undo", key=f"undo_{entry['id']}", on_click=_undo, args=(entry["id"],))


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

    nav = st.columns([1, 1, 2, 4])
    nav[0].button("◀ Previous", key="prev_claim", on_click=_go, args=(-1, len(claims)))
    nav[1].button("Next ▶", key="next_claim", on_click=_go, args=(1, len(claims)))
    nav[2].button("Next unreviewed", key="next_unreviewed", on_click=_next_unreviewed, args=(claims,))
    decided = sum(1 for c in claims if c["verdict"])
    nav[3].progress(decided / len(claims), text=f"Claim {index + 1} of {len(claims)} · {decided} decided")

    left, right = st.columns([2, 3])
    with left:
        st.subheader("Claim")
        st.markdown(f"> {html.escape(claim['text'])}")
        st.caption(
            f"check-worthiness {claim['score']:.2f} · type: {claim['claim_type']} · status: {claim['status']}"
            + (" · headline" if claim["is_headline"] else "")
        )
        if claim["reasons"]:
            st.caption("Why: " + "; ".join(claim["reasons"]))
        st.markdown("**Article source**")
        rating_badge(sources.lookup(workbench.store, article["domain"]))
        _render_verdict(claim)
        with st.expander("Article in context", expanded=True):
            if claim["start"] is not None:
                st.markdown(highlight(article["body"], claim["start"], claim["end"]), unsafe_allow_html=True)
            else:
                st.markdown(html.escape(article["body"]).replace("\n", "<br>"), unsafe_allow_html=True)
    with right:
        st.subheader("Candidate evidence")
        _render_candidates(claim, article)


render()
