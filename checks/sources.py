"""Source reliability: rating keys (what a rating is about), the ratings registry as read, badges
with their provenance, and an outlet's track record in this workbench.

Importing ratings, loading the shipped ones and overriding one are actions (``checks.actions.ratings``).

A rating is stored under exactly what its source rated: a host (``news.yahoo.com``) or a host and
path prefix (``newyorker.com/humor``). A lookup takes the most specific match: the looked-up host
with its longest rated path prefix, then the host, then each parent host down to the registrable
domain; a ``www.`` spelling counts as the same host. Ratings come in layers: imported rating sets,
a list of unreliable sites (a flag without a number) and local overrides, which win over an import
at the same key and survive a re-import. A domain with no rating is "unrated", never a made-up
number. Ratings inform reviewers; they never decide a verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from checks.store import SQL_CHUNK, Store

LIN2023_RATER = "Lin et al. 2023 aggregate (pc1)"
LIN2023_CITATION = (
    "Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (2023), High level of correspondence across "
    "different news domain quality rating sets, PNAS Nexus 2(9) pgad286, doi:10.1093/pnasnexus/pgad286"
)
UNIT_SCALE = "0 (lowest quality) to 1 (highest)"
IFFY_RATER = "Iffy.news index of unreliable sources"
LISTED_SCALE = "listed / not listed"
UNRATED = "unrated"
LISTED = "unreliable (listed)"
# Layers of the registry: each imported set is one dataset; overrides sit on top of all of them.
LIN2023, IFFY, OVERRIDE = "lin2023", "iffy", "override"
LISTING_DATASETS = frozenset({IFFY})
# The rating sets behind pc1, as named in the Lin et al. data (each rescaled to 0–1 by the authors).
LIN2023_RATERS = {
    "afm": "Ad Fontes Media",
    "fc": "fact-checkers",
    "mbfc": "Media Bias/Fact Check",
    "lewandowsky_mean": "Lasser/Lewandowsky",
    "misinfome_bin": "MisinfoMe",
}
# Track record: an imported rating counts as PRIOR_STRENGTH verdicts of full check-worthiness; no
# figure is shown before MIN_VERDICTS verdicts on claims of at least MIN_ARTICLES articles.
PRIOR_STRENGTH = 4.0
MIN_VERDICTS = 5
MIN_ARTICLES = 2
TRACK_RECORD_HELP = f"""\
**Track record** is how an outlet's claims fared in this workbench, smoothed towards its imported rating:

score = (k·p + W_verified + ½·W_unsupported) / (k + W_verified + W_disputed + W_unsupported)

- W_x is the sum of the check-worthiness (0–1) of the outlet's claims with verdict x, so a disputed
  headline weighs more than several trivially true sentences;
- p is the outlet's imported rating (0.5 when unrated) and k = {PRIOR_STRENGTH:g}: the rating counts as
  {PRIOR_STRENGTH:g} fully check-worthy verdicts;
- an unsupported claim counts half for and half against the outlet.

The figure is shown only once the outlet has at least {MIN_VERDICTS} verdicts on claims from at least
{MIN_ARTICLES} different articles; until then the counts are shown with "too few". Dropped claims do not count.
"""


# ------------------------------------------------------------------------------------------- keys


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # suffix_list_urls=() uses the public-suffix snapshot bundled with the package: no network.
    # Private suffixes count (blogspot.com, github.io): each blog on them is its own site.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


class RatingKey(NamedTuple):
    """What a rating is about: a host and an optional path prefix (``""`` or ``/humor``)."""

    host: str
    path: str = ""

    @property
    def key(self) -> str:
        return self.host + self.path


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_PORT = re.compile(r":\d*$")


@lru_cache(maxsize=65536)
def rating_key(value: str | None) -> RatingKey | None:
    """``https://WWW.NewYorker.com/humor/*`` → ``("www.newyorker.com", "/humor")``; None when the
    value has no host name. Hosts and paths are compared without case; a trailing ``*`` or ``/``
    (list syntax) is not part of the path."""
    if not value:
        return None
    text = _SCHEME.sub("", value.strip().lower()).split("#")[0].split("?")[0]
    host, _, path = text.partition("/")
    host = _PORT.sub("", host.split("@")[-1]).removeprefix("*.").strip(".")
    if not host or "." not in host or re.search(r"[\s*\[\]<>\"'\\,;]", host) or ".." in host:
        return None
    segments = [s for s in path.rstrip("*").split("/") if s]
    return RatingKey(host, "".join("/" + s for s in segments))


@lru_cache(maxsize=65536)
def registrable_domain(value: str | None) -> str | None:
    """``https://amp.www.BBC.co.uk/news`` → ``bbc.co.uk``; None when no domain can be read."""
    key = rating_key(value)
    if key is None:
        return None
    parts = _extractor()(key.host)
    if not parts.suffix:
        return None
    # A suffix that is itself a site (gov.uk, www.gov.uk) is kept whole rather than lost.
    if not parts.domain or (parts.domain in ("www", "m", "amp", "mobile") and "." in parts.suffix):
        return parts.suffix if "." in parts.suffix else None
    return f"{parts.domain}.{parts.suffix}"


