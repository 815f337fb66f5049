"""Review: verdicts, evidence marks, review status and undo, all audited.

Every change is one transaction that also appends to the audit log with the old and new value, so
nothing is silently overwritten and any change can be undone. Saving against a stale version (two
reviewers on one claim) raises :class:`ConflictError` instead of overwriting the other's work.
"""

from __future__ import annotations

import json

from checks import sources
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
    if verdict not in VERDICTS:
        raise ReviewError(f"Verdict must be one of {', '.join(VERDICTS)}.")
    if not reviewer.strip():
        raise ReviewError("Choose a reviewer name first.")
    if verdict != "verified" and not rationale.strip():
        raise ReviewError(f"A '{verdict}' verdict needs a rationale (why is it {verdict}?).")
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
        log_action(
            conn, reviewer, "set status", "claims", claim_id, old={"status": old["status"]}, new={"status": status}
        )


def history(store: Store, claim_id: int) -> list[dict]:
    """Audit entries about a claim's verdict and evidence marks, newest first."""
    rows = store.query(
        "SELECT * FROM audit_log WHERE entity IN ('verdicts', 'evidence_marks') AND entity_id = ? ORDER BY id DESC",
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
            conn.execute(
                "UPDATE claims SET status = ? WHERE id = ?", ("done" if old else "in review", entry["entity_id"])
            )
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
            int(
                store.query_one(
                    "SELECT MAX(id) FROM audit_log WHERE entity = 'verdicts' AND entity_id = ?", (claim_id,)
                )[0]
            )
        )
    return audit_ids
