"""Article and claim actions: store an ingested article with its claims (and same-claim groups),
and the reviewer's edits of claims: reword, split, merge, add, drop, restore.

Slow work (scoring with the model, embedding for same-claim groups) happens before the write
transaction, so one large article never holds the database while other reviewers save.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from checks.actions.core import Actor, Tx, action, perform
from checks.actions.review import claim_row
from checks.articles import same_claim_links
from checks.claims import ScoredClaim, extract_claims, score_sentence
from checks.embedding import Encoder, cached_embeddings
from checks.errors import InputError, NotFoundError
from checks.ingest import ArticleDraft
from checks.store import Store, content_hash, forget_candidates, utc_now
from checks.vocab import AuditAction, Role


@dataclass(frozen=True)
class ArticleSaved:
    article_id: int
    created: bool  # False when the same text was already stored (a repeated submission)
    claims: int
    grouped: int
    audit_id: int | None

    @property
    def message(self) -> str:
        state = "added" if self.created else "already stored"
        return f"article {self.article_id} ({state}): {self.claims} claims" + (
            f", {self.grouped} seen elsewhere" if self.grouped else ""
        )


@dataclass(frozen=True)
class ClaimChanged:
    claim_id: int
    audit_id: int | None
    new_claim_id: int | None = None
    text: str = ""

    @property
    def message(self) -> str:
        return f"claim {self.claim_id} updated" + (f"; new claim {self.new_claim_id}" if self.new_claim_id else "")


def _claim_values(claim: ScoredClaim, article_id: int, position: int, created_by: str) -> dict:
    return {
        "article_id": article_id,
        "position": position,
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "is_headline": int(claim.is_headline),
        "score": claim.score,
        "claim_type": str(claim.claim_type),
        "reasons": json.dumps(claim.reasons),
        "speaker": claim.speaker,
        "split_suggestions": json.dumps(claim.split_suggestions),
        "created_by": created_by,
    }


def _scored(text: str, start: int | None, end: int | None) -> ScoredClaim:
    score, claim_type, reasons = score_sentence(text)
    return ScoredClaim(text, start, end, score, claim_type, reasons)  # type: ignore[arg-type]


@action(AuditAction.INGEST_ARTICLE, Role.REVIEWER, cli="ingest")
def ingest_article(store: Store, actor: Actor, draft: ArticleDraft, encoder: Encoder | None = None) -> ArticleSaved:
    """Store an article with its claims; a claim already seen (in this or another article) joins its group.

    A repeated submission of the same text changes nothing and returns the stored article. With an
    ``encoder`` the claim scores include the learned embedding part and same-claim groups are found."""
    digest = content_hash(draft.body)
    existing = store.query_one("SELECT id FROM articles WHERE content_hash = ?", (digest,))
    if existing is None:
        claims = extract_claims(draft.body, encoder)
        links = []
        if encoder is not None and claims:
            pool = [dict(r) for r in store.query("SELECT id, text FROM claims WHERE dropped = 0")]
            vectors = cached_embeddings(store, encoder, [r["text"] for r in pool] + [c.text for c in claims])
            links = same_claim_links(pool, vectors[: len(pool)], [c.text for c in claims], vectors[len(pool) :])
    with perform(store, actor, ingest_article) as (tx, done):
        found = tx.one("SELECT id FROM articles WHERE content_hash = ?", (digest,))
        if found is not None:  # stored meanwhile, or a repeated submission
            tx.log = False
            count = tx.one("SELECT COUNT(*) AS n FROM claims WHERE article_id = ?", (found["id"],))["n"]
            return ArticleSaved(int(found["id"]), False, int(count), 0, None)
        article_id = tx.insert(
            "articles",
            {
                "title": draft.title,
                "byline": draft.byline,
                "published": draft.published,
                "url": draft.url,
                "domain": draft.domain,
                "body": draft.body,
                "content_hash": digest,
                "origin": draft.origin,
                "created_at": utc_now(),
            },
        )
        ids = [tx.insert("claims", _claim_values(c, article_id, position, "extractor")) for position, c in enumerate(claims)]
        grouped = 0
        for index, pool_id, earlier in links:
            other = pool_id if pool_id is not None else ids[earlier]
            if tx.row("claims", id=other) is None:  # dropped or removed since the links were computed
                continue
            key = tx.one("SELECT COALESCE(group_key, CAST(id AS TEXT)) AS k FROM claims WHERE id = ?", (other,))["k"]
            tx.execute("UPDATE claims SET group_key = ? WHERE id IN (?, ?)", (key, other, ids[index]))
            grouped += 1
        tx.describe("articles", article_id, None, {"title": draft.title, "claims": len(ids), "grouped": grouped})
    return ArticleSaved(article_id, True, len(ids), grouped, done.audit_id)


def _rescore(tx: Tx, claim_id: int, text: str, **columns: object) -> None:
    score, claim_type, reasons = score_sentence(text)
    tx.update(
        "claims", {"id": claim_id}, text=text, score=score, claim_type=str(claim_type), reasons=json.dumps(reasons), **columns
    )
    forget_candidates(tx.conn, claim_id)


@action(AuditAction.EDIT_CLAIM, Role.EDITOR, cli="claim edit")
def edit_claim(store: Store, actor: Actor, claim_id: int, text: str) -> ClaimChanged:
    """Reword a claim (its offsets keep pointing at the sentence it came from); it is rescored."""
    text = (text or "").strip()
    if not text:
        raise InputError("A claim cannot be empty; drop it instead.")
    with perform(store, actor, edit_claim) as (tx, done):
        old = claim_row(tx, claim_id)
        if old["text"] == text:
            tx.log = False
            return ClaimChanged(claim_id, None, text=text)
        _rescore(tx, claim_id, text)
        tx.describe("claims", claim_id, {"text": old["text"]}, {"text": text}, [claim_id])
    return ClaimChanged(claim_id, done.audit_id, text=text)


def _set_dropped(store: Store, actor: Actor, claim_id: int, dropped: bool, function) -> ClaimChanged:
    with perform(store, actor, function) as (tx, done):
        old = claim_row(tx, claim_id)
        if bool(old["dropped"]) == dropped:
            tx.log = False
        else:
            tx.update("claims", {"id": claim_id}, dropped=int(dropped))
            tx.describe("claims", claim_id, {"dropped": bool(old["dropped"])}, {"dropped": dropped}, [claim_id])
    return ClaimChanged(claim_id, done.audit_id)


@action(AuditAction.DROP_CLAIM, Role.EDITOR, cli="claim drop")
def drop_claim(store: Store, actor: Actor, claim_id: int) -> ClaimChanged:
    """Take a claim out of review; it stays stored (and can be restored)."""
    return _set_dropped(store, actor, claim_id, True, drop_claim)


@action(AuditAction.RESTORE_CLAIM, Role.EDITOR, cli="claim restore")
def restore_claim(store: Store, actor: Actor, claim_id: int) -> ClaimChanged:
    """Bring a dropped claim back into review."""
    return _set_dropped(store, actor, claim_id, False, restore_claim)


@action(AuditAction.ADD_CLAIM, Role.EDITOR, cli="claim add")
def add_claim(store: Store, actor: Actor, article_id: int, text: str) -> ClaimChanged:
    """Add a reviewer's own claim; placed at its offsets when the text occurs in the article."""
    text = (text or "").strip()
    if not text:
        raise InputError("A claim cannot be empty.")
    with perform(store, actor, add_claim) as (tx, done):
        article = tx.row("articles", id=article_id)
        if article is None:
            raise NotFoundError(f"Article {article_id} does not exist.")
        start = article["body"].find(text)
        # Reading order: before the first claim that starts after it, or last when not in the text.
        following = tx.one("SELECT MIN(position) AS p FROM claims WHERE article_id = ? AND start > ?", (article_id, start))["p"]
        if start >= 0 and following is not None:
            position = following
            tx.execute("UPDATE claims SET position = position + 1 WHERE article_id = ? AND position >= ?", (article_id, position))
        else:
            position = tx.one("SELECT COALESCE(MAX(position), -1) + 1 AS p FROM claims WHERE article_id = ?", (article_id,))["p"]
        found = start >= 0
        claim = _scored(text, start if found else None, start + len(text) if found else None)
        claim_id = tx.insert("claims", _claim_values(claim, article_id, position, actor.name))
        tx.describe("claims", claim_id, None, {"text": text}, [claim_id])
    return ClaimChanged(claim_id, done.audit_id, text=text)


