"""Articles and their claims in the store: save an ingested article with its extracted claims,
list them, and let reviewers edit, split, merge, add or drop claims (each change audited).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from checks.claims import extract_claims, score_sentence
from checks.corpus import content_hash
from checks.embedding import Encoder, cached_embeddings
from checks.ingest import ArticleDraft
from checks.signals import is_near_copy
from checks.store import Store, log_action, utc_now


@dataclass
class SaveResult:
    article_id: int
    created: bool  # False when the same text was already stored (duplicate submission)
    claims: int


def save_article(store: Store, draft: ArticleDraft, reviewer: str = "import", encoder: Encoder | None = None) -> SaveResult:
    """Store an article and its claims atomically; a repeated submission returns the stored one.

    With ``encoder`` the claim scores include the learned embedding part (see ``checks.claims.score_sentences``).
    """
    digest = content_hash(draft.body)
    with store.transaction() as conn:
        existing = conn.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if existing:
            count = conn.execute("SELECT COUNT(*) FROM claims WHERE article_id = ?", (existing["id"],)).fetchone()[0]
            return SaveResult(int(existing["id"]), False, int(count))
        article_id = conn.execute(
            "INSERT INTO articles (title, byline, published, url, domain, body, content_hash, origin, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                draft.title,
                draft.byline,
                draft.published,
                draft.url,
                draft.domain,
                draft.body,
                digest,
                draft.origin,
                utc_now(),
            ),
        ).lastrowid
        claims = extract_claims(draft.body, encoder)
        conn.executemany(
            "INSERT INTO claims (article_id, position, text, start, end, is_headline, score, claim_type, reasons,"
            " created_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    article_id,
                    position,
                    c.text,
                    c.start,
                    c.end,
                    int(c.is_headline),
                    c.score,
                    c.claim_type,
                    json.dumps(c.reasons),
                    "extractor",
                )
                for position, c in enumerate(claims)
            ],
        )
        log_action(conn, reviewer, "ingest article", "articles", article_id, new={"title": draft.title, "claims": len(claims)})
    return SaveResult(int(article_id), True, len(claims))


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
    return [{**dict(r), "reasons": json.loads(r["reasons"])} for r in rows]


def get_claim(store: Store, claim_id: int) -> dict | None:
    row = store.query_one(
        "SELECT c.*, v.verdict, v.rationale, v.reviewer, v.decided_at, v.version FROM claims c"
        " LEFT JOIN verdicts v ON v.claim_id = c.id WHERE c.id = ?",
        (claim_id,),
    )
    return {**dict(row), "reasons": json.loads(row["reasons"])} if row else None


def _rescore(conn, claim_id: int, text: str) -> None:
    score, claim_type, reasons = score_sentence(text)
    conn.execute(
        "UPDATE claims SET text = ?, score = ?, claim_type = ?, reasons = ? WHERE id = ?",
        (text, score, claim_type, json.dumps(reasons), claim_id),
    )


def edit_claim(store: Store, claim_id: int, text: str, reviewer: str) -> None:
    """Reword a claim (offsets keep pointing at the sentence it came from); rescored and audited."""
    text = text.strip()
    if not text:
        raise ValueError("A claim cannot be empty; drop it instead.")
    with store.transaction() as conn:
        old = conn.execute("SELECT text FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if old is None:
            raise KeyError(claim_id)
        _rescore(conn, claim_id, text)
        conn.execute("DELETE FROM candidate_runs WHERE claim_id = ?", (claim_id,))
        log_action(conn, reviewer, "edit claim", "claims", claim_id, old={"text": old["text"]}, new={"text": text})


def set_dropped(store: Store, claim_id: int, dropped: bool, reviewer: str) -> None:
    """Drop a claim from review (or restore it); it stays stored and audited."""
    with store.transaction() as conn:
        conn.execute("UPDATE claims SET dropped = ? WHERE id = ?", (int(dropped), claim_id))
        log_action(conn, reviewer, "drop claim" if dropped else "restore claim", "claims", claim_id, new={"dropped": dropped})


def add_claim(store: Store, article_id: int, text: str, reviewer: str) -> int:
    """A reviewer's own claim; placed at its offsets when the text occurs in the article."""
    text = text.strip()
    if not text:
        raise ValueError("A claim cannot be empty.")
    with store.transaction() as conn:
        body = conn.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()["body"]
        start = body.find(text)
        # Reading order: before the first claim that starts after it, or last when not in the text.
        following = conn.execute(
            "SELECT MIN(position) FROM claims WHERE article_id = ? AND start > ?", (article_id, start)
        ).fetchone()[0]
        if start >= 0 and following is not None:
            position = following
            conn.execute(
                "UPDATE claims SET position = position + 1 WHERE article_id = ? AND position >= ?",
                (article_id, position),
            )
        else:
            position = conn.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM claims WHERE article_id = ?", (article_id,)
            ).fetchone()[0]
        score, claim_type, reasons = score_sentence(text)
        claim_id = conn.execute(
            "INSERT INTO claims (article_id, position, text, start, end, score, claim_type, reasons, created_by)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                article_id,
                position,
                text,
                start if start >= 0 else None,
                start + len(text) if start >= 0 else None,
                score,
                claim_type,
                json.dumps(reasons),
                reviewer,
            ),
        ).lastrowid
        log_action(conn, reviewer, "add claim", "claims", claim_id, new={"text": text})
    return int(claim_id)


