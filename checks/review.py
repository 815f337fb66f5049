"""Review: verdicts, evidence marks, review status and undo, all audited.

Every change is one transaction that also appends to the audit log with the old and new value, so
nothing is silently overwritten and any change can be undone. Saving against a stale version (two
reviewers on one claim) raises :class:`ConflictError` instead of overwriting the other's work.
"""

from __future__ import annotations

import json

from checks import sources
from checks.articles import appearances
from checks.store import Store, log_action, utc_now

VERDICTS = ("verified", "disputed", "unsupported")
MARKS = ("supports", "contradicts", "not relevant")
STATUSES = ("to do", "in review", "done")
# Reasons a reviewer can pick for a disputed/unsupported verdict (a free-text note may follow).
RATIONALE_CHOICES = (
    "contradicted by cited evidence",
    "no passage above threshold",
    "only low-reliability sources",
    "conflicting sources",
    "other",
)


class ConflictError(RuntimeError):
    """The claim's verdict changed since the reviewer loaded it."""


class ReviewError(ValueError):
    """A review action that is not allowed as given; the message is for the reviewer."""


def _verdict_row(conn, claim_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM verdicts WHERE claim_id = ?", (claim_id,)).fetchone()
    return dict(row) if row else None


def _evidence_snapshot(conn, claim_id: int) -> list[dict]:
    rows = conn.execute(
        "SELECT m.mark, p.id AS passage_id, p.text, d.url, d.domain, d.title, c.dense, c.lexical, c.fused"
        " FROM evidence_marks m JOIN passages p ON p.id = m.passage_id JOIN documents d ON d.id = p.document_id"
        " LEFT JOIN candidates c ON c.claim_id = m.claim_id AND c.passage_id = m.passage_id"
        " WHERE m.claim_id = ? AND m.mark != 'not relevant' ORDER BY m.passage_id",
        (claim_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def _check_verdict(verdict: str, reviewer: str, rationale: str) -> None:
    """The rules every verdict obeys, single or blind: a known label, a named reviewer, and a
    rationale for anything but verified."""
    if verdict not in VERDICTS:
        raise ReviewError(f"Verdict must be one of {', '.join(VERDICTS)}.")
    if not reviewer.strip():
        raise ReviewError("Choose a reviewer name first.")
    if verdict != "verified" and not rationale.strip():
        raise ReviewError(f"A '{verdict}' verdict needs a rationale (why is it {verdict}?).")


def set_verdict(
    store: Store,
    claim_id: int,
    verdict: str,
    reviewer: str,
    rationale: str = "",
    expected_version: int | None = None,
    action: str = "set verdict",
) -> int:
    """Record a verdict; returns its new version. Disputed and unsupported need a rationale.

    ``expected_version`` is the version the reviewer saw (0 = none): when another reviewer saved
    in between, nothing is written and ConflictError is raised.
    """
    _check_verdict(verdict, reviewer, rationale)
    with store.transaction() as conn:
        claim = conn.execute(
            "SELECT c.id, a.domain FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?", (claim_id,)
        ).fetchone()
        if claim is None:
            raise ReviewError(f"Claim {claim_id} does not exist.")
        old = _verdict_row(conn, claim_id)
        current_version = old["version"] if old else 0
        if expected_version is not None and expected_version != current_version:
            raise ConflictError(
                f"{old['reviewer'] if old else 'Someone'} changed this claim's verdict meanwhile "
                f"(now '{old['verdict'] if old else 'none'}'). Reload to see it before saving."
            )
        snapshot = sources.lookup(store, claim["domain"]).snapshot()
        new = {
            "claim_id": claim_id,
            "verdict": verdict,
            "rationale": rationale.strip(),
            "reviewer": reviewer,
            "rating_snapshot": json.dumps(snapshot),
            "evidence_snapshot": json.dumps(_evidence_snapshot(conn, claim_id)),
            "version": current_version + 1,
            "decided_at": utc_now(),
        }
        conn.execute(
            "INSERT OR REPLACE INTO verdicts (claim_id, verdict, rationale, reviewer, rating_snapshot,"
            " evidence_snapshot, version, decided_at) VALUES (:claim_id, :verdict, :rationale, :reviewer,"
            " :rating_snapshot, :evidence_snapshot, :version, :decided_at)",
            new,
        )
        conn.execute("UPDATE claims SET status = 'done' WHERE id = ?", (claim_id,))
        log_action(conn, reviewer, action, "verdicts", claim_id, old=old, new=new)
    return new["version"]


def clear_verdict(store: Store, claim_id: int, reviewer: str) -> None:
    """Withdraw a verdict (logged; undo restores it)."""
    with store.transaction() as conn:
        old = _verdict_row(conn, claim_id)
        if old is None:
            return
        conn.execute("DELETE FROM verdicts WHERE claim_id = ?", (claim_id,))
        conn.execute("UPDATE claims SET status = 'in review' WHERE id = ?", (claim_id,))
        log_action(conn, reviewer, "clear verdict", "verdicts", claim_id, old=old, new=None)


def mark_passage(store: Store, claim_id: int, passage_id: int, mark: str | None, reviewer: str) -> None:
    """Mark a candidate passage supports / contradicts / not relevant (None removes the mark)."""
    if mark is not None and mark not in MARKS:
        raise ReviewError(f"Mark must be one of {', '.join(MARKS)}.")
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM evidence_marks WHERE claim_id = ? AND passage_id = ?", (claim_id, passage_id)
        ).fetchone()
        old = dict(row) if row else None
        if mark is None:
            conn.execute("DELETE FROM evidence_marks WHERE claim_id = ? AND passage_id = ?", (claim_id, passage_id))
            new = None
        else:
            new = {
                "claim_id": claim_id,
                "passage_id": passage_id,
                "mark": mark,
                "reviewer": reviewer,
                "marked_at": utc_now(),
            }
            conn.execute(
                "INSERT OR REPLACE INTO evidence_marks (claim_id, passage_id, mark, reviewer, marked_at)"
                " VALUES (:claim_id, :passage_id, :mark, :reviewer, :marked_at)",
                new,
            )
        conn.execute("UPDATE claims SET status = 'in review' WHERE id = ? AND status = 'to do'", (claim_id,))
        log_action(conn, reviewer, "mark passage", "evidence_marks", claim_id, old=old, new=new)


def passage_marks(store: Store, claim_id: int) -> dict[int, str]:
    """passage id → mark for one claim."""
    return {
        r["passage_id"]: r["mark"]
        for r in store.query("SELECT passage_id, mark FROM evidence_marks WHERE claim_id = ?", (claim_id,))
    }


def set_status(store: Store, claim_id: int, status: str, reviewer: str) -> None:
    if status not in STATUSES:
        raise ReviewError(f"Status must be one of {', '.join(STATUSES)}.")
    with store.transaction() as conn:
        old = conn.execute("SELECT status FROM claims WHERE id = ?", (claim_id,)).fetchone()
        conn.execute("UPDATE claims SET status = ? WHERE id = ?", (status, claim_id))
        log_action(conn, reviewer, "set status", "claims", claim_id, old={"status": old["status"]}, new={"status": status})


def history(store: Store, claim_id: int) -> list[dict]:
    """Audit entries about a claim's verdict and evidence marks, newest first."""
    rows = store.query(
        "SELECT * FROM audit_log WHERE entity IN ('verdicts', 'evidence_marks', 'factcheck_decisions')"
        " AND entity_id = ? ORDER BY id DESC",
        (claim_id,),
    )
    return [
        {
            **dict(r),
            "old": json.loads(r["old"]) if r["old"] else None,
            "new": json.loads(r["new"]) if r["new"] else None,
        }
        for r in rows
    ]


def undo(store: Store, audit_id: int, reviewer: str) -> None:
    """Restore the value an audited verdict or mark change replaced; the undo is itself logged."""
    with store.transaction() as conn:
        entry = conn.execute("SELECT * FROM audit_log WHERE id = ?", (audit_id,)).fetchone()
        if entry is None or entry["entity"] not in ("verdicts", "evidence_marks"):
            raise ReviewError("Only verdict and evidence changes can be undone.")
        if entry["undone_by"] is not None:
            raise ReviewError("That change was already undone.")
        old = json.loads(entry["old"]) if entry["old"] else None
        new = json.loads(entry["new"]) if entry["new"] else None
        if entry["entity"] == "verdicts":
            current = _verdict_row(conn, entry["entity_id"])
            fields = ("verdict", "rationale", "reviewer", "decided_at")
            # Undo only the change whose result is still in place (an undo-restored value counts).
            if (current is None) != (new is None) or (current and any(current[f] != new[f] for f in fields)):
                raise ReviewError("The verdict changed again after this entry; undo the later change first.")
            conn.execute("DELETE FROM verdicts WHERE claim_id = ?", (entry["entity_id"],))
            if old:
                conn.execute(
                    "INSERT INTO verdicts (claim_id, verdict, rationale, reviewer, rating_snapshot, evidence_snapshot,"
                    " version, decided_at) VALUES (:claim_id, :verdict, :rationale, :reviewer, :rating_snapshot,"
                    " :evidence_snapshot, :version, :decided_at)",
                    {**old, "version": (current or new or old)["version"] + 1},
                )
            conn.execute("UPDATE claims SET status = ? WHERE id = ?", ("done" if old else "in review", entry["entity_id"]))
        else:
            claim_id, passage_id = (new or old)["claim_id"], (new or old)["passage_id"]
            conn.execute("DELETE FROM evidence_marks WHERE claim_id = ? AND passage_id = ?", (claim_id, passage_id))
            if old:
                conn.execute(
                    "INSERT INTO evidence_marks (claim_id, passage_id, mark, reviewer, marked_at) VALUES"
                    " (:claim_id, :passage_id, :mark, :reviewer, :marked_at)",
                    old,
                )
        undo_id = log_action(
            conn,
            reviewer,
            "undo",
            entry["entity"],
            entry["entity_id"],
            old=new,
            new={"restored": old, "undid": audit_id},
        )
        conn.execute("UPDATE audit_log SET undone_by = ? WHERE id = ?", (undo_id, audit_id))


def bulk_verdict(store: Store, claim_ids: list[int], verdict: str, reviewer: str, rationale: str = "") -> list[int]:
    """Apply one verdict to many claims; returns the audit ids (undo each to revert the batch)."""
    audit_ids = []
    for claim_id in claim_ids:
        set_verdict(store, claim_id, verdict, reviewer, rationale, action="bulk verdict")
        audit_ids.append(
            int(store.query_one("SELECT MAX(id) FROM audit_log WHERE entity = 'verdicts' AND entity_id = ?", (claim_id,))[0])
        )
    return audit_ids


def assign(
    store: Store, article_id: int, reviewer: str | None, by: str, second_reviewer: str | None = None, double: bool = False
) -> None:
    """Assign an article to a reviewer; with ``double`` two reviewers decide blind and disagreements
    go to adjudication."""
    if double and (not reviewer or not second_reviewer or reviewer == second_reviewer):
        raise ReviewError("Blind double review needs two different reviewers.")
    with store.transaction() as conn:
        old = conn.execute(
            "SELECT assigned_to, second_reviewer, double_review FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if old is None:
            raise ReviewError(f"Article {article_id} does not exist.")
        conn.execute(
            "UPDATE articles SET assigned_to = ?, second_reviewer = ?, double_review = ? WHERE id = ?",
            (reviewer or None, second_reviewer if double else None, int(double), article_id),
        )
        log_action(
            conn,
            by,
            "assign",
            "articles",
            article_id,
            old=dict(old),
            new={"assigned_to": reviewer, "second_reviewer": second_reviewer if double else None, "double_review": double},
        )


def double_review_of(store: Store, claim_id: int) -> tuple[str, str] | None:
    """The two blind reviewers of a claim's article, or None when it is reviewed once."""
    row = store.query_one(
        "SELECT a.assigned_to, a.second_reviewer FROM claims c JOIN articles a ON a.id = c.article_id"
        " WHERE c.id = ? AND a.double_review = 1",
        (claim_id,),
    )
    return (row["assigned_to"], row["second_reviewer"]) if row else None


def submit_independent(store: Store, claim_id: int, reviewer: str, verdict: str, rationale: str = "") -> str:
    """One blind reviewer's verdict. When both have decided: agreement becomes the verdict, a
    disagreement waits for adjudication. Returns "waiting", "agreed" or "disagreement"."""
    pair = double_review_of(store, claim_id)
    if pair is None or reviewer not in pair:
        raise ReviewError("This claim is not in blind double review for you; record a normal verdict instead.")
    _check_verdict(verdict, reviewer, rationale)
    with store.transaction() as conn:
        old = conn.execute(
            "SELECT * FROM independent_verdicts WHERE claim_id = ? AND reviewer = ?", (claim_id, reviewer)
        ).fetchone()
        new = {
            "claim_id": claim_id,
            "reviewer": reviewer,
            "verdict": verdict,
            "rationale": rationale.strip(),
            "decided_at": utc_now(),
        }
        conn.execute(
            "INSERT OR REPLACE INTO independent_verdicts (claim_id, reviewer, verdict, rationale, decided_at)"
            " VALUES (:claim_id, :reviewer, :verdict, :rationale, :decided_at)",
            new,
        )
        conn.execute("UPDATE claims SET status = 'in review' WHERE id = ? AND status = 'to do'", (claim_id,))
        log_action(conn, reviewer, "blind verdict", "independent_verdicts", claim_id, old=dict(old) if old else None, new=new)
        decided = conn.execute(
            "SELECT reviewer, verdict, rationale FROM independent_verdicts WHERE claim_id = ?", (claim_id,)
        ).fetchall()
    if len(decided) < 2:
        return "waiting"
    if len({row["verdict"] for row in decided}) == 1:
        rationale_text = " / ".join(f"{row['reviewer']}: {row['rationale']}" for row in decided if row["rationale"])
        set_verdict(store, claim_id, verdict, " & ".join(sorted(pair)), rationale_text, action="agreed double review")
        return "agreed"
    return "disagreement"


def independent_verdicts(store: Store, claim_id: int) -> list[dict]:
    return [dict(r) for r in store.query("SELECT * FROM independent_verdicts WHERE claim_id = ? ORDER BY reviewer", (claim_id,))]


def adjudication_queue(store: Store) -> list[dict]:
    """Claims whose two blind verdicts disagree and that have no final verdict yet."""
    rows = store.query(
        "SELECT c.id AS claim_id, c.text, a.id AS article_id, a.title,"
        " GROUP_CONCAT(i.reviewer || ': ' || i.verdict, '; ') AS verdicts"
        " FROM independent_verdicts i JOIN claims c ON c.id = i.claim_id JOIN articles a ON a.id = c.article_id"
        " WHERE c.id NOT IN (SELECT claim_id FROM verdicts) GROUP BY c.id"
        " HAVING COUNT(*) = 2 AND COUNT(DISTINCT i.verdict) = 2 ORDER BY a.id, c.position"
    )
    return [dict(r) for r in rows]


def adjudicate(store: Store, claim_id: int, verdict: str, adjudicator: str, rationale: str) -> int:
    """Settle a disagreement; the adjudicator must not be one of the two blind reviewers."""
    pair = double_review_of(store, claim_id)
    if pair and adjudicator in pair:
        raise ReviewError("An adjudicator must not be one of the two blind reviewers.")
    return set_verdict(store, claim_id, verdict, adjudicator, rationale or "adjudicated", action="adjudicate")


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


def apply_to_appearances(store: Store, claim_id: int, reviewer: str) -> int:
    """Copy a claim's verdict to the other appearances of the same claim that have none or a
    different one; each copy is its own audited verdict. Returns how many were set."""
    source = store.query_one("SELECT verdict, rationale FROM verdicts WHERE claim_id = ?", (claim_id,))
    if source is None:
        raise ReviewError("Record a verdict for this claim first.")
    changed = 0
    for other in appearances(store, claim_id):
        if other["verdict"] != source["verdict"]:
            rationale = f"same claim as #{claim_id}" + (f": {source['rationale']}" if source["rationale"] else "")
            set_verdict(store, other["id"], source["verdict"], reviewer, rationale, action="verdict from same claim")
            changed += 1
    return changed
