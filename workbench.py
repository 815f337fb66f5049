"""Fact-check workbench: the Streamlit app. Run with ``streamlit run workbench.py``."""

from __future__ import annotations

import streamlit as st

from ui.common import get_workbench, safe_md

st.set_page_config(page_title="Fact-check workbench", layout="wide")
st.markdown("<style>mark{background:#ffe58a;padding:0 2px}.passage{line-height:1.5}</style>", unsafe_allow_html=True)

PAGES = [
    st.Page("ui/articles.py", title="Articles", url_path="articles", default=True),
    st.Page("ui/review.py", title="Review", url_path="review"),
    st.Page("ui/corpus.py", title="Corpus", url_path="corpus"),
    st.Page("ui/sources.py", title="Sources", url_path="sources"),
    st.Page("ui/export.py", title="Export", url_path="export"),
]


def _remember_reviewer() -> None:
    # Widget state is dropped when pages switch, so the name lives under its own key (and in the
    # URL, so a reload keeps it).
    st.session_state["reviewer"] = st.session_state["reviewer_widget"].strip()
    st.query_params["reviewer"] = st.session_state["reviewer"]


workbench = get_workbench()
st.session_state.setdefault("reviewer", st.query_params.get("reviewer", ""))
st.session_state["reviewer_widget"] = st.session_state["reviewer"]
if st.session_state["reviewer"]:
    st.query_params["reviewer"] = st.session_state["reviewer"]  # page switches drop query parameters
st.sidebar.text_input("Reviewer", key="reviewer_widget", placeholder="your name", on_change=_remember_reviewer)
st.sidebar.caption(safe_md(f"Database: {workbench.settings.db_path}"))
st.navigation(PAGES).run()
