"""Source reliability: domain normalisation, the ratings registry as read, badges, track record.

Importing ratings and overriding one are actions (``checks.actions.ratings``).

A rating is always shown with its provenance (rater, scale, as-of date, imputed or not). A domain
with no rating is "unrated", never a made-up number. Ratings inform reviewers; they never decide
a verdict.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from checks.store import Store

LIN2023_RATER = "Lin et al. 2023 aggregate (pc1)"
LIN2023_CITATION = (
    "Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (2023), High level of correspondence across "
    "different news domain quality rating sets, PNAS Nexus 2(9) pgad286, doi:10.1093/pnasnexus/pgad286"
)
LIN2023_AS_OF = "2023"
UNIT_SCALE = "0 (lowest quality) to 1 (highest)"
IFFY_RATER = "Iffy.news index of unreliable sources"
# Track-record prior strength: an imported rating counts as this many earlier verdicts.
PRIOR_STRENGTH = 4.0


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # suffix_list_urls=() uses the public-suffix snapshot bundled with the package: no network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registrable_domain(value: str | None) -> str | None:
    """``https://amp.www.BBC.co.uk/news`` → ``bbc.co.uk``; None when no domain can be read."""
    if not value:
        return None
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/")[0].split("?")[0].split("@")[-1]
    text = text.split(":")[0].strip(".*")
    if not text or " " in text:
        return None
    parts = _extractor()(text)
    if not parts.suffix:
        return None
    # A suffix that is itself a site (gov.uk, www.gov.uk) is kept whole rather than lost.
    if not parts.domain or (parts.domain in ("www", "m", "amp", "mobile") and "." in parts.suffix):
        return parts.suffix if "." in parts.suffix else None
    return f"{parts.domain}.{parts.suffix}"


def rating_label(rating: float | None) -> str:
    """Coarse band for a 0–1 score; cut at 0.5 because pc1 < 0.5 separates reliable from
    unreliable outlets best in the Lin et al. data (see data/sources/README.md)."""
    if rating is None:
        return "unrated"
    if rating < 0.5:
        return "low"
    if rating < 0.75:
        return "medium"
    return "high"


@dataclass
class SourceRating:
    """What the registry knows about one domain."""

    domain: str | None
    rating: float | None = None
    label: str = "unrated"
    rater: str = ""
    scale: str = ""
    as_of: str | None = None
    imputed: bool = False
    components: dict = field(default_factory=dict)
    notes: str = ""
    updated_by: str | None = None

    @property
    def is_rated(self) -> bool:
        return self.rating is not None or self.label != "unrated"

    def badge(self) -> str:
        """Short text for a badge: ``high 0.87`` / ``unrated``."""
        if self.rating is None:
            return self.label
        return f"{self.label} {self.rating:.2f}"

    def snapshot(self) -> dict:
        """The rating as stored with a verdict, so later changes do not rewrite history."""
        return {
            "domain": self.domain,
            "rating": self.rating,
            "label": self.label,
            "rater": self.rater,
            "as_of": self.as_of,
            "imputed": self.imputed,
            "overridden_by": self.updated_by,
        }


def _row_to_rating(row) -> SourceRating:
    return SourceRating(
        domain=row["domain"],
        rating=row["rating"],
        label=row["label"],
        rater=row["rater"],
        scale=row["scale"],
        as_of=row["as_of"],
        imputed=bool(row["imputed"]),
        components=json.loads(row["components"] or "{}"),
        notes=row["notes"] or "",
        updated_by=row["updated_by"],
    )


def lookup(store: Store, domain_or_url: str | None) -> SourceRating:
    """The registry entry for a domain, URL or subdomain; an "unrated" rating when unknown."""
    domain = registrable_domain(domain_or_url)
    if domain is None:
        return SourceRating(domain=None)
    row = store.query_one("SELECT * FROM sources WHERE domain = ?", (domain,))
    return _row_to_rating(row) if row else SourceRating(domain=domain)


def lookup_many(store: Store, domains: set[str]) -> dict[str, SourceRating]:
    """Batch lookup for already-normalised domains (one query for a whole candidate list)."""
    found = {d: SourceRating(domain=d) for d in domains}
    if domains:
        marks = ",".join("?" * len(domains))
        for row in store.query(f"SELECT * FROM sources WHERE domain IN ({marks})", tuple(domains)):
            found[row["domain"]] = _row_to_rating(row)
    return found


@dataclass
class ImportReport:
    """Counts of an import and one readable line per skipped row."""

    imported: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.imported} imported, {self.updated} updated, {len(self.skipped)} skipped"
        return text if not self.skipped else text + ": " + "; ".join(self.skipped[:5]) + (" …" if len(self.skipped) > 5 else "")


def history(store: Store, domain: str) -> list[dict]:
    """Earlier values of a domain's rating, newest first."""
    rows = store.query("SELECT * FROM source_history WHERE domain = ? ORDER BY id DESC", (registrable_domain(domain),))
    return [{**dict(row), "previous": json.loads(row["previous"])} for row in rows]


@dataclass
class TrackRecord:
    """How a domain's claims fared in this workbench, smoothed towards its imported rating."""

    domain: str
    verified: int
    disputed: int
    unsupported: int
    prior: float | None
    score: float | None

    @property
    def total(self) -> int:
        return self.verified + self.disputed + self.unsupported


def track_record(store: Store, domain: str) -> TrackRecord:
    """Beta-smoothed share of verified claims: the imported rating (or 0.5 when unrated) acts as
    PRIOR_STRENGTH pseudo-verdicts; an unsupported claim counts half against the domain."""
    normalised = registrable_domain(domain) or domain
    counts = {"verified": 0, "disputed": 0, "unsupported": 0}
    for row in store.query(
        "SELECT v.verdict, COUNT(*) AS n FROM verdicts v JOIN claims c ON c.id = v.claim_id "
        "JOIN articles a ON a.id = c.article_id WHERE a.domain = ? GROUP BY v.verdict",
        (normalised,),
    ):
        counts[row["verdict"]] = row["n"]
    prior = lookup(store, normalised).rating
    total = sum(counts.values())
    if total == 0:
        return TrackRecord(normalised, 0, 0, 0, prior, None)
    prior_mean = 0.5 if prior is None else prior
    alpha = PRIOR_STRENGTH * prior_mean + counts["verified"] + 0.5 * counts["unsupported"]
    beta = PRIOR_STRENGTH * (1 - prior_mean) + counts["disputed"] + 0.5 * counts["unsupported"]
    return TrackRecord(normalised, counts["verified"], counts["disputed"], counts["unsupported"], prior, alpha / (alpha + beta))


def reliability_weighted(score: float, rating: SourceRating, weight: float) -> float:
    """Blend a (0–1) relevance score with source reliability; ``weight`` 0 leaves it unchanged.
    Unrated sources count as 0.5 so an unknown outlet is neither boosted nor buried."""
    reliability = rating.rating if rating.rating is not None else (0.0 if rating.label == "unreliable (listed)" else 0.5)
    return (1.0 - weight) * score + weight * reliability


def all_ratings(store: Store) -> list[dict]:
    """The registry as a table: domain, label, rating, rater, date, who changed it last."""
    return [dict(r) for r in store.query("SELECT domain, label, rating, rater, as_of, updated_by FROM sources ORDER BY domain")]