def _www_alias(host: str) -> str:
    return host[4:] if host.startswith("www.") else "www." + host


def _hosts(host: str) -> dict[str, tuple[int, int]]:
    """Every stored host that may rate ``host``, with its (level, alias) rank: the host itself
    (level 0), then each parent down to the registrable domain; each also in its ``www.`` spelling
    (alias 1). A host with no registrable domain (an IP address, an unknown suffix) is only itself."""
    domain = registrable_domain(host)
    labels = host.split(".")
    levels = [host]
    if domain and host.endswith("." + domain):
        levels += [".".join(labels[i:]) for i in range(1, len(labels) - domain.count("."))]
    found: dict[str, tuple[int, int]] = {}
    for level, name in enumerate(levels):
        found.setdefault(name, (level, 0))
        found.setdefault(_www_alias(name), (level, 1))
    return found


def rating_target(url: str | None, domain: str | None) -> str | None:
    """What to look up for an article or document: its URL (exact host and path) when the URL
    belongs to its domain, else the domain (an archive link says nothing about the outlet)."""
    if url and (domain is None or registrable_domain(url) == registrable_domain(domain)):
        return url
    return domain or url


# ---------------------------------------------------------------------------------------- ratings


def rating_label(rating: float | None) -> str:
    """Coarse band for a 0–1 score; cut at 0.5 because pc1 < 0.5 separates reliable from
    unreliable outlets best in the Lin et al. data (see data/sources/README.md)."""
    if rating is None:
        return UNRATED
    if rating < 0.5:
        return "low"
    if rating < 0.75:
        return "medium"
    return "high"


@dataclass
class SourceRating:
    """What the registry says about one host or URL, and where that came from."""

    domain: str | None
    rating: float | None = None
    label: str = UNRATED
    rater: str = ""
    scale: str = ""
    as_of: str | None = None
    imputed: bool = False
    components: dict = field(default_factory=dict)
    notes: str = ""
    updated_by: str | None = None
    updated_at: str | None = None
    key: str | None = None  # the stored key that matched
    match: str = ""  # how it matched: "host", "host + path", "parent host", "registrable domain", …
    looked_up: str | None = None  # the host (and path) that was looked up
    dataset: str | None = None
    version: str | None = None
    replaces: dict | None = None  # for an override: the imported rating it stands in for
    listing: dict | None = None  # on a list of unreliable sites: its key, entry, date

    @property
    def is_rated(self) -> bool:
        return self.rating is not None or self.label != UNRATED

    @property
    def is_override(self) -> bool:
        return self.dataset == OVERRIDE

    def badge(self) -> str:
        """Short text for a badge: ``high 0.87``, ``medium 0.62 · listed unreliable``, ``unrated``."""
        text = self.label if self.rating is None else f"{self.label} {self.rating:.2f}"
        if self.listing and self.label != LISTED:
            text += " · listed unreliable"
        return text + (" · override" if self.is_override else "")

    def snapshot(self) -> dict:
        """The rating as stored with a verdict, so later changes do not rewrite history."""
        return {
            "domain": self.domain,
            "key": self.key,
            "match": self.match,
            "rating": self.rating,
            "label": self.label,
            "rater": self.rater,
            "as_of": self.as_of,
            "version": self.version,
            "imputed": self.imputed,
            "overridden_by": self.updated_by if self.is_override else None,
            "listed": None if self.listing is None else f"{self.listing['key']} ({self.listing['as_of'] or 'undated'})",
        }


