"""Review page: the article with the current claim in context, its ranked evidence with
reliability and signals, evidence marks, and the verdict. Every click is saved in its callback."""

from __future__ import annotations

import html

import streamlit as st

from checks import articles, factchecks, review, sources
from checks.review import RATIONALE_CHOICES, VERDICTS, ConflictError, ReviewError
from ui.common import flash, get_workbench, highlight, load_model, rating_badge, reviewer, show_flashes, when

SORTS = {
    "fused rank": lambda c: c.rank,
    "dense similarity": lambda c: -c.dense,
    "BM25 score": lambda c: -c.lexical,
    "source reliability": lambda c: -(c.rating.rating if c.rating.rating is not None else -1),
}
MARK_OPTIONS = list(review.MARKS)
# Keyboard flow: Alt+1/2/3 decide, Alt+J / Alt+K move, Alt+N jumps to the next claim without a verdict.
VERDICT_SHORTCUTS = {"verified": "Alt+1", "disputed": "Alt+2", "unsupported": "Alt+3"}
MIN_RELIABILITY = {
    "any source": lambda rating: True,
    "rated sources only": lambda rating: rating.rating is not None,
    "medium or better": lambda rating: rating.rating is not None and rating.rating >= 0.5,
    "high only": lambda rating: rating.rating is not None and rating.rating >= 0.75,
}


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
    try:
        review.set_verdict(
            get_workbench().store, claim_id, verdict, reviewer(), _rationale(claim_id, verdict), expected_version=version
        )
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


def _claim_action(action, *args) -> None:
    """Run a claim edit (edit/split/merge/drop/add) and report problems instead of crashing."""
    try:
        action(get_workbench().store, *args, reviewer() or "anonymous")
        flash("Claims updated.")
    except (ValueError, KeyError) as error:
        flash(f"Could not change the claims: {error}", "error")


def _render_claim_editing(claim: dict, claims: list[dict], article_id: int) -> None:
    with st.expander("Edit claims"):
        key = f"edit_text_{claim['id']}"
        st.session_state.setdefault(key, claim["text"])
        st.text_area("Claim text", key=key, height=80)
        row = st.columns(2)
        row[0].button(
            "Save wording",
            key=f"save_text_{claim['id']}",
            on_click=lambda: _claim_action(articles.edit_claim, claim["id"], st.session_state[key]),
        )
        row[1].button(
            "Drop this claim", key=f"drop_{claim['id']}", on_click=_claim_action, args=(articles.set_dropped, claim["id"], True)
        )
        st.number_input(
            "Split at character", 1, max(len(claim["text"]) - 1, 1), len(claim["text"]) // 2, key=f"split_at_{claim['id']}"
        )
        row = st.columns(2)
        row[0].button(
            "Split claim",
            key=f"split_{claim['id']}",
            on_click=lambda: _claim_action(articles.split_claim, claim["id"], st.session_state[f"split_at_{claim['id']}"]),
        )
        following = next((c for c in claims if c["position"] > claim["position"]), None)
        row[1].button(
            "Merge with next claim",
            key=f"merge_{claim['id']}",
            disabled=following is None,
            on_click=_claim_action,
            args=(articles.merge_claims, claim["id"], following["id"] if following else 0),
        )
        st.text_input("New claim (a sentence from the article, or your own wording)", key="new_claim_text")
        st.button(
            "Add claim",
            key="add_claim",
            on_click=lambda: _claim_action(articles.add_claim, article_id, st.session_state.get("new_claim_text", "")),
        )


def _bulk(article_claims: list[dict]) -> None:
    chosen = st.session_state.get("bulk_claims") or []
    verdict = st.session_state.get("bulk_verdict")
    try:
        audit_ids = review.bulk_verdict(get_workbench().store, chosen, verdict, reviewer(), st.session_state.get("bulk_note", ""))
    except ReviewError as error:
        flash(str(error), "error")
        return
    st.session_state["last_bulk"] = audit_ids
    flash(f"{verdict} recorded for {len(audit_ids)} claim{'s' if len(audit_ids) != 1 else ''}.")


def _undo_bulk() -> None:
    store = get_workbench().store
    for audit_id in reversed(st.session_state.pop("last_bulk", [])):
        try:
            review.undo(store, audit_id, reviewer())
        except ReviewError as error:
            flash(f"Not undone: {error}", "warning")
    flash("Bulk verdict undone.")


