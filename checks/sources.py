"""Source reliability: domain normalisation, the ratings registry, imports, overrides, track record.

A rating is always shown with its provenance (rater, scale, as-of date, imputed or not). A domain
with no rating is "unrated", never a made-up number. Ratings inform reviewers; they never decide
a verdict.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from checks.store import Store, log_action, utc_now

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


def _upsert(conn, rating: SourceRating, reviewer: str) -> bool:
    """Insert or replace an imported rating; keeps local overrides (they win over imports)."""
    existing = conn.execute("SELECT rater, updated_by FROM sources WHERE domain = ?", (rating.domain,)).fetchone()
    if existing and existing["rater"].startswith("override"):
        return False
    conn.execute(
        "INSERT OR REPLACE INTO sources (domain, name, rating, label, rater, scale, as_of, imputed, components,"
        " notes, updated_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            rating.domain,
            rating.domain,
            rating.rating,
            rating.label,
            rating.rater,
            rating.scale,
            rating.as_of,
            int(rating.imputed),
            json.dumps(rating.components),
            rating.notes,
            reviewer,
            utc_now(),
        ),
    )
    return existing is not None


def _read_text(source: str | Path | bytes) -> str:
    if isinstance(source, bytes):
        return source.decode("utf-8-sig", errors="replace")
    return Path(source).read_text(encoding="utf-8-sig", errors="replace")


def import_lin2023(store: Store, source: str | Path | bytes, reviewer: str = "import") -> ImportReport:
    """Import ``domain,pc1[,components…]`` rows (the Lin et al. 2023 format); ``pc1`` is the score.

    The published file has no blanks because missing ratings were imputed, so component values
    are kept for display but the rating is marked as possibly imputed.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(_read_text(source)))
    if not reader.fieldnames or "domain" not in reader.fieldnames or "pc1" not in reader.fieldnames:
        report.skipped.append(f"header must contain 'domain' and 'pc1', found {reader.fieldnames}")
        return report
    with store.transaction() as conn:
        for line, row in enumerate(reader, start=2):
            domain = registrable_domain(row.get("domain"))
            try:
                score = float(row.get("pc1") or "")
            except ValueError:
                report.skipped.append(f"line {line}: pc1 '{row.get('pc1')}' is not a number")
                continue
            if domain is None:
                report.skipped.append(f"line {line}: '{row.get('domain')}' is not a domain")
                continue
            if not 0.0 <= score <= 1.0:
                report.skipped.append(f"line {line}: pc1 {score} is outside 0–1")
                continue
            components = {}
            for key, value in row.items():
                if key not in ("domain", "pc1") and key and value not in (None, ""):
                    try:
                        components[key] = float(value)
                    except ValueError:
                        components[key] = value
            rating = SourceRating(
                domain=domain,
                rating=score,
                label=rating_label(score),
                rater=LIN2023_RATER,
                scale=UNIT_SCALE,
                as_of=LIN2023_AS_OF,
                imputed=True,
                components=components,
                notes=f"Source: {LIN2023_CITATION}. Component values may be imputed.",
            )
            if _upsert(conn, rating, reviewer):
                report.updated += 1
            else:
                report.imported += 1
        log_action(conn, reviewer, "import ratings", "sources", None, new={"format": "lin2023", **report.__dict__})
    return report