def _match(level: int, row_path: str, row_host: str) -> str:
    """How a stored row matched: at the looked-up host, a parent host or the registrable domain."""
    if level == 0:
        where = "host"
    elif row_host.removeprefix("www.") == registrable_domain(row_host):
        where = "registrable domain"
    else:
        where = "parent host"
    return where + (" + path" if row_path else "")


def _resolve(target: RatingKey, rows: Iterable[dict]) -> SourceRating:
    """The most specific applicable score, and the most specific listing, among stored rows."""
    hosts = _hosts(target.host)
    ranked = []
    for row in rows:
        rank = hosts.get(row["host"])
        path = row["path"]
        if rank is None or not (not path or target.path == path or target.path.startswith(path + "/")):
            continue
        level, alias = rank
        ranked.append(((level, -path.count("/"), row["dataset"] != OVERRIDE, alias, row["dataset"]), row))
    ranked.sort(key=lambda pair: pair[0])
    scores = [(rank, row) for rank, row in ranked if row["dataset"] not in LISTING_DATASETS]
    listings = [(rank, row) for rank, row in ranked if row["dataset"] in LISTING_DATASETS]
    rating = SourceRating(domain=registrable_domain(target.host), looked_up=target.key)
    listing = None
    if listings:
        (level, *_), row = listings[0]
        listing = {
            "key": row["key"],
            "match": _match(level, row["path"], row["host"]),
            "entry": json.loads(row["components"] or "{}").get("entry", row["key"]),
            "as_of": row["as_of"],
            "rater": row["rater"],
            "version": row["version"],
            "notes": row["notes"],
        }
    chosen = scores[0] if scores else listings[0] if listings else None
    if chosen is None:
        return rating
    (level, *_), row = chosen
    rating.rating = row["rating"]
    rating.label = row["label"]
    rating.rater = row["rater"]
    rating.scale = row["scale"]
    rating.as_of = row["as_of"]
    rating.imputed = bool(row["imputed"])
    rating.components = json.loads(row["components"] or "{}")
    rating.notes = row["notes"] or ""
    rating.updated_by = row["updated_by"]
    rating.updated_at = row["updated_at"]
    rating.key = row["key"]
    rating.match = _match(level, row["path"], row["host"])
    rating.dataset = row["dataset"]
    rating.version = row["version"]
    rating.listing = listing
    if rating.is_override:
        below = next((r for _, r in scores[1:] if r["dataset"] != OVERRIDE), None)
        if below is not None:
            rating.replaces = {k: below[k] for k in ("key", "rating", "label", "rater", "as_of")}
    return rating


def _rows_for_hosts(store: Store, hosts: Iterable[str]) -> dict[str, list[dict]]:
    by_host: dict[str, list[dict]] = {}
    wanted = sorted(set(hosts))
    for part in (wanted[i : i + SQL_CHUNK] for i in range(0, len(wanted), SQL_CHUNK)):
        marks = ",".join("?" * len(part))
        for row in store.query(f"SELECT * FROM sources WHERE host IN ({marks})", tuple(part)):
            by_host.setdefault(row["host"], []).append(dict(row))
    return by_host


def lookup(store: Store, target: str | None) -> SourceRating:
    """The rating that applies to a URL, host or domain (most specific key first); "unrated" when
    none does."""
    key = rating_key(target)
    if key is None:
        return SourceRating(domain=None)
    rows = _rows_for_hosts(store, _hosts(key.host))
    return _resolve(key, (row for found in rows.values() for row in found))


