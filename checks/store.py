"""SQLite store: schema, migrations, connections, transactions, and the derived tables.

One file holds articles, claims, evidence documents and passages, cached embeddings, candidates,
verdicts, evidence marks, source ratings and the append-only audit log. WAL mode lets the app and
the CLI (or two reviewers) use it at once.

Who writes what: every change a person makes goes through ``checks.actions`` (validated, one
transaction, one audit event). This module writes only what is derived from that state and can be
recomputed at any time: the embedding cache, stored candidate lists, and the mirror of the
workbench's own verdicts into the fact-check library.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from checks.errors import ConfigurationError

OWN_COLLECTION = "workbench"  # the fact-check library's collection of the workbench's own verdicts
SQL_CHUNK = 900  # below SQLite's bound-parameter limit: every IN (...) list is built in chunks of this size


def utc_now() -> str:
    """Timestamp used for every stored time: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded: the identity used for de-duplication."""
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def claim_identity(claim: str) -> str:
    """Identity of a fact-checked claim's wording: quotes and case do not make a new claim."""
    return content_hash(claim.translate(str.maketrans("", "", "'\"‘’“”")))


def chunks(values: Sequence, size: int = SQL_CHUNK) -> Iterator[Sequence]:
    """Slices of at most ``size`` values, so no query binds an unbounded ``IN (...)`` list."""
    for begin in range(0, len(values), size):
        yield values[begin : begin + size]


# ------------------------------------------------------------------------------------ migrations
# Each migration takes the schema from the previous version to its own; never edit a shipped one,
# append a new one. ``PRAGMA user_version`` holds the number of migrations applied.


def _script(conn: sqlite3.Connection, sql: str) -> None:
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def m001_initial_schema(conn: sqlite3.Connection) -> None:
    """Articles, claims, evidence, embeddings, candidates, verdicts, marks, ratings, audit log."""
    _script(
        conn,
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
    )


def m002_factchecks_and_double_review(conn: sqlite3.Connection) -> None:
    """Earlier fact-checks (imported or our own), per-claim match decisions, blind double review."""
    _script(
        conn,
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
    )


def m003_factcheck_titles(conn: sqlite3.Connection) -> None:
    """Fact-check titles (Snopes-style collections carry one; BM25 matching uses it)."""
    conn.execute("ALTER TABLE factchecks ADD COLUMN title TEXT")


CLAIM_ENTITIES = ("verdicts", "evidence_marks", "factcheck_decisions", "independent_verdicts", "claims")


def m004_audit_changes(conn: sqlite3.Connection) -> None:
    """Audit events carry their row changes (what undo restores) and the claims they touch; the
    workbench's own verdicts are mirrored into the fact-check library as they change."""
    conn.execute("ALTER TABLE audit_log ADD COLUMN changes TEXT")
    conn.execute(
        "CREATE TABLE audit_targets (audit_id INTEGER NOT NULL REFERENCES audit_log(id), claim_id INTEGER NOT NULL,"
        " PRIMARY KEY (audit_id, claim_id))"
    )
    conn.execute("CREATE INDEX audit_targets_claim ON audit_targets(claim_id)")
    rows = conn.execute(
        f"SELECT id, entity, entity_id, old, new FROM audit_log WHERE entity_id IS NOT NULL"
        f" AND entity IN ({','.join('?' * len(CLAIM_ENTITIES))})",
        CLAIM_ENTITIES,
    ).fetchall()
    for row in rows:
        conn.execute("INSERT OR IGNORE INTO audit_targets (audit_id, claim_id) VALUES (?, ?)", (row[0], row[2]))
        old = json.loads(row[3]) if row[3] else None
        new = json.loads(row[4]) if row[4] else None
        # Earlier verdict and mark entries stored whole rows: they stay undoable.
        if row[1] == "verdicts" and "restored" not in (new or {}):
            change = {"table": "verdicts", "key": {"claim_id": row[2]}, "old": old, "new": new}
        elif row[1] == "evidence_marks" and (old or new) and "restored" not in (new or {}):
            key = {"claim_id": (new or old)["claim_id"], "passage_id": (new or old)["passage_id"]}
            change = {"table": "evidence_marks", "key": key, "old": old, "new": new}
        else:
            continue
        conn.execute("UPDATE audit_log SET changes = ? WHERE id = ?", (json.dumps([change]), row[0]))
    for (claim_id,) in conn.execute("SELECT claim_id FROM verdicts").fetchall():
        mirror_verdict(conn, claim_id)


