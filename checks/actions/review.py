"""Review actions: verdicts (single, bulk, blind, adjudicated, copied to other appearances),
evidence marks, assignments and undo. Each is one transaction with one audit event.

Rules every final verdict obeys: a known verdict, a rationale for anything but verified, the
version the reviewer saw (a stale save is a conflict, never an overwrite), and no final verdict
over a pending blind double review (that goes through blind verdicts and adjudication).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from checks import sources
from checks.actions.core import Actor, Tx, action, perform
from checks.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from checks.review import review_state
from checks.store import Store, forget_candidates, mirror_verdict, utc_now
from checks.vocab import AuditAction, BlindOutcome, Mark, Role, Verdict

# Audit actions whose tracked changes undo may restore (imports, ingest, split, merge and add are
# not: drop or merge claims instead, or re-import).
UNDOABLE = frozenset(
    {
        AuditAction.SET_VERDICT,
        AuditAction.CLEAR_VERDICT,
        AuditAction.BULK_VERDICT,
        AuditAction.ADJUDICATE,
        AuditAction.VERDICT_FROM_SAME_CLAIM,
        AuditAction.AGREED_DOUBLE_REVIEW,
        AuditAction.BLIND_VERDICT,
        AuditAction.MARK_PASSAGE,
        AuditAction.REUSE_FACTCHECK,
        AuditAction.DISMISS_FACTCHECK,
        AuditAction.EDIT_CLAIM,
        AuditAction.DROP_CLAIM,
        AuditAction.RESTORE_CLAIM,
        AuditAction.ASSIGN,
        AuditAction.OVERRIDE_RATING,
        AuditAction.IMPORT_VERDICT,
    }
)
# Columns kept up to date by the workbench itself: never compared or restored by undo.
DERIVED_COLUMNS = {"claims": {"status", "group_key"}}


@dataclass(frozen=True)
class VerdictSaved:
    claim_id: int
    verdict: Verdict
    version: int
    audit_id: int | None

    @property
    def message(self) -> str:
        return f"claim {self.claim_id}: {self.verdict} (version {self.version})"


@dataclass(frozen=True)
class BulkSaved:
    verdict: Verdict
    claim_ids: list[int]
    audit_id: int | None

    @property
    def message(self) -> str:
        return f"{self.verdict} recorded for {len(self.claim_ids)} claim{'s' if len(self.claim_ids) != 1 else ''}."


@dataclass(frozen=True)
class Cleared:
    claim_id: int
    audit_id: int | None

    @property
    def message(self) -> str:
        return f"claim {self.claim_id}: verdict withdrawn" if self.audit_id else f"claim {self.claim_id} had no verdict"


@dataclass(frozen=True)
class Marked:
    claim_id: int
    passage_id: int
    mark: Mark | None
    audit_id: int | None

    @property
    def message(self) -> str:
        return f"claim {self.claim_id}, passage {self.passage_id}: {self.mark or 'mark removed'}"


@dataclass(frozen=True)
class BlindSaved:
    claim_id: int
    outcome: BlindOutcome
    audit_id: int | None

    @property
    def message(self) -> str:
        return {
            BlindOutcome.WAITING: "Blind verdict saved; waiting for the second reviewer.",
            BlindOutcome.AGREED: "Both reviewers agree; recorded as the verdict.",
            BlindOutcome.DISAGREEMENT: "The two blind verdicts differ; the claim goes to adjudication.",
        }[self.outcome]


@dataclass(frozen=True)
class Copied:
    claim_id: int
    copied_to: list[int]
    audit_id: int | None

    @property
    def message(self) -> str:
        return f"Verdict copied to {len(self.copied_to)} other appearance(s)."


@dataclass(frozen=True)
class Assigned:
    article_id: int
    reviewer: str | None
    second_reviewer: str | None
    audit_id: int | None

    @property
    def message(self) -> str:
        if self.second_reviewer:
            return f"article {self.article_id}: blind double review by {self.reviewer} and {self.second_reviewer}"
        return f"article {self.article_id}: review by {self.reviewer or 'nobody (unassigned)'}"


@dataclass(frozen=True)
class Undone:
    undid: int
    audit_id: int | None
    claims: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"change {self.undid} undone"


# ------------------------------------------------------------------------------------- helpers


def parse_verdict(value: str | Verdict) -> Verdict:
    try:
        return Verdict(str(value).strip().lower())
    except ValueError:
        raise InputError(f"Verdict must be one of {', '.join(Verdict)}; got '{value}'.") from None


def check_rationale(verdict: Verdict, rationale: str) -> str:
    """A verdict other than verified needs a rationale (why is it disputed / unsupported?)."""
    if verdict is not Verdict.VERIFIED and not rationale.strip():
        raise InputError(f"A '{verdict}' verdict needs a rationale (why is it {verdict}?).")
    return rationale.strip()


def claim_row(tx: Tx, claim_id: int) -> dict:
    row = tx.one(
        "SELECT c.*, a.domain, a.url, a.double_review, a.assigned_to, a.second_reviewer FROM claims c"
        " JOIN articles a ON a.id = c.article_id WHERE c.id = ?",
        (claim_id,),
    )
    if row is None:
        raise NotFoundError(f"Claim {claim_id} does not exist.")
    return row


def check_may_review(actor: Actor, claim: dict) -> None:
    """A reviewer works on claims of articles assigned to them or to nobody; editors on any."""
    if (
        actor.role is Role.REVIEWER
        and claim["assigned_to"]
        and actor.name not in (claim["assigned_to"], claim["second_reviewer"])
    ):
        raise PermissionDenied(f"Claim {claim['id']} belongs to an article assigned to {claim['assigned_to']}.")


def blind_pending(tx: Tx, claim: dict) -> bool:
    """The claim is in blind double review and not yet settled by agreement or adjudication."""
    return bool(claim["double_review"]) and tx.row("verdicts", claim_id=claim["id"]) is None


def check_not_blind(tx: Tx, claim: dict) -> None:
    """No final verdict over a pending blind double review: it would bypass adjudication."""
    if blind_pending(tx, claim):
        raise InputError(
            f"Claim {claim['id']} is in blind double review: each reviewer records a blind verdict, "
            "and an editor adjudicates if they differ."
        )


def refresh_state(tx: Tx, claim_id: int) -> None:
    """Recompute the claim's stored review state from its verdict, marks and blind verdicts."""
    has = tx.one(
        "SELECT EXISTS(SELECT 1 FROM verdicts WHERE claim_id = :c) AS verdict,"
        " EXISTS(SELECT 1 FROM evidence_marks WHERE claim_id = :c)"
        " OR EXISTS(SELECT 1 FROM blind_marks WHERE claim_id = :c)"
        " OR EXISTS(SELECT 1 FROM independent_verdicts WHERE claim_id = :c) AS activity",
        {"c": claim_id},
    )
    tx.execute(
        "UPDATE claims SET status = ? WHERE id = ?", (str(review_state(bool(has["verdict"]), bool(has["activity"]))), claim_id)
    )


