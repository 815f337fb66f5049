"""Review reads: the state of a claim's review, its marks and history, blind double review and
agreement. Every change of review state is an action in ``checks.actions``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from checks.store import Store
from checks.vocab import Mark, ReviewState

# Reasons a reviewer can pick for a disputed/unsupported verdict (a free-text note may follow).
RATIONALE_CHOICES = (
    "contradicted by cited evidence",
    "no passage above threshold",
    "only low-reliability sources",
    "conflicting sources",
    "other",
)


@dataclass(frozen=True)
class AuditEvent:
    """One stored audit event as read back."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: int | None
    old: Any
    new: Any
    changes: list[dict[str, Any]]
    undone_by: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict) -> AuditEvent:
        row = dict(row)
        return cls(
            id=row["id"],
            at=row["at"],
            actor=row["reviewer"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            old=json.loads(row["old"]) if row["old"] else None,
            new=json.loads(row["new"]) if row["new"] else None,
            changes=json.loads(row["changes"]) if row.get("changes") else [],
            undone_by=row["undone_by"],
        )


def review_state(has_verdict: bool, has_activity: bool) -> ReviewState:
    """The one rule for a claim's review state: done once it has a final verdict, in review once
    anyone marked evidence or recorded a blind verdict, to do before that."""
    if has_verdict:
        return ReviewState.DONE
    return ReviewState.IN_REVIEW if has_activity else ReviewState.TO_DO


def pending_blind_pair(store: Store, claim_id: int) -> tuple[str, str] | None:
    """The two reviewers of a blind double review that is not settled yet, else None."""
    row = store.query_one(
        "SELECT a.assigned_to, a.second_reviewer FROM claims c JOIN articles a ON a.id = c.article_id"
        " WHERE c.id = ? AND a.double_review = 1 AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.claim_id = c.id)",
        (claim_id,),
    )
    return (row["assigned_to"], row["second_reviewer"]) if row else None


def passage_marks(store: Store, claim_id: int, viewer: str | None = None) -> dict[int, Mark]:
    """passage id → mark for one claim, as ``viewer`` may see them: in a pending blind review each
    of its two reviewers sees only their own marks."""
    pair = pending_blind_pair(store, claim_id)
    if pair and viewer in pair:
        rows = store.query("SELECT passage_id, mark FROM blind_marks WHERE claim_id = ? AND reviewer = ?", (claim_id, viewer))
    else:
        rows = store.query("SELECT passage_id, mark FROM evidence_marks WHERE claim_id = ?", (claim_id,))
    return {r["passage_id"]: Mark(r["mark"]) for r in rows}


def history(store: Store, claim_id: int, viewer: str | None = None) -> list[AuditEvent]:
    """Audit events that touched a claim (its verdict, marks, wording, matches), newest first. In a
    pending blind review neither of its reviewers sees the other's entries."""
    rows = store.query(
        "SELECT l.* FROM audit_log l JOIN audit_targets t ON t.audit_id = l.id WHERE t.claim_id = ? ORDER BY l.id DESC",
        (claim_id,),
    )
    events = [AuditEvent.from_row(r) for r in rows]
    pair = pending_blind_pair(store, claim_id)
    if pair and viewer in pair:
        other = pair[1] if viewer == pair[0] else pair[0]
        events = [e for e in events if e.actor != other]
    return events


def double_review_of(store: Store, claim_id: int) -> tuple[str, str] | None:
    """The two blind reviewers of a claim's article, or None when it is reviewed once."""
    row = store.query_one(
        "SELECT a.assigned_to, a.second_reviewer FROM claims c JOIN articles a ON a.id = c.article_id"
        " WHERE c.id = ? AND a.double_review = 1",
        (claim_id,),
    )
    return (row["assigned_to"], row["second_reviewer"]) if row else None


def independent_verdicts(store: Store, claim_id: int, viewer: str | None = None) -> list[dict]:
    """The blind verdicts of a claim as ``viewer`` may see them: while the review is pending each of
    its two reviewers sees only their own."""
    rows = [dict(r) for r in store.query("SELECT * FROM independent_verdicts WHERE claim_id = ? ORDER BY reviewer", (claim_id,))]
    pair = pending_blind_pair(store, claim_id)
    return [r for r in rows if r["reviewer"] == viewer] if pair and viewer in pair else rows


def blind_marks(store: Store, claim_id: int) -> list[dict]:
    """Both blind reviewers' private marks (for the adjudicator)."""
    return [
        dict(r) for r in store.query("SELECT * FROM blind_marks WHERE claim_id = ? ORDER BY passage_id, reviewer", (claim_id,))
    ]


def adjudication_queue(store: Store, viewer: str | None = None) -> list[dict]:
    """Claims whose two blind verdicts disagree and that have no final verdict yet (without those
    that ``viewer`` is one of the blind reviewers of: they must not see the other's verdict)."""
    rows = store.query(
        "SELECT c.id AS claim_id, c.text, a.id AS article_id, a.title, a.assigned_to, a.second_reviewer,"
        " GROUP_CONCAT(i.reviewer || ': ' || i.verdict, '; ') AS verdicts"
        " FROM independent_verdicts i JOIN claims c ON c.id = i.claim_id JOIN articles a ON a.id = c.article_id"
        " WHERE c.id NOT IN (SELECT claim_id FROM verdicts) GROUP BY c.id"
        " HAVING COUNT(*) = 2 AND COUNT(DISTINCT i.verdict) = 2 ORDER BY a.id, c.position"
    )
    return [dict(r) for r in rows if viewer is None or viewer not in (r["assigned_to"], r["second_reviewer"])]


def cohens_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of paired labels; None when undefined (no pairs, or one label only)."""
    if not pairs:
        return None
    labels = sorted({label for pair in pairs for label in pair})
    total = len(pairs)
    observed = sum(1 for first, second in pairs if first == second) / total
    expected = sum(
        (sum(1 for first, _ in pairs if first == label) / total) * (sum(1 for _, second in pairs if second == label) / total)
        for label in labels
    )
    return None if expected == 1 else (observed - expected) / (1 - expected)


def agreement(store: Store, article_id: int | None = None) -> tuple[int, float | None]:
    """(pairs, kappa) over claims both blind reviewers decided, for one article (batch) or all.
    Ratings are paired in article-role order (assigned reviewer first, second reviewer second)."""
    rows = store.query(
        "SELECT i.claim_id, i.verdict, i.reviewer = a.second_reviewer AS is_second FROM independent_verdicts i"
        " JOIN claims c ON c.id = i.claim_id JOIN articles a ON a.id = c.article_id"
        + (" WHERE c.article_id = ?" if article_id is not None else "")
        + " ORDER BY i.claim_id, is_second",
        (article_id,) if article_id is not None else (),
    )
    by_claim: dict[int, list[str]] = {}
    for row in rows:
        by_claim.setdefault(row["claim_id"], []).append(row["verdict"])
    pairs = [(v[0], v[1]) for v in by_claim.values() if len(v) == 2]
    return len(pairs), cohens_kappa(pairs)