def m005_accounts_and_blind_marks(conn: sqlite3.Connection) -> None:
    """Accounts with roles (sign-in) and each blind reviewer's private evidence marks."""
    _script(
        conn,
        """
        CREATE TABLE accounts (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('reviewer', 'editor', 'admin')),
            password_hash TEXT,
            identity TEXT UNIQUE,
            disabled INTEGER NOT NULL DEFAULT 0,
            must_change_password INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by TEXT
        );
        CREATE INDEX audit_action_actor ON audit_log(action, reviewer, at);
        CREATE TABLE blind_marks (
            claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            mark TEXT NOT NULL CHECK (mark IN ('supports', 'contradicts', 'not relevant')),
            marked_at TEXT NOT NULL,
            PRIMARY KEY (claim_id, passage_id, reviewer)
        );
        """,
    )


KEYED_RATING_COLUMNS = (
    "key", "dataset", "host", "path", "rating", "label", "rater", "scale", "as_of", "version", "imputed", "components",
    "notes", "updated_by", "updated_at",
)  # fmt: skip


def _keyed_rating(row: dict) -> tuple[str, dict]:
    """A rating row of the per-domain table (schemas 1–5) as a row of the keyed table, with the
    layer it belongs to: an override, the Iffy list, or an imported rating set."""
    rater = row.get("rater") or ""
    dataset = "override" if rater.startswith("override") else "iffy" if rater.startswith("Iffy") else "lin2023"
    keyed = {**row, "key": row["domain"], "dataset": dataset, "host": row["domain"], "path": "", "version": None}
    return dataset, {column: keyed.get(column) for column in KEYED_RATING_COLUMNS}


