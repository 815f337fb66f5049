"""Account actions: an admin adds accounts, changes roles, resets passwords and disables accounts;
everyone changes their own password; signing in checks a password and is itself audited (which is
what rate-limits it). The first admin is created once, on a database with no accounts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from checks import accounts
from checks.actions.core import Actor, action, perform
from checks.errors import InputError, NotFoundError, PermissionDenied
from checks.store import Store, utc_now
from checks.vocab import AuditAction, Role

NAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._- @")


@dataclass(frozen=True)
class AccountSaved:
    name: str
    role: Role
    one_time_password: str | None  # shown once to the admin, never stored in clear
    audit_id: int | None

    @property
    def message(self) -> str:
        text = f"account {self.name} ({self.role})"
        if self.one_time_password:
            text += f"; one-time password: {self.one_time_password} (must be changed at first sign-in)"
        return text


def _parse_role(role: str | Role) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise InputError(f"Role must be one of {', '.join(Role)}; got '{role}'.") from None


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80 or not set(name) <= NAME_CHARACTERS:
        raise InputError("An account name is 1–80 letters, digits, spaces or . _ - @.")
    return name


@action(AuditAction.ADD_ACCOUNT, Role.ADMIN, cli="users add")
def add_account(
    store: Store, actor: Actor, name: str, role: str | Role, password: str | None = None, identity: str | None = None
) -> AccountSaved:
    """Add an account; without a password it gets a one-time password to change at first sign-in."""
    name, role = _check_name(name), _parse_role(role)
    one_time = None if password else accounts.one_time_password()
    hashed = accounts.hash_password(password) if password else accounts.HASHER.hash(one_time)
    with perform(store, actor, add_account) as (tx, done):
        if tx.row("accounts", name=name):
            raise InputError(f"An account named {name} already exists.")
        tx.put(
            "accounts",
            {
                "name": name,
                "role": str(role),
                "password_hash": hashed,
                "identity": (identity or "").strip() or None,
                "disabled": 0,
                "must_change_password": int(one_time is not None),
                "created_at": utc_now(),
                "created_by": actor.name,
            },
        )
        tx.describe("accounts", None, None, {"name": name, "role": role, "identity": identity})
    return AccountSaved(name, role, one_time, done.audit_id)


def _change(store: Store, actor: Actor, function, name: str, **values) -> AccountSaved:
    with perform(store, actor, function) as (tx, done):
        old = tx.row("accounts", name=name)
        if old is None:
            raise NotFoundError(f"No account named {name}.")
        if name == actor.name and (values.get("disabled") or values.get("role") not in (None, str(Role.ADMIN))):
            raise InputError("You cannot disable your own account or take away your own admin role.")
        tx.update("accounts", {"name": name}, **values)
        tx.describe("accounts", None, {k: old[k] for k in values}, {"name": name, **values})
    return AccountSaved(name, Role(values.get("role", old["role"])), None, done.audit_id)


@action(AuditAction.CHANGE_ACCOUNT, Role.ADMIN, cli="users role")
def set_role(store: Store, actor: Actor, name: str, role: str | Role) -> AccountSaved:
    """Change an account's role."""
    return _change(store, actor, set_role, name, role=str(_parse_role(role)))


@action(AuditAction.CHANGE_ACCOUNT, Role.ADMIN, cli="users disable")
def disable_account(store: Store, actor: Actor, name: str) -> AccountSaved:
    """Disable an account: it can no longer sign in or act (its history stays)."""
    return _change(store, actor, disable_account, name, disabled=1)


@action(AuditAction.CHANGE_ACCOUNT, Role.ADMIN, cli="users enable")
def enable_account(store: Store, actor: Actor, name: str) -> AccountSaved:
    """Enable a disabled account again."""
    return _change(store, actor, enable_account, name, disabled=0)


