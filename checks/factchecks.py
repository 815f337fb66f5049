"""Earlier fact-checks: the library of past verdicts, matching new claims against it, and the
reviewer's reuse / dismiss decisions.

The library (table ``factchecks``) holds the workbench's own verdicts (collection ``workbench``,
mirrored by :func:`sync_own_verdicts`) and imported collections: CSV/TSV tables and ClaimReview
JSON-LD. A :class:`Matcher` ranks the library for a claim by a weighted sum of a dense cosine, a
saturating BM25 score and a rapidfuzz ratio (each 0–1, so the sum can carry tiers); the weights and thresholds were chosen on the
CLEF-2020 CheckThat! task 2 train+dev splits (``bench/claim_matching_clef2020.py``), never on test.

Matches come in two tiers, as newsrooms use them: "same claim" (strict threshold, a claim of at
least :data:`MIN_SAME_CLAIM_WORDS` words, a fact-check not older than ``max_age_years``) and
"related". Nothing is merged automatically: the reviewer reuses the earlier verdict (recorded
through :func:`checks.review.set_verdict`) or dismisses the match, which then stays hidden for
that claim.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from checks import review
from checks.corpus import content_hash
from checks.embedding import Encoder, cached_embeddings
from checks.retrieval import BM25, top_k
from checks.sources import registrable_domain
from checks.store import Store, log_action, utc_now

OWN_COLLECTION = "workbench"
CLEF_COLLECTION = "clef2020-snopes"
UNKNOWN_VERDICT = "unknown"
SAME_CLAIM = "same claim"
RELATED = "related"
MIN_SAME_CLAIM_WORDS = 6  # shorter claims ("Vaccines are safe.") match too much to be called the same claim
REUSE_ACTION = "reuse earlier fact-check"
POOL_CACHE_SIZE = 512  # claim texts whose candidate pools a matcher remembers

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


class FactCheckError(ValueError):
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


@dataclass
class Match:
    """A fact-check ranked for a claim, with each component of its score and its tier."""

    factcheck: FactCheck
    dense: float
    lexical: float
    fuzzy: float
    combined: float
    tier: str
    reasons: list[str] = field(default_factory=list)  # why a strong match is only "related"
    rationale: str = ""  # for the workbench's own verdicts: the earlier rationale and evidence
    evidence: list[dict] = field(default_factory=list)
    decision: str | None = None  # "reused" once the reviewer reused it for this claim


# ----------------------------------------------------------------------------------------- helpers


def workbench_verdict(rating: str | None) -> str | None:
    """The workbench verdict a publisher's rating amounts to, or None when it maps to none."""
    if not rating:
        return None
    return RATING_VERDICTS.get(re.sub(r"\s+", " ", rating.strip().lower().rstrip(".")))


_QUOTES = str.maketrans("", "", "'\"‘’“”")
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
    if not value or not value.strip():
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
    return content_hash(claim.translate(_QUOTES))


def _factcheck_columns(conn) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(factchecks)").fetchall()}


