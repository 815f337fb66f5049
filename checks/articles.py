"""Articles and their claims as stored: listings, one article or claim, other appearances of the
same claim, and the pure rule that decides which claims are the same claim. Storing an article and
editing its claims are actions in ``checks.actions``.
"""

from __future__ import annotations

import json

import numpy as np

from checks.signals import is_near_copy
from checks.store import Store


def list_articles(store: Store) -> list[dict]:
    """Articles with review progress (claims done / total), newest first."""
    rows = store.query(
        "SELECT a.id, a.title, a.domain, a.url, a.published, a.created_at, a.assigned_to, a.second_reviewer, a.double_review,"
        " COUNT(c.id) AS claims, COUNT(v.claim_id) AS decided"
        " FROM articles a LEFT JOIN claims c ON c.article_id = a.id AND c.dropped = 0"
        " LEFT JOIN verdicts v ON v.claim_id = c.id GROUP BY a.id ORDER BY a.id DESC"
    )
    return [dict(r) for r in rows]


def get_article(store: Store, article_id: int) -> dict | None:
    row = store.query_one("SELECT * FROM articles WHERE id = ?", (article_id,))
    return dict(row) if row else None


def article_claims(store: Store, article_id: int, include_dropped: bool = False) -> list[dict]:
    """Claims in reading order with their verdict (if any)."""
    rows = store.query(
        "SELECT c.*, v.verdict, v.rationale, v.reviewer, v.decided_at, v.version FROM claims c"
        " LEFT JOIN verdicts v ON v.claim_id = c.id WHERE c.article_id = ?"
        + ("" if include_dropped else " AND c.dropped = 0")
        + " ORDER BY c.position, c.id",
        (article_id,),
    )
    return [_claim(r) for r in rows]


def _claim(row) -> dict:
    """A stored claim with its JSON columns read."""
    return {**dict(row), "reasons": json.loads(row["reasons"]), "split_suggestions": json.loads(row["split_suggestions"] or "[]")}


def get_claim(store: Store, claim_id: int) -> dict | None:
    row = store.query_one(
        "SELECT c.*, v.verdict, v.rationale, v.reviewer, v.decided_at, v.version FROM claims c"
        " LEFT JOIN verdicts v ON v.claim_id = c.id WHERE c.id = ?",
        (claim_id,),
    )
    return _claim(row) if row else None


# Two claims are "the same claim" when their embeddings are this close (MiniLM cosine) or their
# wording is a near-copy; one verdict can then serve every appearance.
SAME_CLAIM_COSINE = 0.9


Link = tuple[int, int | None, int | None]  # (new claim index, stored claim id, earlier new index)


def same_claim_links(pool: list[dict], pool_vectors: np.ndarray, texts: list[str], vectors: np.ndarray) -> list[Link]:
    """Which new claims repeat an earlier one: ``(new index, pool claim id, earlier new index)`` for
    each new claim whose embedding is within :data:`SAME_CLAIM_COSINE` of, or whose wording nearly
    copies, a stored claim (``pool``) or an earlier claim of the same batch (repeats inside one
    article group too). Pure: the caller stores the groups."""
    links: list[Link] = []
    for index, text in enumerate(texts):
        candidates = [("pool", row["id"], row["text"]) for row in pool] + [("new", i, texts[i]) for i in range(index)]
        if not candidates:
            continue
        similarity = np.vstack([pool_vectors, vectors[:index]]) @ vectors[index]
        best = int(np.argmax(similarity))
        if similarity[best] >= SAME_CLAIM_COSINE or is_near_copy(candidates[best][2], text):
            match = candidates[best]
        else:
            match = next((c for c in candidates if is_near_copy(c[2], text)), None)
        if match is not None:
            links.append((index, match[1] if match[0] == "pool" else None, match[1] if match[0] == "new" else None))
    return links


def appearances(store: Store, claim_id: int) -> list[dict]:
    """Other appearances of the same claim (same group), with their article and verdict."""
    rows = store.query(
        "SELECT o.id, o.text, o.start, o.end, a.id AS article_id, a.title, a.domain, v.verdict FROM claims c"
        " JOIN claims o ON o.group_key = c.group_key AND o.id != c.id AND o.dropped = 0"
        " JOIN articles a ON a.id = o.article_id LEFT JOIN verdicts v ON v.claim_id = o.id"
        " WHERE c.id = ? AND c.group_key IS NOT NULL ORDER BY a.id, o.position",
        (claim_id,),
    )
    return [dict(r) for r in rows]


def active_claim_ids(store: Store) -> list[int]:
    """Every claim still in review (not dropped), in article and reading order."""
    return [r["id"] for r in store.query("SELECT id FROM claims WHERE dropped = 0 ORDER BY article_id, position")]


def verdict_overview(store: Store) -> list[dict]:
    """One row per final verdict with its article (``#id headline``) and source, for charts."""
    rows = store.query(
        "SELECT '#' || a.id || ' ' || substr(a.title, 1, 24) AS article, COALESCE(a.domain, 'unknown') AS source, v.verdict"
        " FROM verdicts v JOIN claims c ON c.id = v.claim_id JOIN articles a ON a.id = c.article_id"
    )
    return [dict(r) for r in rows]


def verdict_reviewers(store: Store) -> list[str]:
    """Everyone who recorded a final verdict, alphabetically."""
    return [r["reviewer"] for r in store.query("SELECT DISTINCT reviewer FROM verdicts ORDER BY reviewer")]
