"""Accounts page (admins): who can sign in with which role; add accounts, change roles, reset
passwords, disable and enable. A new or reset account's one-time password is shown here once."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from checks import accounts, actions
from checks.vocab import Role
from ui.common import act, get_workbench, show_flashes


def _add() -> None:
    result = act(
        lambda actor: actions.add_account(
            get_workbench().store,
            actor,
            st.session_state.get("account_name", ""),
            st.session_state.get("account_role", Role.REVIEWER),
            identity=st.session_state.get("account_identity") or None,
        ),
        quiet=True,
    )
    if result is not None:
        st.session_state["one_time_password"] = (result.name, result.one_time_password)
        st.session_state["account_name"] = st.session_state["account_identity"] = ""


def _change(run) -> None:
    name = st.session_state.get("account_choice")
    if name:
        result = act(lambda actor: run(get_workbench().store, actor, name))
        if result is not None and result.one_time_password:
            st.session_state["one_time_password"] = (result.name, result.one_time_password)


def render() -> None:
    st.title("Accounts")
    show_flashes()
    store = get_workbench().store
    shown = st.session_state.pop("one_time_password", None)
    if shown:
        st.warning(f"One-time password for {shown[0]}: `{shown[1]}` — hand it over now; it is not shown again.")
    rows = accounts.list_accounts(store)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "name": a.name,
                    "role": str(a.role),
                    "sign-on identity": a.identity or "",
                    "active": not a.disabled,
                    "must change password": a.must_change_password,
                    "created": a.created_at[:10],
                }
                for a in rows
            ]
        ),
        hide_index=True,
        key="accounts_table",
    )
    with st.expander("Add an account", expanded=not rows):
        st.text_input("Name", key="account_name")
        st.selectbox(
            "Role",
            list(Role),
            key="account_role",
            help="reviewer: verdicts and marks; editor: also adjudication, "
            "bulk verdicts, reuse, claim edits, corpus, ratings, exports; admin: also accounts",
        )
        st.text_input("Sign-on identity (e-mail at the identity provider, optional)", key="account_identity")
        st.button("Add account", key="add_account", on_click=_add, type="primary")
    st.selectbox("Account", [a.name for a in rows], key="account_choice")
    row = st.columns(4)
    row[0].selectbox("New role", list(Role), key="account_new_role", label_visibility="collapsed")
    row[1].button(
        "Set role",
        key="set_role",
        on_click=_change,
        args=(lambda store, actor, name: actions.set_role(store, actor, name, st.session_state["account_new_role"]),),
    )
    row[2].button("Reset password", key="reset_password", on_click=_change, args=(actions.reset_password,))
    chosen = next((a for a in rows if a.name == st.session_state.get("account_choice")), None)
    if chosen is not None and chosen.disabled:
        row[3].button("Enable", key="enable_account", on_click=_change, args=(actions.enable_account,))
    else:
        row[3].button("Disable", key="disable_account", on_click=_change, args=(actions.disable_account,))


render()
