"""The verdict bar of the review page: the current verdict, reason and note, the verdict buttons
(with keyboard shortcuts), blind double review and adjudication, other appearances, and the claim's
history with undo. Every click is saved in its callback through the action layer."""

from __future__ import annotations

import streamlit as st

from checks import actions, articles, review
from checks.review import RATIONALE_CHOICES
from checks.vocab import Verdict
from ui.common import act, flash, get_workbench, reviewer, safe_md, when

VERDICT_SHORTCUTS = {Verdict.VERIFIED: "Alt+1", Verdict.DISPUTED: "Alt+2", Verdict.UNSUPPORTED: "Alt+3"}


def rationale(claim_id: int, verdict: Verdict) -> str:
    """The picked reason (for disputed / unsupported) and the typed note, as one rationale."""
    choice = st.session_state.get(f"rationale_choice_{claim_id}") or ""
    note = st.session_state.get(f"rationale_{claim_id}", "").strip()
    return "; ".join(part for part in (choice if verdict is not Verdict.VERIFIED else "", note) if part)


def _save_verdict(claim_id: int, verdict: Verdict, version: int) -> None:
    act(
        lambda actor: actions.set_verdict(
            get_workbench().store, actor, claim_id, verdict, rationale(claim_id, verdict), expected_version=version
        ),
        success=f"Saved: {verdict}.",
    )


def _save_blind(claim_id: int, verdict: Verdict) -> None:
    result = act(
        lambda actor: actions.submit_blind(get_workbench().store, actor, claim_id, verdict, rationale(claim_id, verdict)),
        quiet=True,
    )
    if result is not None:
        flash(result.message, "warning" if result.outcome == "disagreement" else "success")


def _adjudicate(claim_id: int, verdict: Verdict) -> None:
    act(
        lambda actor: actions.adjudicate(get_workbench().store, actor, claim_id, verdict, rationale(claim_id, verdict)),
        success=f"Adjudicated: {verdict}.",
    )


def _apply_to_appearances(claim_id: int) -> None:
    act(lambda actor: actions.apply_to_appearances(get_workbench().store, actor, claim_id))


def _undo(audit_id: int) -> None:
    act(lambda actor: actions.undo(get_workbench().store, actor, audit_id), success="Undone.")


def _verdict_buttons(claim: dict, on_click, args_for, prefix: str = "verdict") -> None:
    columns = st.columns(len(Verdict))
    for column, verdict in zip(columns, Verdict, strict=True):
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
    decided = {row["reviewer"]: row for row in review.independent_verdicts(store, claim["id"], viewer=reviewer())}
    count = len(review.independent_verdicts(store, claim["id"]))  # how many decided, not what
    name = reviewer()
    if name in pair:
        other = pair[1] if name == pair[0] else pair[0]
        st.info(f"Blind double review with {safe_md(other)}: neither sees the other's verdict until both have decided.")
        if name in decided:
            st.caption(f"Your blind verdict: {decided[name]['verdict']} ({count} of 2 decided)")
        _verdict_buttons(claim, _save_blind, lambda verdict: (claim["id"], verdict), prefix="blind")
        return
    st.info(safe_md(f"In blind double review by {pair[0]} and {pair[1]}; {len(decided)} of 2 have decided."))
    if len(decided) == 2:
        st.warning(
            safe_md(
                "Disagreement: "
                + "; ".join(f"{r}: {row['verdict']} ({row['rationale'] or 'no note'})" for r, row in decided.items())
            )
        )
        for row in review.blind_marks(store, claim["id"]):
            st.caption(safe_md(f"{row['reviewer']} marked passage {row['passage_id']}: {row['mark']}"))
        st.caption("As adjudicator, settle it:")
        _verdict_buttons(claim, _adjudicate, lambda verdict: (claim["id"], verdict), prefix="adjudicate")


def _render_history(claim: dict) -> None:
    entries = review.history(get_workbench().store, claim["id"], viewer=reviewer())
    if not entries:
        return
    with st.expander(f"History ({len(entries)})"):
        for entry in entries[:20]:
            new = entry.new if isinstance(entry.new, dict) else {}
            summary = new.get("verdict") or new.get("mark") or new.get("outcome") or ("removed" if entry.new is None else "")
            line = st.columns([4, 1])
            line[0].caption(safe_md(f"{when(entry.at)} · {entry.actor} · {entry.action}" + (f" → {summary}" if summary else "")))
            if entry.action in actions.UNDOABLE and entry.changes and entry.undone_by is None:
                line[1].button("Undo", key=f"undo_{entry.id}", on_click=_undo, args=(entry.id,))


def render(claim: dict, suggest_unsupported: bool = False) -> None:
    """The verdict bar for one claim; ``suggest_unsupported`` when no passage addresses it (a
    suggestion only: nothing is set)."""
    store = get_workbench().store
    version = claim["version"] or 0
    if claim["verdict"]:
        st.success(
            f"Current verdict: **{claim['verdict']}** by {safe_md(claim['reviewer'])} at {when(claim['decided_at'])}"
            + (f" — {safe_md(claim['rationale'])}" if claim["rationale"] else "")
        )
    elif suggest_unsupported:
        st.caption("Suggested: **unsupported** (reason: no passage above threshold), unless you find evidence elsewhere.")
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
    _render_history(claim)