def lookup_many(store: Store, targets: Iterable[str]) -> dict[str, SourceRating]:
    """Batch :func:`lookup` for URLs, hosts or domains (one query per chunk of hosts)."""
    keys = {target: rating_key(target) for target in set(targets)}
    candidates = {key: _hosts(key.host) for key in set(keys.values()) if key is not None}
    rows = _rows_for_hosts(store, (host for hosts in candidates.values() for host in hosts))
    resolved = {key: _resolve(key, (row for host in hosts for row in rows.get(host, ()))) for key, hosts in candidates.items()}
    return {target: resolved[key] if key else SourceRating(domain=None) for target, key in keys.items()}


def provenance(rating: SourceRating) -> list[str]:
    """The lines behind a badge: the score and its band, the matched key, the data's date and
    version, the raters behind an aggregate, an override (who, when, why) and a listing."""
    looked_up = rating.looked_up or rating.domain or "this source"
    if not rating.is_rated and not rating.listing:
        return [f"{looked_up}: unrated. No loaded rating set covers this host or any parent of it."]
    lines = []
    if rating.label != LISTED or rating.is_override:
        value = "no number" if rating.rating is None else f"{rating.rating:.2f}"
        lines.append(
            f"{rating.rater}: {value} ({rating.label}; low < 0.5 ≤ medium < 0.75 ≤ high) on a scale of {rating.scale or '-'}."
        )
        lines.append(f"Matched key: {rating.key} ({rating.match}) for {looked_up}.")
        if not rating.is_override:
            data = f"Data of {rating.as_of or 'unknown date'}" + (f", version {rating.version}" if rating.version else "")
            lines.append(f"{data}. {rating.notes}".strip())
        raters = [
            f"{name} {rating.components[column]:.2f}"
            for column, name in LIN2023_RATERS.items()
            if isinstance(rating.components.get(column), float | int)
        ]
        if raters:
            lines.append(
                "Raters behind it: "
                + " · ".join(raters)
                + (" (the data imputes missing ratings without flagging them)" if rating.imputed else "")
                + "."
            )
        if rating.is_override:
            lines.append(f"Override by {rating.updated_by} on {(rating.updated_at or '')[:10]}: {rating.notes}")
            if rating.replaces:
                before = rating.replaces
                number = "no number" if before["rating"] is None else f"{before['rating']:.2f}"
                lines.append(f"It replaces {before['rater']} {number} at {before['key']} (data of {before['as_of'] or '-'}).")
    listing = rating.listing
    if listing:
        text = (
            f"Listed by {listing['rater']} (snapshot {listing['as_of'] or 'undated'}) as {listing['entry']}, "
            f"matched at {listing['key']} ({listing['match']}): rated Low or Very Low for factual reporting by MBFC."
        )
        if rating.rating is not None and rating.rating >= 0.5:
            text += f" Its score of {rating.rating:.2f} is at least 0.5 nonetheless: the two sources disagree, weigh both."
        lines.append(text)
    return lines