@action(AuditAction.SPLIT_CLAIM, Role.EDITOR, cli="claim split")
def split_claim(store: Store, actor: Actor, claim_id: int, at: int) -> ClaimChanged:
    """Split a claim's text at a character position into two claims; the second is a new claim."""
    with perform(store, actor, split_claim) as (tx, done):
        claim = claim_row(tx, claim_id)
        first, second = claim["text"][:at].strip(), claim["text"][at:].strip()
        if not 0 < at < len(claim["text"]) or not first or not second:
            raise InputError("The split point must leave text on both sides.")
        anchored = claim["start"] is not None
        second_start = claim["start"] + claim["text"].index(second, len(first)) if anchored else None
        _rescore(tx, claim_id, first, end=claim["start"] + len(first) if anchored else None)
        tx.execute(
            "UPDATE claims SET position = position + 1 WHERE article_id = ? AND position > ?",
            (claim["article_id"], claim["position"]),
        )
        piece = _scored(second, second_start, second_start + len(second) if anchored else None)
        new_id = tx.insert("claims", _claim_values(piece, claim["article_id"], claim["position"] + 1, actor.name))
        tx.describe("claims", claim_id, {"text": claim["text"]}, {"texts": [first, second], "new_id": new_id}, [claim_id, new_id])
    return ClaimChanged(claim_id, done.audit_id, new_claim_id=new_id)


@action(AuditAction.MERGE_CLAIMS, Role.EDITOR, cli="claim merge")
def merge_claims(store: Store, actor: Actor, first_id: int, second_id: int) -> ClaimChanged:
    """Merge the second claim into the first (texts joined, span widened); the second is dropped."""
    if first_id == second_id:
        raise InputError("Choose two different claims to merge.")
    with perform(store, actor, merge_claims) as (tx, done):
        first, second = claim_row(tx, first_id), claim_row(tx, second_id)
        if first["article_id"] != second["article_id"]:
            raise InputError("Only claims of the same article can be merged.")
        span = {}
        if first["start"] is not None and second["start"] is not None:
            span = {"start": min(first["start"], second["start"]), "end": max(first["end"], second["end"])}
        _rescore(tx, first_id, f"{first['text']} {second['text']}", **span)
        tx.update("claims", {"id": second_id}, dropped=1)
        tx.describe(
            "claims", first_id, {"texts": [first["text"], second["text"]]}, {"merged_from": second_id}, [first_id, second_id]
        )
    return ClaimChanged(first_id, done.audit_id)