def import_unreliable_list(
    store: Store, source: str | Path | bytes, as_of: str | None = None, reviewer: str = "import"
) -> ImportReport:
    """Import a list of known-unreliable URL patterns (one per line, Iffy index format).

    A listed domain that already has a numeric rating keeps it and gains the flag; an unlisted
    one gets the label "unreliable (listed)" with no number, because the list gives none.
    """
    report = ImportReport()
    text = _read_text(source)
    if as_of is None and isinstance(source, (str, Path)):
        match = re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name)
        as_of = match.group(1) if match else None
    with store.transaction() as conn:
        for line_number, line in enumerate(text.splitlines(), start=1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            domain = registrable_domain(entry)
            if domain is None:
                report.skipped.append(f"line {line_number}: '{entry[:60]}' is not a URL or domain")
                continue
            path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", entry.lower()).rstrip("*").rstrip("/")
            row = conn.execute("SELECT * FROM sources WHERE domain = ?", (domain,)).fetchone()
            if path or (row and row["rating"] is not None):
                # A rated domain keeps its number; a listing of one section (a path) does not
                # condemn the whole site. Both only gain the flag and a note.
                components = json.loads(row["components"]) if row else {}
                components["iffy_listed"] = entry if path else (as_of or True)
                note = f"Listed by {IFFY_RATER} ({as_of})" + (f" for {path} only." if path else ".")
                if row:
                    conn.execute(
                        "UPDATE sources SET components = ?, notes = ? WHERE domain = ?",
                        (json.dumps(components), (row["notes"] + " " + note).strip(), domain),
                    )
                    report.updated += 1
                else:
                    _upsert(
                        conn,
                        SourceRating(domain, None, "unrated", IFFY_RATER, "listed / not listed", as_of, False, components, note),
                        reviewer,
                    )
                    report.imported += 1
                continue
            listed = SourceRating(
                domain=domain,
                rating=None,
                label="unreliable (listed)",
                rater=IFFY_RATER,
                scale="listed / not listed",
                as_of=as_of,
                components={"iffy_listed": as_of or True},
                notes="Listed as low credibility (Iffy.news, from MBFC low / very-low factual ratings).",
            )
            if _upsert(conn, listed, reviewer):
                report.updated += 1
            else:
                report.imported += 1
        log_action(conn, reviewer, "import ratings", "sources", None, new={"format": "unreliable list", **report.__dict__})
    return report


def override(
    store: Store, domain: str, rating: float | None, reviewer: str, reason: str, label: str | None = None
) -> SourceRating:
    """A reviewer's local rating for a domain; the previous entry is kept in ``source_history``."""
    normalised = registrable_domain(domain)
    if normalised is None:
        raise ValueError(f"'{domain}' is not a domain.")
    if not reviewer.strip() or not reason.strip():
        raise ValueError("An override needs a reviewer name and a reason.")
    if rating is not None and not 0.0 <= rating <= 1.0:
        raise ValueError("A rating must be between 0 and 1.")
    with store.transaction() as conn:
        previous = conn.execute("SELECT * FROM sources WHERE domain = ?", (normalised,)).fetchone()
        previous_value = dict(previous) if previous else {"domain": normalised, "label": "unrated"}
        conn.execute(
            "INSERT INTO source_history (domain, previous, changed_by, reason, changed_at) VALUES (?,?,?,?,?)",
            (normalised, json.dumps(previous_value), reviewer, reason, utc_now()),
        )
        conn.execute(
            "INSERT OR REPLACE INTO sources (domain, name, rating, label, rater, scale, as_of, imputed, components,"
            " notes, updated_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                normalised,
                previous["name"] if previous else normalised,
                rating,
                label or rating_label(rating),
                f"override by {reviewer}",
                UNIT_SCALE,
                utc_now()[:10],
                0,
                previous["components"] if previous else "{}",
                reason,
                reviewer,
                utc_now(),
            ),
        )
        log_action(
            conn,
            reviewer,
            "override rating",
            "sources",
            None,
            old=previous_value,
            new={"domain": normalised, "rating": rating, "reason": reason},
        )
    return lookup(store, normalised)


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


def load_shipped_ratings(store: Store, ratings_csv: Path, unreliable_list: Path) -> None:
    """Seed an empty registry with the ratings shipped in ``data/sources``."""
    if store.query_one("SELECT 1 FROM sources LIMIT 1"):
        return
    if ratings_csv.exists():
        import_lin2023(store, ratings_csv, reviewer="shipped data")
    if unreliable_list.exists():
        import_unreliable_list(store, unreliable_list, as_of="2024-08-01", reviewer="shipped data")


def reliability_weighted(score: float, rating: SourceRating, weight: float) -> float:
    """Blend a (0–1) relevance score with source reliability; ``weight`` 0 leaves it unchanged.
    Unrated sources count as 0.5 so an unknown outlet is neither boosted nor buried."""
    reliability = rating.rating if rating.rating is not None else (0.0 if rating.label == "unreliable (listed)" else 0.5)
    return (1.0 - weight) * score + weight * reliability
