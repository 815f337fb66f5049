"""The evidence side of the review page: earlier fact-checks matching the claim (reuse or dismiss),
the ranked candidate passages with reliability, signals, a demo marker and the reviewer's marks,
and adding evidence where the reviewer is (a pasted passage or a fetched URL, ranked for the claim
at once). Every click is saved in its callback through the action layer."""

from __future__ import annotations

import streamlit as st

from checks import actions, factchecks, relevance, review, sources
from checks.corpus import ImportResult
from checks.errors import InputError
from checks.ingest import fetch_url
from checks.vocab import Mark, RelevanceLabel, Role
from ui.common import act, can, flash, get_workbench, highlight, link_html, rating_badge, reviewer, safe_md

SORTS = {
    "fused rank": lambda c: c.rank,
    "dense similarity": lambda c: -c.dense,
    "BM25 score": lambda c: -c.lexical,
    "source reliability": lambda c: -(c.rating.rating if c.rating.rating is not None else -1),
}
MARK_OPTIONS = list(Mark)
RELEVANCE_TEXT = {RelevanceLabel.STRONG: "strong match", RelevanceLabel.WEAK: "weak match", RelevanceLabel.NONE: "no match"}
MIN_RELIABILITY = {
    "any source": lambda rating: True,
    "rated sources only": lambda rating: rating.rating is not None,
    "medium or better": lambda rating: rating.rating is not None and rating.rating >= 0.5,
    "high only": lambda rating: rating.rating is not None and rating.rating >= 0.75,
}


def _save_mark(claim_id: int, passage_id: int) -> None:
    mark = st.session_state.get(f"mark_{claim_id}_{passage_id}")
    act(lambda actor: actions.mark_passage(get_workbench().store, actor, claim_id, passage_id, mark), quiet=True)


def _added(claim_id: int, result: ImportResult | None, what: str) -> None:
    """Say what happened and remember what a reviewer added for this claim, so the screen can say
    where it ranks."""
    if result is None:
        return
    if result.documents:
        st.session_state[f"added_{claim_id}"] = result.document_ids
        flash(f"{what} added to the corpus and ranked for this claim.")
    else:
        flash(f"{what} is already in the corpus: this claim's candidates include it if it ranks.", "info")


def _add_pasted(claim_id: int) -> None:
    state = st.session_state
    keys = [f"paste_{field}_{claim_id}" for field in ("text", "source", "date")]

    def run(actor: actions.Actor) -> ImportResult:
        draft = actions.pasted_passage(*(state.get(key) or "" for key in keys))
        return actions.import_evidence(get_workbench().store, actor, [draft], origin=actions.PASTED)

    result = act(run, quiet=True)
    _added(claim_id, result, "Passage")
    if result is not None:
        for key in keys:
            state[key] = ""


def _add_url(claim_id: int) -> None:
    key = f"paste_url_{claim_id}"
    url = (st.session_state.get(key) or "").strip()

    def run(actor: actions.Actor) -> ImportResult:
        if not url:
            raise InputError("Paste the page's URL first.")
        # Fetch before the write: the action's transaction never waits on the network.
        draft = fetch_url(url)
        return actions.import_evidence(get_workbench().store, actor, [draft], origin=url)

    result = act(run, quiet=True)
    _added(claim_id, result, "Page")
    if result is not None:
        st.session_state[key] = ""


def render_add_evidence(claim: dict) -> None:
    """Paste a passage (with its source and date) or a URL; the new passages are searchable at once."""
    if not can(Role.EDITOR):
        return
    with st.expander("Add evidence for this claim", expanded=False):
        st.text_area("Passage", key=f"paste_text_{claim['id']}", height=100)
        row = st.columns(2)
        row[0].text_input("Source URL or domain (optional)", key=f"paste_source_{claim['id']}")
        row[1].text_input("Date (optional)", key=f"paste_date_{claim['id']}", placeholder="YYYY-MM-DD")
        st.button("Add passage", key=f"add_pasted_{claim['id']}", on_click=_add_pasted, args=(claim["id"],))
        st.text_input("…or a page's URL (fetched, its article split into passages)", key=f"paste_url_{claim['id']}")
        st.button("Fetch and add", key=f"add_url_{claim['id']}", on_click=_add_url, args=(claim["id"],))