@dataclass
class ImportReport:
    """What an import did: counts, and one readable line per skipped row, per collision (two rows
    with the same key), per changed value and per local override kept in force."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    overrides_kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.imported} imported, {self.updated} updated, {len(self.skipped)} skipped"
        if self.skipped:
            text += " (" + "; ".join(self.skipped[:5]) + (" …" if len(self.skipped) > 5 else "") + ")"
        text += f", {self.unchanged} unchanged" if self.unchanged else ""
        text += f", {self.removed} removed" if self.removed else ""
        if self.collisions:
            text += f"; {len(self.collisions)} collisions: rows repeating an earlier row's key (the first kept)"
        text += f"; {len(self.overrides_kept)} local overrides kept in force" if self.overrides_kept else ""
        return text

    def details(self) -> list[str]:
        """Every line of the report, grouped."""
        return (
            [f"skipped: {line}" for line in self.skipped]
            + [f"collision: {line}" for line in self.collisions]
            + [f"override kept: {line}" for line in self.overrides_kept]
            + [f"changed: {line}" for line in self.changes]
        )


def history(store: Store, target: str) -> list[dict]:
    """Overrides at the key a target is rated under (or would be overridden at), newest first."""
    current = lookup(store, target)
    key = override_key(target)
    keys = {k for k in (current.key if current.is_override else None, key.key if key else None) if k}
    rows = [r for k in keys for r in store.query("SELECT * FROM source_history WHERE domain = ?", (k,))]
    return [{**dict(row), "previous": json.loads(row["previous"])} for row in sorted(rows, key=lambda r: -r["id"])]


def override_key(target: str | None) -> RatingKey | None:
    """The key an override of ``target`` is stored under: as typed, without ``www.``."""
    key = rating_key(target)
    return None if key is None else RatingKey(key.host.removeprefix("www."), key.path)


# ----------------------------------------------------------------------------------- track record


@dataclass
class TrackRecord:
    """How a domain's claims fared in this workbench: counts, check-worthiness weights, and a
    smoothed score once there are enough verdicts (see :data:`TRACK_RECORD_HELP`)."""

    domain: str
    verified: int
    disputed: int
    unsupported: int
    articles: int
    weights: dict[str, float]
    prior: float | None
    score: float | None  # None until the minimum is reached

    @property
    def total(self) -> int:
        return self.verified + self.disputed + self.unsupported

    @property
    def enough(self) -> bool:
        return self.total >= MIN_VERDICTS and self.articles >= MIN_ARTICLES

    def summary(self) -> str:
        counts = (
            f"{self.verified} verified, {self.disputed} disputed, {self.unsupported} unsupported "
            f"in {self.articles} article{'s' if self.articles != 1 else ''}"
        )
        if not self.total:
            return "no verdicts yet"
        if not self.enough:
            needs = f"a score needs {MIN_VERDICTS} across {MIN_ARTICLES}+ articles"
            return f"{self.total} verdict{'s' if self.total != 1 else ''}, too few ({counts}; {needs})"
        prior = "unrated: 0.50" if self.prior is None else f"{self.prior:.2f}"
        return f"{self.score:.2f} from {counts}, weighted by check-worthiness (prior {prior})"


def track_record(store: Store, target: str) -> TrackRecord:
    """The track record of the outlet (registrable domain) of ``target``, with the rating that
    applies to ``target`` as its prior."""
    domain = registrable_domain(target) or target
    rows = store.query(
        "SELECT v.verdict, c.score, c.article_id FROM verdicts v JOIN claims c ON c.id = v.claim_id"
        " JOIN articles a ON a.id = c.article_id WHERE a.domain = ? AND c.dropped = 0",
        (domain,),
    )
    counts = {"verified": 0, "disputed": 0, "unsupported": 0}
    weights = dict.fromkeys(counts, 0.0)
    for row in rows:
        counts[row["verdict"]] += 1
        weights[row["verdict"]] += max(0.0, float(row["score"]))
    prior = lookup(store, target).rating
    record = TrackRecord(domain, *counts.values(), len({r["article_id"] for r in rows}), weights, prior, None)
    if record.enough:
        p = 0.5 if prior is None else prior
        alpha = PRIOR_STRENGTH * p + weights["verified"] + 0.5 * weights["unsupported"]
        beta = PRIOR_STRENGTH * (1 - p) + weights["disputed"] + 0.5 * weights["unsupported"]
        record.score = alpha / (alpha + beta)
    return record


# ------------------------------------------------------------------------------------------ reads


def reliability_weighted(score: float, rating: SourceRating, weight: float) -> float:
    """Blend a (0–1) relevance score with source reliability; ``weight`` 0 leaves it unchanged.
    Unrated sources count as 0.5 so an unknown outlet is neither boosted nor buried."""
    reliability = rating.rating if rating.rating is not None else (0.0 if rating.label == LISTED else 0.5)
    return (1.0 - weight) * score + weight * reliability


def all_ratings(store: Store, search: str = "") -> list[dict]:
    """The registry as a table (every layer), optionally only keys containing ``search``."""
    return [
        dict(r)
        for r in store.query(
            "SELECT key, dataset, label, rating, rater, as_of, updated_by FROM sources WHERE key LIKE ? ORDER BY key, dataset",
            (f"%{search.strip().lower()}%",),
        )
    ]


def datasets(store: Store) -> list[dict]:
    """The rating sets loaded, with version, date, size and who loaded them when."""
    return [dict(r) for r in store.query("SELECT * FROM source_datasets ORDER BY name")]
