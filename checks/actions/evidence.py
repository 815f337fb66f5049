"""Evidence corpus actions: add documents (parsed drafts, files, folders, ingested articles) with
their passages, and seed a fresh workbench with the shipped demo data.

Parsing and passage splitting happen before the write transaction; the write is one short
transaction per import, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from checks.actions.core import Actor, Tx, action, perform

# Who the workbench's own setup work is recorded under.
from checks.actions.ratings import SHIPPED_DATA_ACTOR, load_shipped_ratings
from checks.config import DEMO_EVIDENCE
from checks.corpus import ImportResult, split_passages
from checks.embedding import text_hash
from checks.errors import InputError, NotFoundError
from checks.ingest import SUPPORTED_SUFFIXES, ArticleDraft, parse_upload
from checks.store import Store, content_hash, utc_now
from checks.vocab import AuditAction, Role

Prepared = list[tuple[ArticleDraft, str, list[tuple[str, int, int]]]]


def prepare_documents(drafts: Iterable[ArticleDraft]) -> Prepared:
    """Hash and split documents before a write transaction opens (the slow part of an import)."""
    return [(d, content_hash(d.body), split_passages(d.body, d.title)) for d in drafts]


def store_documents(tx: Tx, prepared: Prepared, origin: str | None) -> ImportResult:
    """Inside an action: store prepared documents and their passages, skipping known texts.
    ``origin`` names where they came from (None: each draft's own origin)."""
    result = ImportResult()
    for draft, digest, passages in prepared:
        if tx.one("SELECT 1 AS found FROM documents WHERE content_hash = ?", (digest,)):
            result.duplicates += 1
            continue
        document_id = tx.execute(
            "INSERT INTO documents (url, title, domain, published, body, content_hash, origin, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (draft.url, draft.title, draft.domain, draft.published, draft.body, digest, origin or draft.origin, utc_now()),
        ).lastrowid
        tx.conn.executemany(
            "INSERT INTO passages (document_id, text, start, end, text_hash) VALUES (?,?,?,?,?)",
            [(document_id, text, start, end, text_hash(text)) for text, start, end in passages],
        )
        result.documents += 1
        result.passages += len(passages)
    return result


@action(AuditAction.IMPORT_EVIDENCE, Role.EDITOR, cli="import-evidence")
def import_evidence(store: Store, actor: Actor, drafts: Iterable[ArticleDraft], origin: str) -> ImportResult:
    """Add documents and their passages to the evidence corpus; texts already stored are skipped."""
    prepared = prepare_documents(drafts)
    with perform(store, actor, import_evidence) as (tx, _):
        result = store_documents(tx, prepared, origin)
        tx.log = bool(result.documents)
        tx.describe("documents", None, None, {"origin": origin, "documents": result.documents, "passages": result.passages})
    return result


def import_evidence_file(store: Store, actor: Actor, name: str, data: bytes) -> ImportResult:
    """Parse one evidence file (txt, md, html, json, jsonl, csv) and import it; bad records are reported."""
    batch = parse_upload(name, data)
    result = import_evidence(store, actor, batch.drafts, origin=name)
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


def seed_demo_data(store: Store) -> bool:
    """Load the shipped ratings (on a fresh database, or a newer shipped version) and, on a fresh
    database, the demo evidence corpus. True if the corpus was seeded."""
    load_shipped_ratings(store)
    if store.query_one("SELECT 1 FROM documents LIMIT 1") or not DEMO_EVIDENCE.exists():
        return False
    import_evidence_file(store, SHIPPED_DATA_ACTOR, DEMO_EVIDENCE.name, DEMO_EVIDENCE.read_bytes())
    return True
