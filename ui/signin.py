"""Sign-in: who is using the app. Either the organisation's identity provider (Streamlit's OpenID
Connect sign-in, configured in ``.streamlit/secrets.toml`` under ``[auth]``) or the workbench's own
accounts (name and password). The signed-in actor lives in the session, is re-checked against its
account on every run (a disabled account or a changed role takes effect at once) and expires after
the configured hours."""

from __future__ import annotations

import time

import streamlit as st

from checks import accounts, actions
from checks.actions import Actor
from checks.errors import WorkbenchError
from ui.common import get_workbench


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file: the workbench's own accounts only
        return False


def sign_out() -> None:
    for key in ("actor", "signed_in_at", "must_change_password"):
        st.session_state.pop(key, None)
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()


def _password_sign_in() -> None:
    store = get_workbench().store
    name = st.session_state.get("signin_name", "")
    try:
        actor = actions.sign_in(store, name, st.session_state.get("signin_password", ""))
    except WorkbenchError as error:
        st.session_state["signin_error"] = str(error)
        return
    finally:
        st.session_state["signin_password"] = ""  # never kept in the session
    account = accounts.get_account(store, actor.name)
    st.session_state.update(
        actor=actor, signed_in_at=time.time(), must_change_password=bool(account and account.must_change_password)
    )
    st.session_state.pop("signin_error", None)


def _change_password() -> None:
    actor: Actor = st.session_state["actor"]
    new, again = st.session_state.get("new_password", ""), st.session_state.get("new_password_again", "")
    if new != again:
        st.session_state["signin_error"] = "The two new passwords differ."
        return
    try:
        actions.change_password(get_workbench().store, actor, st.session_state.get("current_password", ""), new)
    except WorkbenchError as error:
        st.session_state["signin_error"] = str(error)
        return
    finally:
        for key in ("current_password", "new_password", "new_password_again"):
            st.session_state[key] = ""
    st.session_state["must_change_password"] = False
    st.session_state.pop("signin_error", None)


def _render_sign_in() -> None:
    st.title("Fact-check workbench")
    st.subheader("Sign in")
    if "signin_error" in st.session_state:
        st.error(st.session_state["signin_error"])
    if _oidc_configured():
        if st.user.is_logged_in:
            identity = st.user.get("email") or st.user.get("sub") or ""
            try:
                actor = actions.sign_in_with_identity(get_workbench().store, identity, "single sign-on")
            except WorkbenchError as error:
                st.error(str(error))
                st.button("Sign out", key="oidc_sign_out", on_click=st.logout)
                return
            st.session_state.update(actor=actor, signed_in_at=time.time(), must_change_password=False)
            st.rerun()
        st.button("Sign in with your organisation", key="oidc_sign_in", type="primary", on_click=st.login)
        st.divider()
        st.caption("Or with a workbench account:")
    with st.form("signin_form"):
        st.text_input("Name", key="signin_name")
        st.text_input("Password", type="password", key="signin_password")
        st.form_submit_button("Sign in", type="primary", on_click=_password_sign_in)
    st.caption("Ask your workbench admin for an account. The first admin's one-time password is printed on the server console.")


def _render_change_password() -> None:
    st.title("Choose your password")
    st.info("You signed in with a one-time password: choose your own to continue.")
    if "signin_error" in st.session_state:
        st.error(st.session_state["signin_error"])
    with st.form("password_form"):
        st.text_input("One-time (current) password", type="password", key="current_password")
        st.text_input(f"New password (at least {accounts.MIN_PASSWORD_LENGTH} characters)", type="password", key="new_password")
        st.text_input("New password again", type="password", key="new_password_again")
        st.form_submit_button("Save password", type="primary", on_click=_change_password)


def current_actor() -> Actor:
    """The signed-in actor, re-read from its account; otherwise the sign-in page is shown and the
    run stops here."""
    workbench = get_workbench()
    actor: Actor | None = st.session_state.get("actor")
    if actor is not None:
        account = accounts.get_account(workbench.store, actor.name)
        expired = time.time() - st.session_state.get("signed_in_at", 0) > workbench.settings.session_hours * 3600
        if account is None or account.disabled or expired:
            sign_out()
            st.session_state["signin_error"] = (
                "Your session ended; please sign in again." if expired else "That account is no longer active."
            )
            actor = None
        else:
            actor = Actor(account.name, account.role)
            st.session_state["actor"] = actor
    if actor is None:
        _render_sign_in()
        st.stop()
    if st.session_state.get("must_change_password"):
        _render_change_password()
        st.stop()
    return actor
