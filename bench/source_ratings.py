"""Source ratings: does the workbench show every rated row's own score for that row's own host or
path, how fast is a lookup, and how fast is the first start that loads the shipped ratings?

Reads the Lin et al. (2023) file from ``../shared/datasets/domain-quality-ratings-lin2023/`` and
imports it through the product path (the import action) into a fresh database. Then, same run:

  - own-row agreement: for every row, the score the workbench displays for the row's own key (as
    the file gives it, e.g. ``yahoo.com/news``) and for an article URL under it, against the row's
    own pc1. Baseline: the previous importer's rule (every host folded to its registrable domain,
    ICANN suffixes only, the last row wins) applied to the same rows;
  - NewsGuard agreement, only if the dataset has NewsGuard scores (its header is checked);
  - lookup time per target: ours (exact host and path, parents, registrable domain: one indexed
    query) against the previous lookup (registrable domain, one primary-key query on a
    per-domain table), over the same targets;
  - first start: loading the shipped ratings (``data/sources``) into a fresh database, against
    the previous importer's row-by-row pattern (a SELECT and an INSERT per row) on the same file.

    .venv/bin/python bench/source_ratings.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import RESULTS, SHARED_DATASETS, markdown_table, percentiles_ms  # noqa: E402
from checks import actions, sources  # noqa: E402
from checks.actions.ratings import load_shipped_ratings  # noqa: E402
from checks.config import SHIPPED_SOURCES  # noqa: E402
from checks.store import Store  # noqa: E402

LIN_FILE = SHARED_DATASETS / "domain-quality-ratings-lin2023" / "domain_ratings.csv"
BENCH_ACTOR = actions.Actor("bench")
# The outlets the issue names, and hosts with their own rows under a shared registrable domain.
SPOT_CHECKS = [
    "reuters.com",
    "newyorker.com",
    "businessinsider.com",
    "foxnews.com",
    "theguardian.com",
    "news.yahoo.com",
    "abcnews.go.com",
    "chicago.suntimes.com",
    "newzeal.blogspot.com",
    "yahoo.com/news",
    "newyorker.com/humor/borowitz-report",
]


def _icann_extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def previous_domain(value: str, extract) -> str | None:
    """The previous importer's key: the registrable domain under ICANN suffixes only."""
    key = sources.rating_key(value)
    if key is None:
        return None
    parts = extract(key.host)
    if not parts.suffix:
        return None
    if not parts.domain or (parts.domain in ("www", "m", "amp", "mobile") and "." in parts.suffix):
        return parts.suffix if "." in parts.suffix else None
    return f"{parts.domain}.{parts.suffix}"


