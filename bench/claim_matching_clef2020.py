"""CLEF-2020 CheckThat! task 2 (English) benchmark of checks/factchecks/: matching new claims (tweets)
to earlier fact-checks (Snopes verified claims).

Measured in one run on the test split (200 tweets, 199 with a gold fact-check), every tweet ranked
against the whole imported library:

* MAP@5 (the official measure: trec_eval AP cut at 5 over the number of relevant fact-checks,
  tweets without one ignored), MRR (first relevant within the top 50), Recall@5 and P@1 of
  BM25 only, dense only and the combined library :class:`~checks.factchecks.Matcher`;
* latency per query, p50/p95 (BM25: scoring; dense: encoding the tweet + exact cosine; combined:
  the whole ``Matcher.match``);
* the "same claim" tier on dev and test: precision of a top-1 "same claim", its recall, and how
  often a "same claim" is raised when the true fact-check is absent from the library.

The library is built the way the workbench builds it: the fact-check import action
(``actions.import_factchecks``) of verified_claims.docs.tsv, which keeps one of each pair of claims
that differ only in quote marks (so a few gold fact-checks are absent; they count as misses). The
Snopes titles are imported and matched too.

Every parameter of the combination and both tier thresholds are chosen on train+dev; the test split
is only scored. Embeddings are cached in bench/results/claim_matching_clef2020.db (the first run
embeds 2 × 10,375 texts: ~10 minutes on 2 cores). Run from the repository root:

    python bench/claim_matching_clef2020.py

The report is printed and written to bench/results/claim_matching_clef2020.md.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.common import (  # noqa: E402
    RESULTS,
    SHARED_DATASETS,
    ap_at_k,
    markdown_table,
    mrr_at_k,
    paired_bootstrap,
    percentiles_ms,
    recall_at_k,
)
from checks import actions  # noqa: E402
from checks.embedding import Encoder, cached_embeddings  # noqa: E402
from checks.factchecks import (  # noqa: E402
    CLEF_COLLECTION,
    Candidates,
    Matcher,
    MatchParams,
    clean_text,
    load_factchecks,
)
from checks.retrieval import top_k  # noqa: E402
from checks.store import Store  # noqa: E402

DATA = SHARED_DATASETS / "clef2020-checkthat-task2-en"
DEPTH = 50  # ranking depth kept per query (MRR is computed within it)
PUBLISHED = [  # (system, MAP@5, status) — not measured here
    (
        "BM25 reference (rank_bm25, vclaim+title, k1=1.2 b=0.75)",
        0.842,
        "computed by the dataset curators (SOURCE.md), not published",
    ),
    ("UNIPI-NLE (fine-tuned Sentence-BERT), 2nd", 0.91, "secondary source only (SOURCE.md)"),
    ("Buster.ai, best team 2020", 0.929, "published figure, UNVERIFIED (recalled; SOURCE.md)"),
]
# Parameter grid searched on train+dev.
TITLE_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5)
LEXICAL_HALVES = (20.0, 40.0)
FUZZY_SCORERS = ("partial", "token_set")
WEIGHT_STEP = 0.05
MAX_SIDE_WEIGHT = 0.5  # lexical and fuzzy weights each range over 0..0.5; dense takes the rest
SIDE_WEIGHTS = np.round(np.arange(0, MAX_SIDE_WEIGHT + 1e-9, WEIGHT_STEP), 2)
SAME_CLAIM_PRECISION = 0.98  # top-1 "same claim" precision required on train+dev
SAME_CLAIM_FALSE_ALARMS = 0.02  # share of tweets whose true fact-check is absent that may still get "same claim"
RELATED_RECALL = 0.95  # share of true matches that score at least the "related" threshold
THRESHOLD_STEP = 0.025


def log(message: str) -> None:
    """Progress line on stderr (the report itself goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def read_split(name: str) -> tuple[list[str], list[str], dict[str, set[str]]]:
    """(tweet ids, tweet texts, gold vclaim ids per tweet) of the tweets that have a gold pair."""
    qrels: dict[str, set[str]] = {}
    for line in (DATA / f"{name}.tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 4 and int(fields[3]) > 0:
            qrels.setdefault(fields[0], set()).add(fields[2])
    with (DATA / f"{name}.tweets.queries.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    kept = [(row[0], row[1]) for row in rows if row and row[0] in qrels]
    return [i for i, _ in kept], [t for _, t in kept], qrels


@dataclasses.dataclass
class Query:
    """One tweet of a split: its gold fact-checks and its scored candidate pool."""

    gold: set[int]  # matcher rows of the relevant fact-checks present in the library
    relevant: int  # relevant fact-checks per the qrels (the AP denominator)
    pool: Candidates


def rank(pool: Candidates, combined: np.ndarray, depth: int = DEPTH) -> np.ndarray:
    """Pool rows best first, ties in library order (as Matcher.match orders them)."""
    return pool.rows[np.lexsort((pool.rows, -combined))][:depth]


def mean_ap5(queries: Sequence[Query], params: MatchParams) -> float:
    return float(
        np.mean(
            [ap_at_k(rank(q.pool, params.combine(q.pool), 5).tolist(), q.gold, 5) * len(q.gold) / q.relevant for q in queries]
        )
    )


def choose_params(queries: Sequence[Query]) -> tuple[MatchParams, float]:
    """The combination with the best MAP@5 on the given queries, then both tier thresholds."""
    best, best_score = MatchParams(), -1.0
    grid = itertools.product(TITLE_WEIGHTS, LEXICAL_HALVES, FUZZY_SCORERS, SIDE_WEIGHTS, SIDE_WEIGHTS)
    for title, half, scorer, lexical, fuzzy in grid:
        params = MatchParams(
            title_weight=title,
            lexical_half=half,
            fuzzy_scorer=scorer,
            dense_weight=round(1 - lexical - fuzzy, 2),
            lexical_weight=float(lexical),
            fuzzy_weight=float(fuzzy),
        )
        score = mean_ap5(queries, params)
        if score > best_score + 1e-12:
            best, best_score = params, score
    top, absent, gold = tier_scores(queries, best)
    same = next(
        (
            float(t)
            for t in np.arange(0.3, 1.0, THRESHOLD_STEP)
            if precision_at(top, t) >= SAME_CLAIM_PRECISION and float(np.mean(absent >= t)) <= SAME_CLAIM_FALSE_ALARMS
        ),
        1.0,
    )
    related = np.floor(np.percentile(gold, 100 * (1 - RELATED_RECALL)) / THRESHOLD_STEP) * THRESHOLD_STEP
    return dataclasses.replace(best, same_claim_threshold=round(same, 3), related_threshold=round(float(related), 3)), best_score


def tier_scores(queries: Sequence[Query], params: MatchParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query: (top-1 combined score, whether it is gold); the best score with the gold fact-checks
    removed (the tweet as a claim nobody has checked yet); and every gold fact-check's score."""
    top, absent, gold = [], [], []
    for query in queries:
        combined = params.combine(query.pool)
        is_gold = np.isin(query.pool.rows, list(query.gold))
        best = int(np.lexsort((query.pool.rows, -combined))[0])
        top.append((combined[best], is_gold[best]))
        absent.append(combined[~is_gold].max() if (~is_gold).any() else -1.0)
        gold.extend(combined[is_gold].tolist())
    return np.array(top, dtype=np.float64).reshape(-1, 2), np.array(absent), np.array(gold)


def precision_at(top: np.ndarray, threshold: float) -> float:
    chosen = top[:, 0] >= threshold
    return float(top[chosen, 1].mean()) if chosen.any() else 1.0


def tier_row(label: str, queries: Sequence[Query], params: MatchParams) -> list[object]:
    top, absent, gold = tier_scores(queries, params)
    same = top[:, 0] >= params.same_claim_threshold
    return [
        label,
        len(queries),
        int(same.sum()),
        precision_at(top, params.same_claim_threshold),
        float((same & (top[:, 1] == 1)).mean()),
        float(np.mean(absent >= params.same_claim_threshold)),
        float(np.mean(gold >= params.related_threshold)) if len(gold) else float("nan"),
    ]


def main() -> int:
    if not (DATA / "verified_claims.docs.tsv").exists():
        print(f"dataset not found at {DATA}: nothing to benchmark (see its SOURCE.md for where it comes from)")
        return 0
    started = time.perf_counter()
    RESULTS.mkdir(parents=True, exist_ok=True)
    store = Store(RESULTS / "claim_matching_clef2020.db")
    report = actions.import_factchecks(
        store, actions.Actor("bench"), "verified_claims.docs.tsv", (DATA / "verified_claims.docs.tsv").read_bytes()
    )
    log(report.summary())
    vclaims = report.imported + report.already_present
    library = [f for f in load_factchecks(store) if f.collection == CLEF_COLLECTION]
    row_of = {f.external_id: row for row, f in enumerate(library)}
    encoder = Encoder()
    log(f"embedding {len(library)} fact-checks (claims and titles; cached after the first run)")
    matcher = Matcher(
        library, store, encoder, progress=lambda done, total: log(f"  {done}/{total}") if done % 2560 == 0 else None
    )

    def queries_of(split: str) -> tuple[list[Query], list[str], list[set[int]], list[int]]:
        ids, texts, qrels = read_split(split)
        vectors = cached_embeddings(store, encoder, [clean_text(t) for t in texts])
        gold = [{row_of[v] for v in qrels[i] if v in row_of} for i in ids]
        relevant = [len(qrels[i]) for i in ids]
        pools = [matcher.candidates(t, v) for t, v in zip(texts, vectors, strict=True)]
        return [Query(g, r, p) for g, r, p in zip(gold, relevant, pools, strict=True)], texts, gold, relevant

    log("scoring train+dev candidates")
    train, _, _, _ = queries_of("train")
    dev, _, _, _ = queries_of("dev")
    log(f"searching {len(TITLE_WEIGHTS) * len(LEXICAL_HALVES) * len(FUZZY_SCORERS) * len(SIDE_WEIGHTS) ** 2} combinations")
    chosen, tuned_map = choose_params(train + dev)
    matcher.params = chosen
    defaults = MatchParams()

    test, texts, gold, relevant = queries_of("test")
    absent_gold = sum(1 for g, r in zip(gold, relevant, strict=True) if len(g) < r)

    def evaluate(rankings: list[list[int]]) -> dict[str, np.ndarray]:
        per_query = {"MAP@5": [], "MRR": [], "Recall@5": [], "P@1": []}
        for ranked, g, r in zip(rankings, gold, relevant, strict=True):
            per_query["MAP@5"].append(ap_at_k(ranked, g, 5) * len(g) / r)  # absent gold stays in the denominator
            per_query["MRR"].append(mrr_at_k(ranked, g, DEPTH))
            per_query["Recall@5"].append(recall_at_k(ranked, g, 5) * len(g) / r)
            per_query["P@1"].append(float(bool(ranked) and ranked[0] in g))
        return {name: np.array(values) for name, values in per_query.items()}

    def timed(function) -> tuple[list, list[float]]:
        for text in texts[:3]:  # warm-up
            function(text)
        rankings, durations = [], []
        for text in texts:
            start = time.perf_counter()
            rankings.append(function(text))
            durations.append(time.perf_counter() - start)
        return rankings, durations

    log("ranking the test split")
    raw_bm25 = timed(lambda text: top_k(matcher.bm25.scores(text), DEPTH).tolist())
    bm25 = timed(lambda text: top_k(matcher.lexical_scores(text), DEPTH).tolist())
    dense = timed(lambda text: top_k(matcher.dense_scores(matcher.encode(text)), DEPTH).tolist())
    positions = {f.id: row for row, f in enumerate(library)}
    combined = timed(lambda text: [positions[m.factcheck.id] for m in matcher.match(text, k=DEPTH, min_score=-np.inf)])
    vectors = dict(zip(texts, cached_embeddings(store, encoder, [clean_text(t) for t in texts]), strict=True))
    _, scoring = timed(
        lambda text: [m.factcheck.id for m in matcher.match(text, k=DEPTH, min_score=-np.inf, vector=vectors[text])]
    )
    _, encoding = timed(matcher.encode)
    load = os.getloadavg()[0]
    systems = [
        ("BM25, raw tweet text (library tokenizer, claim+title)", raw_bm25),
        ("BM25 only (cleaned tweet, claim+title)", bm25),
        ("dense only (all-MiniLM-L6-v2, claim+title mix)", dense),
        ("combined Matcher (dense + BM25 + rapidfuzz)", combined),
    ]
    scores = {name: evaluate(rankings) for name, (rankings, _) in systems}
    baseline = scores["BM25 only (cleaned tweet, claim+title)"]["MAP@5"].mean()
    rows = []
    for name, (_, durations) in systems:
        values = scores[name]
        p50, p95 = percentiles_ms(durations)
        rows.append(
            [
                name,
                *(float(values[m].mean()) for m in ("MAP@5", "MRR", "Recall@5", "P@1")),
                p50,
                p95,
                float(values["MAP@5"].mean() / baseline),
            ]
        )
    header = ["system (test, measured)", "MAP@5", "MRR", "Recall@5", "P@1", "p50 ms", "p95 ms", "MAP@5 / BM25"]
    difference = paired_bootstrap(scores[systems[3][0]]["MAP@5"], scores[systems[1][0]]["MAP@5"])
    difference_dense = paired_bootstrap(scores[systems[3][0]]["MAP@5"], scores[systems[2][0]]["MAP@5"])

    params_rows = [
        [field.name, getattr(chosen, field.name), getattr(defaults, field.name)] for field in dataclasses.fields(MatchParams)
    ]
    lines = [
        "# Claim matching on CLEF-2020 CheckThat! task 2 (English), test split",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.machine()} / {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} while timing (latencies are wall-clock under that load); "
        f"model {encoder.model_id}; library {len(library)} fact-checks ({vclaims - len(library)} of {vclaims:,} vclaims "
        f"differ from an earlier one only in quote marks and are not imported; {absent_gold} of {len(test)} test tweets "
        "have their gold fact-check among them, scored as misses).",
        "",
        markdown_table(header, rows),
        "",
        f"Combined − BM25 only, MAP@5: {difference[0]:+.3f} (95% paired bootstrap {difference[1]:+.3f} … {difference[2]:+.3f}); "
        f"combined − dense only: {difference_dense[0]:+.3f} ({difference_dense[1]:+.3f} … {difference_dense[2]:+.3f}).",
        "",
        "Latency split of the combined Matcher: encoding the tweet p50 {:.1f} ms / p95 {:.1f} ms; everything else "
        "(dense, BM25, pool, rapidfuzz, combination, tiers) p50 {:.1f} ms / p95 {:.1f} ms.".format(
            *percentiles_ms(encoding), *percentiles_ms(scoring)
        ),
        "",
        "## Published anchors (not measured here)",
        "",
        markdown_table(["system", "MAP@5", "status"], PUBLISHED),
        "",
        f"## Parameters (chosen on train+dev, {len(train) + len(dev)} tweets; test never used)",
        "",
        f"Best train+dev MAP@5 {tuned_map:.3f}. Grid: title weight {TITLE_WEIGHTS}, lexical half {LEXICAL_HALVES}, "
        f"fuzzy scorer {FUZZY_SCORERS}, lexical and fuzzy weights 0…{MAX_SIDE_WEIGHT} step {WEIGHT_STEP} (dense the rest). "
        f"'same claim': lowest threshold (step {THRESHOLD_STEP}) with top-1 precision ≥ {SAME_CLAIM_PRECISION} and ≤ "
        f"{SAME_CLAIM_FALSE_ALARMS:.0%} false alarms with the gold removed; "
        f"'related': {RELATED_RECALL:.0%} of gold matches above it.",
        "",
        markdown_table(["parameter", "chosen", "library default"], params_rows),
        "",
        "The library defaults are these choices"
        if chosen == defaults
        else "NOTE: update MatchParams defaults to the chosen values",
        "",
        "## Tiers",
        "",
        markdown_table(
            [
                "split",
                "tweets",
                "top-1 'same claim'",
                "precision",
                "recall",
                "false 'same claim' with gold removed",
                "gold ≥ related threshold",
            ],
            [tier_row("train+dev (chosen here)", train + dev, chosen), tier_row("test", test, chosen)],
        ),
        "",
        f"Total run time {time.perf_counter() - started:.0f} s.",
    ]
    text = "\n".join(lines)
    print(text)
    (RESULTS / "claim_matching_clef2020.md").write_text(text + "\n", encoding="utf-8")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