def evidence_snapshot(tx: Tx, store: Store, claim_id: int) -> list[dict]:
    """The passages marked supports / contradicts, as cited with the verdict, each with its
    source's rating as it is at decision time."""
    cited = tx.all(
        "SELECT m.mark, p.id AS passage_id, p.text, d.url, d.domain, d.title, d.is_demo = 1 AS demo, c.dense, c.lexical, c.fused"
        " FROM evidence_marks m JOIN passages p ON p.id = m.passage_id JOIN documents d ON d.id = p.document_id"
        " LEFT JOIN candidates c ON c.claim_id = m.claim_id AND c.passage_id = m.passage_id"
        " WHERE m.claim_id = ? AND m.mark != ? ORDER BY m.passage_id",
        (claim_id, str(Mark.NOT_RELEVANT)),
    )
    targets = {item["passage_id"]: sources.rating_target(item["url"], item["domain"]) for item in cited}
    ratings = sources.lookup_many(store, {t for t in targets.values() if t})
    for item in cited:
        item["demo"] = bool(item["demo"])
        target = targets[item["passage_id"]]
        item["source_rating"] = (ratings[target] if target else sources.SourceRating(domain=None)).snapshot()
    return cited


def write_verdict(
    tx: Tx, store: Store, claim: dict, verdict: Verdict, rationale: str, by: str, expected_version: int | None
) -> int:
    """Record a final verdict inside an action's transaction; returns its new version."""
    old = tx.row("verdicts", claim_id=claim["id"])
    current_version = old["version"] if old else 0
    if expected_version is not None and expected_version != current_version:
        raise ConflictError(
            f"{old['reviewer'] if old else 'Someone'} changed claim {claim['id']}'s verdict meanwhile "
            f"(now '{old['verdict'] if old else 'none'}'). Reload to see it before saving."
        )
    tx.put(
        "verdicts",
        {
            "claim_id": claim["id"],
            "verdict": str(verdict),
            "rationale": rationale,
            "reviewer": by,
            "rating_snapshot": json.dumps(sources.lookup(store, sources.rating_target(claim["url"], claim["domain"])).snapshot()),
            "evidence_snapshot": json.dumps(evidence_snapshot(tx, store, claim["id"])),
            "version": current_version + 1,
            "decided_at": utc_now(),
        },
    )
    refresh_state(tx, claim["id"])
    mirror_verdict(tx.conn, claim["id"])
    return current_version + 1


