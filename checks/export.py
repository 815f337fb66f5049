"""Export: verdicts as CSV (spreadsheet-safe), JSON and schema.org ClaimReview JSON-LD.

One row per decided claim, carrying the whole decision: article, claim text and offsets, verdict,
rationale, reviewer, time, cited evidence with scores, and the source ratings as they were then:
the article's, and each cited passage's (domain, rating, the key it was rated under). A cited
passage from the shipped demo corpus says so (``demo``) in every format.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass

from checks.store import Store

CSV_COLUMNS = [
    "claim_id",
    "article_id",
    "article_title",
    "article_url",
    "article_domain",
    "claim_text",
    "claim_start",
    "claim_end",
    "claim_type",
    "checkworthiness",
    "verdict",
    "rationale",
    "reviewer",
    "decided_at",
    "verdict_version",
    "source_rating",
    "source_rating_label",
    "source_rater",
    "source_rating_key",
    "source_rating_snapshot",
    "cited_evidence_urls",
    "cited_evidence_domains",
    "cited_evidence_ratings",
    "cited_evidence_rating_keys",
    "cited_evidence_demo",
    "cited_evidence",
    "article_hash",  # the article's identity (hash of its text): re-imports find the very article
]
# Cells whose first visible character is one of these are run as formulas by spreadsheet programs
# (CSV injection), also behind spaces, line breaks and invisible characters, which spreadsheets skip.
# They get a leading apostrophe, as do cells starting with a tab or carriage return (formula
# prefixes of their own) and cells already starting with an apostrophe, so import can always strip
# exactly one and the round trip is lossless.
FORMULA_CHARS = frozenset("=+-@")
ESCAPED_PREFIXES = ("\t", "\r", "'")
CLAIMREVIEW_RATINGS = {"verified": (5, "True"), "disputed": (1, "False"), "unsupported": (3, "Unproven")}


@dataclass
class ExportFilter:
    article_id: int | None = None
    reviewer: str | None = None
    verdict: str | None = None
    since: str | None = None  # ISO date; verdicts decided on or after it
    until: str | None = None  # ISO date; verdicts decided on or before it


def verdict_records(store: Store, where: ExportFilter | None = None) -> list[dict]:
    """Decided claims with everything an export needs, in article and reading order."""
    where = where or ExportFilter()
    clauses, params = ["c.dropped = 0"], []
    if where.article_id is not None:
        clauses.append("a.id = ?")
        params.append(where.article_id)
    if where.reviewer:
        clauses.append("v.reviewer = ?")
        params.append(where.reviewer)
    if where.verdict:
        clauses.append("v.verdict = ?")
        params.append(where.verdict)
    if where.since:
        clauses.append("substr(v.decided_at, 1, 10) >= ?")
        params.append(where.since)
    if where.until:
        clauses.append("substr(v.decided_at, 1, 10) <= ?")
        params.append(where.until)
    rows = store.query(
        "SELECT c.id AS claim_id, a.id AS article_id, a.content_hash AS article_hash, a.title AS article_title,"
        " a.url AS article_url,"
        " a.domain AS article_domain, a.published AS article_published, c.text AS claim_text,"
        " c.start AS claim_start, c.end AS claim_end, c.claim_type, c.score AS checkworthiness, v.verdict,"
        " v.rationale, v.reviewer, v.decided_at, v.version AS verdict_version, v.rating_snapshot, v.evidence_snapshot"
        " FROM verdicts v JOIN claims c ON c.id = v.claim_id JOIN articles a ON a.id = c.article_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY a.id, c.position",
        tuple(params),
    )
    records = []
    for row in rows:
        record = dict(row)
        record["rating_snapshot"] = json.loads(record["rating_snapshot"])
        record["evidence"] = json.loads(record.pop("evidence_snapshot"))
        records.append(record)
    return records


def _first_visible(text: str) -> str:
    """The first character that is neither whitespace (any Unicode space or line break) nor an
    invisible format character (zero-width space, BOM, ...); "" when there is none."""
    return next((ch for ch in text if not (ch.isspace() or unicodedata.category(ch) == "Cf")), "")


def _safe_cell(value) -> str:
    """Text a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(ESCAPED_PREFIXES) or _first_visible(text) in FORMULA_CHARS:
        return "'" + text
    return text