def _reuse(claim_id: int, factcheck_id: int, version: int) -> None:
    act(
        lambda actor: actions.reuse_factcheck(get_workbench().store, actor, claim_id, factcheck_id, expected_version=version),
        success="Earlier verdict reused (logged as such).",
    )


def _dismiss(claim_id: int, factcheck_id: int) -> None:
    act(
        lambda actor: actions.dismiss_factcheck(get_workbench().store, actor, claim_id, factcheck_id),
        success="Match dismissed; it will not be shown again for this claim.",
        kind="info",
    )


def _render_match(claim: dict, match: factchecks.Match, may_reuse: bool) -> None:
    fact = match.factcheck
    mapped = fact.workbench_verdict
    with st.container(border=True, key=f"match_{claim['id']}_{fact.id}"):
        st.markdown(f"**{safe_md(fact.claim)}**")
        st.caption(
            safe_md(
                f"{match.tier} · {fact.publisher or fact.collection} · {fact.published or 'undated'} · rated "
                f"'{fact.verdict}'{f' → {mapped}' if mapped else ''} · score {match.combined:.2f} (dense {match.dense:.2f}, "
                f"BM25 {match.lexical:.2f}, wording {match.fuzzy:.2f})"
            )
        )
        if fact.url:
            st.markdown(link_html(fact.url, fact.url), unsafe_allow_html=True)
        for reason in match.reasons:
            st.caption(safe_md(f"Only related: {reason}"))
        if match.rationale:
            st.caption(safe_md(f"Earlier rationale: {match.rationale}"))
        if match.decision == "reused":
            st.caption("Reused for this claim.")
            return
        row = st.columns(2)
        if match.tier == factchecks.SAME_CLAIM and may_reuse:
            row[0].button(
                f"Reuse this verdict ({mapped})" if mapped else "Cannot reuse: rating has no workbench verdict",
                key=f"reuse_{claim['id']}_{fact.id}",
                on_click=_reuse,
                args=(claim["id"], fact.id, claim["version"] or 0),
                disabled=not mapped,
            )
        row[1].button(
            "Not the same claim", key=f"dismiss_{claim['id']}_{fact.id}", on_click=_dismiss, args=(claim["id"], fact.id)
        )


def render_earlier_factchecks(claim: dict) -> None:
    """Earlier fact-checks come first: much of the day is claims that were already checked."""
    with st.spinner("Looking for earlier fact-checks…"):
        matches = get_workbench().earlier_factchecks(claim["id"])
    same = [m for m in matches if m.tier == factchecks.SAME_CLAIM]
    related = [m for m in matches if m.tier != factchecks.SAME_CLAIM]
    if not matches:
        return
    st.subheader("Earlier fact-checks")
    # Reuse is offered only for the same claim, to editors, and never inside a pending blind review.
    may_reuse = can(Role.EDITOR) and not review.pending_blind_pair(get_workbench().store, claim["id"])
    for match in same:
        _render_match(claim, match, may_reuse)
    if related:
        with st.expander(f"Related fact-checks ({len(related)})", expanded=not same):
            for match in related:
                _render_match(claim, match, may_reuse)


