"""Source-rating actions: import the Lin et al. (2023) ratings and an Iffy-style list of
unreliable sites, override one domain's rating (with history), and seed the shipped ratings.

An import is one transaction; local overrides win over every import.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from checks.actions.core import Actor, Tx, action, perform
from checks.errors import InputError
from checks.sources import (
    IFFY_RATER,
    LIN2023_AS_OF,
    LIN2023_CITATION,
    LIN2023_RATER,
    UNIT_SCALE,
    ImportReport,
    SourceRating,
    lookup,
    rating_label,
    registrable_domain,
)
from checks.store import Store, utc_now
from checks.vocab import AuditAction, Role

SHIPPED_DATA_ACTOR = Actor("shipped data", Role.ADMIN)


def _upsert(tx: Tx, rating: SourceRating, by: str) -> bool:
    """Insert or replace an imported rating; keeps local overrides (they win over imports)."""
    existing = tx.one("SELECT rater, updated_by FROM sources WHERE domain = ?", (rating.domain,))
    if existing and existing["rater"].startswith("override"):
        return False
    tx.execute(
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
            by,
            utc_now(),
        ),
    )
    return existing is not None


def _read_text(source: str | Path | bytes) -> str:
    if isinstance(source, bytes):
        return source.decode("utf-8-sig", errors="replace")
    return Path(source).read_text(encoding="utf-8-sig", errors="replace")


@action(AuditAction.IMPORT_RATINGS, Role.EDITOR, cli="sources import-lin2023")
def import_lin2023(store: Store, actor: Actor, source: str | Path | bytes) -> ImportReport:
    """Import domain quality ratings in the Lin et al. (2023) format: ``domain,pc1[,components…]``.

    ``pc1`` is the score.

    The published file has no blanks because missing ratings were imputed, so component values
    are kept for display but the rating is marked as possibly imputed.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(_read_text(source)))
    if not reader.fieldnames or "domain" not in reader.fieldnames or "pc1" not in reader.fieldnames:
        report.skipped.append(f"header must contain 'domain' and 'pc1', found {reader.fieldnames}")
        return report
    with perform(store, actor, import_lin2023) as (tx, _):
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
            if _upsert(tx, rating, actor.name):
                report.updated += 1
            else:
                report.imported += 1
        tx.describe("sources", None, None, {"format": "lin2023", "imported": report.imported, "updated": report.updated})
    return report


@action(AuditAction.IMPORT_RATINGS, Role.EDITOR, cli="sources import-unreliable")
def import_unreliable_list(store: Store, actor: Actor, source: str | Path | bytes, as_of: str | None = None) -> ImportReport:
    """Import a list of known-unreliable sites: URL patterns (one per line, Iffy index format).

    A listed domain that already has a numeric rating keeps it and gains the flag; an unlisted
    one gets the label "unreliable (listed)" with no number, because the list gives none.
    """
    report = ImportReport()
    text = _read_text(source)
    if as_of is None and isinstance(source, (str, Path)):
        match = re.search(r"(\d{4}-\d{2}-\d{2})", Path(source).name)
        as_of = match.group(1) if match else None
    with perform(store, actor, import_unreliable_list) as (tx, _):
        for line_number, line in enumerate(text.splitlines(), start=1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            domain = registrable_domain(entry)
            if domain is None:
                report.skipped.append(f"line {line_number}: '{entry[:60]}' is not a URL or domain")
                continue
            path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", entry.lower()).rstrip("*").rstrip("/")
            row = tx.one("SELECT * FROM sources WHERE domain = ?", (domain,))
            if path or (row and row["rating"] is not None):
                # A rated domain keeps its number; a listing of one section (a path) does not
                # condemn the whole site. Both only gain the flag and a note.
                components = json.loads(row["components"]) if row else {}
                components["iffy_listed"] = entry if path else (as_of or True)
                note = f"Listed by {IFFY_RATER} ({as_of})" + (f" for {path} only." if path else ".")
                if row:
                    tx.execute(
                        "UPDATE sources SET components = ?, notes = ? WHERE domain = ?",
                        (json.dumps(components), (row["notes"] + " " + note).strip(), domain),
                    )
                    report.updated += 1
                else:
                    _upsert(
                        tx,
                        SourceRating(domain, None, "unrated", IFFY_RATER, "listed / not listed", as_of, False, components, note),
                        actor.name,
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
            if _upsert(tx, listed, actor.name):
                report.updated += 1
            else:
                report.imported += 1
        tx.describe("sources", None, None, {"format": "unreliable list", "imported": report.imported, "updated": report.updated})
    return report


@action(AuditAction.OVERRIDE_RATING, Role.EDITOR, cli="sources override")
def override_rating(
    store: Store, actor: Actor, domain: str, rating: float | None, reason: str, label: str | None = None
) -> SourceRating:
    """Set a local rating for a domain, with a reason; the previous entry is kept in its history."""
    normalised = registrable_domain(domain)
    if normalised is None:
        raise InputError(f"'{domain}' is not a domain.")
    if not (reason or "").strip():
        raise InputError("An override needs a reason.")
    if rating is not None and not 0.0 <= rating <= 1.0:
        raise InputError("A rating must be between 0 and 1.")
    with perform(store, actor, override_rating) as (tx, _):
        previous = tx.row("sources", domain=normalised)
        previous_value = previous or {"domain": normalised, "label": "unrated"}
        tx.execute(
            "INSERT INTO source_history (domain, previous, changed_by, reason, changed_at) VALUES (?,?,?,?,?)",
            (normalised, json.dumps(previous_value), actor.name, reason, utc_now()),
        )
        tx.put(
            "sources",
            {
                "domain": normalised,
                "name": previous["name"] if previous else normalised,
                "rating": rating,
                "label": label or rating_label(rating),
                "rater": f"override by {actor.name}",
                "scale": UNIT_SCALE,
                "as_of": utc_now()[:10],
                "imputed": 0,
                "components": previous["components"] if previous else "{}",
                "notes": reason,
                "updated_by": actor.name,
                "updated_at": utc_now(),
            },
        )
        tx.describe("sources", None, previous_value, {"domain": normalised, "rating": rating, "reason": reason})
    return lookup(store, normalised)


def load_shipped_ratings(store: Store, ratings_csv: Path, unreliable_list: Path) -> None:
    """Seed an empty registry with the ratings shipped in ``data/sources``."""
    if store.query_one("SELECT 1 FROM sources LIMIT 1"):
        return
    if ratings_csv.exists():
        import_lin2023(store, SHIPPED_DATA_ACTOR, ratings_csv)
    if unreliable_list.exists():
        import_unreliable_list(store, SHIPPED_DATA_ACTOR, unreliable_list, as_of="2024-08-01")
