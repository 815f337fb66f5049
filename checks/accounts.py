"""Accounts: who may sign in, with which role, and how a password is checked.

Passwords are stored only as argon2id hashes (argon2-cffi's defaults, RFC 9106); a new or reset
account gets a one-time password that must be changed at first sign-in. Sign-in attempts are audit
events, which is also what rate-limits them: after :data:`MAX_FAILURES` failures within
:data:`LOCKOUT_MINUTES` a name is refused until the window has passed. Creating, changing and
signing in are actions (``checks.actions.accounts``); this module only reads and checks.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from checks.errors import InputError
from checks.store import Store
from checks.vocab import AuditAction, Role

HASHER = PasswordHasher()
MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
FIRST_ADMIN = "admin"


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    identity: str | None  # the identity provider's e-mail (or subject) for single sign-on
    disabled: bool
    has_password: bool
    must_change_password: bool
    created_at: str


def _account(row) -> Account:
    return Account(
        name=row["name"],
        role=Role(row["role"]),
        identity=row["identity"],
        disabled=bool(row["disabled"]),
        has_password=row["password_hash"] is not None,
        must_change_password=bool(row["must_change_password"]),
        created_at=row["created_at"],
    )


def get_account(store: Store, name: str) -> Account | None:
    row = store.query_one("SELECT * FROM accounts WHERE name = ?", (name.strip(),))
    return _account(row) if row else None


def account_by_identity(store: Store, identity: str) -> Account | None:
    """The account linked to an identity provider's e-mail or subject (case-insensitive)."""
    row = store.query_one("SELECT * FROM accounts WHERE lower(identity) = lower(?)", (identity.strip(),))
    return _account(row) if row else None


def list_accounts(store: Store) -> list[Account]:
    return [_account(r) for r in store.query("SELECT * FROM accounts ORDER BY name")]


def has_accounts(store: Store) -> bool:
    return store.query_one("SELECT 1 FROM accounts LIMIT 1") is not None


def password_hash(store: Store, name: str) -> str | None:
    row = store.query_one("SELECT password_hash FROM accounts WHERE name = ?", (name,))
    return row["password_hash"] if row else None


def hash_password(password: str) -> str:
    check_password_rules(password)
    return HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """True when the password matches the stored hash; a missing or corrupt hash never matches."""
    if not stored_hash:
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def one_time_password() -> str:
    """A random password to hand over once (about 96 bits)."""
    return secrets.token_urlsafe(12)


def recent_failures(store: Store, name: str, minutes: int = LOCKOUT_MINUTES) -> int:
    """Failed sign-ins for a name within the last ``minutes``."""
    since = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")
    row = store.query_one(
        "SELECT COUNT(*) FROM audit_log WHERE action = ? AND reviewer = ? AND at >= ?",
        (str(AuditAction.SIGN_IN_REFUSED), name.strip(), since),
    )
    return int(row[0])