def _summary(row: dict | None) -> dict | None:
    return None if row is None else {k: row[k] for k in ("verdict", "rationale", "reviewer", "version") if k in row}


# ------------------------------------------------------------------------------------- actions


@action(AuditAction.SET_VERDICT, Role.REVIEWER, cli="verdict")
def set_verdict(
    store: Store, actor: Actor, claim_id: int, verdict: str | Verdict, rationale: str = "", expected_version: int | None = None
) -> VerdictSaved:
    """Record a verdict for a claim.

    ``expected_version`` is the version the reviewer saw (0 = none): when another reviewer saved in
    between, nothing is written and :class:`ConflictError` is raised."""
    verdict = parse_verdict(verdict)
    rationale = check_rationale(verdict, rationale)
    with perform(store, actor, set_verdict) as (tx, done):
        claim = claim_row(tx, claim_id)
        check_may_review(actor, claim)
        check_not_blind(tx, claim)
        old = tx.row("verdicts", claim_id=claim_id)
        version = write_verdict(tx, store, claim, verdict, rationale, actor.name, expected_version)
        tx.describe(
            "verdicts", claim_id, _summary(old), {"verdict": verdict, "rationale": rationale, "version": version}, [claim_id]
        )
    return VerdictSaved(claim_id, verdict, version, done.audit_id)


@action(AuditAction.CLEAR_VERDICT, Role.REVIEWER, cli="clear-verdict")
def clear_verdict(store: Store, actor: Actor, claim_id: int, expected_version: int | None = None) -> Cleared:
    """Withdraw a claim's verdict (undo restores it)."""
    with perform(store, actor, clear_verdict) as (tx, done):
        claim = claim_row(tx, claim_id)
        check_may_review(actor, claim)
        old = tx.row("verdicts", claim_id=claim_id)
        if old is None:
            tx.log = False
        else:
            if expected_version is not None and expected_version != old["version"]:
                raise ConflictError(f"{old['reviewer']} changed claim {claim_id}'s verdict meanwhile; reload first.")
            tx.delete("verdicts", claim_id=claim_id)
            refresh_state(tx, claim_id)
            mirror_verdict(tx.conn, claim_id)
            tx.describe("verdicts", claim_id, _summary(old), None, [claim_id])
    return Cleared(claim_id, done.audit_id)


@action(AuditAction.BULK_VERDICT, Role.EDITOR, cli="bulk-verdict")
def bulk_verdict(
    store: Store,
    actor: Actor,
    claim_ids: list[int],
    verdict: str | Verdict,
    rationale: str = "",
    expected_versions: dict[int, int] | None = None,
) -> BulkSaved:
    """Apply one verdict to many claims at once: all or none (one undo reverts the batch).

    ``expected_versions`` maps claim id → the version the editor saw; any claim changed since is
    a conflict and nothing is written."""
    verdict = parse_verdict(verdict)
    rationale = check_rationale(verdict, rationale)
    ids = list(dict.fromkeys(claim_ids))
    if not ids:
        raise InputError("Select at least one claim.")
    with perform(store, actor, bulk_verdict) as (tx, done):
        for claim_id in ids:
            claim = claim_row(tx, claim_id)
            check_not_blind(tx, claim)
            write_verdict(tx, store, claim, verdict, rationale, actor.name, (expected_versions or {}).get(claim_id))
        tx.describe("verdicts", None, None, {"verdict": verdict, "rationale": rationale, "claims": ids}, ids)
    return BulkSaved(verdict, ids, done.audit_id)


