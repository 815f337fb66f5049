"""Corpus page: import evidence documents and build the index, with progress."""

from __future__ import annotations

import streamlit as st

from checks import actions, articles, corpus, factchecks
from checks.errors import WorkbenchError
from checks.vocab import Role
from ui.common import can, current_actor, get_workbench, safe_md, show_flashes

UPLOAD_TYPES = ["txt", "md", "html", "htm", "json", "jsonl", "csv"]


def _actor() -> actions.Actor:
    return current_actor()


def render() -> None:
    st.title("Evidence corpus")
    show_flashes()
    workbench = get_workbench()
    documents, passages = corpus.corpus_size(workbench.store)
    st.metric("Documents / passages", f"{documents:,} / {passages:,}")
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
