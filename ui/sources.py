"""Sources page: look up what rates a URL (and why), the rating sets loaded, the registry, track
records, overrides and imports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from checks import actions, sources
from checks.errors import WorkbenchError
from checks.vocab import Role
from ui.common import act, can, current_actor, get_workbench, rating_badge, safe_md, show_flashes, when


def _override() -> None:
    act(
        lambda actor: actions.override_rating(
            get_workbench().store,
            actor,
            st.session_state.get("override_domain", ""),
            st.session_state.get("override_rating"),
            st.session_state.get("override_reason", ""),
        ),
        success="Override saved; what was shown before is kept in the history.",
    )


def _lookup(query: str) -> None:
    store = get_workbench().store
    rating = sources.lookup(store, query)
    rating_badge(rating)
    for line in sources.provenance(rating):
        st.caption(safe_md(line))
    if rating.components:
        with st.expander("Every value in the rating's row"):
            st.json(rating.components)
    record = sources.track_record(store, query)
    st.markdown(safe_md(f"Track record of {record.domain} here: {record.summary()}"), help=sources.TRACK_RECORD_HELP)
    for entry in sources.history(store, query):
        before = entry["previous"]
        shown = before.get("label") if before.get("rating") is None else f"{before.get('label')} {before['rating']:.2f}"
        who = f"{when(entry['changed_at'])} {entry['changed_by']}"
        st.caption(safe_md(f"{who} overrode {entry['domain']}: {entry['reason']} (was {shown})"))


def _import() -> None:
    workbench = get_workbench()
    formats = ["Lin et al. 2023 (domain,pc1,…)", "List of unreliable domains/URLs (Iffy index)"]
    kind = st.radio("Format", formats, key="import_kind")
    upload = st.file_uploader("Ratings file (plain or .gz)", type=["csv", "txt", "gz"], key="ratings_file")
    columns = st.columns(2)
    version = columns[0].text_input("Version of the data (optional)", key="import_version")
    as_of = columns[1].text_input("Date of the data (optional, e.g. 2024-08-01)", key="import_as_of")
    replace = st.checkbox(
        "This file is a complete new version (keys it no longer has are removed; overrides stay)", key="import_replace"
    )
    if upload is not None and st.button("Import", key="import_ratings"):
        importer = actions.import_lin2023 if kind.startswith("Lin") else actions.import_unreliable_list
        try:
            report = importer(
                workbench.store,
                current_actor(),
                upload.getvalue(),
                version=version.strip() or None,
                as_of=as_of.strip() or None,
                replace=replace,
                file_name=upload.name,
            )
        except WorkbenchError as error:
            st.error(safe_md(str(error)))
            return
        (st.warning if report.skipped or report.collisions or report.overrides_kept else st.success)(safe_md(report.summary()))
        if report.details():
            with st.expander(f"Everything the import reported ({len(report.details())} lines)"):
                st.text("\n".join(report.details()))


def render() -> None:
    st.title("Sources")
    show_flashes()
    workbench = get_workbench()
    query = st.text_input("Look up a domain, host or URL", key="source_query")
    if query:
        _lookup(query)
    with st.expander("How ratings are matched and what the track record means"):
        st.markdown(
            "A rating applies to exactly what its source rated: a host (`news.yahoo.com`) or a section "
            "(`newyorker.com/humor`). A URL gets the most specific match: its host with the longest rated path, "
            "then the host, then each parent host down to the registrable domain (`www.` is the same host). "
            "A local override wins over an import at the same key and survives a re-import. A site on the "
            "Iffy list is flagged beside its score, never given a number. Bands: low < 0.5 ≤ medium < 0.75 ≤ high."
        )
        st.markdown(sources.TRACK_RECORD_HELP)
    st.subheader("Rating sets loaded")
    st.dataframe(pd.DataFrame(sources.datasets(workbench.store)), hide_index=True, key="datasets_table")
    search = st.text_input("Filter the registry by key", key="sources_search")
    st.dataframe(pd.DataFrame(sources.all_ratings(workbench.store, search)), hide_index=True, key="sources_table")
    if not can(Role.EDITOR):
        st.caption("Overriding and importing ratings needs the editor role.")
        return
    with st.expander("Override a rating"):
        st.text_input("Domain, host or host/path (e.g. newyorker.com/humor)", key="override_domain")
        st.slider("Rating (0 = unreliable, 1 = reliable)", 0.0, 1.0, 0.5, 0.01, key="override_rating")
        st.text_input("Reason (required)", key="override_reason")
        st.button("Save override", key="save_override", on_click=_override)
    with st.expander("Import ratings"):
        _import()


render()