def _insert(conn, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Insert rows, skipping those already in their collection; returns (added, already present).

    The title is kept only where the schema has a column for it."""
    columns = [
        "claim",
        "verdict",
        "url",
        "published",
        "publisher",
        "collection",
        "external_id",
        "claim_id",
        "content_hash",
        "created_at",
    ]
    if "title" in _factcheck_columns(conn):
        columns.append("title")
    sql = f"INSERT OR IGNORE INTO factchecks ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    added = present = 0
    now = utc_now()
    for row in rows:
        values = {"url": None, "published": None, "publisher": None, "external_id": None, "claim_id": None, "title": None}
        values.update(row)
        values["created_at"] = now
        values["content_hash"] = identity(row["claim"])
        if conn.execute(sql, values).rowcount:
            added += 1
        else:
            present += 1
    return added, present


def _log_import(conn, reviewer: str, report: LibraryImport, source: str) -> None:
    log_action(
        conn,
        reviewer,
        "import fact-checks",
        "factchecks",
        None,
        new={"source": source, "collection": report.collection, "imported": report.imported, "skipped": len(report.skipped)},
    )


# ------------------------------------------------------------------------------------------ import


def import_table(store: Store, name: str, data: bytes, collection: str | None = None, reviewer: str = "import") -> LibraryImport:
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
    with store.transaction() as conn:
        report.imported, report.already_present = _insert(conn, rows)
        _log_import(conn, reviewer, report, name)
    return report


def _name(value: Any) -> str | None:
    """The name of a schema.org author/publisher given as text, an object or a list of either."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), None)
    if isinstance(value, dict):
        return value.get("name") or value.get("alternateName") or value.get("url")
    return str(value) if value else None


def _has_type(item: dict, wanted: str) -> bool:
    kind = item.get("@type")
    return wanted in (kind if isinstance(kind, list) else [kind])


def import_claimreview(store: Store, data: bytes, collection: str = "claimreview", reviewer: str = "import") -> LibraryImport:
    """Import schema.org ClaimReview JSON-LD: one object, a list, or a document with ``@graph``.

    The verdict is the rating's ``alternateName`` (its textual rating); the publisher is the
    review's author, else the domain of its URL. Items that are not ClaimReviews, or lack the
    claim, are skipped and reported.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FactCheckError(f"Not ClaimReview JSON-LD: {error}") from error
    if isinstance(document, dict):
        items = document.get("@graph", [document])
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
        claim = (item.get("claimReviewed") or "").strip()
        if not claim:
            report.skipped.append(f"item {number}: no claimReviewed")
            continue
        rating = item.get("reviewRating") or {}
        rating = rating[0] if isinstance(rating, list) and rating else rating
        verdict = (rating.get("alternateName") or rating.get("name") or "").strip() if isinstance(rating, dict) else ""
        url = item.get("url") or None
        rows.append(
            {
                "claim": claim,
                "verdict": verdict or UNKNOWN_VERDICT,
                "url": url,
                "published": parse_date(item.get("datePublished")),
                "publisher": _name(item.get("author")) or _name(item.get("publisher")) or registrable_domain(url),
                "collection": collection,
                "external_id": item.get("@id") or url,
            }
        )
    with store.transaction() as conn:
        report.imported, report.already_present = _insert(conn, rows)
        _log_import(conn, reviewer, report, "ClaimReview JSON-LD")
    return report


def sync_own_verdicts(store: Store) -> int:
    """Mirror the workbench's verdicts into the library (collection "workbench", ``claim_id`` set),
    so a claim in a new article can meet the verdict of the same claim in an earlier one.

    Changed verdicts are updated in place and withdrawn ones removed (with their match decisions).
    The date is the decision date: that is when the fact-check was made. Returns the rows changed.
    """
    with store.transaction() as conn:
        verdicts = conn.execute(
            "SELECT v.claim_id, v.verdict, v.reviewer, v.decided_at, c.text, a.url"
            " FROM verdicts v JOIN claims c ON c.id = v.claim_id JOIN articles a ON a.id = c.article_id"
        ).fetchall()
        stored = {
            r["claim_id"]: r
            for r in conn.execute(
                "SELECT id, claim_id, claim, verdict, published, publisher, url FROM factchecks WHERE collection = ?",
                (OWN_COLLECTION,),
            )
        }
        changed = 0
        for row in verdicts:
            current = stored.pop(row["claim_id"], None)
            values = {
                "claim": row["text"],
                "verdict": row["verdict"],
                "url": row["url"],
                "published": row["decided_at"][:10],
                "publisher": f"workbench ({row['reviewer']})",
            }
            if current is None:
                # The claim id is part of the identity: the same sentence in two articles is two verdicts.
                conn.execute(
                    "INSERT INTO factchecks (claim, verdict, url, published, publisher, collection, external_id,"
                    " claim_id, content_hash, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        *values.values(),
                        OWN_COLLECTION,
                        str(row["claim_id"]),
                        row["claim_id"],
                        identity(f"{row['claim_id']} {row['text']}"),
                        utc_now(),
                    ),
                )
                changed += 1
            elif any(current[k] != v for k, v in values.items()):
                conn.execute(
                    "UPDATE factchecks SET claim = ?, verdict = ?, url = ?, published = ?, publisher = ?, content_hash = ?"
                    " WHERE id = ?",
                    (*values.values(), identity(f"{row['claim_id']} {row['text']}"), current["id"]),
                )
                changed += 1
        for gone in stored.values():
            conn.execute("DELETE FROM factchecks WHERE id = ?", (gone["id"],))
            changed += 1
    return changed


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


# ---------------------------------------------------------------------------------------- matching


@dataclass
class Candidates:
    """The pool of fact-checks worth scoring for one claim, with every raw component score."""

    rows: np.ndarray  # positions in Matcher.factchecks
    dense_claim: np.ndarray  # cosine to the fact-check's claim
    dense_title: np.ndarray  # cosine to its title (0 where there is none)
    has_title: np.ndarray
    bm25: np.ndarray
    token_set: np.ndarray  # rapidfuzz ratios / 100
    partial: np.ndarray


@dataclass(frozen=True)
class MatchParams:
    """How the component scores combine and where the tiers start.

    The defaults were chosen on the CLEF-2020 CheckThat! task 2 train+dev splits by
    ``bench/claim_matching_clef2020.py`` (ranking by MAP@5; "same claim" as the lowest threshold with
    top-1 precision >= 0.98 and <= 2% false "same claim" when the true fact-check is absent;
    "related" where 95% of true matches score).
    """

    title_weight: float = 0.3  # share of the dense score taken from the fact-check's title, where it has one
    lexical_half: float = 40.0  # BM25 score at which the lexical component reaches 0.5 (saturating: absolute, 0–1)
    dense_weight: float = 0.5
    lexical_weight: float = 0.25
    fuzzy_weight: float = 0.25
    fuzzy_scorer: str = "partial"  # "partial" (best-aligned substring: quotes) or "token_set" (word sets: reordering)
    same_claim_threshold: float = 0.575
    related_threshold: float = 0.35
    max_age_years: float = 5.0
    pool: int = 50  # candidates per ranker that get the fuzzy score and the combination

    def components(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dense, lexical, fuzzy) of each candidate, each on a 0–1 scale."""
        dense = np.where(
            candidates.has_title,
            (1 - self.title_weight) * candidates.dense_claim + self.title_weight * candidates.dense_title,
            candidates.dense_claim,
        )
        lexical = candidates.bm25 / (candidates.bm25 + self.lexical_half)
        fuzzy = candidates.partial if self.fuzzy_scorer == "partial" else candidates.token_set
        return dense, lexical, fuzzy

    def combine(self, candidates: Candidates) -> np.ndarray:
        dense, lexical, fuzzy = self.components(candidates)
        return self.dense_weight * dense + self.lexical_weight * lexical + self.fuzzy_weight * fuzzy


class Matcher:
    """Ranks a fixed set of fact-checks for a claim: dense cosine (claim and title), BM25 over claim
    and title, and a rapidfuzz ratio on the pooled candidates; see :class:`MatchParams`."""

    def __init__(
        self,
        factchecks: Sequence[FactCheck],
        store: Store,
        encoder: Encoder,
        params: MatchParams | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.factchecks = list(factchecks)
        self.encoder = encoder
        self.params = params or MatchParams()
        self.bm25 = BM25([clean_text(f"{f.claim} {f.title or ''}") for f in self.factchecks])
        self.claim_vectors = cached_embeddings(store, encoder, [f.claim for f in self.factchecks], progress)
        self.has_title = np.array([bool(f.title) for f in self.factchecks], dtype=bool)
        self.title_vectors = np.zeros_like(self.claim_vectors)
        if self.has_title.any():
            titled = [f.title or "" for f in self.factchecks if f.title]
            self.title_vectors[self.has_title] = cached_embeddings(store, encoder, titled)
        self.fuzzy_texts = [fuzzy_form(f.claim) for f in self.factchecks]
        self.positions = {f.id: row for row, f in enumerate(self.factchecks)}
        self._pools: dict[str, Candidates] = {}

    @classmethod
    def from_store(
        cls,
        store: Store,
        encoder: Encoder,
        params: MatchParams | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Matcher:
        """A matcher over the whole library (call :func:`sync_own_verdicts` first to include ours)."""
        return cls(load_factchecks(store), store, encoder, params, progress)

    def __len__(self) -> int:
        return len(self.factchecks)

    def encode(self, text: str) -> np.ndarray:
        return self.encoder.encode([clean_text(text)])[0]

    def dense_scores(self, vector: np.ndarray) -> np.ndarray:
        """Dense score of every fact-check for a query vector (claim and title mixed as in params)."""
        claim = self.claim_vectors @ vector
        weight = self.params.title_weight
        return np.where(self.has_title, (1 - weight) * claim + weight * (self.title_vectors @ vector), claim)

    def lexical_scores(self, text: str) -> np.ndarray:
        """BM25 score of every fact-check (claim + title) for a claim."""
        return self.bm25.scores(clean_text(text))

    def candidates(self, text: str, vector: np.ndarray | None = None) -> Candidates:
        """Pool the top fact-checks of each ranker and score them on every component.

        Pools are remembered per claim text: the library is fixed for a matcher's lifetime, so a
        rerun of the review screen (a verdict click) does not search the library again."""
        if vector is None and text in self._pools:
            return self._pools[text]
        pool = self._candidates(text, self.encode(text) if vector is None else vector)
        if vector is None:
            if len(self._pools) >= POOL_CACHE_SIZE:
                self._pools.pop(next(iter(self._pools)))
            self._pools[text] = pool
        return pool

    def _candidates(self, text: str, vector: np.ndarray) -> Candidates:
        dense_claim = self.claim_vectors @ vector
        dense_title = self.title_vectors @ vector
        bm25 = self.lexical_scores(text)
        pool = self.params.pool
        lexical_top = top_k(bm25, pool)
        rows = np.union1d(
            np.union1d(top_k(dense_claim, pool), top_k(np.where(self.has_title, dense_title, -1.0), pool)),
            lexical_top[bm25[lexical_top] > 0],
        ).astype(np.int64)
        query = fuzzy_form(clean_text(text))
        return Candidates(
            rows=rows,
            dense_claim=dense_claim[rows],
            dense_title=dense_title[rows],
            has_title=self.has_title[rows],
            bm25=bm25[rows],
            token_set=np.array([fuzz.token_set_ratio(query, self.fuzzy_texts[r]) for r in rows]) / 100.0,
            partial=np.array([fuzz.partial_ratio(query, self.fuzzy_texts[r]) for r in rows]) / 100.0,
        )

    def match(
        self,
        text: str,
        k: int = 5,
        as_of: date | None = None,
        exclude: Iterable[int] = (),
        min_score: float | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Match]:
        """The best k fact-checks for a claim scoring at least ``min_score`` (default: the related
        threshold), best first, each with its tier. ``as_of`` is the claim's date (default today);
        ``exclude`` holds fact-check ids never to return."""
        if not self.factchecks:
            return []
        params = self.params
        pool = self.candidates(text, vector)
        dense, lexical, fuzzy = params.components(pool)
        combined = params.combine(pool)
        excluded = {self.positions[i] for i in exclude if i in self.positions}
        floor = params.related_threshold if min_score is None else min_score
        keep = np.array([r not in excluded for r in pool.rows.tolist()], dtype=bool) & (combined >= floor)
        # Ties (the same claim stored twice) keep library order: the earlier fact-check first.
        order = [i for i in np.lexsort((pool.rows, -combined)) if keep[i]][:k]
        as_of = as_of or date.today()
        words = word_count(text)
        matches = []
        for i in order:
            factcheck = self.factchecks[int(pool.rows[i])]
            reasons = []
            if combined[i] >= params.same_claim_threshold:
                if words < MIN_SAME_CLAIM_WORDS:
                    reasons.append(f"the claim has only {words} words")
                if factcheck.published and years_between(factcheck.published, as_of) > params.max_age_years:
                    reasons.append(f"fact-check from {factcheck.published[:10]}, older than {params.max_age_years:g} years")
            same = combined[i] >= params.same_claim_threshold and not reasons
            matches.append(
                Match(
                    factcheck=factcheck,
                    dense=float(dense[i]),
                    lexical=float(lexical[i]),
                    fuzzy=float(fuzzy[i]),
                    combined=float(combined[i]),
                    tier=SAME_CLAIM if same else RELATED,
                    reasons=reasons,
                )
            )
        return matches


# --------------------------------------------------------------------------------- review actions


def get_factcheck(store: Store, factcheck_id: int) -> FactCheck:
    row = store.query_one("SELECT * FROM factchecks WHERE id = ?", (factcheck_id,))
    if row is None:
        raise FactCheckError(f"Fact-check {factcheck_id} does not exist (was the library re-synced?).")
    fields = FactCheck.__dataclass_fields__
    return FactCheck(**{k: v for k, v in dict(row).items() if k in fields})


def matches_for_claim(store: Store, matcher: Matcher, claim_id: int, k: int = 5) -> list[Match]:
    """Earlier fact-checks for a stored claim, best first: never its own or a sibling claim's verdict, never a match the
    reviewer dismissed for it. Fact-check fields are read fresh (a verdict may have changed since the
    matcher was built); for the workbench's own verdicts the rationale and cited evidence come along."""
    claim = store.query_one(
        "SELECT c.text, a.published FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?", (claim_id,)
    )
    if claim is None:
        raise FactCheckError(f"Claim {claim_id} does not exist.")
    decisions = {
        r["factcheck_id"]: r["decision"]
        for r in store.query("SELECT factcheck_id, decision FROM factcheck_decisions WHERE claim_id = ?", (claim_id,))
    }
    exclude = {f for f, d in decisions.items() if d == "dismissed"}
    # Verdicts on the claim itself and on its sibling claims in the same article are not "earlier
    # fact-checks" of it: they are the same review.
    exclude |= {
        r["id"]
        for r in store.query(
            "SELECT f.id FROM factchecks f JOIN claims c ON c.id = f.claim_id"
            " WHERE c.article_id = (SELECT article_id FROM claims WHERE id = ?)",
            (claim_id,),
        )
    }
    published = parse_date(claim["published"])
    as_of = date.fromisoformat(published) if published else None
    results = []
    for match in matcher.match(claim["text"], k=k, as_of=as_of, exclude=exclude):
        try:
            match.factcheck = get_factcheck(store, match.factcheck.id)
        except FactCheckError:
            continue  # removed since the matcher was built
        if match.factcheck.claim_id is not None:
            verdict = store.query_one(
                "SELECT rationale, evidence_snapshot FROM verdicts WHERE claim_id = ?", (match.factcheck.claim_id,)
            )
            if verdict:
                match.rationale = verdict["rationale"]
                match.evidence = json.loads(verdict["evidence_snapshot"] or "[]")
        match.decision = decisions.get(match.factcheck.id)
        results.append(match)
    return results


def reuse_verdict(store: Store, claim_id: int, factcheck_id: int, reviewer: str, expected_version: int | None = None) -> int:
    """Record the earlier fact-check's verdict for the claim (audited as "reuse earlier fact-check",
    with the fact-check in the rationale) and remember the decision; returns the verdict version."""
    factcheck = get_factcheck(store, factcheck_id)
    if factcheck.claim_id == claim_id:
        raise FactCheckError("That fact-check is this claim's own verdict.")
    verdict = factcheck.workbench_verdict
    if verdict is None:
        raise FactCheckError(
            f"The earlier rating '{factcheck.verdict}' does not say verified, disputed or unsupported; "
            f"read {factcheck.url or 'the fact-check'} and record the verdict yourself."
        )
    version = review.set_verdict(
        store,
        claim_id,
        verdict,
        reviewer,
        f"reused earlier fact-check: {factcheck.url or factcheck.claim}",
        expected_version=expected_version,
        action=REUSE_ACTION,
    )
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO factcheck_decisions (claim_id, factcheck_id, decision, reviewer, decided_at)"
            " VALUES (?,?,?,?,?)",
            (claim_id, factcheck_id, "reused", reviewer, utc_now()),
        )
    return version


def dismiss(store: Store, claim_id: int, factcheck_id: int, reviewer: str) -> None:
    """Mark a match as not the same claim: logged, and not shown again for this claim."""
    if not reviewer.strip():
        raise FactCheckError("Choose a reviewer name first.")
    get_factcheck(store, factcheck_id)
    if store.query_one("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) is None:
        raise FactCheckError(f"Claim {claim_id} does not exist.")
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM factcheck_decisions WHERE claim_id = ? AND factcheck_id = ?", (claim_id, factcheck_id)
        ).fetchone()
        new = {
            "claim_id": claim_id,
            "factcheck_id": factcheck_id,
            "decision": "dismissed",
            "reviewer": reviewer,
            "decided_at": utc_now(),
        }
        conn.execute(
            "INSERT OR REPLACE INTO factcheck_decisions (claim_id, factcheck_id, decision, reviewer, decided_at)"
            " VALUES (:claim_id, :factcheck_id, :decision, :reviewer, :decided_at)",
            new,
        )
        log_action(
            conn, reviewer, "dismiss fact-check match", "factcheck_decisions", claim_id, old=dict(row) if row else None, new=new
        )