def split_claim(store: Store, claim_id: int, at: int, reviewer: str) -> int:
    """Split a claim's text at a character position into two claims; returns the new claim's id."""
    with store.transaction() as conn:
        claim = conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone()
        first, second = claim["text"][:at].strip(), claim["text"][at:].strip()
        if not first or not second:
            raise ValueError("Split point must leave text on both sides.")
        _rescore(conn, claim_id, first)
        second_start = claim["start"] + claim["text"].index(second, len(first)) if claim["start"] is not None else None
        conn.execute(
            "UPDATE claims SET end = ? WHERE id = ?",
            (claim["start"] + len(first) if claim["start"] is not None else None, claim_id),
        )
        conn.execute(
            "UPDATE claims SET position = position + 1 WHERE article_id = ? AND position > ?",
            (claim["article_id"], claim["position"]),
        )
        score, claim_type, reasons = score_sentence(second)
        new_id = conn.execute(
            "INSERT INTO claims (article_id, position, text, start, end, score, claim_type, reasons, created_by)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                claim["article_id"],
                claim["position"] + 1,
                second,
                second_start,
                second_start + len(second) if second_start is not None else None,
                score,
                claim_type,
                json.dumps(reasons),
                reviewer,
            ),
        ).lastrowid
        conn.execute("DELETE FROM candidate_runs WHERE claim_id = ?", (claim_id,))
        log_action(
            conn,
            reviewer,
            "split claim",
            "claims",
            claim_id,
            old={"text": claim["text"]},
            new={"texts": [first, second], "new_id": new_id},
        )
    return int(new_id)


def merge_claims(store: Store, first_id: int, second_id: int, reviewer: str) -> None:
    """Merge the second claim into the first (texts joined, span widened); the second is dropped."""
    with store.transaction() as conn:
        first = conn.execute("SELECT * FROM claims WHERE id = ?", (first_id,)).fetchone()
        second = conn.execute("SELECT * FROM claims WHERE id = ?", (second_id,)).fetchone()
        if first["article_id"] != second["article_id"]:
            raise ValueError("Only claims of the same article can be merged.")
        _rescore(conn, first_id, f"{first['text']} {second['text']}")
        if first["start"] is not None and second["end"] is not None:
            conn.execute(
                "UPDATE claims SET start = ?, end = ? WHERE id = ?",
                (min(first["start"], second["start"]), max(first["end"], second["end"]), first_id),
            )
        conn.execute("UPDATE claims SET dropped = 1 WHERE id = ?", (second_id,))
        conn.execute("DELETE FROM candidate_runs WHERE claim_id = ?", (first_id,))
        log_action(
            conn,
            reviewer,
            "merge claims",
            "claims",
            first_id,
            old={"texts": [first["text"], second["text"]]},
            new={"merged_from": second_id},
        )


# Two claims are "the same claim" when their embeddings are this close (MiniLM cosine) or their
# wording is a near-copy; one verdict can then serve every appearance.
SAME_CLAIM_COSINE = 0.9


def group_near_duplicates(store: Store, encoder: Encoder, article_id: int) -> int:
    """Give an article's claims the group of any near-duplicate claim already stored (in this or
    another article). Returns how many claims joined a group; each keeps its own offsets."""
    new = store.query("SELECT id, text FROM claims WHERE article_id = ? AND dropped = 0 ORDER BY position", (article_id,))
    older = store.query("SELECT id, text, group_key FROM claims WHERE article_id != ? AND dropped = 0", (article_id,))
    if not new:
        return 0
    pool = [dict(r) for r in older]
    vectors = cached_embeddings(store, encoder, [r["text"] for r in pool] + [r["text"] for r in new])
    joined = 0
    with store.transaction() as conn:
        for index, claim in enumerate(new):
            own = vectors[len(pool) + index]
            # Earlier claims of the same article count too, so repeats inside one article group.
            candidates = pool + [{"id": r["id"], "text": r["text"], "group_key": None} for r in new[:index]]
            if not candidates:
                continue
            matrix = np.vstack([vectors[: len(pool)], vectors[len(pool) : len(pool) + index]])
            similarity = matrix @ own
            best = int(np.argmax(similarity))
            if similarity[best] < SAME_CLAIM_COSINE and not is_near_copy(candidates[best]["text"], claim["text"]):
                match = next((c for c in candidates if is_near_copy(c["text"], claim["text"])), None)
            else:
                match = candidates[best]
            if match is None:
                continue
            key = conn.execute(
                "SELECT COALESCE(group_key, CAST(id AS TEXT)) FROM claims WHERE id = ?", (match["id"],)
            ).fetchone()[0]
            conn.execute("UPDATE claims SET group_key = ? WHERE id IN (?, ?)", (key, match["id"], claim["id"]))
            joined += 1
    return joined


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
