"""Earlier fact-check actions: import a collection into the library, reuse an earlier verdict for
a claim, dismiss a match. Reuse writes the verdict and the decision in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checks.actions.core import Actor, Tx, action, perform
from checks.actions.review import check_may_review, check_not_blind, claim_row, write_verdict
from checks.errors import InputError, NotFoundError
from checks.factchecks.library import LibraryImport, get_factcheck, identity, parse_claimreview, parse_table
from checks.signals import disagreements
from checks.store import Store, utc_now
from checks.vocab import AuditAction, MatchDecision, Role, Verdict

CLAIMREVIEW_SUFFIXES = {".json", ".jsonld"}
FACTCHECK_COLUMNS = ("claim", "verdict", "url", "published", "publisher", "collection", "external_id", "claim_id", "title")


@dataclass(frozen=True)
class Decided:
    claim_id: int
    factcheck_id: int
    decision: MatchDecision
    version: int | None
    audit_id: int | None

    @property
    def message(self) -> str:
        if self.decision is MatchDecision.REUSED:
            return f"claim {self.claim_id}: earlier verdict reused (version {self.version})"
        return f"claim {self.claim_id}: fact-check {self.factcheck_id} dismissed"


def insert_factcheck_rows(tx: Tx, rows: list[dict]) -> tuple[int, int]:
    """Insert fact-check rows, skipping those already in their collection; (added, already present)."""
    columns = [*FACTCHECK_COLUMNS, "content_hash", "created_at"]
    sql = f"INSERT OR IGNORE INTO factchecks ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    added = present = 0
    now = utc_now()
    for row in rows:
        values = {column: row.get(column) for column in FACTCHECK_COLUMNS}
        # Two publishers reviewing the same claim are two fact-checks: a row may name its own identity.
        values.update(content_hash=identity(row.get("identity") or row["claim"]), created_at=now)
        if tx.execute(sql, values).rowcount:
            added += 1
        else:
            present += 1
    return added, present


@action(AuditAction.IMPORT_FACTCHECKS, Role.EDITOR, cli="factchecks import")
def import_factchecks(store: Store, actor: Actor, name: str, data: bytes, collection: str | None = None) -> LibraryImport:
    """Import a collection of earlier fact-checks (CSV/TSV table or ClaimReview JSON-LD), all or nothing.

    Rows without a claim are skipped and reported; re-importing adds nothing."""
    if Path(name).suffix.lower() in CLAIMREVIEW_SUFFIXES:
        report, rows = parse_claimreview(data, collection or "claimreview")
    else:
        report, rows = parse_table(name, data, collection)
    with perform(store, actor, import_factchecks) as (tx, _):
        report.imported, report.already_present = insert_factcheck_rows(tx, rows)
        tx.describe(
            "factchecks",
            None,
            None,
            {"source": name, "collection": report.collection, "imported": report.imported, "skipped": len(report.skipped)},
        )
    return report


@action(AuditAction.REUSE_FACTCHECK, Role.EDITOR, cli="factchecks reuse")
def reuse_factcheck(store: Store, actor: Actor, claim_id: int, factcheck_id: int, expected_version: int | None = None) -> Decided:
    """Record an earlier fact-check's verdict for a claim (the fact-check named in the rationale)."""
    factcheck = get_factcheck(store, factcheck_id)
    if factcheck.claim_id == claim_id:
        raise InputError("That fact-check is this claim's own verdict.")
    verdict = factcheck.workbench_verdict
    if verdict is None:
        raise InputError(
            f"The earlier rating '{factcheck.verdict}' does not say verified, disputed or unsupported; "
            f"read {factcheck.url or 'the fact-check'} and record the verdict yourself."
        )
    with perform(store, actor, reuse_factcheck) as (tx, done):
        claim = claim_row(tx, claim_id)
        check_may_review(actor, claim)
        check_not_blind(tx, claim)
        conflicts = disagreements(claim["text"], factcheck.claim)
        if conflicts:
            raise InputError(f"Not the same claim ({'; '.join(conflicts)}): record the verdict yourself.")
        old = tx.row("verdicts", claim_id=claim_id)
        rationale = f"reused earlier fact-check: {factcheck.url or factcheck.claim}"
        version = write_verdict(tx, store, claim, Verdict(verdict), rationale, actor.name, expected_version)
        tx.put(
            "factcheck_decisions",
            {
                "claim_id": claim_id,
                "factcheck_id": factcheck_id,
                "decision": str(MatchDecision.REUSED),
                "reviewer": actor.name,
                "decided_at": utc_now(),
            },
        )
        tx.describe(
            "verdicts",
            claim_id,
            {"verdict": old["verdict"]} if old else None,
            {"verdict": verdict, "factcheck_id": factcheck_id, "version": version},
            [claim_id],
        )
    return Decided(claim_id, factcheck_id, MatchDecision.REUSED, version, done.audit_id)


@action(AuditAction.DISMISS_FACTCHECK, Role.REVIEWER, cli="factchecks dismiss")
def dismiss_factcheck(store: Store, actor: Actor, claim_id: int, factcheck_id: int) -> Decided:
    """Mark an earlier fact-check as not the same claim: it is not shown again for this claim."""
    with perform(store, actor, dismiss_factcheck) as (tx, done):
        claim = claim_row(tx, claim_id)
        check_may_review(actor, claim)
        if tx.row("factchecks", id=factcheck_id) is None:
            raise NotFoundError(f"Fact-check {factcheck_id} does not exist.")
        old = tx.put(
            "factcheck_decisions",
            {
                "claim_id": claim_id,
                "factcheck_id": factcheck_id,
                "decision": str(MatchDecision.DISMISSED),
                "reviewer": actor.name,
                "decided_at": utc_now(),
            },
        )
        tx.describe(
            "factcheck_decisions",
            claim_id,
            {"decision": old["decision"]} if old else None,
            {"factcheck_id": factcheck_id, "decision": MatchDecision.DISMISSED},
            [claim_id],
        )
    return Decided(claim_id, factcheck_id, MatchDecision.DISMISSED, None, done.audit_id)
