"""Source-rating actions: import a rating set in the Lin et al. (2023) format and a list of
unreliable sites in the Iffy index format, override the rating of one key (with history), and
load the rating sets shipped in ``data/sources`` on first start (or a newer shipped version).

Each import is one transaction and one audit event recording everything it did. Rows are stored
under exactly the host (and path prefix) they give; two rows of one file with the same key are a
collision: reported, the first kept. Every value an import changes is listed, and a local
override stays in force whatever an import brings (overrides are their own layer).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from pathlib import Path
from typing import NamedTuple

from checks.actions.core import Actor, Tx, action, perform
from checks.config import SHIPPED_SOURCES
from checks.errors import InputError
from checks.sources import (
    IFFY,
    IFFY_RATER,
    LIN2023,
    LIN2023_CITATION,
    LIN2023_RATER,
    LISTED,
    LISTED_SCALE,
    OVERRIDE,
    UNIT_SCALE,
    ImportReport,
    RatingKey,
    SourceRating,
    lookup,
    override_key,
    rating_key,
    rating_label,
)
from checks.store import SHIPPED_DATA_NAME, SQL_CHUNK, Store, utc_now
from checks.vocab import AuditAction, Role

SHIPPED_DATA_ACTOR = Actor(SHIPPED_DATA_NAME, Role.ADMIN)
OVERRIDE_LABELS = ("low", "medium", "high", LISTED)
COLUMNS = (
    "key",
    "dataset",
    "host",
    "path",
    "rating",
    "label",
    "rater",
    "scale",
    "as_of",
    "version",
    "imputed",
    "components",
    "notes",
    "updated_by",
    "updated_at",
)
Parsed = dict[str, tuple[RatingKey, int, str, dict]]  # key → (key, line, text as given, values)
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class Layer(NamedTuple):
    """One import of a dataset: which layer it fills, and the version and date of its data."""

    dataset: str
    rater: str
    version: str
    as_of: str | None
    file: str | None
    replace: bool  # the file is a complete new version: keys it no longer has are removed


def _read(source: str | Path | bytes) -> tuple[str, str]:
    """The text of a ratings file (plain or gzip-compressed) and a content hash (its default version)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"The file is not a readable gzip file: {error}.") from None
    return data.decode("utf-8-sig", errors="replace"), "sha256:" + hashlib.sha256(data).hexdigest()[:12]


def _shown(values: dict) -> str:
    return values["label"] if values["rating"] is None else f"{values['rating']:.3f}"


def _keep_first(parsed: Parsed, report: ImportReport, key: RatingKey, line: int, given: str, values: dict) -> None:
    """Add a parsed row unless an earlier row of the file has the same key (then report the collision)."""
    if key.key in parsed:
        _, first_line, first_given, first = parsed[key.key]
        report.collisions.append(
            f"line {line} '{given}' and line {first_line} '{first_given}' are both {key.key}: kept line {first_line}'s "
            f"{_shown(first)}, ignored {_shown(values)}"
        )
        return
    parsed[key.key] = (key, line, given, values)


