"""Evidence corpus actions: add documents (parsed drafts, files, folders, ingested articles, a
passage pasted on the review screen) with their passages, soft-delete documents, and seed a
brand-new workbench with the shipped demo data (marked demo, removable in one action).

Parsing and passage splitting happen before the write transaction; the write is one short
transaction per import, all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from checks.actions.core import Actor, Tx, action, perform

# Who the workbench's own setup work is recorded under.
from checks.actions.ratings import SHIPPED_DATA_ACTOR, load_shipped_ratings
from checks.config import DEMO_EVIDENCE
from checks.corpus import ImportResult, split_passages
from checks.embedding import text_hash
from checks.errors import InputError, NotFoundError
from checks.ingest import SUPPORTED_SUFFIXES, ArticleDraft, parse_upload
from checks.sources import registrable_domain
from checks.store import Store, content_hash, utc_now
from checks.vocab import AuditAction, Role

DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")  # a pasted passage's date: as precise as the reviewer knows it
PASTED = "pasted"  # origin of evidence pasted by a reviewer (a fetched page's origin is its URL)
# Audit actions that are account administration, not a user's own work: they do not stop the demo
# corpus from being seeded into a database an admin prepared before first start.
SETUP_ACTIONS = (AuditAction.ADD_ACCOUNT, AuditAction.CHANGE_ACCOUNT, AuditAction.SET_PASSWORD, AuditAction.SIGN_IN,
                 AuditAction.SIGN_IN_REFUSED, AuditAction.IMPORT_RATINGS)  # fmt: skip


Prepared = list[tuple[ArticleDraft, str, list[tuple[str, int, int]]]]


def prepare_documents(drafts: Iterable[ArticleDraft]) -> Prepared:
    """Hash and split documents before a write transaction opens (the slow part of an import)."""
    return [(d, content_hash(d.body), split_passages(d.body, d.title)) for d in drafts]


def store_documents(tx: Tx, prepared: Prepared, origin: str | None, demo: bool = False) -> ImportResult:
    """Inside an action: store prepared documents and their passages, skipping known texts (a
    deleted document whose text comes again is restored). ``origin`` names where they came from
    (None: each draft's own origin)."""
    result = ImportResult()
    for draft, digest, passages in prepared:
        stored = tx.one("SELECT id, deleted_at FROM documents WHERE content_hash = ?", (digest,))
        if stored and stored["deleted_at"] is None:
            result.duplicates += 1
            continue
        if stored:  # importing a deleted document's text again brings the document back
            tx.execute("UPDATE documents SET deleted_at = NULL WHERE id = ?", (stored["id"],))
            result.documents += 1
            result.document_ids.append(stored["id"])
            result.passages += tx.one("SELECT COUNT(*) AS n FROM passages WHERE document_id = ?", (stored["id"],))["n"]
            continue
        document_id = tx.execute(
            "INSERT INTO documents (url, title, domain, published, body, content_hash, origin, created_at, is_demo)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                draft.url,
                draft.title,
                draft.domain,
                draft.published,
                draft.body,
                digest,
                origin or draft.origin,
                utc_now(),
                int(demo),
            ),
        ).lastrowid
        tx.conn.executemany(
            "INSERT INTO passages (document_id, text, start, end, text_hash) VALUES (?,?,?,?,?)",
            [(document_id, text, start, end, text_hash(text)) for text, start, end in passages],
        )
        result.documents += 1
        result.document_ids.append(document_id)
        result.passages += len(passages)
    return result


@action(AuditAction.IMPORT_EVIDENCE, Role.EDITOR, cli="import-evidence")
def import_evidence(store: Store, actor: Actor, drafts: Iterable[ArticleDraft], origin: str, demo: bool = False) -> ImportResult:
    """Add documents and their passages to the evidence corpus; texts already stored are skipped.

    A deleted document whose text is imported again is restored."""
    prepared = prepare_documents(drafts)
    with perform(store, actor, import_evidence) as (tx, _):
        result = store_documents(tx, prepared, origin, demo)
        tx.log = bool(result.documents)
        tx.describe("documents", None, None, {"origin": origin, "documents": result.documents, "passages": result.passages})
    return result


def import_evidence_file(store: Store, actor: Actor, name: str, data: bytes, demo: bool = False) -> ImportResult:
    """Parse one evidence file (txt, md, html, json, jsonl, csv) and import it; bad records are reported."""
    batch = parse_upload(name, data)
    result = import_evidence(store, actor, batch.drafts, origin=name, demo=demo)
    result.problems = batch.problems + result.problems
    return result