def _render_bulk(claims: list[dict]) -> None:
    with st.expander("Bulk verdict"):
        st.multiselect(
            "Claims",
            [c["id"] for c in claims],
            key="bulk_claims",
            format_func=lambda i: next(c["text"][:80] for c in claims if c["id"] == i),
        )
        st.selectbox("Verdict", VERDICTS, key="bulk_verdict")
        st.text_input("Rationale (required for disputed / unsupported)", key="bulk_note")
        row = st.columns(2)
        row[0].button("Apply to selected", key="bulk_apply", on_click=_bulk, args=(claims,), disabled=not reviewer())
        row[1].button(
            "Undo last bulk verdict", key="bulk_undo", on_click=_undo_bulk, disabled=not st.session_state.get("last_bulk")
        )


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


def _reuse(claim_id: int, factcheck_id: int, version: int) -> None:
    try:
        factchecks.reuse_verdict(get_workbench().store, claim_id, factcheck_id, reviewer(), expected_version=version)
        flash("Earlier verdict reused (logged as such).")
    except (factchecks.FactCheckError, ReviewError, ConflictError) as error:
        flash(str(error), "error")


def _dismiss(claim_id: int, factcheck_id: int) -> None:
    factchecks.dismiss(get_workbench().store, claim_id, factcheck_id, reviewer() or "anonymous")
    flash("Match dismissed; it will not be shown again for this claim.", "info")


def _render_match(claim: dict, match: factchecks.Match) -> None:
    fact = match.factcheck
    mapped = fact.workbench_verdict
    with st.container(border=True, key=f"match_{claim['id']}_{fact.id}"):
        st.markdown(f"**{html.escape(fact.claim)}**")
        link = f" · [{fact.url}]({fact.url})" if fact.url else ""
        st.caption(
            f"{match.tier} · {fact.publisher or fact.collection} · {fact.published or 'undated'} · rated "
            f"'{fact.verdict}'{f' → {mapped}' if mapped else ''} · score {match.combined:.2f} (dense {match.dense:.2f}, "
            f"BM25 {match.lexical:.2f}, wording {match.fuzzy:.2f}){link}"
        )
        for reason in match.reasons:
            st.caption(f"Only related: {reason}")
        if match.rationale:
            st.caption(f"Earlier rationale: {match.rationale}")
        if match.decision == "reused":
            st.caption("Reused for this claim.")
            return
        row = st.columns(2)
        row[0].button(
            f"Reuse this verdict ({mapped})" if mapped else "Cannot reuse: rating has no workbench verdict",
            key=f"reuse_{claim['id']}_{fact.id}",
            on_click=_reuse,
            args=(claim["id"], fact.id, claim["version"] or 0),
            disabled=not (mapped and reviewer()),
        )
        row[1].button(
            "Not the same claim", key=f"dismiss_{claim['id']}_{fact.id}", on_click=_dismiss, args=(claim["id"], fact.id)
        )


def _render_earlier_factchecks(claim: dict) -> None:
    """Earlier fact-checks come first: much of the day is claims that were already checked."""
    with st.spinner("Looking for earlier fact-checks…"):
        matches = get_workbench().earlier_factchecks(claim["id"])
    same = [m for m in matches if m.tier == factchecks.SAME_CLAIM]
    related = [m for m in matches if m.tier != factchecks.SAME_CLAIM]
    if not matches:
        return
    st.subheader("Earlier fact-checks")
    for match in same:
        _render_match(claim, match)
    if related:
        with st.expander(f"Related fact-checks ({len(related)})", expanded=not same):
            for match in related:
                _render_match(claim, match)


