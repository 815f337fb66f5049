"""Earlier fact-checks, the library: what a fact-check is, how publishers' ratings map to
workbench verdicts, and reading collections (CSV/TSV tables, ClaimReview JSON-LD) into rows.

The library (table ``factchecks``) holds imported collections and the workbench's own verdicts
(collection ``workbench``, kept in step with every verdict change by the store). Storing an
imported collection is an action (``checks.actions.library``); this module only parses and reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from checks.errors import InputError, NotFoundError
from checks.ingest import load_json
from checks.sources import registrable_domain
from checks.store import Store, claim_identity

CLEF_COLLECTION = "clef2020-snopes"
UNKNOWN_VERDICT = "unknown"

# Publishers' ratings → workbench verdicts; a rating not listed cannot be reused as it stands.
RATING_VERDICTS: dict[str, str] = {
    **dict.fromkeys(("true", "correct", "mostly true", "accurate", "verified", "mostly correct"), "verified"),
    **dict.fromkeys(
        ("false", "mostly false", "pants on fire", "pants on fire!", "fake", "incorrect", "disputed", "wrong", "hoax"),
        "disputed",
    ),
    **dict.fromkeys(
        ("unproven", "unverified", "mixture", "misleading", "half true", "unsupported", "mixed", "unsubstantiated"),
        "unsupported",
    ),
}

# Header aliases of imported tables, compared after lowercasing and dropping non-letters.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "claim": ("claim", "claimreviewed", "vclaim", "claimtext", "text"),
    "verdict": ("verdict", "rating", "textualrating", "alternatename", "label", "ruling"),
    "url": ("url", "link", "reviewurl", "factcheckurl"),
    "published": ("date", "published", "datepublished", "reviewdate", "publisheddate"),
    "publisher": ("publisher", "author", "factchecker", "organisation", "organization"),
    "external_id": ("id", "vclaimid", "claimid", "externalid", "identifier"),
    "title": ("title", "headline"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")


class FactCheckError(InputError):
    """A library action that cannot be done as asked; the message is for the reviewer."""


@dataclass
class LibraryImport:
    """What an import did: rows added, rows already in the collection, rows skipped and why."""

    collection: str
    imported: int = 0
    already_present: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.collection}: {self.imported} fact-checks imported, {self.already_present} already present"
        if self.skipped:
            text += f", {len(self.skipped)} skipped: " + "; ".join(self.skipped[:5]) + (" …" if len(self.skipped) > 5 else "")
        return text


@dataclass
class FactCheck:
    """One earlier fact-check as stored (``title`` only where the collection has one)."""

    id: int
    claim: str
    verdict: str
    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    collection: str = ""
    external_id: str | None = None
    claim_id: int | None = None
    title: str | None = None

    @property
    def workbench_verdict(self) -> str | None:
        return workbench_verdict(self.verdict)


# ----------------------------------------------------------------------------------------- helpers


def workbench_verdict(rating: str | None) -> str | None:
    """The workbench verdict a publisher's rating amounts to, or None when it maps to none."""
    if not rating:
        return None
    return RATING_VERDICTS.get(re.sub(r"\s+", " ", rating.strip().lower().rstrip(".")))


_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
# A pasted post's signature "— Name (@handle) January 6, 2020": the name can matter (a quote's
# speaker), the handle and date are noise for matching.
_SIGNATURE = re.compile(r"\s*[—–]\s*([^—–]*?)\s*\(@\w+\)\s*[A-Z][a-z]+\.? \d{1,2}, \d{4}\s*$")


def clean_text(text: str) -> str:
    """Claim text as the matcher reads it: links dropped, a post signature reduced to the author's
    name, hashtags split into words (#DefundTheCBC → Defund The CBC), @ removed from handles."""
    text = text.replace("\xa0", " ")
    signature = _SIGNATURE.search(text)
    if signature:
        text = f"{text[: signature.start()]} {signature.group(1)}"
    text = _URL.sub(" ", text)
    text = re.sub(r"#(\w+)", lambda m: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m.group(1)), text)
    text = re.sub(r"@(\w+)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def fuzzy_form(text: str) -> str:
    """Lowercase words and digits with quotes unified, the form rapidfuzz compares."""
    text = text.lower().translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]+", " ", text)).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", clean_text(text)))


def parse_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from the usual written forms, or None when it cannot be read."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date().isoformat()
        except ValueError:
            continue
    return None


def years_between(earlier: str, later: date) -> float:
    return (later - date.fromisoformat(earlier[:10])).days / 365.25


def identity(claim: str) -> str:
    """De-duplication key of a claim within a collection: case, whitespace and quote marks folded
    (CLEF's Snopes file holds 185 claims that differ from an earlier one only in '…' vs "…")."""
    return claim_identity(claim)


# ------------------------------------------------------------------------------------------ import