@action(AuditAction.SET_PASSWORD, Role.ADMIN, cli="users reset-password")
def reset_password(store: Store, actor: Actor, name: str) -> AccountSaved:
    """Give an account a new one-time password (to be changed at its next sign-in)."""
    one_time = accounts.one_time_password()
    with perform(store, actor, reset_password) as (tx, done):
        old = tx.row("accounts", name=name)
        if old is None:
            raise NotFoundError(f"No account named {name}.")
        hashed = accounts.HASHER.hash(one_time)
        tx.execute("UPDATE accounts SET password_hash = ?, must_change_password = 1 WHERE name = ?", (hashed, name))
        tx.describe("accounts", None, None, {"name": name, "password": "reset"})
    return AccountSaved(name, Role(old["role"]), one_time, done.audit_id)


@action(AuditAction.SET_PASSWORD, Role.REVIEWER, cli="users password")
def change_password(store: Store, actor: Actor, current: str, new: str) -> AccountSaved:
    """Change your own password (the current one is checked)."""
    if not accounts.password_matches(accounts.password_hash(store, actor.name), current):
        raise PermissionDenied("The current password is not right.")
    if new == current:
        raise InputError("Choose a password different from the current one.")
    hashed = accounts.hash_password(new)
    with perform(store, actor, change_password) as (tx, done):
        tx.execute("UPDATE accounts SET password_hash = ?, must_change_password = 0 WHERE name = ?", (hashed, actor.name))
        tx.describe("accounts", None, None, {"name": actor.name, "password": "changed"})
    return AccountSaved(actor.name, actor.role, None, done.audit_id)


def _log_sign_in(store: Store, name: str, audit: AuditAction, detail: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO audit_log (at, reviewer, action, entity, entity_id, new) VALUES (?,?,?,?,?,?)",
            (utc_now(), name, str(audit), "accounts", None, json.dumps({"detail": detail})),
        )


def sign_in(store: Store, name: str, password: str, method: str = "password") -> Actor:
    """Check a name and password; returns the signed-in actor or refuses with one reason. Every
    attempt is logged; too many failures lock the name for a while."""
    name = (name or "").strip()
    if accounts.recent_failures(store, name) >= accounts.MAX_FAILURES:
        _log_sign_in(store, name, AuditAction.SIGN_IN_REFUSED, "locked")
        raise PermissionDenied(f"Too many failed sign-ins for {name}; try again in {accounts.LOCKOUT_MINUTES} minutes.")
    account = accounts.get_account(store, name) if name else None
    if account is None or account.disabled or not accounts.password_matches(accounts.password_hash(store, name), password):
        reason = "disabled" if account and account.disabled else "wrong name or password"
        _log_sign_in(store, name or "(empty)", AuditAction.SIGN_IN_REFUSED, reason)
        raise PermissionDenied("That name and password do not match an active account.")
    _log_sign_in(store, name, AuditAction.SIGN_IN, method)
    return Actor(account.name, account.role)


def sign_in_with_identity(store: Store, identity: str, provider: str) -> Actor:
    """The account an identity provider vouched for (matched by e-mail or subject); logged."""
    account = accounts.account_by_identity(store, identity) if identity else None
    if account is None or account.disabled:
        _log_sign_in(store, identity or "(no identity)", AuditAction.SIGN_IN_REFUSED, f"{provider}: no active account")
        raise PermissionDenied(f"{identity or 'This identity'} has no active account here; ask an admin to add it.")
    _log_sign_in(store, account.name, AuditAction.SIGN_IN, provider)
    return Actor(account.name, account.role)


def account_actor(store: Store, name: str) -> Actor:
    """The actor for a named account (the command line's ``--as``): it must exist and be active."""
    account = accounts.get_account(store, name)
    if account is None:
        raise PermissionDenied(f"No account named {name}; an admin adds it with `python -m checks users add`.")
    if account.disabled:
        raise PermissionDenied(f"The account {name} is disabled.")
    return Actor(account.name, account.role)


def ensure_first_admin(store: Store) -> str | None:
    """On a database with no accounts, create the admin account; returns its one-time password
    (to print on the server console), or None when accounts already exist."""
    if accounts.has_accounts(store):
        return None
    system = Actor("workbench setup", Role.ADMIN)
    try:
        return add_account(store, system, accounts.FIRST_ADMIN, Role.ADMIN).one_time_password
    except InputError:
        return None  # another process created it first
