"""SQLite store: schema, migrations, connections and transactions for all workbench state.

One file holds articles, claims, evidence documents and passages, cached embeddings, candidates,
verdicts, evidence marks, source ratings and the append-only audit log. WAL mode lets the app and
the CLI (or two reviewers) use it at once; every write goes through :meth:`Store.transaction`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Each entry migrates the schema from version i to i+1; never edit a shipped entry, append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        byline TEXT,
        published TEXT,
        url TEXT,
        domain TEXT,
        body TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        origin TEXT,
        assigned_to TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        start INTEGER,
        end INTEGER,
        is_headline INTEGER NOT NULL DEFAULT 0,
        score REAL NOT NULL,
        claim_type TEXT NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        group_key TEXT,
        dropped INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'to do',
        created_by TEXT
    );
    CREATE INDEX claims_article ON claims(article_id, position);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        url TEXT,
        title TEXT,
        domain TEXT,
        published TEXT,
        body TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        origin TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text_hash TEXT NOT NULL
    );
    CREATE INDEX passages_document ON passages(document_id);
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model_id, text_hash)
    );
    CREATE TABLE candidates (
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        dense REAL NOT NULL,
        lexical REAL NOT NULL,
        fused REAL NOT NULL,
        PRIMARY KEY (claim_id, passage_id)
    );
    CREATE TABLE candidate_runs (
        claim_id INTEGER PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
        index_key TEXT NOT NULL,
        computed_at TEXT NOT NULL
    );
    CREATE TABLE verdicts (
        claim_id INTEGER PRIMARY KEY REFERENCES claims(id) ON DELETE CASCADE,
        verdict TEXT NOT NULL CHECK (verdict IN ('verified', 'disputed', 'unsupported')),
        rationale TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        rating_snapshot TEXT NOT NULL DEFAULT '{}',
        evidence_snapshot TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL DEFAULT 1,
        decided_at TEXT NOT NULL
    );
    CREATE TABLE evidence_marks (
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        mark TEXT NOT NULL CHECK (mark IN ('supports', 'contradicts', 'not relevant')),
        reviewer TEXT NOT NULL,
        marked_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, passage_id)
    );
    CREATE TABLE sources (
        domain TEXT PRIMARY KEY,
        name TEXT,
        rating REAL,
        label TEXT NOT NULL,
        rater TEXT NOT NULL,
        scale TEXT NOT NULL,
        as_of TEXT,
        imputed INTEGER NOT NULL DEFAULT 0,
        components TEXT NOT NULL DEFAULT '{}',
        notes TEXT NOT NULL DEFAULT '',
        updated_by TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE source_history (
        id INTEGER PRIMARY KEY,
        domain TEXT NOT NULL,
        previous TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id INTEGER,
        old TEXT,
        new TEXT,
        undone_by INTEGER
    );
    CREATE INDEX audit_entity ON audit_log(entity, entity_id);
    """,
    # 2: earlier fact-checks (imported or our own) and per-claim match decisions; blind double review.
    """
    CREATE TABLE factchecks (
        id INTEGER PRIMARY KEY,
        claim TEXT NOT NULL,
        verdict TEXT NOT NULL,
        url TEXT,
        published TEXT,
        publisher TEXT,
        collection TEXT NOT NULL,
        external_id TEXT,
        claim_id INTEGER REFERENCES claims(id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (collection, content_hash)
    );
    CREATE TABLE factcheck_decisions (
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        factcheck_id INTEGER NOT NULL REFERENCES factchecks(id) ON DELETE CASCADE,
        decision TEXT NOT NULL CHECK (decision IN ('reused', 'dismissed')),
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, factcheck_id)
    );
    CREATE TABLE independent_verdicts (
        claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        reviewer TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('verified', 'disputed', 'unsupported')),
        rationale TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, reviewer)
    );
    ALTER TABLE articles ADD COLUMN double_review INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN second_reviewer TEXT;
    """,
    # 3: fact-check titles (Snopes-style collections carry one; BM25 matching uses it).
    """
    ALTER TABLE factchecks ADD COLUMN title TEXT;
    """,
]


def utc_now() -> str:
    """Timestamp used for every stored time: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A connection to the workbench database, migrated to the latest schema on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Streamlit runs callbacks on other threads than the one that opened the connection; the
        # lock serialises use of the one connection so that is safe.
        self.conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 30000")
        if str(path) != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction: takes the write lock up front so concurrent writers queue
        instead of failing half-way; rolls back on any exception."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        self.conn.close()


def log_action(
    conn: sqlite3.Connection,
    reviewer: str,
    action: str,
    entity: str,
    entity_id: int | None,
    old: Any = None,
    new: Any = None,
) -> int:
    """Append one audit entry inside the caller's transaction; returns its id."""
    cursor = conn.execute(
        "INSERT INTO audit_log (at, reviewer, action, entity, entity_id, old, new) VALUES (?,?,?,?,?,?,?)",
        (
            utc_now(),
            reviewer,
            action,
            entity,
            entity_id,
            None if old is None else json.dumps(old, ensure_ascii=False, default=str),
            None if new is None else json.dumps(new, ensure_ascii=False, default=str),
        ),
    )
    return int(cursor.lastrowid)