def previous_import(rows: list[dict], path: Path, extract) -> sqlite3.Connection:
    """The previous importer's pattern on a per-domain table: fold, SELECT, INSERT OR REPLACE per row."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE sources (domain TEXT PRIMARY KEY, rating REAL, components TEXT)")
    conn.execute("BEGIN")
    for row in rows:
        domain = previous_domain(row["domain"], extract)
        if domain is None:
            continue
        conn.execute("SELECT 1 FROM sources WHERE domain = ?", (domain,)).fetchone()
        conn.execute(
            "INSERT OR REPLACE INTO sources (domain, rating, components) VALUES (?,?,?)",
            (domain, float(row["pc1"]), repr({k: v for k, v in row.items() if k not in ("domain", "pc1")})),
        )
    conn.execute("COMMIT")
    return conn


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def own_row_agreement(store: Store, rows: list[dict], extract) -> tuple[list[str], int, dict[str, float]]:
    """Report lines, the headline count (rows showing their own pc1 both for their key and for a
    URL under it) and the previous importer's folded scores."""
    shown_key = sources.lookup_many(store, {r["domain"] for r in rows})
    shown_url = sources.lookup_many(store, {f"https://{r['domain']}/benchmark-article" for r in rows})
    previous: dict[str, float] = {}
    for row in rows:  # the previous importer: the last row wins per registrable domain
        domain = previous_domain(row["domain"], extract)
        if domain is not None:
            previous[domain] = float(row["pc1"])
    by_key = by_url = both = before = 0
    exceptions = []
    for row in rows:
        own = float(row["pc1"])
        key_ok = shown_key[row["domain"]].rating == own
        url_ok = shown_url[f"https://{row['domain']}/benchmark-article"].rating == own
        by_key, by_url, both = by_key + key_ok, by_url + url_ok, both + (key_ok and url_ok)
        before += previous.get(previous_domain(row["domain"], extract) or "") == own
        if not (key_ok and url_ok):
            exceptions.append([row["domain"], own, shown_key[row["domain"]].rating, shown_key[row["domain"]].key])
    folded = Counter(previous_domain(r["domain"], extract) for r in rows)
    shared = {d: n for d, n in folded.items() if d and n > 1}
    total = len(rows)
    lines = [
        "## Own-row agreement",
        "",
        markdown_table(
            ["rows showing their own pc1", "previous importer (fold to registrable domain, last wins)", "ours"],
            [
                ["looked up by the row's own key", f"{before}/{total}", f"{by_key}/{total}"],
                ["looked up by an article URL under it", f"{before}/{total}", f"{by_url}/{total}"],
            ],
        ),
        "",
        f"Previous importer: {sum(shared.values())} rows share a registrable domain with another row ({len(shared)} domains;"
        f" the most: {', '.join(f'{d} {n}' for d, n in Counter(shared).most_common(3))}); {folded[None]} rows had no"
        " registrable domain and were skipped.",
    ]
    if exceptions:
        table = markdown_table(["row", "own pc1", "shown", "matched key"], exceptions)
        lines += ["", "Rows not showing their own score:", "", table]
    else:
        lines += ["", "Every row shows its own score, for its own key and for a URL under it: no exception."]
    spellings: dict[str, list[str]] = {}
    for row in rows:
        spellings.setdefault(row["domain"].removeprefix("www."), []).append(f"{row['domain']} {float(row['pc1']):.3f}")
    twice = {site: given for site, given in spellings.items() if len(given) > 1}
    unusual = [r["domain"] for r in rows if sources.registrable_domain(r["domain"]) is None or not r["domain"].isascii()]
    lines += [
        "",
        f"Rows the data gives twice (one site, two spellings): {len(twice)}: "
        + "; ".join(" and ".join(given) for given in twice.values())
        + ". Each spelling keeps its own score; a subdomain of the site takes the bare domain's.",
        f"Rows whose key is not a public host name ({len(unusual)}), stored and shown exactly as given: {', '.join(unusual)}.",
        "",
    ]
    return lines, both, previous


def spot_checks(store: Store, rows: list[dict], previous: dict[str, float], extract) -> list[str]:
    own = {r["domain"]: float(r["pc1"]) for r in rows}
    table = []
    for key in SPOT_CHECKS:
        url = f"https://www.{key}/x" if key.count(".") == 1 and "/" not in key else f"https://{key}/x"
        shown = sources.lookup(store, url)
        before = previous.get(previous_domain(key, extract) or "")
        table.append([key, own[key], before, shown.rating, f"{shown.key} ({shown.match})", url])
    header = ["row", "own pc1", "previous importer showed", "ours shows", "matched key", "looked up"]
    return ["## Spot checks (the outlets the issue names, and hosts with their own rows)", "", markdown_table(header, table), ""]


def newsguard(rows: list[dict]) -> list[str]:
    """NewsGuard agreement is computed only where the dataset has NewsGuard scores: this one does not."""
    columns = list(rows[0])
    found = [c for c in columns if "newsguard" in c.lower() or c.lower().startswith("ng")]
    if found:
        return ["## NewsGuard agreement", "", f"NewsGuard columns present: {found}; not evaluated by this script.", ""]
    return [
        "## NewsGuard agreement",
        "",
        f"Columns of {LIN_FILE.name}: {', '.join(columns)}. There is no NewsGuard column (NewsGuard's scores are"
        " licensed and were not published with the data), so no correlation with NewsGuard is computed: skipped.",
        "",
    ]


def lookup_times(store: Store, rows: list[dict], folder: Path, extract) -> list[str]:
    """Ours against the previous lookup, over the same article URLs, caches cleared first."""
    targets = [f"https://{r['domain']}/benchmark-article" for r in rows]
    old = previous_import(rows, folder / "previous.db", extract)
    sources.rating_key.cache_clear()
    sources.registrable_domain.cache_clear()
    ours = []
    for target in targets:
        start = time.perf_counter()
        sources.lookup(store, target)
        ours.append(time.perf_counter() - start)
    sources.rating_key.cache_clear()
    base = []
    for target in targets:
        start = time.perf_counter()
        old.execute("SELECT * FROM sources WHERE domain = ?", (previous_domain(target, extract),)).fetchone()
        base.append(time.perf_counter() - start)
    old.close()
    (ours_p50, ours_p95), (base_p50, base_p95) = percentiles_ms(ours), percentiles_ms(base)
    return [
        f"## Lookup time per target ({len(targets)} article URLs, one per row)",
        "",
        markdown_table(
            ["lookup", "p50 ms", "p95 ms", "mean ms"],
            [
                ["previous: registrable domain, one primary-key query", base_p50, base_p95, 1000 * statistics.fmean(base)],
                ["ours: host + path, parent hosts, registrable domain", ours_p50, ours_p95, 1000 * statistics.fmean(ours)],
            ],
        ),
        "",
        f"Ours / previous, p50: {ours_p50 / base_p50:.2f}×.",
        "",
    ]