def _render_candidates(claim: dict, article: dict) -> None:
    workbench = get_workbench()
    with st.spinner("Ranking evidence…"):
        candidates = workbench.candidates(claim["id"])
    marks = review.passage_marks(workbench.store, claim["id"])
    if not candidates:
        st.info("The evidence corpus is empty: import documents on the Corpus page.")
        return
    controls = st.columns([2, 2, 2])
    sort = controls[0].selectbox("Sort candidates by", list(SORTS), key="candidate_sort")
    min_label = controls[1].selectbox("Minimum reliability", list(MIN_RELIABILITY), key="min_reliability")
    weight = controls[2].slider(
        "Reliability weight in ranking",
        0.0,
        1.0,
        0.0,
        0.05,
        key="reliability_weight",
        help="0 = off: the ranking is relevance only. Above 0, each fused score is blended "
        "with the source's rating (unrated counts as 0.5).",
    )
    shown = [c for c in candidates if MIN_RELIABILITY[min_label](c.rating)]
    if weight > 0:
        st.caption(f"Ranking blends relevance with source reliability at weight {weight:.2f}.")
        shown.sort(key=lambda c: -sources.reliability_weighted(c.fused, c.rating, weight))
    else:
        shown.sort(key=SORTS[sort])
    if len(shown) < len(candidates):
        st.caption(f"{len(candidates) - len(shown)} candidates hidden by the reliability filter.")
    # Syndicated near-copies are one piece of evidence: shown inside the card of the passage they copy.
    shown_ids = {c.passage_id for c in shown}
    copies: dict[int, list] = {}
    for candidate in shown:
        if candidate.signals.near_copy_of in shown_ids:
            copies.setdefault(candidate.signals.near_copy_of, []).append(candidate)
    for candidate in shown:
        if candidate.signals.near_copy_of in shown_ids:
            continue
        with st.container(border=True, key=f"candidate_{claim['id']}_{candidate.passage_id}"):
            top = st.columns([3, 2, 2])
            with top[0]:
                rating_badge(candidate.rating)
            top[1].caption(f"{candidate.published or 'undated'} · passage {candidate.passage_id}")
            weighted = (
                f" · weighted {sources.reliability_weighted(candidate.fused, candidate.rating, weight):.2f}" if weight else ""
            )
            top[2].caption(
                f"fused #{candidate.rank} ({candidate.fused:.2f}) · dense {candidate.dense:.2f} · "
                f"BM25 {candidate.lexical:.1f}{weighted}"
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
            if copies.get(candidate.passage_id):
                st.caption(
                    "Also carried by "
                    + ", ".join(f"{c.domain} (passage {c.passage_id}, {c.rating.badge()})" for c in copies[candidate.passage_id])
                    + ": syndicated copies of this text, not independent corroboration."
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


def _save_blind(claim_id: int, verdict: str) -> None:
    try:
        outcome = review.submit_independent(get_workbench().store, claim_id, reviewer(), verdict, _rationale(claim_id, verdict))
    except ReviewError as error:
        flash(str(error), "error")
        return
    messages = {
        "waiting": "Blind verdict saved; waiting for the second reviewer.",
        "agreed": f"Both reviewers agree: {verdict}. Recorded as the verdict.",
        "disagreement": "The two blind verdicts differ; the claim goes to adjudication.",
    }
    flash(messages[outcome], "success" if outcome != "disagreement" else "warning")


def _adjudicate(claim_id: int, verdict: str) -> None:
    try:
        review.adjudicate(get_workbench().store, claim_id, verdict, reviewer(), _rationale(claim_id, verdict))
        flash(f"Adjudicated: {verdict}.")
    except ReviewError as error:
        flash(str(error), "error")


def _apply_to_appearances(claim_id: int) -> None:
    try:
        changed = review.apply_to_appearances(get_workbench().store, claim_id, reviewer())
        flash(f"Verdict copied to {changed} other appearance(s).")
    except ReviewError as error:
        flash(str(error), "error")


def _verdict_buttons(claim: dict, on_click, args_for, prefix: str = "verdict") -> None:
    columns = st.columns(len(VERDICTS))
    for column, verdict in zip(columns, VERDICTS, strict=True):
        column.button(
            verdict.capitalize(),
            key=f"{prefix}_{verdict}_{claim['id']}",
            on_click=on_click,
            args=args_for(verdict),
            type="primary" if claim["verdict"] == verdict else "secondary",
            disabled=not reviewer(),
            use_container_width=True,
            shortcut=VERDICT_SHORTCUTS[verdict],
        )


def _render_double_review(claim: dict, pair: tuple[str, str]) -> None:
    """Blind double review: each reviewer decides without seeing the other; others adjudicate."""
    store = get_workbench().store
    decided = {row["reviewer"]: row for row in review.independent_verdicts(store, claim["id"])}
    name = reviewer()
    if name in pair:
        other = pair[1] if name == pair[0] else pair[0]
        st.info(f"Blind double review with {other}: neither sees the other's verdict until both have decided.")
        if name in decided:
            st.caption(f"Your blind verdict: {decided[name]['verdict']} ({len(decided)} of 2 decided)")
        _verdict_buttons(claim, _save_blind, lambda verdict: (claim["id"], verdict), prefix="blind")
        return
    st.info(f"In blind double review by {pair[0]} and {pair[1]}; {len(decided)} of 2 have decided.")
    if len(decided) == 2:
        st.warning(
            "Disagreement: " + "; ".join(f"{r}: {row['verdict']} ({row['rationale'] or 'no note'})" for r, row in decided.items())
        )
        st.caption("As adjudicator, settle it:")
        _verdict_buttons(claim, _adjudicate, lambda verdict: (claim["id"], verdict), prefix="adjudicate")


def _rationale(claim_id: int, verdict: str) -> str:
    choice = st.session_state.get(f"rationale_choice_{claim_id}") or ""
    note = st.session_state.get(f"rationale_{claim_id}", "").strip()
    return "; ".join(part for part in (choice if verdict != "verified" else "", note) if part)


def _render_verdict(claim: dict) -> None:
    version = claim["version"] or 0
    store = get_workbench().store
    if claim["verdict"]:
        st.success(
            f"Current verdict: **{claim['verdict']}** by {claim['reviewer']} at {when(claim['decided_at'])}"
            + (f" — {claim['rationale']}" if claim["rationale"] else "")
        )
    st.selectbox(
        "Why (for disputed / unsupported)",
        RATIONALE_CHOICES,
        index=None,
        placeholder="pick a reason",
        key=f"rationale_choice_{claim['id']}",
    )
    st.text_area("Rationale / note", key=f"rationale_{claim['id']}", height=80)
    pair = review.double_review_of(store, claim["id"])
    if pair and not claim["verdict"]:
        _render_double_review(claim, pair)
    else:
        _verdict_buttons(claim, _save_verdict, lambda verdict: (claim["id"], verdict, version))
    if not reviewer():
        st.caption("Enter your name in the sidebar to record verdicts.")
    st.caption("Keys: Alt+1 verified · Alt+2 disputed · Alt+3 unsupported · Alt+J next · Alt+K previous · Alt+N next unreviewed")
    others = articles.appearances(store, claim["id"])
    if others:
        st.caption(
            f"The same claim appears {len(others)} more time(s): "
            + "; ".join(
                f"article #{o['article_id']} ({o['domain'] or 'no domain'}): {o['verdict'] or 'no verdict'}" for o in others
            )
        )
        st.button(
            f"Apply this verdict to all {len(others)} appearance(s)",
            key=f"apply_group_{claim['id']}",
            on_click=_apply_to_appearances,
            args=(claim["id"],),
            disabled=not (reviewer() and claim["verdict"]),
        )
    entries = review.history(store, claim["id"])
    if entries:
        with st.expander(f"History ({len(entries)})"):
            for entry in entries[:20]:
                new = entry["new"] or {}
                summary = new.get("verdict") or new.get("mark") or ("removed" if not entry["new"] else "restored")
                line = st.columns([4, 1])
                line[0].caption(f"{entry['at']} · {entry['reviewer']} · {entry['action']} → {summary}")
                if entry["entity"] != "factcheck_decisions" and entry["action"] != "undo" and entry["undone_by"] is None:
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

    nav = st.columns([1.4, 1.2, 1.8, 3.6])
    nav[0].button("◀ Previous", key="prev_claim", on_click=_go, args=(-1, len(claims)), shortcut="Alt+K")
    nav[1].button("Next ▶", key="next_claim", on_click=_go, args=(1, len(claims)), shortcut="Alt+J")
    nav[2].button("Next unreviewed", key="next_unreviewed", on_click=_next_unreviewed, args=(claims,), shortcut="Alt+N")
    decided = sum(1 for c in claims if c["verdict"])
    nav[3].progress(decided / len(claims), text=f"Claim {index + 1} of {len(claims)} · {decided} decided")

    left, right = st.columns([5, 6])
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
        if article["domain"]:
            record = sources.track_record(workbench.store, article["domain"])
            if record.total:
                st.caption(
                    f"Track record here: {record.verified} verified, {record.disputed} disputed, {record.unsupported} "
                    f"unsupported → {record.score:.2f} (smoothed towards the imported rating)"
                )
        _render_verdict(claim)
        _render_claim_editing(claim, claims, article_id)
        _render_bulk(claims)
        with st.expander("Article in context", expanded=True):
            if claim["start"] is not None:
                st.markdown(highlight(article["body"], claim["start"], claim["end"]), unsafe_allow_html=True)
            else:
                st.markdown(html.escape(article["body"]).replace("\n", "<br>"), unsafe_allow_html=True)
    with right:
        _render_earlier_factchecks(claim)
        st.subheader("Candidate evidence")
        _render_candidates(claim, article)


render()