@action(AuditAction.MARK_PASSAGE, Role.REVIEWER, cli="mark")
def mark_passage(store: Store, actor: Actor, claim_id: int, passage_id: int, mark: str | Mark | None) -> Marked:
    """Mark a candidate passage supports / contradicts / not relevant for a claim (None removes the mark).

    In a pending blind double review each of the two reviewers marks privately; the marks become
    the claim's cited evidence when the review is settled."""
    try:
        mark = Mark(mark) if mark not in (None, "", "none") else None
    except ValueError:
        raise InputError(f"Mark must be one of {', '.join(Mark)} (or none); got '{mark}'.") from None
    with perform(store, actor, mark_passage) as (tx, done):
        claim = claim_row(tx, claim_id)
        check_may_review(actor, claim)
        if tx.row("passages", id=passage_id) is None:
            raise NotFoundError(f"Passage {passage_id} does not exist.")
        table, key = "evidence_marks", {"claim_id": claim_id, "passage_id": passage_id}
        if blind_pending(tx, claim):
            if actor.name not in (claim["assigned_to"], claim["second_reviewer"]):
                raise PermissionDenied(
                    f"Claim {claim_id} is in blind double review: only its two reviewers mark evidence until it is settled."
                )
            table, key = "blind_marks", {**key, "reviewer": actor.name}
        old = tx.row(table, **key)
        if mark is None:
            tx.delete(table, **key)
        else:
            tx.put(table, {**key, "mark": str(mark), "reviewer": actor.name, "marked_at": utc_now()})
        refresh_state(tx, claim_id)
        tx.describe(
            table,
            claim_id,
            {"passage_id": passage_id, "mark": old["mark"]} if old else None,
            {"passage_id": passage_id, "mark": mark} if mark else None,
            [claim_id],
        )
    return Marked(claim_id, passage_id, mark, done.audit_id)


def settle_blind_marks(tx: Tx, claim_id: int) -> None:
    """When a blind review is settled, the two reviewers' private marks become the claim's cited
    evidence: a passage both marked alike, or only one marked, keeps that mark; where they differ
    neither mark is cited (the adjudicator saw both)."""
    marks: dict[int, set[str]] = {}
    for row in tx.all("SELECT passage_id, mark FROM blind_marks WHERE claim_id = ?", (claim_id,)):
        marks.setdefault(row["passage_id"], set()).add(row["mark"])
    for passage_id, found in marks.items():
        if len(found) == 1 and tx.row("evidence_marks", claim_id=claim_id, passage_id=passage_id) is None:
            tx.put(
                "evidence_marks",
                {
                    "claim_id": claim_id,
                    "passage_id": passage_id,
                    "mark": found.pop(),
                    "reviewer": tx.actor.name,
                    "marked_at": utc_now(),
                },
            )


@action(AuditAction.BLIND_VERDICT, Role.REVIEWER, cli="blind-verdict")
def submit_blind(store: Store, actor: Actor, claim_id: int, verdict: str | Verdict, rationale: str = "") -> BlindSaved:
    """One blind reviewer's verdict; when both have decided, agreement becomes the verdict in the
    same transaction and a disagreement waits for adjudication."""
    verdict = parse_verdict(verdict)
    rationale = check_rationale(verdict, rationale)
    with perform(store, actor, submit_blind) as (tx, done):
        claim = claim_row(tx, claim_id)
        pair = (claim["assigned_to"], claim["second_reviewer"])
        if not claim["double_review"] or actor.name not in pair:
            raise InputError("This claim is not in blind double review for you; record a normal verdict instead.")
        if tx.row("verdicts", claim_id=claim_id) is not None:
            raise InputError(f"Claim {claim_id} already has a final verdict.")
        tx.put(
            "independent_verdicts",
            {
                "claim_id": claim_id,
                "reviewer": actor.name,
                "verdict": str(verdict),
                "rationale": rationale,
                "decided_at": utc_now(),
            },
        )
        decided = tx.all("SELECT reviewer, verdict, rationale FROM independent_verdicts WHERE claim_id = ?", (claim_id,))
        outcome = BlindOutcome.WAITING
        if len(decided) == 2:
            outcome = BlindOutcome.AGREED if len({row["verdict"] for row in decided}) == 1 else BlindOutcome.DISAGREEMENT
        if outcome is BlindOutcome.AGREED:
            joint = " / ".join(f"{row['reviewer']}: {row['rationale']}" for row in decided if row["rationale"])
            settle_blind_marks(tx, claim_id)
            write_verdict(tx, store, claim, verdict, joint, " & ".join(sorted(pair)), None)
        else:
            refresh_state(tx, claim_id)
        # The event names the blind reviewer but not the verdict: the log is readable by the other one.
        tx.describe("independent_verdicts", claim_id, None, {"outcome": outcome}, [claim_id])
    return BlindSaved(claim_id, outcome, done.audit_id)