def _write_layer(tx: Tx, layer: Layer, parsed: Parsed, report: ImportReport) -> None:
    """Store one dataset's rows in one batch, reporting what is new, changed, unchanged, removed
    (when replacing: keys not in this file) and overridden locally; record the dataset's version."""
    dataset = layer.dataset
    existing = {r["key"]: r for r in tx.all("SELECT key, rating, label, components FROM sources WHERE dataset = ?", (dataset,))}
    overrides = {r["key"]: r for r in tx.all("SELECT key, rating, label, updated_by FROM sources WHERE dataset = ?", (OVERRIDE,))}
    now = utc_now()
    rows = []
    for key, (parts, _, _, values) in parsed.items():
        old = existing.get(key)
        if old is None:
            report.imported += 1
        elif (old["rating"], old["label"]) != (values["rating"], values["label"]) or (
            old["components"] != values["components"] and json.loads(old["components"]) != json.loads(values["components"])
        ):
            report.updated += 1
            report.changes.append(f"{key}: {_shown(old)} → {_shown(values)}")
        else:
            report.unchanged += 1
        override = overrides.get(RatingKey(parts.host.removeprefix("www."), parts.path).key)
        if override is not None:
            report.overrides_kept.append(
                f"{key}: the override {_shown(override)} by {override['updated_by']} stays in force (imported {_shown(values)})"
            )
        row = {
            **values,
            "key": key,
            "dataset": dataset,
            "host": parts.host,
            "path": parts.path,
            "as_of": layer.as_of,
            "version": layer.version,
            "imputed": int(values["imputed"]),
            "updated_by": tx.actor.name,
            "updated_at": now,
        }
        rows.append(tuple(row[c] for c in COLUMNS))
    tx.conn.executemany(f"INSERT OR REPLACE INTO sources ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    if layer.replace:
        gone = sorted(set(existing) - set(parsed))
        for begin in range(0, len(gone), SQL_CHUNK):
            part = gone[begin : begin + SQL_CHUNK]
            tx.execute(f"DELETE FROM sources WHERE dataset = ? AND key IN ({','.join('?' * len(part))})", (dataset, *part))
        report.removed = len(gone)
        report.changes += [f"{key}: removed (was {_shown(existing[key])}; not in this version)" for key in gone]
    keys = tx.one("SELECT COUNT(*) AS n FROM sources WHERE dataset = ?", (dataset,))["n"]
    tx.execute(
        "INSERT OR REPLACE INTO source_datasets (name, rater, version, as_of, file, keys, imported_by, imported_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (dataset, layer.rater, layer.version, layer.as_of, layer.file, keys, tx.actor.name, now),
    )
    tx.describe(
        "sources",
        None,
        None,
        {
            **layer._asdict(),
            "imported": report.imported,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "removed": report.removed,
            "skipped": report.skipped,
            "collisions": report.collisions,
            "overrides_kept": report.overrides_kept,
            "changes": report.changes,
        },
    )


def _file_name(source: str | Path | bytes, file_name: str | None) -> str | None:
    return file_name or (None if isinstance(source, bytes) else Path(source).name)


@action(AuditAction.IMPORT_RATINGS, Role.EDITOR, cli="sources import-lin2023")
def import_lin2023(
    store: Store,
    actor: Actor,
    source: str | Path | bytes,
    *,
    version: str | None = None,
    as_of: str | None = None,
    replace: bool = False,
    file_name: str | None = None,
) -> ImportReport:
    """Import domain quality ratings in the Lin et al. (2023) format: ``domain,pc1[,components…]``.

    ``pc1`` is the score, stored under the exact host (and path) of ``domain``; the other columns
    are the rating sets behind it. The published file has no blanks because missing ratings were
    imputed, so the component values are shown as possibly imputed. ``replace``: the file is a
    complete new version and keys it no longer has are removed (overrides stay)."""
    text, digest = _read(source)
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "domain" not in reader.fieldnames or "pc1" not in reader.fieldnames:
        report.skipped.append(f"header must contain 'domain' and 'pc1', found {reader.fieldnames}")
        return report
    parsed: Parsed = {}
    names = {column: json.dumps(column) for column in reader.fieldnames if column and column not in ("domain", "pc1")}
    for line, row in enumerate(reader, start=2):
        given = (row.get("domain") or "").strip()
        key = rating_key(given)
        try:
            score = float(row.get("pc1") or "")
        except ValueError:
            report.skipped.append(f"line {line}: pc1 '{row.get('pc1')}' is not a number")
            continue
        if key is None:
            report.skipped.append(f"line {line}: '{given}' is not a host name")
            continue
        if not 0.0 <= score <= 1.0:
            report.skipped.append(f"line {line}: pc1 {score} is outside 0–1")
            continue
        # The rater columns as JSON, numbers written as the file gives them (no float round trip:
        # this loop runs for every row on first start).
        components = (
            "{"
            + ", ".join(
                f"{names[column]}: {value if _JSON_NUMBER.fullmatch(value) else json.dumps(value)}"
                for column, value in row.items()
                if column in names and value not in (None, "")
            )
            + "}"
        )
        values = {
            "rating": score,
            "label": rating_label(score),
            "rater": LIN2023_RATER,
            "scale": UNIT_SCALE,
            "imputed": True,
            "components": components,
            "notes": f"Source: {LIN2023_CITATION}. Component values may be imputed.",
        }
        _keep_first(parsed, report, key, line, given, values)
    with perform(store, actor, import_lin2023) as (tx, _):
        layer = Layer(LIN2023, LIN2023_RATER, version or digest, as_of, _file_name(source, file_name), replace)
        _write_layer(tx, layer, parsed, report)
    return report


@action(AuditAction.IMPORT_RATINGS, Role.EDITOR, cli="sources import-unreliable")
def import_unreliable_list(
    store: Store,
    actor: Actor,
    source: str | Path | bytes,
    *,
    version: str | None = None,
    as_of: str | None = None,
    replace: bool = False,
    file_name: str | None = None,
) -> ImportReport:
    """Import a list of known-unreliable sites: URL patterns, one per line (Iffy index format).

    Each entry is a flag on its exact host (and path: a listed section does not condemn the whole
    site), shown beside any score, never turned into a number. The date defaults to one in the
    file name (``2024-08-01__iffy_list.txt``)."""
    text, digest = _read(source)
    name = _file_name(source, file_name)
    if as_of is None and name:
        found = re.search(r"(\d{4}-\d{2}-\d{2})", name)
        as_of = found.group(1) if found else None
    report = ImportReport()
    parsed: Parsed = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key = rating_key(entry)
        if key is None:
            report.skipped.append(f"line {line}: '{entry[:60]}' is not a URL or domain")
            continue
        values = {
            "rating": None,
            "label": LISTED,
            "rater": IFFY_RATER,
            "scale": LISTED_SCALE,
            "imputed": False,
            "components": json.dumps({"entry": entry}),
            "notes": "Listed as low credibility (Iffy.news, from MBFC low / very-low factual ratings)"
            + (f", for {key.path} only." if key.path else "."),
        }
        _keep_first(parsed, report, key, line, entry, values)
    with perform(store, actor, import_unreliable_list) as (tx, _):
        _write_layer(tx, Layer(IFFY, IFFY_RATER, version or digest, as_of, name, replace), parsed, report)
    return report


@action(AuditAction.OVERRIDE_RATING, Role.EDITOR, cli="sources override")
def override_rating(
    store: Store, actor: Actor, target: str, rating: float | None, reason: str, label: str | None = None
) -> SourceRating:
    """Set a local rating for a domain, host or host and path, with a reason; what it showed before is kept in its history.

    The override is stored without ``www.`` and wins over every import at the same key."""
    key = override_key(target)
    if key is None:
        raise InputError(f"'{target}' is not a domain, host or URL.")
    if not (reason or "").strip():
        raise InputError("An override needs a reason.")
    if rating is None and not label:
        raise InputError("An override needs a rating (0–1) or a label.")
    if rating is not None and not 0.0 <= rating <= 1.0:
        raise InputError("A rating must be between 0 and 1.")
    if label and label not in OVERRIDE_LABELS:
        raise InputError(f"A label must be one of: {', '.join(OVERRIDE_LABELS)}.")
    with perform(store, actor, override_rating) as (tx, _):
        now = utc_now()
        previous = lookup(store, key.key).snapshot()
        tx.execute(
            "INSERT INTO source_history (domain, previous, changed_by, reason, changed_at) VALUES (?,?,?,?,?)",
            (key.key, json.dumps(previous), actor.name, reason, now),
        )
        tx.put(
            "sources",
            {
                "key": key.key,
                "dataset": OVERRIDE,
                "host": key.host,
                "path": key.path,
                "rating": rating,
                "label": label or rating_label(rating),
                "rater": f"override by {actor.name}",
                "scale": UNIT_SCALE,
                "as_of": now[:10],
                "version": None,
                "imputed": 0,
                "components": "{}",
                "notes": reason.strip(),
                "updated_by": actor.name,
                "updated_at": now,
            },
        )
        tx.describe("sources", None, previous, {"key": key.key, "rating": rating, "label": label, "reason": reason})
    return lookup(store, key.key)


# The importers of the formats ``data/sources/datasets.json`` names, and the dataset each fills.
SHIPPED_FORMATS = {"lin2023": (import_lin2023, LIN2023), "unreliable list": (import_unreliable_list, IFFY)}


def load_shipped_ratings(store: Store, folder: Path = SHIPPED_SOURCES) -> list[ImportReport]:
    """Load the rating sets shipped in ``folder`` (listed in its ``datasets.json``) when the
    registry does not have them, or has an older shipped version; a set someone imported
    themselves is left alone, and overrides are never touched."""
    manifest = folder / "datasets.json"
    if not manifest.exists():
        return []
    loaded = {r["name"]: r for r in store.query("SELECT name, version, imported_by FROM source_datasets")}
    reports = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")).values():
        importer, dataset = SHIPPED_FORMATS[entry["format"]]
        current = loaded.get(dataset)
        if current and (current["version"] == entry["version"] or current["imported_by"] != SHIPPED_DATA_ACTOR.name):
            continue
        path = folder / entry["file"]
        if path.exists():
            reports.append(
                importer(store, SHIPPED_DATA_ACTOR, path, version=entry["version"], as_of=entry["as_of"], replace=True)
            )
    return reports
