"""Export page: download verdicts as CSV, JSON or ClaimReview JSON-LD, with filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from checks import actions, articles, export
from checks.errors import WorkbenchError
from checks.vocab import Role, Verdict
from ui.common import can, current_actor, get_workbench, safe_md, verdict_chart


def render() -> None:
    st.title("Export verdicts")
    if not can(Role.EDITOR):
        st.info("Exporting and importing verdicts needs the editor role.")
        return
    workbench = get_workbench()
    rows = articles.list_articles(workbench.store)
    reviewers = articles.verdict_reviewers(workbench.store)
    columns = st.columns(4)
    article_id = columns[0].selectbox(
        "Article",
        [None] + [r["id"] for r in rows],
        format_func=lambda i: (
            "all articles" if i is None else next(f"#{r['id']} {r['title'][:50]}" for r in rows if r["id"] == i)
        ),
        key="export_article",
    )
    by = columns[1].selectbox(
        "Filter by reviewer", [None, *reviewers], format_func=lambda r: r or "everyone", key="export_reviewer"
    )
    verdict = columns[2].selectbox("Verdict", [None, *Verdict], format_func=lambda v: v or "any", key="export_verdict")
    since = columns[3].date_input("Decided since", value=None, key="export_since")
    records = export.verdict_records(
        workbench.store, export.ExportFilter(article_id, by, verdict, since.isoformat() if since else None)
    )
    st.write(f"{len(records)} verdict{'s' if len(records) != 1 else ''} match{'es' if len(records) == 1 else ''}.")
    if records:
        st.dataframe(
            pd.DataFrame(records)[["claim_id", "claim_text", "verdict", "reviewer", "decided_at", "article_domain"]],
            column_config={
                "claim_id": st.column_config.NumberColumn("Claim", width="small"),
                "claim_text": st.column_config.TextColumn("Claim text", width="large"),
                "verdict": "Verdict",
                "reviewer": "Reviewer",
                "decided_at": "Decided (UTC)",
                "article_domain": "Source",
            },
            hide_index=True,
            key="export_preview",
        )
        verdicts = pd.DataFrame(records).fillna({"article_domain": "unknown"})
        st.caption("Verdicts per source")
        verdict_chart(st, verdicts, "article_domain")
    buttons = st.columns(3)
    buttons[0].download_button(
        "Export CSV", export.to_csv(records), "verdicts.csv", "text/csv", key="download_csv", type="primary"
    )
    buttons[1].download_button("Export JSON", export.to_json(records), "verdicts.json", "application/json", key="download_json")
    buttons[2].download_button(
        "Export ClaimReview",
        export.to_claimreview(records),
        "claimreview.jsonld",
        "application/ld+json",
        key="download_claimreview",
    )

    with st.expander("Import a verdicts CSV (as exported here)"):
        upload = st.file_uploader("Verdicts CSV", type=["csv"], key="verdicts_csv")
        if upload is not None and st.button("Import verdicts", key="import_verdicts"):
            try:
                report = actions.import_verdicts(workbench.store, current_actor(), upload.getvalue())
            except WorkbenchError as error:
                st.error(safe_md(str(error)))
            else:
                (st.warning if report.skipped else st.success)(safe_md(report.summary()))


render()