def _insert_keyed(conn: sqlite3.Connection, row: dict) -> None:
    conn.execute(f"INSERT INTO source_ratings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def m006_rating_keys(conn: sqlite3.Connection) -> None:
    """Ratings keyed by what was rated (a host, or a host and path prefix) in layers: each imported
    rating set, the list of unreliable sites and local overrides are separate rows, so an import
    never replaces an override and a listing never hides a score. The datasets loaded are recorded
    with their version and date. Rows of the old per-domain table keep their values under the
    domain as key; audited overrides stay undoable."""
    _script(
        conn,
        """
        CREATE TABLE source_ratings (
            key TEXT NOT NULL,
            dataset TEXT NOT NULL,
            host TEXT NOT NULL,
            path TEXT NOT NULL DEFAULT '',
            rating REAL,
            label TEXT NOT NULL,
            rater TEXT NOT NULL,
            scale TEXT NOT NULL,
            as_of TEXT,
            version TEXT,
            imputed INTEGER NOT NULL DEFAULT 0,
            components TEXT NOT NULL DEFAULT '{}',
            notes TEXT NOT NULL DEFAULT '',
            updated_by TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (key, dataset)
        );
        CREATE TABLE source_datasets (
            name TEXT PRIMARY KEY,
            rater TEXT NOT NULL,
            version TEXT,
            as_of TEXT,
            file TEXT,
            keys INTEGER NOT NULL,
            imported_by TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        """,
    )
    for old in conn.execute("SELECT * FROM sources").fetchall():
        old = dict(old)
        dataset, keyed = _keyed_rating(old)
        _insert_keyed(conn, keyed)
        listed = json.loads(old["components"] or "{}").get("iffy_listed")
        if listed and dataset != "iffy":
            # The old importer folded a listing into the rated row; it becomes its own listing row.
            as_of = listed if isinstance(listed, str) and not listed.startswith("http") else None
            listing = {
                **keyed,
                "dataset": "iffy",
                "rating": None,
                "label": "unreliable (listed)",
                "rater": "Iffy.news index of unreliable sources",
                "scale": "listed / not listed",
                "as_of": as_of,
                "imputed": 0,
                "components": json.dumps({"entry": listed if isinstance(listed, str) else old["domain"]}),
                "notes": "Listed as low credibility (Iffy.news, from MBFC low / very-low factual ratings).",
            }
            _insert_keyed(conn, listing)
    conn.execute("DROP TABLE sources")
    conn.execute("ALTER TABLE source_ratings RENAME TO sources")
    conn.execute("CREATE INDEX sources_host ON sources(host)")
    # Audited overrides recorded whole old-schema rows; rewritten to the keyed rows so undo finds them.
    for audit_id, changes in conn.execute("SELECT id, changes FROM audit_log WHERE changes LIKE '%\"sources\"%'").fetchall():
        rewritten = []
        for change in json.loads(changes):
            if change["table"] == "sources":
                # Only overrides were tracked row by row; an imported row on either side of one is
                # now its own layer, untouched by the override.
                old, new = (_keyed_rating(change[side]) if change[side] else (None, None) for side in ("old", "new"))
                old, new = (row if dataset == "override" else None for dataset, row in (old, new))
                if old is None and new is None:
                    continue
                change = {"table": "sources", "key": {"key": (new or old)["key"], "dataset": "override"}, "old": old, "new": new}
            rewritten.append(change)
        conn.execute("UPDATE audit_log SET changes = ? WHERE id = ?", (json.dumps(rewritten), audit_id))


def m007_claim_speaker_and_splits(conn: sqlite3.Connection) -> None:
    """Who a quoted claim is attributed to, and the clause splits offered for a compound claim."""
    conn.execute("ALTER TABLE claims ADD COLUMN speaker TEXT")
    conn.execute("ALTER TABLE claims ADD COLUMN split_suggestions TEXT NOT NULL DEFAULT '[]'")


DEMO_ORIGIN = "evidence.jsonl"  # origin of the shipped demo corpus (its file name)
SHIPPED_DATA_NAME = "shipped data"  # the actor name the workbench's own setup work is recorded under


def m008_document_deletion_and_demo(conn: sqlite3.Connection) -> None:
    """Evidence documents can be soft-deleted (their passages leave the index; verdicts keep their
    snapshot of cited text) and carry whether they are the shipped demo corpus. Documents the
    setup seeded from the demo file, at or before its import event, are marked demo."""
    conn.execute("ALTER TABLE documents ADD COLUMN deleted_at TEXT")
    conn.execute("ALTER TABLE documents ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        "UPDATE documents SET is_demo = 1 WHERE origin = ? AND created_at <= (SELECT MIN(at) FROM audit_log"
        " WHERE reviewer = ? AND action = 'import evidence')",
        (DEMO_ORIGIN, SHIPPED_DATA_NAME),
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial_schema,
    m002_factchecks_and_double_review,
    m003_factcheck_titles,
    m004_audit_changes,
    m005_accounts_and_blind_marks,
    m006_rating_keys,
    m007_claim_speaker_and_splits,
    m008_document_deletion_and_demo,
]


class _Connection(sqlite3.Connection):
    """A connection the store can hold weakly (a thread's connection closes when its thread ends)."""


class Store:
    """The workbench database, migrated to the latest schema on open.

    Each thread gets its own connection (Streamlit runs each session in its own thread): under WAL,
    one session's write transaction never makes another session's reads wait, and writers queue on
    SQLite's busy timeout instead of one process-wide lock. An in-memory database has a single
    connection shared under a lock (separate connections would be separate databases).
    """

    def __init__(self, path: str | Path, migrations: Sequence[Callable[[sqlite3.Connection], None]] = MIGRATIONS) -> None:
        self.path = Path(path)
        self._memory = str(path) == ":memory:"
        if not self._memory:
            if self.path.exists() and not self.path.is_file():
                raise ConfigurationError(f"The database path {self.path} is not a file.")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigurationError(f"Cannot create the data folder {self.path.parent}: {error.strerror}.") from error
        self._local = threading.local()
        self._open: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._lock = threading.RLock() if self._memory else contextlib.nullcontext()
        self._shared: _Connection | None = None
        try:
            self._migrate(migrations)
        except sqlite3.DatabaseError as error:
            raise ConfigurationError(f"{self.path} is not a usable workbench database: {error}.") from error

    def _connect(self) -> _Connection:
        conn = sqlite3.connect(
            str(self.path) if not self._memory else ":memory:",
            timeout=30,
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        self._open.add(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        if self._memory:
            if self._shared is None:
                self._shared = self._connect()
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _migrate(self, migrations: Sequence[Callable[[sqlite3.Connection], None]]) -> None:
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise ConfigurationError(
                    f"The database is at schema version {version}, newer than this workbench"
                    f" ({len(MIGRATIONS)}): update the workbench."
                )
            for number, migration in enumerate(migrations[version:], start=version + 1):
                migration(conn)
                conn.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction: takes the write lock up front so concurrent writers queue
        instead of failing half-way; rolls back on any exception."""
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        for conn in list(self._open):
            conn.close()
        self._local = threading.local()
        self._shared = None

    # ------------------------------------------------------------------------- derived state

    def put_embeddings(self, model_id: str, vectors: Iterable[tuple[str, bytes]]) -> None:
        """Cache vectors by (model, text hash); a vector already cached is kept."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO embeddings (model_id, text_hash, vector) VALUES (?,?,?)",
                [(model_id, text_hash, vector) for text_hash, vector in vectors],
            )

    def replace_candidates(self, claim_id: int, index_key: str, hits: Sequence[tuple[int, float, float, float]]) -> None:
        """Store a claim's ranked candidates ``(passage id, dense, lexical, fused)`` for an index version."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM candidates WHERE claim_id = ?", (claim_id,))
            conn.executemany(
                "INSERT INTO candidates (claim_id, passage_id, rank, dense, lexical, fused) VALUES (?,?,?,?,?,?)",
                [(claim_id, pid, rank, dense, lexical, fused) for rank, (pid, dense, lexical, fused) in enumerate(hits, start=1)],
            )
            conn.execute(
                "INSERT OR REPLACE INTO candidate_runs (claim_id, index_key, computed_at) VALUES (?,?,?)",
                (claim_id, index_key, utc_now()),
            )


def forget_candidates(conn: sqlite3.Connection, claim_id: int) -> None:
    """Inside a caller's transaction: the claim's stored candidates are stale (its text changed)."""
    conn.execute("DELETE FROM candidate_runs WHERE claim_id = ?", (claim_id,))


def mirror_verdict(conn: sqlite3.Connection, claim_id: int) -> None:
    """Inside a caller's transaction: make the library's copy of this claim's verdict (collection
    "workbench") match the verdict, so a claim in a new article meets the verdict of the same claim
    in an earlier one. A withdrawn verdict leaves the library with its match decisions. The date is
    the decision date: that is when the fact-check was made."""
    row = conn.execute(
        "SELECT v.verdict, v.reviewer, v.decided_at, c.text, a.url FROM verdicts v JOIN claims c ON c.id = v.claim_id"
        " JOIN articles a ON a.id = c.article_id WHERE v.claim_id = ?",
        (claim_id,),
    ).fetchone()
    current = conn.execute(
        "SELECT id FROM factchecks WHERE collection = ? AND claim_id = ?", (OWN_COLLECTION, claim_id)
    ).fetchone()
    if row is None:
        if current is not None:
            conn.execute("DELETE FROM factchecks WHERE id = ?", (current["id"],))
        return
    values = (
        row["text"],
        row["verdict"],
        row["url"],
        (row["decided_at"] or "")[:10] or None,
        f"workbench ({row['reviewer']})",
        # The claim id is part of the identity: the same sentence in two articles is two verdicts.
        claim_identity(f"{claim_id} {row['text']}"),
    )
    if current is None:
        conn.execute(
            "INSERT INTO factchecks (claim, verdict, url, published, publisher, content_hash, collection, external_id,"
            " claim_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (*values, OWN_COLLECTION, str(claim_id), claim_id, utc_now()),
        )
    else:
        conn.execute(
            "UPDATE factchecks SET claim = ?, verdict = ?, url = ?, published = ?, publisher = ?, content_hash = ? WHERE id = ?",
            (*values, current["id"]),
        )
