"""Fact-check workbench: the Streamlit app. Run with ``streamlit run workbench.py``."""

from __future__ import annotations

import streamlit as st

from checks.vocab import Role
from ui import signin
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
ADMIN_PAGES = [st.Page("ui/accounts.py", title="Accounts", url_path="accounts")]

workbench = get_workbench()
actor = signin.current_actor()
st.sidebar.markdown(f"Signed in as **{safe_md(actor.name)}** ({actor.role})")
st.sidebar.button("Sign out", key="sign_out", on_click=signin.sign_out)
st.sidebar.caption(safe_md(f"Database: {workbench.settings.db_path}"))
st.navigation(PAGES + (ADMIN_PAGES if actor.role.allows(Role.ADMIN) else [])).run()