def first_start(folder: Path, repeats: int, extract) -> list[str]:
    """Loading the shipped ratings into a fresh database, against the previous importer's pattern."""
    shipped = SHIPPED_SOURCES / "domain_ratings.csv.gz"
    times: dict[str, list[float]] = {"previous": [], "lin": [], "shipped": []}
    stored: dict[str, int] = {}
    for repeat in range(repeats):
        for variant in ("lin", "shipped"):
            fresh = Store(folder / f"fresh-{variant}-{repeat}.db")
            sources.rating_key.cache_clear()
            sources.registrable_domain.cache_clear()
            if variant == "lin":
                times[variant].append(timed(lambda fresh=fresh: actions.import_lin2023(fresh, BENCH_ACTOR, shipped)))
            else:
                times[variant].append(timed(lambda fresh=fresh: load_shipped_ratings(fresh)))
            stored[variant] = fresh.query_one("SELECT COUNT(*) FROM sources")[0]
            fresh.close()
        sources.rating_key.cache_clear()

        def previous_load(repeat=repeat):
            with gzip.open(shipped, "rt", encoding="utf-8") as handle:
                previous_import(list(csv.DictReader(handle)), folder / f"previous-{repeat}.db", extract).close()

        times["previous"].append(timed(previous_load))
        with closing(sqlite3.connect(folder / f"previous-{repeat}.db")) as conn:
            stored["previous"] = conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    median = {variant: statistics.median(values) for variant, values in times.items()}
    return [
        f"## First start: the shipped ratings into a fresh database (median of {repeats})",
        "",
        markdown_table(
            ["load", "seconds", "rows stored"],
            [
                [
                    "previous importer pattern: Lin file, folded, a SELECT + INSERT per row",
                    median["previous"],
                    stored["previous"],
                ],
                ["ours: Lin file through the import action (batch insert, report, audit event)", median["lin"], stored["lin"]],
                ["ours: load_shipped_ratings, Lin + Iffy (what a first start runs)", median["shipped"], stored["shipped"]],
            ],
        ),
        "",
        f"Ours / previous, Lin file: {median['lin'] / median['previous']:.2f}×; first start (both sets):"
        f" {median['shipped'] / median['previous']:.2f}×.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh-database loads per variant (median reported)")
    args = parser.parse_args()
    if not LIN_FILE.exists():
        print(f"skipped: {LIN_FILE} is not beside the project")
        return 0
    load_start = os.getloadavg()
    rows = list(csv.DictReader(io.StringIO(LIN_FILE.read_text(encoding="utf-8"))))
    extract = _icann_extractor()
    with tempfile.TemporaryDirectory(prefix="source-ratings-") as name:
        folder = Path(name)
        store = Store(folder / "workbench.db")
        seconds = timed(lambda: actions.import_lin2023(store, BENCH_ACTOR, LIN_FILE))
        out = [f"# Source ratings: {len(rows)} rows of {LIN_FILE.name}, imported by the action in {seconds:.2f} s", ""]
        agreement, agreed, previous = own_row_agreement(store, rows, extract)
        out += agreement + spot_checks(store, rows, previous, extract) + newsguard(rows)
        out += lookup_times(store, rows, folder, extract) + first_start(folder, args.repeats, extract)
        store.close()
    load_end = os.getloadavg()
    out.append(
        f"Load average (1/5/15 min) at start {load_start[0]:.2f}/{load_start[1]:.2f}/{load_start[2]:.2f}, "
        f"at end {load_end[0]:.2f}/{load_end[1]:.2f}/{load_end[2]:.2f}; {os.cpu_count()} CPUs."
    )
    text = "\n".join(out)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "source_ratings.md").write_text(text + "\n", encoding="utf-8")
    print(f"own-row agreement {agreed}/{len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