def _render_card(claim: dict, article: dict, candidate, copies: dict, marks: dict, weight: float) -> None:
    with st.container(border=True, key=f"candidate_{claim['id']}_{candidate.passage_id}"):
        top = st.columns([3, 2, 3])
        with top[0]:
            rating_badge(candidate.rating)
            if candidate.demo:
                st.badge(
                    "demo data",
                    color="violet",
                    help="A passage of the shipped demo corpus, not a real source. Remove demo data on the Corpus page.",
                )
        top[1].caption(safe_md(f"{candidate.published or 'undated'} · passage {candidate.passage_id}"))
        weighted = f" · weighted {sources.reliability_weighted(candidate.fused, candidate.rating, weight):.2f}" if weight else ""
        top[2].caption(
            f"**{RELEVANCE_TEXT[candidate.relevance_label]}** {candidate.relevance:.2f} · fused #{candidate.rank} "
            f"({candidate.fused:.2f}) · dense {candidate.dense:.2f} · BM25 {candidate.lexical:.1f}{weighted}",
            help="The first figure is the calibrated probability that this passage addresses the claim (fitted on "
            "training data; strong / weak / no match). Fused, dense and BM25 only rank the passages against each other.",
        )
        link = link_html(candidate.url, candidate.title or "source")
        st.markdown(f"**{link}**", unsafe_allow_html=True)
        best = candidate.signals.best_sentence
        body = highlight(candidate.text, *best) if best else highlight(candidate.text)
        st.markdown(f"<div class='passage'>{body}</div>", unsafe_allow_html=True)
        notes = []
        if candidate.signals.shared_numbers:
            notes.append("shared numbers: " + ", ".join(candidate.signals.shared_numbers))
        if candidate.signals.shared_entities:
            notes.append("shared names: " + ", ".join(candidate.signals.shared_entities[:6]))
        if notes:
            st.caption(safe_md(" · ".join(notes)))
        for mismatch in candidate.signals.mismatched_numbers:
            st.warning(safe_md(f"Number mismatch: {mismatch}"), icon="⚠️")
        if copies.get(candidate.passage_id):
            st.caption(
                safe_md(
                    "Also carried by "
                    + ", ".join(f"{c.domain} (passage {c.passage_id}, {c.rating.badge()})" for c in copies[candidate.passage_id])
                    + ": syndicated copies of this text, not independent corroboration."
                )
            )
        if candidate.signals.self_citation:
            st.caption(safe_md(f"Same outlet as the article ({article['domain']}): self-citation."))
        key = f"mark_{claim['id']}_{candidate.passage_id}"
        if key not in st.session_state:
            st.session_state[key] = marks.get(candidate.passage_id)
        st.segmented_control(
            "This passage", MARK_OPTIONS, key=key, on_change=_save_mark, args=(claim["id"], candidate.passage_id)
        )


def render_candidates(claim: dict, article: dict, candidates: list) -> None:
    """The ranked passages: strong matches as cards, weak ones and those that do not address the
    claim collapsed; when nothing addresses it, one line says so and what to do next."""
    workbench = get_workbench()
    marks = review.passage_marks(workbench.store, claim["id"], viewer=reviewer())
    added = st.session_state.get(f"added_{claim['id']}") or []
    missing = set(added) - {c.document_id for c in candidates}
    if missing:
        st.caption(
            f"The evidence you added (document {', '.join(map(str, sorted(missing)))}) does not rank among this claim's "
            f"top {len(candidates) or 'candidates'}: it may not address the claim."
        )
    if not candidates:
        st.info("The evidence corpus is empty: add evidence above or import documents on the Corpus page.")
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
    cards = [c for c in shown if c.signals.near_copy_of not in shown_ids]
    groups = {label: [c for c in cards if c.relevance_label == label] for label in RelevanceLabel}
    if not relevance.has_match(c.relevance_label for c in candidates):
        best = max(c.relevance for c in candidates)
        st.warning(
            f"No passage in the corpus clearly addresses this claim (best relevance {best:.2f}). Add evidence above, "
            "or record it as unsupported if nothing can be found.",
            icon=":material/search:",
        )
    for candidate in groups[RelevanceLabel.STRONG]:
        _render_card(claim, article, candidate, copies, marks, weight)
    for label, title in ((RelevanceLabel.WEAK, "Weak matches"), (RelevanceLabel.NONE, "Passages that do not address the claim")):
        if groups[label]:
            with st.expander(
                f"{title} ({len(groups[label])})", expanded=label is RelevanceLabel.WEAK and not groups[RelevanceLabel.STRONG]
            ):
                for candidate in groups[label]:
                    _render_card(claim, article, candidate, copies, marks, weight)
