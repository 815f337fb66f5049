"""Corpus page: the documents as a searchable table (origin, demo or not) with delete and "remove
demo data", importing evidence documents, and building the index, with progress."""

from __future__ import annotations

import streamlit as st

from checks import actions, articles, corpus, factchecks
from checks.errors import WorkbenchError
from checks.vocab import Role
from ui.common import act, can, current_actor, get_workbench, safe_md, show_flashes

UPLOAD_TYPES = ["txt", "md", "html", "htm", "json", "jsonl", "csv"]


def _actor() -> actions.Actor:
    return current_actor()


def _delete_document() -> None:
    document_id = st.session_state.get("delete_choice")
    if document_id is None:
        return
    act(lambda actor: actions.delete_document(get_workbench().store, actor, document_id))


def _remove_demo() -> None:
    act(lambda actor: actions.remove_demo_data(get_workbench().store, actor))


def render_documents() -> None:
    """The corpus as a table, searchable by title or text; editors delete a document or the demo data."""
    store = get_workbench().store
    search = st.text_input("Search documents by title or text", key="corpus_search")
    rows = corpus.list_documents(store, search or "")
    if not rows:
        st.caption("No documents match." if search else "The corpus is empty.")
        return
    st.dataframe(
        [
            {
                "id": r["id"],
                "title": r["title"],
                "source": r["domain"],
                "date": r["published"],
                "passages": r["passages"],
                "origin": "demo" if r["is_demo"] else r["origin"],
            }
            for r in rows
        ],
        hide_index=True,
        key="corpus_table",
    )
    if not can(Role.EDITOR):
        return
    row = st.columns([4, 2, 2])
    titles = {r["id"]: f"#{r['id']} {(r['title'] or '')[:70]}" for r in rows}
    row[0].selectbox("Document", list(titles), format_func=titles.get, key="delete_choice")
    row[1].button("Delete document", key="delete_document", on_click=_delete_document)
    demo = corpus.demo_documents(store)
    if demo:
        row[2].button(
            f"Remove demo data ({demo})",
            key="remove_demo",
            on_click=_remove_demo,
            help="The shipped example documents; your own documents stay.",
        )


def render() -> None:
    st.title("Evidence corpus")
    show_flashes()
    workbench = get_workbench()
    documents, passages = corpus.corpus_size(workbench.store)
    st.metric("Documents / passages", f"{documents:,} / {passages:,}")
    render_documents()
    if not can(Role.EDITOR):
        st.info("Adding evidence and earlier fact-checks needs the editor role.")
    files = (
        None
        if not can(Role.EDITOR)
        else st.file_uploader(
            "Evidence files: txt, md, html, or jsonl/csv/json with text, url, title, date, domain per record",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key="evidence_files",
        )
    )
    if files is not None and st.button("Import evidence", key="import_evidence", disabled=not files):
        bar = st.progress(0.0, text="Importing…")
        for number, upload in enumerate(files, start=1):
            try:
                result = actions.import_evidence_file(workbench.store, _actor(), upload.name, upload.getvalue())
            except WorkbenchError as error:
                st.error(safe_md(f"{upload.name}: {error}"))
                continue
            (st.warning if result.problems else st.success)(safe_md(f"{upload.name}: {result.summary()}"))
            bar.progress(number / len(files), text=f"Imported {number} of {len(files)} files")
    if can(Role.EDITOR) and st.button("Add all loaded articles to the corpus", key="articles_to_corpus"):
        ids = [r["id"] for r in articles.list_articles(workbench.store)]
        try:
            st.success(safe_md(actions.add_articles_to_corpus(workbench.store, _actor(), ids).summary()))
        except WorkbenchError as error:
            st.error(safe_md(str(error)))
    with st.expander("Earlier fact-checks library", expanded=False):
        count = factchecks.library_size(workbench.store)
        st.caption(f"{count:,} fact-checks (imported collections and this workbench's verdicts).")
        library_files = (
            None
            if not can(Role.EDITOR)
            else st.file_uploader(
                "CSV/TSV (claim, verdict, url, date, publisher) or ClaimReview JSON-LD",
                type=["csv", "tsv", "json", "jsonld"],
                accept_multiple_files=True,
                key="factcheck_files",
            )
        )
        if library_files is not None and st.button("Import fact-checks", key="import_factchecks", disabled=not library_files):
            for upload in library_files:
                try:
                    report = actions.import_factchecks(workbench.store, _actor(), upload.name, upload.getvalue())
                except WorkbenchError as error:
                    st.error(safe_md(f"{upload.name}: {error}"))
                    continue
                (st.warning if report.skipped else st.success)(safe_md(f"{upload.name}: {report.summary()}"))
            bar = st.progress(0.0, text="Embedding fact-checks for matching…")
            workbench.factcheck_matcher(
                progress=lambda done, total: bar.progress(done / max(total, 1), text=f"Embedded {done:,} of {total:,}")
            )
            bar.empty()
    st.divider()
    st.caption(
        safe_md(
            f"Model: {workbench.settings.model or 'all-MiniLM-L6-v2 (packaged)'} · index folder: {workbench.settings.index_dir}"
        )
    )
    if st.button("Build / update the index", key="build_index", type="primary"):
        bar = st.progress(0.0, text="Embedding passages…")
        index = workbench.index(
            progress=lambda done, total: bar.progress(done / max(total, 1), text=f"Embedded {done:,} of {total:,} passages")
        )
        bar.empty()
        claim_ids = articles.active_claim_ids(workbench.store)
        ranking = st.progress(0.0, text="Ranking claims…")
        ranked = workbench.rank(
            claim_ids,
            progress=lambda done, total: ranking.progress(done / max(total, 1), text=f"Ranked {done} of {total} claims"),
        )
        ranking.empty()
        st.success(
            f"Index ready: {len(index):,} passages; candidates ranked for {ranked} claims "
            f"({len(claim_ids) - ranked} were already up to date)."
        )


render()
