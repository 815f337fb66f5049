"""Sources page: browse, search, override and import reliability ratings; track record."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from checks import actions, sources
from checks.errors import WorkbenchError
from checks.vocab import Role
from ui.common import act, can, current_actor, get_workbench, rating_badge, safe_md, show_flashes


def _override() -> None:
    act(
        lambda actor: actions.override_rating(
            get_workbench().store,
            actor,
            st.session_state.get("override_domain", ""),
            st.session_state.get("override_rating"),
            st.session_state.get("override_reason", ""),
        ),
        success="Override saved; the previous value is kept in the history.",
    )


def render() -> None:
    st.title("Sources")
    show_flashes()
    workbench = get_workbench()
    query = st.text_input("Look up a domain or URL", key="source_query")
    if query:
        rating = sources.lookup(workbench.store, query)
        rating_badge(rating)
        st.caption(
            safe_md(f"{rating.rater or 'No rating imported for this domain.'} · scale {rating.scale or '-'} · {rating.notes}")
        )
        if rating.components:
            st.json(rating.components, expanded=False)
        record = sources.track_record(workbench.store, query)
        if record.total:
            st.write(
                f"Track record here: {record.verified} verified, {record.disputed} disputed, {record.unsupported} "
                f"unsupported → smoothed {record.score:.2f} (prior {'none' if record.prior is None else f'{record.prior:.2f}'})"
            )
        for entry in sources.history(workbench.store, query):
            st.caption(
                safe_md(f"{entry['changed_at']} {entry['changed_by']}: {entry['reason']} (was {entry['previous'].get('label')})")
            )
    st.dataframe(pd.DataFrame(sources.all_ratings(workbench.store)), hide_index=True, key="sources_table")
    with st.expander("Override a rating"):
        st.text_input("Domain", key="override_domain")
        st.slider("Rating (0 = unreliable, 1 = reliable)", 0.0, 1.0, 0.5, 0.01, key="override_rating")
        st.text_input("Reason (required)", key="override_reason")
        st.button("Save override", key="save_override", on_click=_override, disabled=not can(Role.EDITOR))
    with st.expander("Import ratings"):
        kind = st.radio("Format", ["Lin et al. 2023 (domain,pc1,…)", "List of unreliable domains/URLs"], key="import_kind")
        upload = st.file_uploader("Ratings file", type=["csv", "txt"], key="ratings_file")
        if upload is not None and st.button("Import", key="import_ratings"):
            importer = actions.import_lin2023 if kind.startswith("Lin") else actions.import_unreliable_list
            try:
                report = importer(workbench.store, current_actor(), upload.getvalue())
            except WorkbenchError as error:
                st.error(safe_md(str(error)))
            else:
                (st.warning if report.skipped else st.success)(safe_md(report.summary()))


render()
