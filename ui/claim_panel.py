"""The claim side of the review page: the claim with its score, type and reasons, the article's
source and track record, claim editing, bulk verdicts, and the article with the claim in context.
Every click is saved in its callback through the action layer."""

from __future__ import annotations

import streamlit as st

from checks import actions, sources
from checks.vocab import Verdict
from ui.common import act, get_workbench, highlight, rating_badge, safe_md


def _claim_action(run) -> None:
    """Run a claim edit (edit/split/merge/drop/add) as the reviewer; a refusal is reported, not raised."""
    act(lambda actor: run(get_workbench().store, actor), success="Claims updated.")


def render_claim_editing(claim: dict, claims: list[dict], article_id: int) -> None:
    with st.expander("Edit claims"):
        key = f"edit_text_{claim['id']}"
        st.session_state.setdefault(key, claim["text"])
        st.text_area("Claim text", key=key, height=80)
        row = st.columns(2)
        row[0].button(
            "Save wording",
            key=f"save_text_{claim['id']}",
            on_click=lambda: _claim_action(
                lambda store, actor: actions.edit_claim(store, actor, claim["id"], st.session_state[key])
            ),
        )
        row[1].button(
            "Drop this claim",
            key=f"drop_{claim['id']}",
            on_click=lambda: _claim_action(lambda store, actor: actions.drop_claim(store, actor, claim["id"])),
        )
        for number, clause in enumerate(claim.get("split_suggestions") or [], start=1):
            at = claim["text"].find(clause)
            if number > 1 and at > 0:
                st.button(
                    f"Split before: {safe_md(clause[:60])}",
                    key=f"split_suggested_{claim['id']}_{number}",
                    help="A clause of this compound claim, as the extractor found it.",
                    on_click=lambda at=at: _claim_action(lambda store, actor: actions.split_claim(store, actor, claim["id"], at)),
                )
        st.number_input(
            "Split at character", 1, max(len(claim["text"]) - 1, 1), len(claim["text"]) // 2, key=f"split_at_{claim['id']}"
        )
        row = st.columns(2)
        row[0].button(
            "Split claim",
            key=f"split_{claim['id']}",
            on_click=lambda: _claim_action(
                lambda store, actor: actions.split_claim(store, actor, claim["id"], st.session_state[f"split_at_{claim['id']}"])
            ),
        )
        following = next((c for c in claims if c["position"] > claim["position"]), None)
        row[1].button(
            "Merge with next claim",
            key=f"merge_{claim['id']}",
            disabled=following is None,
            on_click=lambda: _claim_action(lambda store, actor: actions.merge_claims(store, actor, claim["id"], following["id"])),
        )
        st.text_input("New claim (a sentence from the article, or your own wording)", key="new_claim_text")
        st.button(
            "Add claim",
            key="add_claim",
            on_click=lambda: _claim_action(
                lambda store, actor: actions.add_claim(store, actor, article_id, st.session_state.get("new_claim_text", ""))
            ),
        )


def _bulk(claims: list[dict]) -> None:
    versions = {c["id"]: c["version"] or 0 for c in claims}
    chosen = st.session_state.get("bulk_claims") or []
    result = act(
        lambda actor: actions.bulk_verdict(
            get_workbench().store,
            actor,
            chosen,
            st.session_state.get("bulk_verdict"),
            st.session_state.get("bulk_note", ""),
            expected_versions={c: versions[c] for c in chosen if c in versions},
        )
    )
    if result is not None:
        st.session_state["last_bulk"] = result.audit_id


def _undo_bulk() -> None:
    audit_id = st.session_state.pop("last_bulk", None)
    if audit_id is not None:
        act(lambda actor: actions.undo(get_workbench().store, actor, audit_id), success="Bulk verdict undone.")


def render_bulk(claims: list[dict]) -> None:
    with st.expander("Bulk verdict"):
        st.multiselect(
            "Claims",
            [c["id"] for c in claims],
            key="bulk_claims",
            format_func=lambda i: next(c["text"][:80] for c in claims if c["id"] == i),
        )
        st.selectbox("Verdict", list(Verdict), key="bulk_verdict")
        st.text_input("Rationale (required for disputed / unsupported)", key="bulk_note")
        row = st.columns(2)
        row[0].button("Apply to selected", key="bulk_apply", on_click=_bulk, args=(claims,))
        row[1].button(
            "Undo last bulk verdict", key="bulk_undo", on_click=_undo_bulk, disabled=st.session_state.get("last_bulk") is None
        )


def render_claim(claim: dict, article: dict) -> None:
    """The claim with its score, type and reasons, and the article's source with its track record."""
    store = get_workbench().store
    st.subheader("Claim")
    st.markdown("> " + safe_md(claim["text"]).replace("  \n", "  \n> "))
    if claim.get("speaker"):
        st.caption(safe_md(f"Said by: {claim['speaker']}"))
    st.caption(
        f"check-worthiness {claim['score']:.2f} · type: {claim['claim_type']} · status: {claim['status']}"
        + (" · headline" if claim["is_headline"] else "")
    )
    if claim["reasons"]:
        st.caption(safe_md("Why: " + "; ".join(claim["reasons"])))
    st.markdown("**Article source**")
    target = sources.rating_target(article["url"], article["domain"])
    rating_badge(sources.lookup(store, target))
    if target:
        record = sources.track_record(store, target)
        if record.total:
            st.caption(safe_md(f"Track record here: {record.summary()}"), help=sources.TRACK_RECORD_HELP)


def render_context(claim: dict, article: dict) -> None:
    """The article with the current claim highlighted."""
    with st.expander("Article in context", expanded=True):
        if claim["start"] is not None:
            st.markdown(highlight(article["body"], claim["start"], claim["end"]), unsafe_allow_html=True)
        else:
            st.markdown(highlight(article["body"]), unsafe_allow_html=True)
