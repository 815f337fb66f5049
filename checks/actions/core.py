"""The action layer's machinery: who acts (:class:`Actor`), the registry of actions (the role each
needs and the command-line command that runs it), and :func:`perform`, the one way an action
writes: it checks the actor and role, opens one transaction, tracks every row it changes and
appends exactly one typed audit event with those changes (which is what undo restores).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checks.errors import InputError, NotFoundError, PermissionDenied
from checks.store import Store, utc_now
from checks.vocab import AuditAction, Role

# Primary key of every table an action changes row by row (what a tracked change is keyed by).
KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("id",),
    "claims": ("id",),
    "documents": ("id",),
    "verdicts": ("claim_id",),
    "evidence_marks": ("claim_id", "passage_id"),
    "independent_verdicts": ("claim_id", "reviewer"),
    "factcheck_decisions": ("claim_id", "factcheck_id"),
    "sources": ("key", "dataset"),
    "accounts": ("name",),
    "blind_marks": ("claim_id", "passage_id", "reviewer"),
}
# Columns never copied into the audit log (a password hash stays in its own table only).
SECRET_COLUMNS: dict[str, set[str]] = {"accounts": {"password_hash"}}


@dataclass(frozen=True)
class Actor:
    """The person (or named process) an action is done by, with the role the action checks."""

    name: str
    role: Role = Role.EDITOR

    @classmethod
    def named(cls, name: str | None, role: Role = Role.EDITOR) -> Actor:
        """An actor from a typed name; an empty name is refused (no anonymous changes)."""
        cleaned = (name or "").strip()
        if not cleaned:
            raise InputError("Choose a reviewer name first: every change is recorded under a name.")
        return cls(cleaned, role)


@dataclass(frozen=True)
class ActionSpec:
    """What the registry knows of an action."""

    name: str
    audit: AuditAction
    role: Role
    cli: str  # the command-line command that runs it, e.g. "verdict" or "claim split"
    summary: str


REGISTRY: dict[str, ActionSpec] = {}
F = TypeVar("F", bound=Callable[..., Any])


def action(audit: AuditAction, role: Role, cli: str) -> Callable[[F], F]:
    """Register a function ``(store, actor, ...)`` as an action: the role it needs (checked before
    anything else, so a refused actor learns nothing from validation) and its CLI twin."""

    def register(function: F) -> F:
        summary = (function.__doc__ or "").strip().split("\n")[0]
        spec = ActionSpec(function.__name__, audit, role, cli, summary)

        @functools.wraps(function)
        def checked(store: Store, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            authorize(actor, spec.role, f"'{spec.cli}'")
            return function(store, actor, *args, **kwargs)

        checked.spec = spec  # type: ignore[attr-defined]
        REGISTRY[function.__name__] = spec
        return checked  # type: ignore[return-value]

    return register


@dataclass
class Change:
    """One row an action changed: its table and key, the row before and after (None = absent)."""

    table: str
    key: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        secret = SECRET_COLUMNS.get(self.table, set())

        def redact(row: dict[str, Any] | None) -> dict[str, Any] | None:
            return None if row is None else {k: ("[not logged]" if k in secret else v) for k, v in row.items()}

        return {"table": self.table, "key": self.key, "old": redact(self.old), "new": redact(self.new)}


@dataclass
class Tx:
    """The open transaction of one action: reads, tracked writes, and the event it will log."""

    conn: sqlite3.Connection
    actor: Actor
    audit: AuditAction
    changes: list[Change] = field(default_factory=list)
    claims: set[int] = field(default_factory=set)
    entity: str = ""
    entity_id: int | None = None
    old: Any = None
    new: Any = None
    log: bool = True  # False: the action found nothing to change, so no event is written
    then: list[Callable[[int], None]] = field(default_factory=list)  # run with the event's id, same transaction

    # ----------------------------------------------------------------------------------- reads
    def one(self, sql: str, params: Sequence | dict = ()) -> dict[str, Any] | None:
        row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row else None

    def all(self, sql: str, params: Sequence | dict = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def row(self, table: str, **key: Any) -> dict[str, Any] | None:
        where = " AND ".join(f"{column} = ?" for column in key)
        return self.one(f"SELECT * FROM {table} WHERE {where}", tuple(key.values()))

    # ---------------------------------------------------------------------------- tracked writes
    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row; tracked so undo can remove it. Returns the new row id."""
        columns = list(values)
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", tuple(values.values())
        )
        new = dict(values)
        if KEYS[table] == ("id",):
            new["id"] = cursor.lastrowid
        self.changes.append(Change(table, {k: new[k] for k in KEYS[table]}, None, new))
        return int(cursor.lastrowid)

    def put(self, table: str, values: dict[str, Any]) -> dict[str, Any] | None:
        """Insert or replace the row with these key values; returns the row it replaced."""
        key = {k: values[k] for k in KEYS[table]}
        old = self.row(table, **key)
        columns = list(values)
        self.conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(values.values()),
        )
        self.changes.append(Change(table, key, old, {**(old or {}), **values}))
        return old

    def update(self, table: str, key: dict[str, Any], **values: Any) -> dict[str, Any]:
        """Change some columns of an existing row; returns the row as it was."""
        old = self.row(table, **key)
        if old is None:
            raise NotFoundError(f"No {table[:-1].replace('_', ' ')} {', '.join(map(str, key.values()))}.")
        sets = ", ".join(f"{column} = ?" for column in values)
        where = " AND ".join(f"{column} = ?" for column in key)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*values.values(), *key.values()))
        self.changes.append(Change(table, key, old, {**old, **values}))
        return old

    def delete(self, table: str, **key: Any) -> dict[str, Any] | None:
        """Delete a row if present; returns it."""
        old = self.row(table, **key)
        if old is not None:
            where = " AND ".join(f"{column} = ?" for column in key)
            self.conn.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
            self.changes.append(Change(table, key, old, None))
        return old

    def execute(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Cursor:
        """An untracked write: bulk imports (summarised in the event) and derived columns."""
        return self.conn.execute(sql, params)

    # ------------------------------------------------------------------------------ the event
    def describe(
        self, entity: str, entity_id: int | None = None, old: Any = None, new: Any = None, claims: Sequence[int] = ()
    ) -> None:
        """What the audit event says: the entity acted on, a readable before/after, the claims touched."""
        self.entity, self.entity_id, self.old, self.new = entity, entity_id, old, new
        self.claims.update(claims)

    def _write_event(self) -> int:
        cursor = self.conn.execute(
            "INSERT INTO audit_log (at, reviewer, action, entity, entity_id, old, new, changes) VALUES (?,?,?,?,?,?,?,?)",
            (
                utc_now(),
                self.actor.name,
                str(self.audit),
                self.entity,
                self.entity_id,
                _json(self.old),
                _json(self.new),
                json.dumps([c.as_json() for c in self.changes], ensure_ascii=False, default=str) if self.changes else None,
            ),
        )
        audit_id = int(cursor.lastrowid)
        self.conn.executemany(
            "INSERT INTO audit_targets (audit_id, claim_id) VALUES (?, ?)", [(audit_id, c) for c in sorted(self.claims)]
        )
        return audit_id


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def authorize(actor: Actor, needed: Role, what: str) -> None:
    """Refuse an actor without a name or without the role an action needs."""
    if not isinstance(actor, Actor) or not actor.name.strip():
        raise InputError("Choose a reviewer name first: every change is recorded under a name.")
    if not actor.role.allows(needed):
        raise PermissionDenied(f"{actor.name} is a {actor.role}; {what} needs the {needed} role.")


@dataclass
class Performed:
    """Filled in when an action's transaction commits: the id of its audit event (None: nothing changed)."""

    audit_id: int | None = None


@contextmanager
def perform(
    store: Store, actor: Actor, function: Callable[..., Any], audit: AuditAction | None = None
) -> Iterator[tuple[Tx, Performed]]:
    """Run the body of a registered action (whose role :func:`action` already checked): one
    IMMEDIATE transaction, one audit event at commit.

    Any exception rolls everything back, the event included. ``audit`` overrides the registered
    audit action for variants (e.g. a verdict set by adjudication)."""
    spec: ActionSpec = function.spec  # type: ignore[attr-defined]
    done = Performed()
    with store.transaction() as conn:
        tx = Tx(conn, actor, audit or spec.audit)
        yield tx, done
        if tx.log:
            done.audit_id = tx._write_event()
            for follow_up in tx.then:
                follow_up(done.audit_id)