@action(AuditAction.ADJUDICATE, Role.EDITOR, cli="adjudicate")
def adjudicate(store: Store, actor: Actor, claim_id: int, verdict: str | Verdict, rationale: str = "") -> VerdictSaved:
    """Settle a blind double review whose two verdicts differ; not by one of the two reviewers."""
    verdict = parse_verdict(verdict)
    with perform(store, actor, adjudicate) as (tx, done):
        claim = claim_row(tx, claim_id)
        if not claim["double_review"]:
            raise InputError(f"Claim {claim_id} is not in blind double review.")
        if actor.name in (claim["assigned_to"], claim["second_reviewer"]):
            raise PermissionDenied("An adjudicator must not be one of the two blind reviewers.")
        decided = tx.all("SELECT verdict FROM independent_verdicts WHERE claim_id = ?", (claim_id,))
        if len(decided) < 2:
            raise InputError(f"Claim {claim_id}: {len(decided)} of 2 blind verdicts so far; adjudicate once both have decided.")
        if tx.row("verdicts", claim_id=claim_id) is not None:
            raise InputError(f"Claim {claim_id} already has a final verdict; there is nothing to adjudicate.")
        old = tx.row("verdicts", claim_id=claim_id)
        settle_blind_marks(tx, claim_id)
        version = write_verdict(tx, store, claim, verdict, rationale.strip() or "adjudicated", actor.name, None)
        tx.describe(
            "verdicts", claim_id, _summary(old), {"verdict": verdict, "rationale": rationale, "version": version}, [claim_id]
        )
    return VerdictSaved(claim_id, verdict, version, done.audit_id)


@action(AuditAction.VERDICT_FROM_SAME_CLAIM, Role.EDITOR, cli="apply-to-appearances")
def apply_to_appearances(store: Store, actor: Actor, claim_id: int) -> Copied:
    """Copy a claim's verdict to the other appearances of the same claim that have none or a
    different one (claims in a pending blind review are left to their reviewers)."""
    with perform(store, actor, apply_to_appearances) as (tx, done):
        claim = claim_row(tx, claim_id)
        source = tx.row("verdicts", claim_id=claim_id)
        if source is None:
            raise InputError("Record a verdict for this claim first.")
        others = tx.all(
            "SELECT o.id FROM claims c JOIN claims o ON o.group_key = c.group_key AND o.id != c.id AND o.dropped = 0"
            " LEFT JOIN verdicts v ON v.claim_id = o.id WHERE c.id = ? AND c.group_key IS NOT NULL"
            " AND (v.verdict IS NULL OR v.verdict != ?) ORDER BY o.id",
            (claim_id, source["verdict"]),
        )
        copied = []
        rationale = f"same claim as #{claim_id}" + (f": {source['rationale']}" if source["rationale"] else "")
        for other in others:
            target = claim_row(tx, other["id"])
            if target["double_review"] and tx.row("verdicts", claim_id=target["id"]) is None:
                continue
            write_verdict(tx, store, target, Verdict(source["verdict"]), rationale, actor.name, None)
            copied.append(target["id"])
        tx.log = bool(copied)
        tx.describe("verdicts", claim["id"], None, {"verdict": source["verdict"], "copied_to": copied}, [claim_id, *copied])
    return Copied(claim_id, copied, done.audit_id)