def parse_table(name: str, data: bytes, collection: str | None = None) -> tuple[LibraryImport, list[dict[str, Any]]]:
    """Import a CSV or TSV of fact-checks (claim, verdict, URL, date, publisher, id, title columns
    under their usual names). Rows without a claim are skipped and reported; re-importing adds
    nothing. A table without a verdict column (CLEF's verified claims) is imported with verdict
    "unknown": such matches are shown but cannot be reused without opening the source.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FactCheckError(f"{name} is not UTF-8 text.") from error
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if name.lower().endswith(".tsv") or first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise FactCheckError(f"{name} is empty.")
    keys = [re.sub(r"[^a-z]", "", h.lower()) for h in header]
    position: dict[str, int] = {}
    for target, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys and target not in position and keys.index(alias) not in position.values():
                position[target] = keys.index(alias)
                break
    if "external_id" not in position and keys[0] == "":
        position["external_id"] = 0  # a pandas index column (CLEF files): the collection's own ids
    if "claim" not in position:
        raise FactCheckError(
            f"{name} has no claim column (looked for {', '.join(COLUMN_ALIASES['claim'])}); found: {', '.join(header)}."
        )
    clef = keys[position["claim"]] == "vclaim"
    report = LibraryImport(collection or (CLEF_COLLECTION if clef else Path(name).stem))
    rows = []
    for number, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            report.skipped.append(f"row {number}: {len(fields)} fields, the header has {len(header)}")
            continue
        value = {target: fields[index].strip() or None for target, index in position.items()}
        if not value["claim"]:
            report.skipped.append(f"row {number}: no claim text")
            continue
        published = parse_date(value.get("published"))
        if value.get("published") and published is None:
            report.skipped.append(f"row {number}: date '{value['published']}' not understood")
            continue
        url = value.get("url")
        if url and not url.lower().startswith(("http://", "https://")):
            report.skipped.append(f"row {number}: '{url}' is not a web address")
            continue
        rows.append(
            {
                "claim": value["claim"],
                "verdict": value.get("verdict") or UNKNOWN_VERDICT,
                "url": url,
                "published": published,
                "publisher": value.get("publisher") or ("Snopes" if clef else registrable_domain(url)),
                "collection": report.collection,
                "external_id": value.get("external_id"),
                "title": value.get("title"),
            }
        )
    return report, rows


def _name(value: Any) -> str | None:
    """The name of a schema.org author/publisher given as text, an object or a list of either."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), None)
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("alternateName")) or _text(value.get("url")) or None
    return _text(value) or None


def _text(value: Any) -> str:
    """A JSON value that should be text, stripped; anything else (number, object, list) counts as absent."""
    return value.strip() if isinstance(value, str) else ""


def _has_type(item: dict, wanted: str) -> bool:
    kind = item.get("@type")
    return wanted in (kind if isinstance(kind, list) else [kind])


def parse_claimreview(data: bytes, collection: str = "claimreview") -> tuple[LibraryImport, list[dict[str, Any]]]:
    """Import schema.org ClaimReview JSON-LD: one object, a list, or a document with ``@graph``.

    The verdict is the rating's ``alternateName`` (its textual rating); the publisher is the
    review's author, else the domain of its URL. Items that are not ClaimReviews, or lack the
    claim, are skipped and reported.
    """
    try:
        document = load_json(data.decode("utf-8-sig"), "ClaimReview JSON-LD")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FactCheckError(f"Not ClaimReview JSON-LD: {error}") from error
    if isinstance(document, dict):
        items = document.get("@graph", [document])
        if not isinstance(items, list):
            raise FactCheckError("ClaimReview JSON-LD: @graph must be a list of objects.")
    elif isinstance(document, list):
        items = document
    else:
        raise FactCheckError("ClaimReview JSON-LD must be an object or a list of objects.")
    report = LibraryImport(collection)
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not _has_type(item, "ClaimReview"):
            report.skipped.append(f"item {number}: not a ClaimReview")
            continue
        claim = _text(item.get("claimReviewed"))
        if not claim:
            report.skipped.append(f"item {number}: no claimReviewed")
            continue
        rating = item.get("reviewRating") or {}
        rating = rating[0] if isinstance(rating, list) and rating else rating
        verdict = (_text(rating.get("alternateName")) or _text(rating.get("name"))) if isinstance(rating, dict) else ""
        url = _text(item.get("url")) or None
        if url and not url.lower().startswith(("http://", "https://")):
            report.skipped.append(f"item {number}: url '{url[:80]}' is not a web address")
            continue
        rows.append(
            {
                "claim": claim,
                "verdict": verdict or UNKNOWN_VERDICT,
                "url": url,
                "published": parse_date(item.get("datePublished")),
                "publisher": _name(item.get("author")) or _name(item.get("publisher")) or registrable_domain(url),
                "collection": collection,
                "external_id": _text(item.get("@id")) or url,
            }
        )
    return report, rows


def library_key(store: Store) -> str:
    """Identity of the library's claim texts: a matcher built under another key is stale. (Verdict
    changes need no rebuild: :func:`matches_for_claim` reads the current row.)"""
    rows = store.query("SELECT id, content_hash FROM factchecks ORDER BY id")
    return hashlib.sha1("|".join(f"{r['id']}:{r['content_hash']}" for r in rows).encode()).hexdigest()[:16]


def load_factchecks(store: Store) -> list[FactCheck]:
    """The whole library in id order (titles where the schema has the column)."""
    has_title = any(r["name"] == "title" for r in store.query("PRAGMA table_info(factchecks)"))
    rows = store.query(
        "SELECT id, claim, verdict, url, published, publisher, collection, external_id, claim_id"
        + (", title" if has_title else "")
        + " FROM factchecks ORDER BY id"
    )
    return [FactCheck(**dict(r)) for r in rows]


def get_factcheck(store: Store, factcheck_id: int) -> FactCheck:
    row = store.query_one("SELECT * FROM factchecks WHERE id = ?", (factcheck_id,))
    if row is None:
        raise NotFoundError(f"Fact-check {factcheck_id} does not exist.")
    fields = FactCheck.__dataclass_fields__
    return FactCheck(**{k: v for k, v in dict(row).items() if k in fields})




def library_size(store: Store) -> int:
    """How many fact-checks the library holds (imported and the workbench's own)."""
    return int(store.query_one("SELECT COUNT(*) FROM factchecks")[0])