def _unescape(text: str) -> str:
    """Undo :func:`_safe_cell`: every cell it changed, and only those, starts with the apostrophe it added."""
    return text[1:] if text.startswith("'") else text


def _evidence_rating(item: dict) -> str:
    """``high 1.000`` / ``unrated`` for a cited passage; empty when the verdict predates evidence ratings."""
    rating = item.get("source_rating")
    if rating is None:
        return ""
    return rating.get("label", "unrated") if rating.get("rating") is None else f"{rating['label']} {rating['rating']:.3f}"


def _demo_cell(item: dict) -> str:
    return {True: "demo", False: "no"}.get(item.get("demo"), "")


def to_csv(records: list[dict]) -> bytes:
    """UTF-8 with BOM (so Excel detects the encoding), every field quoted, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        rating = record["rating_snapshot"]
        evidence = record["evidence"]
        row = {
            **record,
            "checkworthiness": f"{record['checkworthiness']:.3f}",
            "source_rating": "" if rating.get("rating") is None else f"{rating['rating']:.3f}",
            "source_rating_label": rating.get("label", "unrated"),
            "source_rater": rating.get("rater", ""),
            "source_rating_key": rating.get("key") or "",
            "source_rating_snapshot": json.dumps(rating, ensure_ascii=False),
            # Aligned lists: the n-th item of each is the n-th cited passage.
            "cited_evidence_urls": " | ".join(e.get("url") or "" for e in evidence),
            "cited_evidence_domains": " | ".join(e.get("domain") or "" for e in evidence),
            "cited_evidence_ratings": " | ".join(_evidence_rating(e) for e in evidence),
            "cited_evidence_rating_keys": " | ".join((e.get("source_rating") or {}).get("key") or "" for e in evidence),
            # Verdicts saved before demo data was marked do not know: an empty item, not "no".
            "cited_evidence_demo": " | ".join(_demo_cell(e) for e in evidence),
            "cited_evidence": json.dumps(evidence, ensure_ascii=False),
        }
        writer.writerow([_safe_cell(row.get(column)) for column in CSV_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(records: list[dict]) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


def to_claimreview(records: list[dict], publisher: str = "Fact-check workbench") -> bytes:
    """schema.org ClaimReview JSON-LD, one object per verdict (fields Google's guidelines require:
    claimReviewed, reviewRating with alternateName, url, author, datePublished)."""
    reviews = []
    for record in records:
        rating_value, alternate = CLAIMREVIEW_RATINGS[record["verdict"]]
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": record["article_url"] or f"urn:workbench:claim:{record['claim_id']}",
                "claimReviewed": record["claim_text"],
                "datePublished": record["decided_at"][:10],
                "author": {"@type": "Organization", "name": publisher},
                "reviewBody": record["rationale"],
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": rating_value,
                    "bestRating": 5,
                    "worstRating": 1,
                    "alternateName": alternate,
                },
                # The cited passages; one from the shipped demo corpus is labelled as such, never a real source.
                "citation": [_citation(item) for item in record["evidence"]],
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": [{"@type": "CreativeWork", "url": record["article_url"], "headline": record["article_title"]}],
                    "author": {"@type": "Organization", "name": record["article_domain"] or "unknown"},
                },
            }
        )
    return json.dumps(reviews, ensure_ascii=False, indent=2).encode("utf-8")


def _citation(item: dict) -> dict:
    work = {"@type": "CreativeWork", "url": item.get("url"), "headline": item.get("title"), "text": item.get("text")}
    if item.get("demo"):
        work["genre"] = "demo"
        work["description"] = "Demo evidence shipped with the workbench, not a real source."
    return {k: v for k, v in work.items() if v is not None}


def parse_verdict_csv(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """Rows of a verdicts CSV written by :func:`to_csv` (spreadsheet escaping undone), with their
    line numbers, and the problems that make the whole file unreadable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["the file is not UTF-8 text"]
    reader = csv.DictReader(io.StringIO(text))
    missing = {"claim_text", "verdict"} - set(reader.fieldnames or [])
    if missing:
        return [], [f"missing columns: {', '.join(sorted(missing))}"]
    try:
        rows = [
            (line, {key: _unescape(value or "") for key, value in raw.items() if key}) for line, raw in enumerate(reader, start=2)
        ]
    except csv.Error as error:
        return [], [f"not a readable CSV file: {error}"]
    return rows, []


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
