"""Articles page: paste, upload or fetch articles, and see review progress per article."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from checks import actions, articles, retrieval, review
from checks.errors import WorkbenchError
from checks.ingest import fetch_urls, parse_text, parse_upload
from checks.vocab import Role
from ui.common import act, can, current_actor, flash, get_workbench, reviewer, safe_md, show_flashes, verdict_chart

UPLOAD_TYPES = ["txt", "md", "html", "htm", "json", "jsonl", "csv"]


def _open_for_review(article_id: int) -> None:
    st.session_state["review_article"] = article_id
    st.session_state["open_article_choice"] = article_id  # "Review this article" opens the one just added
    st.session_state["claim_index"] = 0


def _ingest(actor: actions.Actor, draft) -> actions.ArticleSaved:
    workbench = get_workbench()
    return actions.ingest_article(workbench.store, actor, draft, encoder=workbench.encoder)


def _save(draft) -> bool:
    """Store a parsed article and report it; False (with the reason shown) when it could not be."""
    title = draft.title[:80]
    result = act(lambda actor: _ingest(actor, draft), quiet=True, refused="Not added: ")
    if result is None:
        return False
    if result.created:
        flash(f"Added '{title}' with {result.claims} claims.")
    else:
        flash(f"'{title}' was already loaded (article {result.article_id}); nothing was added twice.", "info")
    _open_for_review(result.article_id)
    return True


def _ingest_pasted() -> None:
    text = st.session_state.get("paste_text", "")
    try:
        draft = parse_text(text, origin="pasted", url=st.session_state.get("paste_url") or None)
    except WorkbenchError as error:
        flash(str(error), "error")
        return
    if _save(draft):
        st.session_state["paste_text"] = ""


def _load_demo() -> None:
    _save(get_workbench().demo_article())


def _store_batch(batch) -> bool:
    """Store every draft of a parsed batch, one line each; False when storing was refused."""
    actor = current_actor()
    for problem in batch.problems:
        st.warning(safe_md(f"Skipped: {problem}"))
    for draft in batch.drafts:
        try:
            result = _ingest(actor, draft)
        except WorkbenchError as error:
            st.error(safe_md(f"Not added: {error}"))
            return False
        state = "added" if result.created else "already loaded"
        line = f"{draft.origin}: '{draft.title[:80]}' {state} ({result.claims} claims, source {draft.domain or 'unknown'})"
        st.write(safe_md(line))
        _open_for_review(result.article_id)
    return True


def _ingest_uploads(files) -> None:
    bar = st.progress(0.0, text="Ingesting…")
    for number, upload in enumerate(files, start=1):
        try:
            batch = parse_upload(upload.name, upload.getvalue())
        except WorkbenchError as error:
            st.error(safe_md(str(error)))
            continue
        if not _store_batch(batch):
            return
        bar.progress(number / len(files), text=f"Ingested {number} of {len(files)} files")
    bar.empty()


def _ingest_urls(text: str) -> None:
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    if not urls:
        st.warning("Enter at least one URL, one per line.")
        return
    bar = st.progress(0.0, text="Fetching…")
    batch = fetch_urls(urls, progress=lambda done, total: bar.progress(done / total, text=f"Fetched {done} of {total} pages"))
    bar.empty()
    _store_batch(batch)


def _assign(article_id: int) -> None:
    act(
        lambda actor: actions.assign(
            get_workbench().store,
            actor,
            article_id,
            st.session_state.get("assign_to", ""),
            st.session_state.get("assign_second", ""),
        ),
        success="Assignment saved.",
    )


def _render_overview(workbench) -> None:
    """Charts where a picture beats text: verdicts per article and per source, candidate scores."""
    verdicts = pd.DataFrame(articles.verdict_overview(workbench.store))
    scores = pd.DataFrame(retrieval.top_candidate_scores(workbench.store, 5))
    if verdicts.empty and scores.empty:
        return
    st.subheader("Overview")
    left, middle, right = st.columns(3)
    if not verdicts.empty:
        left.caption("Verdicts per article")
        verdict_chart(left, verdicts, "article")
        middle.caption("Verdicts per source")
        verdict_chart(middle, verdicts, "source")
    if not scores.empty:
        right.caption("Dense similarity of the top-5 candidates (claims ranked so far)")
        bins = pd.cut(scores["dense"].clip(lower=0), bins=[i / 10 for i in range(11)], include_lowest=True)
        bins = bins.value_counts().sort_index()
        right.bar_chart(pd.DataFrame({"candidates": bins.values}, index=[str(b.left) for b in bins.index]))


def render() -> None:
    st.title("Articles")
    show_flashes()
    workbench = get_workbench()
    paste, upload, url = st.tabs(["Paste text", "Upload files", "From a URL"])
    with paste:
        st.text_area(
            "Article text (first line = headline; a last line 'source: example.com' sets the outlet)",
            key="paste_text",
            height=220,
        )
        st.text_input("Article URL (optional)", key="paste_url")
        left, right = st.columns(2)
        left.button("Add article", key="add_pasted", on_click=_ingest_pasted, type="primary")
        right.button("Load the demo article", key="load_demo", on_click=_load_demo)
    with upload:
        files = st.file_uploader(
            "txt, md, html, json, jsonl or csv (batch files: one article per row/record)",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key="article_files",
        )
        if st.button("Ingest uploaded files", key="ingest_files", disabled=not files):
            _ingest_uploads(files)
    with url:
        st.text_area("Page URLs, one per line (fetched in parallel)", key="fetch_urls", placeholder="https://…", height=110)
        if st.button("Fetch and add", key="fetch_button"):
            _ingest_urls(st.session_state.get("fetch_urls", ""))

    rows = articles.list_articles(workbench.store)
    st.subheader(f"Loaded articles ({len(rows)})")
    if not rows:
        st.info("No articles yet: paste one above or load the demo article.")
        return
    if reviewer() and st.checkbox("Only articles assigned to me", key="mine_only"):
        rows = [r for r in rows if reviewer() in (r["assigned_to"], r["second_reviewer"])]
        if not rows:
            st.info("Nothing is assigned to you.")
            return
    table = pd.DataFrame(rows)
    table["progress"] = table["decided"] / table["claims"].where(table["claims"] > 0, 1)
    table["reviewers"] = [
        " & ".join(name for name in (r["assigned_to"], r["second_reviewer"]) if name) or "unassigned" for r in rows
    ]
    table["added"] = table["created_at"].str[:10]
    st.dataframe(
        table[["id", "title", "domain", "claims", "decided", "progress", "reviewers", "added"]],
        column_config={
            "id": st.column_config.NumberColumn("#", width="small"),
            "title": st.column_config.TextColumn("Headline", width="large"),
            "domain": "Source",
            "claims": "Claims",
            "decided": "Decided",
            "progress": st.column_config.ProgressColumn("Reviewed", min_value=0.0, max_value=1.0),
            "reviewers": "Reviewers",
            "added": "Added",
        },
        hide_index=True,
        key="articles_table",
    )
    choice = st.selectbox(
        "Open for review",
        [r["id"] for r in rows],
        format_func=lambda i: next(f"#{r['id']} {r['title'][:90]}" for r in rows if r["id"] == i),
        key="open_article_choice",
    )
    if st.button("Review this article", key="open_article", type="primary"):
        st.session_state.update(review_article=choice, claim_index=0)
        st.switch_page("ui/review.py")
    if can(Role.EDITOR):
        with st.expander("Assign for review"):
            st.text_input("Reviewer", key="assign_to")
            st.text_input("Second reviewer (turns on blind double review)", key="assign_second")
            st.button("Assign", key="assign_button", on_click=_assign, args=(choice,))
    pairs, kappa = review.agreement(workbench.store, choice)
    if pairs:
        st.caption(
            f"Double review of this article: {pairs} claims decided by both; Cohen's kappa "
            f"{'n/a' if kappa is None else f'{kappa:.2f}'}"
        )
    _render_overview(workbench)


render()
