"""Verdict import action: read a verdicts CSV (as exported, possibly by another workbench) back in,
all in one transaction, under the same rules as a verdict saved on screen.

Articles are matched by URL, else by title and domain, and created as stubs when unknown (their
body is the imported claims; offsets keep pointing into the original article). Claims are matched
by text. A verdict identical to the stored one is skipped; a different one becomes a new version
with the old one in the audit event. Malformed rows are reported, not imported.
"""

from __future__ import annotations

import json

from checks.actions.core import Actor, Tx, action, perform
from checks.actions.review import refresh_state
from checks.errors import InputError
from checks.export import int_or_none, parse_verdict_csv
from checks.ingest import load_json
from checks.sources import ImportReport
from checks.store import Store, content_hash, mirror_verdict, utc_now
from checks.vocab import AuditAction, Role, Verdict


def _find_or_create_article(tx: Tx, row: dict) -> int:
    if row.get("article_hash"):
        same = tx.one("SELECT id FROM articles WHERE content_hash = ?", (row["article_hash"],))
        if same:
            return int(same["id"])
    url, title, domain = (
        row.get("article_url") or None,
        row.get("article_title") or "Imported verdicts",
        row.get("article_domain") or None,
    )
    found = (
        tx.one("SELECT id FROM articles WHERE url = ?", (url,))
        if url
        else tx.one("SELECT id FROM articles WHERE title = ? AND domain IS ?", (title, domain))
    )
    if found:
        return int(found["id"])
    return tx.insert(
        "articles",
        {
            "title": title,
            "url": url,
            "domain": domain,
            "body": "",
            # The article keeps its identity, so exporting again and importing elsewhere still finds it.
            "content_hash": row.get("article_hash") or content_hash(f"csv import|{url}|{title}|{domain}"),
            "origin": "csv import",
            "created_at": utc_now(),
        },
    )


def _find_claim(tx: Tx, article_id: int, row: dict, used: set[int]) -> dict | None:
    """The claim a row is about: same article and text, and the same offsets when the row gives
    them (a sentence can appear twice in one article: each appearance is its own claim). Without
    offsets, the first such claim this file has not matched yet."""
    same_text = tx.all(
        "SELECT id, start, end FROM claims WHERE article_id = ? AND text = ? ORDER BY position, id",
        (article_id, row["claim_text"]),
    )
    start, end = int_or_none(row.get("claim_start")), int_or_none(row.get("claim_end"))
    if start is not None:
        return next((c for c in same_text if (c["start"], c["end"]) == (start, end)), None)
    return next((c for c in same_text if c["id"] not in used), None)


def _problem(row: dict) -> str | None:
    """Why a row cannot be imported, or None."""
    try:
        verdict = Verdict(row["verdict"])
    except ValueError:
        return f"verdict '{row['verdict']}' is not one of {', '.join(Verdict)}"
    if not row["claim_text"].strip():
        return "empty claim_text"
    if verdict is not Verdict.VERIFIED and not row.get("rationale", "").strip():
        return f"a '{verdict}' verdict needs a rationale"
    try:
        evidence = load_json(row.get("cited_evidence") or "[]", "cited_evidence")
        snapshot = load_json(row.get("source_rating_snapshot") or "{}", "source_rating_snapshot")
    except InputError as error:  # invalid, or nested deep enough to crash a plain json.loads
        return str(error)
    if not isinstance(evidence, list) or not all(isinstance(item, dict) for item in evidence):
        return "cited_evidence must be a list of passages"
    if not isinstance(snapshot, dict):
        return "source_rating_snapshot must be an object"
    return None


@action(AuditAction.IMPORT_VERDICTS, Role.EDITOR, cli="import-verdicts")
def import_verdicts(store: Store, actor: Actor, data: bytes) -> ImportReport:
    """Import a verdicts CSV (as exported) in one transaction; rows that break a rule are reported."""
    report = ImportReport()
    rows, problems = parse_verdict_csv(data)
    report.skipped += problems
    used: set[int] = set()  # claims already matched by an earlier row of this file
    with perform(store, actor, import_verdicts) as (tx, _):
        for line, row in rows:
            problem = _problem(row)
            if problem:
                report.skipped.append(f"line {line}: {problem}")
                continue
            article_id = _find_or_create_article(tx, row)
            claim = _find_claim(tx, article_id, row, used)
            if claim is None:
                position = tx.one("SELECT COUNT(*) AS n FROM claims WHERE article_id = ?", (article_id,))["n"]
                claim_id = tx.insert(
                    "claims",
                    {
                        "article_id": article_id,
                        "position": position,
                        "text": row["claim_text"],
                        "start": int_or_none(row.get("claim_start")),
                        "end": int_or_none(row.get("claim_end")),
                        "score": float(row.get("checkworthiness") or 0),
                        "claim_type": row.get("claim_type") or "other",
                        "created_by": "csv import",
                    },
                )
                article = tx.row("articles", id=article_id)
                if article["origin"] == "csv import":
                    tx.execute(
                        "UPDATE articles SET body = ? WHERE id = ?",
                        ((article["body"] + "\n\n" + row["claim_text"]).strip(), article_id),
                    )
            else:
                claim_id = claim["id"]
            used.add(claim_id)
            old = tx.row("verdicts", claim_id=claim_id)
            new = {
                "claim_id": claim_id,
                "verdict": row["verdict"],
                "rationale": row.get("rationale", ""),
                "reviewer": row.get("reviewer") or actor.name,
                "rating_snapshot": json.dumps(load_json(row.get("source_rating_snapshot") or "{}", "source_rating_snapshot")),
                "evidence_snapshot": json.dumps(load_json(row.get("cited_evidence") or "[]", "cited_evidence")),
                "decided_at": row.get("decided_at") or utc_now(),
            }
            if old and all(old[key] == new[key] for key in ("verdict", "rationale", "reviewer", "decided_at")):
                continue  # already stored exactly: importing twice changes nothing
            new["version"] = max(int_or_none(row.get("verdict_version")) or 1, (old["version"] + 1) if old else 1)
            tx.put("verdicts", new)
            refresh_state(tx, claim_id)
            mirror_verdict(tx.conn, claim_id)
            tx.claims.add(claim_id)
            if old:
                report.updated += 1
            else:
                report.imported += 1
        tx.log = bool(report.imported or report.updated)
        tx.describe(
            "verdicts", None, None, {"imported": report.imported, "updated": report.updated, "skipped": len(report.skipped)}
        )
    return report
