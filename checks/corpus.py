"""Evidence corpus: import documents (files, folders, batches, ingested articles) and split them
into overlapping sentence-window passages that keep their document, offsets, domain and date.

Re-importing a document whose text is already stored is a no-op, so imports can be repeated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from checks.claims import split_sentences
from checks.embedding import text_hash
from checks.ingest import SUPPORTED_SUFFIXES, ArticleDraft, IngestError, parse_upload
from checks.store import Store, log_action, utc_now

PASSAGE_SENTENCES = 3  # sentences per passage: enough context to judge a claim, short to read
PASSAGE_STRIDE = 2  # windows overlap by one sentence so a fact split across a boundary survives


@dataclass
class ImportResult:
    """What an import did: new documents and passages, duplicates skipped, problems per record."""

    documents: int = 0
    passages: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.documents} documents ({self.passages} passages) added, {self.duplicates} already present"
        if self.problems:
            text += f", {len(self.problems)} problems: " + "; ".join(self.problems[:5])
        return text


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded: the identity used for de-duplication."""
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().lower().encode("utf-8")).hexdigest()


def split_passages(body: str, title: str | None = None) -> list[tuple[str, int, int]]:
    """Sentence windows (text, start, end) over each paragraph of the body; a paragraph that only
    repeats the title is skipped (the title is shown with every passage anyway)."""
    passages = []
    for paragraph in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", body):
        if title and paragraph.group().strip() == title.strip():
            continue
        sentences = split_sentences(paragraph.group(), offset=paragraph.start())
        if not sentences:
            continue
        last_start = max(len(sentences) - PASSAGE_SENTENCES, 0)
        for first in range(0, last_start + 1, PASSAGE_STRIDE):
            window = sentences[first : first + PASSAGE_SENTENCES]
            passages.append((body[window[0].start : window[-1].end], window[0].start, window[-1].end))
        if last_start % PASSAGE_STRIDE:  # the tail that the stride stepped over
            window = sentences[last_start:]
            passages.append((body[window[0].start : window[-1].end], window[0].start, window[-1].end))
    return passages


def add_documents(store: Store, drafts: Iterable[ArticleDraft], origin: str, reviewer: str = "import") -> ImportResult:
    """Store new documents and their passages in one transaction; skip known texts."""
    result = ImportResult()
    with store.transaction() as conn:
        for draft in drafts:
            digest = content_hash(draft.body)
            if conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (digest,)).fetchone():
                result.duplicates += 1
                continue
            document_id = conn.execute(
                "INSERT INTO documents (url, title, domain, published, body, content_hash, origin, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (draft.url, draft.title, draft.domain, draft.published, draft.body, digest, origin, utc_now()),
            ).lastrowid
            passages = split_passages(draft.body, draft.title)
            conn.executemany(
                "INSERT INTO passages (document_id, text, start, end, text_hash) VALUES (?,?,?,?,?)",
                [(document_id, text, start, end, text_hash(text)) for text, start, end in passages],
            )
            result.documents += 1
            result.passages += len(passages)
        if result.documents:
            log_action(conn, reviewer, "import evidence", "documents", None, new={"origin": origin, **result.__dict__})
    return result


def import_file(store: Store, name: str, data: bytes, reviewer: str = "import") -> ImportResult:
    """Import one evidence file (txt, md, html, json, jsonl, csv); bad records are reported."""
    try:
        batch = parse_upload(name, data)
    except IngestError as error:
        return ImportResult(problems=[str(error)])
    result = add_documents(store, batch.drafts, origin=name, reviewer=reviewer)
    result.problems = batch.problems + result.problems
    return result


def import_folder(
    store: Store, folder: Path, reviewer: str = "import", progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import every supported file below a folder."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES - {""})
    total = ImportResult()
    for number, path in enumerate(files, start=1):
        part = import_file(store, str(path.relative_to(folder)), path.read_bytes(), reviewer=reviewer)
        total.documents += part.documents
        total.passages += part.passages
        total.duplicates += part.duplicates
        total.problems += part.problems
        if progress:
            progress(number, len(files))
    return total


def add_articles(store: Store, article_ids: Iterable[int], reviewer: str = "import") -> ImportResult:
    """Make already-ingested articles searchable as evidence for other articles' claims."""
    drafts = []
    for article_id in article_ids:
        row = store.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
        if row:
            drafts.append(
                ArticleDraft(row["title"], row["body"], row["byline"], row["published"], row["url"], row["domain"], "article")
            )
    return add_documents(store, drafts, origin="ingested articles", reviewer=reviewer)


def corpus_size(store: Store) -> tuple[int, int]:
    """(documents, passages) currently in the evidence corpus."""
    row = store.query_one("SELECT (SELECT COUNT(*) FROM documents) AS d, (SELECT COUNT(*) FROM passages) AS p")
    return int(row["d"]), int(row["p"])