def import_evidence_paths(
    store: Store, actor: Actor, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import files and every supported file below folders; a file that cannot be read is reported."""
    files: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES - {""})
            files += [(p, str(p.relative_to(path))) for p in found]
        elif path.exists():
            files.append((path, path.name))
        else:
            raise NotFoundError(f"{path} does not exist.")
    total = ImportResult()
    for number, (path, name) in enumerate(files, start=1):
        try:
            total.add(import_evidence_file(store, actor, name, path.read_bytes()))
        except (InputError, OSError) as error:
            total.problems.append(f"{name}: {error}")
        if progress:
            progress(number, len(files))
    return total


@action(AuditAction.IMPORT_EVIDENCE, Role.EDITOR, cli="corpus add-articles")
def add_articles_to_corpus(store: Store, actor: Actor, article_ids: Iterable[int]) -> ImportResult:
    """Make ingested articles searchable as evidence for other articles' claims."""
    drafts = []
    for article_id in article_ids:
        row = store.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        if row is None:
            raise NotFoundError(f"Article {article_id} does not exist.")
        drafts.append(
            ArticleDraft(row["title"], row["body"], row["byline"], row["published"], row["url"], row["domain"], "article")
        )
    return import_evidence(store, actor, drafts, origin="ingested articles")


def pasted_passage(text: str, source: str = "", published: str = "", title: str = "") -> ArticleDraft:
    """A passage a reviewer pasted, as a document: the source may be a URL or a bare domain."""
    body = text.strip()
    if not body:
        raise InputError("Paste the passage's text first.")
    source = source.strip()
    url = source if source.lower().startswith(("http://", "https://")) else None
    domain = registrable_domain(source) if source else None
    if source and not domain:
        raise InputError(f"'{source[:80]}' is neither a URL nor a domain.")
    published = published.strip()
    if published and not DATE.fullmatch(published):
        raise InputError(f"Give the date as YYYY-MM-DD (or YYYY-MM, YYYY), not '{published[:40]}'.")
    headline = title.strip() or (f"Pasted from {domain}" if domain else "Pasted passage")
    return ArticleDraft(headline, body, None, published or None, url, domain, PASTED)


@dataclass
class Deleted:
    """Documents taken out of the corpus by a delete."""

    documents: int = 0
    passages: int = 0
    document_ids: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"{self.documents} documents ({self.passages} passages) deleted; verdicts citing them keep the cited text."


@action(AuditAction.DELETE_DOCUMENT, Role.EDITOR, cli="corpus delete")
def delete_document(store: Store, actor: Actor, document_id: int) -> Deleted:
    """Take a document out of the evidence corpus (soft: verdicts that cite it keep the cited text)."""
    return _delete(store, actor, delete_document, "id = ?", (document_id,), f"document {document_id}")


@action(AuditAction.REMOVE_DEMO_DATA, Role.EDITOR, cli="corpus remove-demo")
def remove_demo_data(store: Store, actor: Actor) -> Deleted:
    """Delete the shipped demo documents from the evidence corpus (soft, like any delete)."""
    return _delete(store, actor, remove_demo_data, "is_demo = 1", (), None)


def _delete(store: Store, actor: Actor, function: Callable, where: str, params: tuple, single: str | None) -> Deleted:
    result = Deleted()
    with perform(store, actor, function) as (tx, _):
        rows = tx.all(
            "SELECT d.id, d.title, d.origin, (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages"
            f" FROM documents d WHERE {where} AND d.deleted_at IS NULL",
            params,
        )
        if single and not rows:
            raise NotFoundError(f"There is no {single} in the corpus (or it was already deleted).")
        tx.execute(f"UPDATE documents SET deleted_at = ? WHERE {where} AND deleted_at IS NULL", (utc_now(), *params))
        result.documents = len(rows)
        result.document_ids = [r["id"] for r in rows]
        result.passages = sum(r["passages"] for r in rows)
        tx.log = bool(rows)
        tx.describe(
            "documents", rows[0]["id"] if single and rows else None, None,
            {"deleted": [{"id": r["id"], "title": r["title"], "origin": r["origin"]} for r in rows]},
        )  # fmt: skip
    return result


def seed_demo_data(store: Store) -> bool:
    """Load the shipped ratings (on a fresh database, or a newer shipped version) and, on a brand-new
    database only, the demo evidence corpus, marked demo. A database that holds any article, any
    evidence document (deleted ones too: removed demo data stays removed) or any audited work of
    its users is never seeded. True if the corpus was seeded."""
    load_shipped_ratings(store)
    setup = ",".join("?" * len(SETUP_ACTIONS))
    used = store.query_one(
        "SELECT EXISTS(SELECT 1 FROM articles) OR EXISTS(SELECT 1 FROM documents)"
        f" OR EXISTS(SELECT 1 FROM audit_log WHERE reviewer != ? AND action NOT IN ({setup})) AS used",
        (SHIPPED_DATA_ACTOR.name, *map(str, SETUP_ACTIONS)),
    )
    if used["used"] or not DEMO_EVIDENCE.exists():
        return False
    import_evidence_file(store, SHIPPED_DATA_ACTOR, DEMO_EVIDENCE.name, DEMO_EVIDENCE.read_bytes(), demo=True)
    return True
