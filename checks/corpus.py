"""Evidence corpus: how documents become overlapping sentence-window passages that keep their
document, offsets, domain and date, what an import reports, the corpus's size and its listing.
Deleted documents (``deleted_at`` set) are outside the corpus: not counted, listed or searched.

Storing documents is an action (``checks.actions.evidence``); re-importing a document whose text is
already stored is a no-op there, so imports can be repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checks.claims import split_sentences
from checks.store import Store

PASSAGE_SENTENCES = 3  # sentences per passage: enough context to judge a claim, short to read
PASSAGE_STRIDE = 2  # windows overlap by one sentence so a fact split across a boundary survives


@dataclass
class ImportResult:
    """What an import (or a delete) did: documents and passages, duplicates skipped, problems per record."""

    documents: int = 0
    passages: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)  # the documents added (or deleted)

    def add(self, other: ImportResult) -> None:
        self.documents += other.documents
        self.passages += other.passages
        self.duplicates += other.duplicates
        self.problems += other.problems
        self.document_ids += other.document_ids

    @property
    def message(self) -> str:
        return self.summary()

    def summary(self) -> str:
        text = f"{self.documents} documents ({self.passages} passages) added, {self.duplicates} already present"
        if self.problems:
            text += f", {len(self.problems)} problems: " + "; ".join(self.problems[:5])
        return text


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


def corpus_size(store: Store) -> tuple[int, int]:
    """(documents, passages) currently in the evidence corpus."""
    row = store.query_one(
        "SELECT (SELECT COUNT(*) FROM documents WHERE deleted_at IS NULL) AS d, (SELECT COUNT(*) FROM passages p"
        " JOIN documents d ON d.id = p.document_id WHERE d.deleted_at IS NULL) AS p"
    )
    return int(row["d"]), int(row["p"])


def list_documents(store: Store, search: str = "", limit: int = 500) -> list[dict]:
    """Documents in the corpus, newest first, with their passage count and whether they are demo
    data; ``search`` keeps those whose title or text contains it (case-insensitive)."""
    pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.query(
        "SELECT d.id, d.title, d.domain, d.published, d.origin, d.is_demo, d.created_at,"
        " (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages"
        " FROM documents d WHERE d.deleted_at IS NULL"
        " AND (d.title LIKE :p ESCAPE '\\' OR d.body LIKE :p ESCAPE '\\') ORDER BY d.id DESC LIMIT :limit",
        {"p": pattern, "limit": limit},
    )
    return [{**dict(r), "is_demo": bool(r["is_demo"])} for r in rows]


def demo_documents(store: Store) -> int:
    """How many documents of the shipped demo corpus are still in the corpus."""
    return int(store.query_one("SELECT COUNT(*) FROM documents WHERE is_demo = 1 AND deleted_at IS NULL")[0])