@action(AuditAction.ASSIGN, Role.EDITOR, cli="assign")
def assign(store: Store, actor: Actor, article_id: int, reviewer: str | None, second_reviewer: str | None = None) -> Assigned:
    """Assign an article to a reviewer; naming a second reviewer turns on blind double review."""
    reviewer = (reviewer or "").strip() or None
    second_reviewer = (second_reviewer or "").strip() or None
    if second_reviewer and (not reviewer or reviewer == second_reviewer):
        raise InputError("Blind double review needs two different reviewers.")
    with perform(store, actor, assign) as (tx, done):
        old = tx.row("articles", id=article_id)
        if old is None:
            raise NotFoundError(f"Article {article_id} does not exist.")
        tx.update(
            "articles",
            {"id": article_id},
            assigned_to=reviewer,
            second_reviewer=second_reviewer,
            double_review=int(bool(second_reviewer)),
        )
        tx.describe(
            "articles",
            article_id,
            {k: old[k] for k in ("assigned_to", "second_reviewer", "double_review")},
            {"assigned_to": reviewer, "second_reviewer": second_reviewer, "double_review": bool(second_reviewer)},
        )
    return Assigned(article_id, reviewer, second_reviewer, done.audit_id)


def _comparable(table: str, row: dict | None, columns: set[str]) -> dict | None:
    return None if row is None else {c: row.get(c) for c in columns}


@action(AuditAction.UNDO, Role.REVIEWER, cli="undo")
def undo(store: Store, actor: Actor, audit_id: int) -> Undone:
    """Restore what an audited change replaced, if nothing changed it again since; the undo is
    itself an audited change. Reviewers undo their own changes; editors anyone's."""
    with perform(store, actor, undo) as (tx, done):
        entry = tx.row("audit_log", id=audit_id)
        if entry is None:
            raise NotFoundError(f"Change {audit_id} does not exist.")
        if entry["action"] not in UNDOABLE or not entry["changes"]:
            raise InputError(f"A '{entry['action']}' change cannot be undone.")
        if entry["undone_by"] is not None:
            raise InputError("That change was already undone.")
        if actor.role is Role.REVIEWER and entry["reviewer"] != actor.name:
            raise PermissionDenied(f"Only an editor can undo {entry['reviewer']}'s change.")
        claims: set[int] = set()
        for change in reversed(json.loads(entry["changes"])):
            table, key, old, new = change["table"], change["key"], change["old"], change["new"]
            derived = DERIVED_COLUMNS.get(table, set())
            changed = {c for c in (old or {}) | (new or {}) if c not in derived and (old or {}).get(c) != (new or {}).get(c)}
            if old is None or new is None:
                changed = set(old or new) - derived
            current = tx.row(table, **key)
            # A verdict undo restores as a new version: the version alone does not mean it changed again.
            compared = changed - {"version"} if table == "verdicts" else changed
            if _comparable(table, current, compared) != _comparable(table, new, compared):
                raise ConflictError(
                    f"The {table.replace('_', ' ')} of this change ({', '.join(f'{k} {v}' for k, v in key.items())}) "
                    "changed again afterwards; undo the later change first."
                )
            if old is None:
                tx.delete(table, **key)
            elif current is None:
                tx.insert(table, old)
            else:
                restore = {c: old[c] for c in changed if c != "version"}
                if table == "verdicts":
                    restore["version"] = current["version"] + 1  # a restored verdict is a new version
                if restore:
                    tx.update(table, key, **restore)
            claim_id = key.get("claim_id") if table != "claims" else key.get("id")
            if claim_id is not None:
                claims.add(int(claim_id))
            if table == "claims" and "text" in changed:
                forget_candidates(tx.conn, int(key["id"]))
        for claim_id in claims:
            if tx.row("claims", id=claim_id) is not None:
                refresh_state(tx, claim_id)
                mirror_verdict(tx.conn, claim_id)
        tx.describe(entry["entity"], entry["entity_id"], {"action": entry["action"]}, {"undid": audit_id}, sorted(claims))
        tx.then.append(lambda undo_id: tx.execute("UPDATE audit_log SET undone_by = ? WHERE id = ?", (undo_id, audit_id)))
    return Undone(audit_id, done.audit_id, sorted(claims))
