"""SciFact retrieval benchmark of checks/retrieval.py: ranking quality and speed of BM25, dense and fused search.

Measured in one run on the BEIR SciFact test split (300 claims, 5,183 abstracts; document text for
both rankers = title + " " + text; every document is ranked for every claim):

* nDCG@10, Recall@10, Recall@100 and MRR@10 of BM25 only (library BM25, default k1/b), dense only
  (library Encoder, all-MiniLM-L6-v2, exact cosine), fused (library ``fuse``, convex, default
  dense_weight 0.5 — the headline) and RRF; a dense_weight sweep on the test set, reported apart;
* the product path: each abstract split into passages as the product splits evidence documents
  (checks.corpus.split_passages), passages embedded and BM25-indexed, abstracts scored by their best
  passage — dense only, BM25 only and library ``fuse`` over passages (the review screen's order);
* query latency per claim of the fused pipeline (encode claim + dense matmul + BM25 + fuse), p50/p95,
  beside exact brute-force dense and BM25-only baselines;
* indexing throughput: abstracts embedded per second (fresh run) and BM25 build time;
* latency at scale on synthetic data: exact dense top-100 over 100k and 1M random unit vectors × 384
  (float32 as the library stores them, float16 variants) and BM25 over 100k passages sampled from
  SciFact sentences.

Run from the repository root:

    python bench/retrieval_scifact.py            # full run (the 1M part needs ~2.5 GB RAM)
    python bench/retrieval_scifact.py --quick    # skip the synthetic scale tests
    python bench/retrieval_scifact.py --no-passages  # skip the passage-level (product path) part

Corpus embeddings (abstracts and passages) are cached in bench/results/embeddings/ keyed by model id
and a hash of the texts, so reruns skip the embedding (the throughput of the fresh run is kept beside
the cache). The report is printed and written to bench/results/retrieval_scifact.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.common import (  # noqa: E402
    RESULTS,
    BeirDataset,
    load_beir,
    markdown_table,
    paired_bootstrap,
    per_query,
    percentiles_ms,
)
from checks.corpus import split_passages  # noqa: E402
from checks.embedding import Encoder  # noqa: E402
from checks.retrieval import BM25, fuse, tokenize, top_k  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "scifact"
DEPTH = 100  # ranking depth evaluated (Recall@100)
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7)
POOLS = (20, 50, 200, 1000)  # library default 100
RRF_KS = (10, 30)  # library default 60
PASSAGE_POOLS = (100, 1000)  # passage-level fusion pools: the library default, and deep enough for Recall@100
BM25_ALTERNATIVE = (1.2, 0.75)  # the common Lucene/rank_bm25 setting, against the library's (0.9, 0.4)
PUBLISHED = [  # (system, nDCG@10, source) — published figures, not measured here
    ("BM25 (Lucene multifield)", 0.665, "BEIR paper (Thakur et al. 2021); Anserini regression 0.6647"),
    ("all-MiniLM-L6-v2, dense", 0.645, "MTEB (Muennighoff et al. 2022), results/all-MiniLM-L6-v2/SciFact.json"),
    ("BGE-base-en-v1.5, dense", 0.741, "Anserini regression beir-v1.0.0-scifact.bge-base-en-v1.5"),
]


def log(message: str) -> None:
    """Progress line on stderr (the report itself goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------- embeddings


def embed_corpus(
    encoder: Encoder, documents: Sequence[str], cache_dir: Path, fresh: bool = False, name: str = "scifact"
) -> tuple[np.ndarray, dict]:
    """Corpus vectors from the cache, or embedded now (timed) and cached; returns (vectors, info).

    The cache file is ``<name>-<hash of the texts>-<model id>.npy``, so any change of the texts or the
    model misses the cache.
    """
    digest = hashlib.sha1("\x1e".join(documents).encode("utf-8")).hexdigest()[:12]
    model = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder.model_id)
    path = cache_dir / f"{name}-{digest}-{model}.npy"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not fresh:
        vectors = np.load(path)
        meta = json.loads(meta_path.read_text())
        if vectors.shape == (len(documents), encoder.dimension):
            return vectors, {**meta, "cached": True, "path": str(path)}
    log(f"embedding {len(documents):,} texts ({name}) with {encoder.model_id} (batch 64) …")
    step = max(len(documents) // 10, 1)

    def progress(done: int, total: int) -> None:
        if done % step < 64 or done == total:
            log(f"  {done:,}/{total:,}  {time.perf_counter() - start:6.1f} s")

    start = time.perf_counter()
    vectors = encoder.encode(list(documents), batch_size=64, progress=progress)
    seconds = time.perf_counter() - start
    meta = {
        "model_id": encoder.model_id,
        "documents": len(documents),
        "seconds": seconds,
        "docs_per_second": len(documents) / seconds,
        "batch_size": 64,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_1min_after": os.getloadavg()[0],
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    meta_path.write_text(json.dumps(meta, indent=2))
    return vectors, {**meta, "cached": False, "path": str(path)}


def token_lengths(encoder: Encoder, documents: Sequence[str]) -> np.ndarray:
    """Word-piece count of each document (without truncation), to show how much the model's window cuts."""
    tokenizer = encoder.model.tokenizer
    return np.array([len(ids) for ids in tokenizer(list(documents), add_special_tokens=True, verbose=False)["input_ids"]])


# --------------------------------------------------------------------------------------- passages


def product_passages(dataset: BeirDataset) -> tuple[list[str], np.ndarray]:
    """Each abstract split as the product splits an imported document, and each passage's abstract row.

    ``split_passages(text, title)``: 3-sentence windows, stride 2, over the abstract text; the title is
    passed as the product passes it (only to skip a paragraph that repeats it) and is not part of any
    passage text; the product adds it in front of each passage for BM25 only. SciFact text is a single
    paragraph of sentences joined by spaces.
    """
    texts: list[str] = []
    owners: list[int] = []
    for row, (title, text) in enumerate(zip(dataset.titles, dataset.texts, strict=True)):
        for passage, _, _ in split_passages(text, title):
            texts.append(passage)
            owners.append(row)
    return texts, np.asarray(owners, dtype=np.int64)


def document_max(scores: np.ndarray, owners: np.ndarray, n_docs: int) -> np.ndarray:
    """(queries × documents) score of each document's best passage, from a (queries × passages) matrix.

    Passages come in document order, so each document's passages are contiguous; a document without
    any passage gets the lowest score of the matrix (it can only come last).
    """
    out = np.full((scores.shape[0], n_docs), float(scores.min()), dtype=np.float32)
    present, starts = np.unique(owners, return_index=True)
    out[:, present] = np.maximum.reduceat(scores, starts, axis=1)
    return out


def passage_fused_rankings(
    dense: np.ndarray,
    lexical: np.ndarray,
    owners: np.ndarray,
    doc_ids: Sequence[str],
    query_ids: Sequence[str],
    pool: int,
    **options,
) -> tuple[dict[str, list[str]], np.ndarray, dict[str, set[str]]]:
    """Abstracts ranked by their best passage in the library's passage-level ``fuse`` (what the review screen orders).

    ``fuse`` runs over passages exactly as ``EvidenceIndex.search`` does, with ``k`` large enough to
    return its whole candidate union; an abstract takes the rank of its first (best) passage, so the
    order of abstracts is the order in which they first appear on the screen. Also returns, per claim,
    the number of distinct abstracts in the fused candidate union and the set of abstracts among the
    top 10 passages (the review screen's list).
    """
    rankings, covered, screens = {}, [], {}
    for q, d, lex in zip(query_ids, dense, lexical, strict=True):
        hits = fuse(d, lex, k=2 * pool, pool=pool, **options)
        order = list(dict.fromkeys(int(owners[h.row]) for h in hits))
        covered.append(len(order))
        screens[q] = {doc_ids[int(owners[h.row])] for h in hits[:10]}
        rankings[q] = [doc_ids[i] for i in order[:DEPTH]]
    return rankings, np.asarray(covered), screens


# ----------------------------------------------------------------------------------------- quality


def rankings_from_scores(scores: np.ndarray, doc_ids: Sequence[str], query_ids: Sequence[str]) -> dict[str, list[str]]:
    """Top-DEPTH document ids per query from a (queries × documents) score matrix."""
    return {q: [doc_ids[i] for i in top_k(row, DEPTH)] for q, row in zip(query_ids, scores, strict=True)}


def fused_rankings(
    dense: np.ndarray, lexical: np.ndarray, doc_ids: Sequence[str], query_ids: Sequence[str], **options
) -> dict[str, list[str]]:
    """Top-DEPTH document ids per query from the library's ``fuse`` (its ordering of the top 10 is the same as k=10)."""
    return {
        q: [doc_ids[h.row] for h in fuse(d, lex, k=DEPTH, **options)] for q, d, lex in zip(query_ids, dense, lexical, strict=True)
    }


def passage_path(
    args: argparse.Namespace,
    dataset: BeirDataset,
    encoder: Encoder,
    query_vectors: np.ndarray,
    qrels: dict[str, dict[str, int]],
) -> dict:
    """Rank abstracts the way the product ranks evidence: split into passages, search passages, best passage per abstract."""
    doc_ids, query_ids, claims = dataset.doc_ids, dataset.query_ids, dataset.queries
    texts, owners = product_passages(dataset)
    log(f"passage level: {len(texts):,} passages from {len(doc_ids):,} abstracts")
    vectors, embed_info = embed_corpus(encoder, texts, args.results / "embeddings", fresh=args.fresh, name="scifact-passages")
    # As checks.retrieval.build_index: BM25 over "title + passage", embeddings over the passage alone.
    titled_texts = [f"{dataset.titles[o]} {t}".strip() for t, o in zip(texts, owners, strict=True)]
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        bm25 = BM25(titled_texts)
        builds.append(time.perf_counter() - start)
    lengths = token_lengths(encoder, texts)

    log("passage ranking …")
    start = time.perf_counter()
    dense = query_vectors @ vectors.T
    lexical = np.vstack([bm25.scores(claim) for claim in claims])
    n_docs = len(doc_ids)
    dense_docs, lexical_docs = document_max(dense, owners, n_docs), document_max(lexical, owners, n_docs)
    runs = {
        "passage_bm25": rankings_from_scores(lexical_docs, doc_ids, query_ids),
        "passage_dense": rankings_from_scores(dense_docs, doc_ids, query_ids),
    }
    covered, screens = {}, {}
    for pool in PASSAGE_POOLS:
        runs[f"passage_convex_p{pool}"], covered[pool], screens[pool] = passage_fused_rankings(
            dense, lexical, owners, doc_ids, query_ids, pool
        )
    rank_seconds = time.perf_counter() - start

    # diagnostics on the test set (not headline): other fusion variants, and the title in the passages
    diagnostics: list[tuple[str, dict[str, list[str]]]] = [
        (
            "passage-level RRF (rrf_k 60), pool 100 passages",
            passage_fused_rankings(dense, lexical, owners, doc_ids, query_ids, 100, method="rrf")[0],
        ),
        (
            "document-level convex 0.5 of best-passage scores (dense max, BM25 max), pool 100 abstracts",
            fused_rankings(dense_docs, lexical_docs, doc_ids, query_ids),
        ),
    ]
    untitled = BM25(texts)
    lexical_untitled = np.vstack([untitled.scores(claim) for claim in claims])
    diagnostics += [
        (
            "BM25 only over the passage body without its title (index format 1)",
            rankings_from_scores(document_max(lexical_untitled, owners, n_docs), doc_ids, query_ids),
        ),
        (
            "passage-level convex 0.5, pool 100: BM25 over the passage body without its title (index format 1)",
            passage_fused_rankings(dense, lexical_untitled, owners, doc_ids, query_ids, 100)[0],
        ),
    ]
    scores = {name: per_query(run, qrels) for name, run in runs.items()}
    diagnostic_scores = [(label, per_query(run, qrels)) for label, run in diagnostics]

    # per-claim search latency over the passages (claim vectors precomputed; encoding is as in the main table)
    latency = {
        "dense": per_call(lambda i: vectors @ query_vectors[i], len(claims)),
        "bm25": per_call(lambda i: bm25.scores(claims[i]), len(claims)),
        "total": per_call(lambda i: fuse(vectors @ query_vectors[i], bm25.scores(claims[i]), k=10), len(claims)),
    }
    return {
        "passages": len(texts),
        "per_document": np.bincount(owners, minlength=n_docs),
        "lengths": lengths,
        "embed_info": embed_info,
        "builds": builds,
        "rank_seconds": rank_seconds,
        "runs": runs,
        "scores": scores,
        "covered": covered,
        "screens": screens,
        "diagnostics": diagnostic_scores,
        "latency": latency,
    }


# ----------------------------------------------------------------------------------------- latency


def claim_latency(
    encoder: Encoder, vectors: np.ndarray, bm25: BM25, claims: Sequence[str], warmup: int = 5
) -> dict[str, list[float]]:
    """Seconds per claim of each step of the fused pipeline (what ``EvidenceIndex.search`` does, plus encoding)."""
    for claim in claims[:warmup]:
        fuse(vectors @ encoder.encode([claim])[0], bm25.scores(claim), k=10)
    steps: dict[str, list[float]] = {
        "encode": [],
        "dense": [],
        "bm25": [],
        "fuse": [],
        "total": [],
        "dense_only": [],
        "bm25_only": [],
    }
    for claim in claims:
        t0 = time.perf_counter()
        query = encoder.encode([claim])[0]
        t1 = time.perf_counter()
        dense = vectors @ query
        t2 = time.perf_counter()
        lexical = bm25.scores(claim)
        t3 = time.perf_counter()
        fuse(dense, lexical, k=10)
        t4 = time.perf_counter()
        top_k(vectors @ query, 10)
        t5 = time.perf_counter()
        top_k(bm25.scores(claim), 10)
        t6 = time.perf_counter()
        for name, seconds in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, t5 - t4, t6 - t5), strict=True):
            steps[name].append(seconds)
    return steps


def single_thread_latency(encoder: Encoder, vectors: np.ndarray, claims: Sequence[str]) -> dict[str, list[float]]:
    """Claim encoding with 1 torch thread and the dense product with 1 BLAS thread (diagnostic: thread oversubscription)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        encode = per_call(lambda i: encoder.encode([claims[i]]), len(claims))
    finally:
        torch.set_num_threads(threads)
    result = {"encode_1thread": encode}
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return result
    queries = encoder.encode(list(claims[:50]))
    with threadpool_limits(1):
        result["dense_1thread"] = per_call(lambda i: vectors @ queries[i], len(queries))
    return result


def per_call(function: Callable[[int], object], count: int, warmup: int = 3) -> list[float]:
    """Seconds of ``function(i)`` for i in range(count), after a few untimed calls."""
    for i in range(min(warmup, count)):
        function(i)
    durations = []
    for i in range(count):
        start = time.perf_counter()
        function(i)
        durations.append(time.perf_counter() - start)
    return durations


def ms(seconds: Sequence[float]) -> list[str]:
    """p50 and p95 of durations, in milliseconds with sensible precision."""
    return [f"{v:.1f}" if v >= 10 else f"{v:.2f}" for v in percentiles_ms(seconds)]


def mb(nbytes: int) -> str:
    """A byte count in MiB."""
    return f"{nbytes / 2**20:,.0f}"


# ------------------------------------------------------------------------------------------- scale


def random_unit_vectors(n: int, dim: int, seed: int, chunk: int = 131_072) -> np.ndarray:
    """n random L2-normalised float32 vectors, generated in chunks to bound temporary memory."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for begin in range(0, n, chunk):
        block = rng.standard_normal((min(chunk, n - begin), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[begin : begin + len(block)] = block
    return out


def float16_blocked_scores(matrix16: np.ndarray, query: np.ndarray, block: int = 65_536) -> np.ndarray:
    """Scores over float16 storage, upcasting 64k rows at a time (numpy has no float16 BLAS)."""
    out = np.empty(len(matrix16), dtype=np.float32)
    for begin in range(0, len(matrix16), block):
        out[begin : begin + block] = matrix16[begin : begin + block].astype(np.float32) @ query
    return out


def dense_at_scale(n: int, dim: int, queries: int) -> tuple[list[list], np.ndarray]:
    """Exact top-100 latency over n synthetic unit vectors: float32 (library path) and float16 variants."""
    log(f"dense at scale: generating {n:,} × {dim} float32 …")
    matrix = random_unit_vectors(n, dim, seed=n)
    probes = random_unit_vectors(queries, dim, seed=7)
    rows = []
    times = per_call(lambda i: top_k(matrix @ probes[i], DEPTH), queries)
    rows.append(
        [
            "exact dense, float32, numpy (library: `vectors @ q` + `top_k`)",
            f"{n:,}",
            mb(matrix.nbytes),
            *ms(times),
        ]
    )
    matrix16 = matrix.astype(np.float16)
    times = per_call(lambda i: top_k(float16_blocked_scores(matrix16, probes[i]), DEPTH), queries)
    rows.append(
        [
            "exact dense, float16 storage, numpy upcast per 64k-row block",
            f"{n:,}",
            mb(matrix16.nbytes),
            *ms(times),
        ]
    )
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tensor16 = torch.from_numpy(matrix16)
        probes16 = torch.from_numpy(probes).half()

        def torch_search(i: int) -> object:
            return torch.topk(tensor16 @ probes16[i], DEPTH).indices

        times = per_call(torch_search, queries)
        rows.append(
            [
                f"exact dense, float16, torch mv + topk ({torch.get_num_threads()} threads)",
                f"{n:,}",
                mb(matrix16.nbytes),
                *ms(times),
            ]
        )
        # agreement with the float32 result: share of the float32 top-100 also in the float16 top-100
        agreement = np.mean(
            [
                len(set(top_k(matrix @ probes[i], DEPTH).tolist()) & set(torch_search(i).tolist())) / DEPTH
                for i in range(min(queries, 10))
            ]
        )
        rows[-1][0] += f"; top-100 overlap with float32 {agreement:.3f}"
    return rows, matrix


def sample_passages(texts: Sequence[str], n: int, sentences_per_passage: int = 3, seed: int = 0) -> list[str]:
    """n synthetic passages of random SciFact sentences (the workbench's passages are 3-sentence windows)."""
    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])", text) if len(s) > 20]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(sentences), size=(n, sentences_per_passage))
    return [" ".join(sentences[j] for j in row) for row in picks]


# ------------------------------------------------------------------------------------------ report


def quality_row(label: str, metrics: dict[str, np.ndarray], bm25_ndcg: float, published: str = "—") -> list:
    ndcg = float(metrics["nDCG@10"].mean())
    return [
        label,
        ndcg,
        float(metrics["Recall@10"].mean()),
        float(metrics["Recall@100"].mean()),
        float(metrics["MRR@10"].mean()),
        f"{ndcg / bm25_ndcg:.3f}×",
        published,
    ]


QUALITY_HEADER = ["ranking", "nDCG@10", "Recall@10", "Recall@100", "MRR@10", "nDCG@10 / BM25", "published nDCG@10 (not ours)"]


PASSAGE_LABELS = {
    "passage_bm25": "Passage level (product path) — BM25 only, abstract = best passage",
    "passage_dense": "Passage level (product path) — dense only, abstract = best passage",
    "passage_convex_p100": "**Passage level (product path) — fused, library `fuse` convex 0.5 over passages, pool 100 "
    "(as the review screen), abstract = best passage**",
    "passage_convex_p1000": "Passage level (product path) — fused as above, pool 1000 passages",
}


def passage_rows(scores: dict[str, dict[str, np.ndarray]], bm25_ndcg: float) -> list[list]:
    """The passage-level rows of the ranking-quality table (ratio to the abstract-level BM25 row)."""
    return [quality_row(label, scores[name], bm25_ndcg) for name, label in PASSAGE_LABELS.items()]


def bootstrap_line(scores: dict[str, dict[str, np.ndarray]], name: str, base: str, label: str) -> str:
    """One paired-bootstrap line of ΔnDCG@10 (name − base) with wins and losses over claims."""
    a, b = scores[name]["nDCG@10"], scores[base]["nDCG@10"]
    mean, low, high = paired_bootstrap(a, b)
    wins, losses = int(np.sum(a > b + 1e-12)), int(np.sum(a < b - 1e-12))
    return f"- {label}: {mean:+.3f} [{low:+.3f}, {high:+.3f}]; better on {wins}, worse on {losses} claims"


def passage_section(
    dataset: BeirDataset,
    scores: dict[str, dict[str, np.ndarray]],
    bm25_ndcg: float,
    passage: dict,
    runs: dict[str, dict[str, list[str]]],
) -> list[str]:
    """Report lines of the passage-level (product path) evaluation."""
    per_document = passage["per_document"]
    lengths = passage["lengths"]
    info = passage["embed_info"]
    query_ids, qrels = dataset.query_ids, dataset.qrels
    fused_top10 = np.mean([bool(set(runs["convex"][q][:10]) & set(qrels[q])) for q in query_ids])
    screen = passage["screens"][100]
    screen_hit = np.mean([bool(screen[q] & set(qrels[q])) for q in query_ids])
    screen_docs = np.mean([len(screen[q]) for q in query_ids])
    coverage = ", ".join(
        f"pool {pool}: median {int(np.median(c))} abstracts (min {int(c.min())}), "
        f"{np.mean(c >= DEPTH):.0%} of claims reach {DEPTH}"
        for pool, c in passage["covered"].items()
    )
    load_after = info.get("load_average_1min_after", float("nan"))
    throughput = (
        f"{info['docs_per_second']:.1f} passages/s ({info['documents']:,} in {info['seconds']:.1f} s, "
        f"batch {info['batch_size']}, {info.get('cpu_count')} cores, load average {load_after:.1f} at the end)"
        + (
            f" — from the fresh run of {info['measured_at']} (vectors cached this time: `{Path(info['path']).name}`)"
            if info["cached"]
            else " — measured in this run"
        )
    )
    window = 256
    lines = [
        "### Passage level (product path)",
        "",
        "The product never embeds whole documents: it splits each into passages (`checks.corpus.split_passages`: "
        "3-sentence windows, stride 2) and searches passages. Here each abstract is split the same way — "
        "`split_passages(text, title)`, the call the import makes. As in `checks.retrieval.build_index` (index format 2), "
        "the embedding covers the passage text alone and BM25 indexes the document title followed by the passage; "
        "the earlier format (BM25 over the passage body only) is a labelled diagnostic below. "
        "Dense and BM25 score every passage; an abstract's score is its best passage's. "
        "Fused rows run library `fuse` over passages exactly as `EvidenceIndex.search` does (convex 0.5) and rank "
        "abstracts by their first — best — passage in the fused list, i.e. in the order the review screen shows them; "
        "pool 100 is the library default, pool 1000 keeps Recall@100 from being capped by the candidate union. "
        "Ratios in the table are to the abstract-level BM25 row.",
        "",
        f"Passages: {passage['passages']:,} for {len(per_document):,} abstracts (median {int(np.median(per_document))}, "
        f"max {int(per_document.max())} per abstract); length in word pieces median {int(np.median(lengths))}, "
        f"p95 {int(np.percentile(lengths, 95))}; {np.mean(lengths > window):.1%} truncated at {window} "
        f"(abstracts: see Indexing).  ",
        f"Abstracts in the fused candidate union per claim — {coverage}.  ",
        f"Review screen (top 10 passages, pool 100): {screen_docs:.1f} distinct abstracts on average; "
        f"a relevant abstract is on it for {screen_hit:.1%} of claims (abstract-level fused top 10: {fused_top10:.1%}).",
        "",
        "Paired bootstrap over claims (10,000 resamples), ΔnDCG@10 with 95% interval:",
        "",
    ]
    for name, short in (
        ("passage_convex_p100", "passage fused pool 100"),
        ("passage_convex_p1000", "passage fused pool 1000"),
        ("passage_dense", "passage dense only"),
        ("passage_bm25", "passage BM25 only"),
    ):
        lines.append(bootstrap_line(scores, name, "convex", f"{short} − abstract-level fused convex 0.5 (headline)"))
    lines += [
        bootstrap_line(scores, "passage_dense", "dense", "passage dense only − abstract dense only"),
        bootstrap_line(scores, "passage_bm25", "bm25", "passage BM25 only − abstract BM25 only"),
        bootstrap_line(scores, "passage_convex_p100", "passage_bm25", "passage fused pool 100 − passage BM25 only"),
        bootstrap_line(scores, "passage_convex_p100", "passage_dense", "passage fused pool 100 − passage dense only"),
        "",
        "Passage-level diagnostics — measured on the test set, not headline figures:",
        "",
        markdown_table(
            ["variant", "nDCG@10", "Recall@10", "Recall@100", "MRR@10", "nDCG@10 / BM25"],
            [quality_row(label, metric, bm25_ndcg)[:6] for label, metric in passage["diagnostics"]],
        ),
        "",
        "Passage-level timings:",
        "",
        markdown_table(
            ["item", "value"],
            [
                ["passage embedding throughput (library `Encoder.encode`, product order)", throughput],
                [
                    "BM25 build over passages (library `BM25(texts)`), median of 3",
                    f"{np.median(passage['builds']) * 1000:.0f} ms",
                ],
                [
                    f"ranking all {len(query_ids)} claims over passages (matmul, BM25, 2 `fuse` pools, best passage)",
                    f"{passage['rank_seconds']:.1f} s",
                ],
                [
                    "per claim: dense scores over passages (`vectors @ q`), p50 / p95 ms",
                    " / ".join(ms(passage["latency"]["dense"])),
                ],
                ["per claim: BM25 scores over passages, p50 / p95 ms", " / ".join(ms(passage["latency"]["bm25"]))],
                [
                    "per claim: dense + BM25 + `fuse` (pool 100, k 10), excl. claim encoding, p50 / p95 ms",
                    " / ".join(ms(passage["latency"]["total"])),
                ],
            ],
        ),
    ]
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="BEIR-format SciFact folder (default: %(default)s)")
    parser.add_argument(
        "--scale", type=int, default=1_000_000, help="largest synthetic dense index size (default 1,000,000; 0 = only 100k)"
    )
    parser.add_argument("--bm25-scale", type=int, default=100_000, help="synthetic passages for the BM25 scale test")
    parser.add_argument("--scale-queries", type=int, default=50, help="queries per scale test")
    parser.add_argument("--quick", action="store_true", help="skip the synthetic scale tests")
    parser.add_argument("--fresh", action="store_true", help="re-embed the corpus even when cached")
    parser.add_argument(
        "--no-passages", action="store_true", help="skip the passage-level (product path) evaluation and its embedding"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="output folder (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the markdown report and write it to the results folder."""
    args = parse_args(argv)
    data = args.data
    queries_present = (data / "queries_test.jsonl").exists() or (data / "queries.jsonl").exists()
    if not (data / "corpus.jsonl").exists() or not (data / "qrels" / "test.tsv").exists() or not queries_present:
        print(f"SciFact dataset not found at {data} (expected corpus.jsonl, queries_test.jsonl, qrels/test.tsv); skipping.")
        return 0

    import torch

    load_start = os.getloadavg()
    dataset = load_beir(data)
    documents = dataset.documents()
    doc_ids, query_ids, claims, qrels = dataset.doc_ids, dataset.query_ids, dataset.queries, dataset.qrels
    log(f"SciFact: {len(documents):,} documents, {len(claims)} judged claims, {sum(map(len, qrels.values()))} qrels")

    # --- indexes -------------------------------------------------------------------------------
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        bm25 = BM25(documents)
        builds.append(time.perf_counter() - start)
    start = time.perf_counter()
    encoder = Encoder()
    load_seconds = time.perf_counter() - start
    vectors, embed_info = embed_corpus(encoder, documents, args.results / "embeddings", fresh=args.fresh)
    lengths = token_lengths(encoder, documents)
    window = int(encoder.model.max_seq_length)

    # --- quality ---------------------------------------------------------------------------------
    log("ranking …")
    query_vectors = encoder.encode(claims, batch_size=64)
    dense = query_vectors @ vectors.T
    lexical = np.vstack([bm25.scores(claim) for claim in claims])
    qrels_ordered = {q: qrels[q] for q in query_ids}
    runs = {
        "bm25": rankings_from_scores(lexical, doc_ids, query_ids),
        "dense": rankings_from_scores(dense, doc_ids, query_ids),
        "convex": fused_rankings(dense, lexical, doc_ids, query_ids),
        "rrf": fused_rankings(dense, lexical, doc_ids, query_ids, method="rrf"),
    }
    for weight in SWEEP:
        runs[f"w{weight}"] = fused_rankings(dense, lexical, doc_ids, query_ids, dense_weight=weight)
    scores = {name: per_query(run, qrels_ordered) for name, run in runs.items()}
    bm25_ndcg = float(scores["bm25"]["nDCG@10"].mean())
    loads = {"start": load_start, "after embedding": os.getloadavg()}

    # --- passage level: the product path (split, embed and rank passages; abstract = best passage) ---
    passage = None
    if not args.no_passages:
        passage = passage_path(args, dataset, encoder, query_vectors, qrels_ordered)
        scores.update(passage["scores"])
        loads["after passage level"] = os.getloadavg()

    # --- robustness of the defaults (test-set diagnostics, not headline) --------------------------
    variants: list[tuple[str, dict[str, list[str]]]] = []
    for pool in POOLS:
        variants.append((f"convex 0.5, pool {pool} (default 100)", fused_rankings(dense, lexical, doc_ids, query_ids, pool=pool)))
    for rrf_k in RRF_KS:
        variants.append(
            (f"RRF, rrf_k {rrf_k} (default 60)", fused_rankings(dense, lexical, doc_ids, query_ids, method="rrf", rrf_k=rrf_k))
        )
    k1, b = BM25_ALTERNATIVE
    bm25_alt = BM25(documents, k1=k1, b=b)
    lexical_alt = np.vstack([bm25_alt.scores(claim) for claim in claims])
    variants.append((f"BM25 only, k1={k1}, b={b}", rankings_from_scores(lexical_alt, doc_ids, query_ids)))
    variants.append((f"convex 0.5 over BM25 k1={k1}, b={b}", fused_rankings(dense, lexical_alt, doc_ids, query_ids)))
    dense16 = (torch.from_numpy(query_vectors).half() @ torch.from_numpy(vectors).half().T).float().numpy()
    variants.append(("dense only, float16 vectors (torch matmul)", rankings_from_scores(dense16, doc_ids, query_ids)))
    variants.append(("convex 0.5 over float16 dense scores", fused_rankings(dense16, lexical, doc_ids, query_ids)))
    robust_rows = [quality_row(label, per_query(run, qrels_ordered), bm25_ndcg)[:6] for label, run in variants]

    # --- latency on SciFact ---------------------------------------------------------------------
    log("latency per claim …")
    steps = claim_latency(encoder, vectors, bm25, claims)
    steps.update(single_thread_latency(encoder, vectors, claims))
    loads["after latency"] = os.getloadavg()

    # --- scale -----------------------------------------------------------------------------------
    scale_rows: list[list] = []
    bm25_scale: dict = {}
    if not args.quick:
        sizes = sorted({min(100_000, args.scale) if args.scale > 0 else 100_000, max(args.scale, 100_000)})
        for n in sizes:
            rows, matrix = dense_at_scale(n, encoder.dimension, args.scale_queries)
            scale_rows += rows
            if n == sizes[0]:
                small_matrix = matrix
            del matrix
        log(f"BM25 at scale: sampling {args.bm25_scale:,} passages …")
        passages = sample_passages(dataset.texts, args.bm25_scale)
        start = time.perf_counter()
        big_bm25 = BM25(passages)
        bm25_scale["build"] = time.perf_counter() - start
        bm25_scale["vocabulary"] = len(big_bm25.vocabulary)
        bm25_scale["nnz"] = int(big_bm25.matrix.nnz)
        bm25_scale["mean_tokens"] = float(np.mean([len(tokenize(p)) for p in passages[:5000]]))
        probes = claims[: args.scale_queries]
        times = per_call(lambda i: top_k(big_bm25.scores(probes[i]), DEPTH), len(probes))
        scale_rows.append(
            [
                f"BM25 scores + top-100 ({len(probes)} SciFact claims)",
                f"{args.bm25_scale:,}",
                mb(sum(a.nbytes for a in (big_bm25.matrix.data, big_bm25.matrix.indices, big_bm25.matrix.indptr))),
                *ms(times),
            ]
        )
        if len(small_matrix) == args.bm25_scale:
            query_probe = random_unit_vectors(len(probes), encoder.dimension, seed=11)
            times = per_call(lambda i: fuse(small_matrix @ query_probe[i], big_bm25.scores(probes[i]), k=10), len(probes))
            scale_rows.append(
                [
                    "fused search, excl. claim encoding (dense float32 + BM25 + `fuse`)",
                    f"{args.bm25_scale:,}",
                    None,
                    *ms(times),
                ]
            )
        del small_matrix, big_bm25
        loads["after scale tests"] = os.getloadavg()

    # --- report ----------------------------------------------------------------------------------
    report = build_report(
        args,
        dataset,
        scores,
        bm25_ndcg,
        steps,
        builds,
        load_seconds,
        embed_info,
        lengths,
        window,
        scale_rows,
        bm25_scale,
        runs,
        torch,
        robust_rows,
        loads,
        passage,
    )
    print(report)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "retrieval_scifact.md").write_text(report + "\n", encoding="utf-8")
    summary = {name: {m: float(v.mean()) for m, v in metric.items()} for name, metric in scores.items()}
    (args.results / "retrieval_scifact.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log(f"written {args.results / 'retrieval_scifact.md'}")
    return 0


def build_report(
    args: argparse.Namespace,
    dataset: BeirDataset,
    scores: dict[str, dict[str, np.ndarray]],
    bm25_ndcg: float,
    steps: dict[str, list[float]],
    builds: list[float],
    load_seconds: float,
    embed_info: dict,
    lengths: np.ndarray,
    window: int,
    scale_rows: list[list],
    bm25_scale: dict,
    runs: dict[str, dict[str, list[str]]],
    torch: ModuleType,
    robust_rows: list[list],
    loads: dict[str, tuple[float, float, float]],
    passage: dict | None = None,
) -> str:
    """The markdown report of one run."""
    n_docs, n_claims = len(dataset.doc_ids), len(dataset.query_ids)
    out = [
        "# SciFact retrieval benchmark — checks/retrieval.py",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPU cores · Python {platform.python_version()} · numpy {np.__version__} · torch {torch.__version__} "
        f"({torch.get_num_threads()} threads)  ",
        "Load average (1 min) during the run: "
        + ", ".join(f"{stage} {values[0]:.1f}" for stage, values in loads.items())
        + (
            f" — **the machine was busy with other work (load above its {os.cpu_count()} cores): timings are pessimistic**  "
            if max(values[0] for values in loads.values()) > (os.cpu_count() or 1)
            else "  "
        ),
        f"Data: `{args.data}` — BEIR SciFact test split, {n_claims} claims, {n_docs:,} abstracts, "
        f'{sum(map(len, dataset.qrels.values()))} relevance judgements; document = title + " " + text; all documents ranked.  ',
        f"Model: {embed_info['model_id']} (library `Encoder()`), corpus embeddings "
        + (
            "**cached** (loaded from `" + Path(embed_info["path"]).name + "`)"
            if embed_info["cached"]
            else "**computed fresh** in this run"
        ),
        "",
        "## Ranking quality (our measurements)",
        "",
        markdown_table(
            QUALITY_HEADER,
            [
                quality_row("BM25 only — library `BM25` (k1=0.9, b=0.4)", scores["bm25"], bm25_ndcg, "0.665 (BEIR)"),
                quality_row("Dense only — library `Encoder`, exact cosine", scores["dense"], bm25_ndcg, "0.645 (MTEB)"),
                quality_row(
                    "**Fused — library `fuse`, convex, dense_weight 0.5 (default, headline)**", scores["convex"], bm25_ndcg
                ),
                quality_row("Fused — library `fuse`, RRF (rrf_k 60)", scores["rrf"], bm25_ndcg),
                *(passage_rows(scores, bm25_ndcg) if passage else []),
            ],
        ),
        "",
        "Paired bootstrap over claims (10,000 resamples), ΔnDCG@10 with 95% interval:",
        "",
    ]
    for name, label in (("convex", "fused convex 0.5"), ("rrf", "fused RRF")):
        for base, base_label in (("bm25", "BM25 only"), ("dense", "dense only")):
            mean, low, high = paired_bootstrap(scores[name]["nDCG@10"], scores[base]["nDCG@10"])
            wins = int(np.sum(scores[name]["nDCG@10"] > scores[base]["nDCG@10"] + 1e-12))
            losses = int(np.sum(scores[name]["nDCG@10"] < scores[base]["nDCG@10"] - 1e-12))
            out.append(
                f"- {label} − {base_label}: {mean:+.3f} [{low:+.3f}, {high:+.3f}]; better on {wins}, worse on {losses} claims"
            )
    if passage:
        out += ["", *passage_section(dataset, scores, bm25_ndcg, passage, runs)]
    out += [
        "",
        "Published anchors (not ours; Lucene BM25 / MTEB / Anserini, same split and metric):",
        "",
        markdown_table(["system (published)", "nDCG@10", "source"], [[s, v, src] for s, v, src in PUBLISHED]),
        "",
        "### dense_weight sweep — tuned on the test set itself, so optimistic; not a headline figure",
        "",
        markdown_table(
            ["convex dense_weight", "nDCG@10", "Recall@10", "Recall@100", "MRR@10", "nDCG@10 / BM25"],
            [
                [f"{w:.1f}" + (" (library default)" if w == 0.5 else ""), *quality_row("", scores[f"w{w}"], bm25_ndcg)[1:6]]
                for w in SWEEP
            ],
        ),
        "",
    ]
    # candidate pool diagnostics: what fusion can reach at all
    in_bm25 = np.array([bool(set(runs["bm25"][q]) & set(dataset.qrels[q])) for q in dataset.query_ids])
    in_dense = np.array([bool(set(runs["dense"][q]) & set(dataset.qrels[q])) for q in dataset.query_ids])
    union_recall = np.mean(
        [
            len(set(dataset.qrels[q]) & (set(runs["bm25"][q]) | set(runs["dense"][q]))) / len(dataset.qrels[q])
            for q in dataset.query_ids
        ]
    )
    overlap10 = np.mean([len(set(runs["bm25"][q][:10]) & set(runs["dense"][q][:10])) / 10 for q in dataset.query_ids])
    out += [
        "Fusion pool (union of both top-100 lists, pool=100): "
        f"Recall@100 of the union {union_recall:.3f}; claims with a relevant abstract in BM25 top-100 {in_bm25.mean():.3f}, "
        f"dense top-100 {in_dense.mean():.3f}, either {(in_bm25 | in_dense).mean():.3f}; "
        f"mean top-10 overlap of BM25 and dense {overlap10:.2f}.",
        "",
        "### Robustness of the other defaults — also measured on the test set; diagnostics, not headline figures",
        "",
        markdown_table(["variant", "nDCG@10", "Recall@10", "Recall@100", "MRR@10", "nDCG@10 / BM25"], robust_rows),
        "",
        f"## Query latency per claim (SciFact, {n_docs:,} abstracts, {n_claims} claims, one at a time)",
        "",
        markdown_table(
            ["step", "p50 ms", "p95 ms"],
            [
                ["encode claim (`Encoder.encode([claim])`)", *ms(steps["encode"])],
                ["dense scores (`vectors @ q`, exact, float32)", *ms(steps["dense"])],
                ["BM25 scores (`BM25.scores`)", *ms(steps["bm25"])],
                ["`fuse` (convex, pool 100, k 10)", *ms(steps["fuse"])],
                ["**fused pipeline total** (encode + dense + BM25 + fuse)", *ms(steps["total"])],
                [
                    "baseline: exact brute-force dense top-10 (matmul + `top_k`, excl. encode)",
                    *ms(steps["dense_only"]),
                ],
                ["baseline: BM25-only top-10 (`scores` + `top_k`)", *ms(steps["bm25_only"])],
                ["diagnostic: encode claim with 1 torch thread", *ms(steps["encode_1thread"])],
                *(
                    [["diagnostic: dense scores with 1 BLAS thread (50 claims)", *ms(steps["dense_1thread"])]]
                    if "dense_1thread" in steps
                    else []
                ),
            ],
        ),
        "",
        "## Indexing",
        "",
    ]
    throughput_note = (
        f"{embed_info['docs_per_second']:.1f} abstracts/s ({embed_info['documents']:,} in {embed_info['seconds']:.1f} s, batch "
        f"{embed_info['batch_size']}, {embed_info.get('cpu_count')} cores)"
    )
    if "load_average_1min_after" in embed_info:
        throughput_note += f", load average {embed_info['load_average_1min_after']:.1f} at the end"
    if embed_info["cached"]:
        throughput_note += f" — from the fresh run of {embed_info['measured_at']} (vectors cached this time)"
    else:
        throughput_note += " — measured in this run"
    out += [
        markdown_table(
            ["item", "value"],
            [
                ["corpus embedding throughput (library `Encoder.encode`)", throughput_note],
                ["model load (`Encoder()`)", f"{load_seconds:.1f} s"],
                [
                    f"abstract length in word pieces (model window {window})",
                    f"median {int(np.median(lengths))}, p95 {int(np.percentile(lengths, 95))}; "
                    f"{np.mean(lengths > window):.0%} truncated at {window}",
                ],
                [
                    "BM25 build (library `BM25(texts)`), median of 3",
                    f"{np.median(builds) * 1000:.0f} ms for {n_docs:,} abstracts",
                ],
            ],
        ),
        "",
    ]
    if scale_rows:
        out += [
            f"## Latency at scale (synthetic, {args.scale_queries} queries each, one at a time)",
            "",
            "Random L2-normalised vectors × 384 stand in for embeddings (exact search cost does not depend on the values); "
            "BM25 passages are 3 random SciFact sentences each, queried with SciFact claims.",
            "",
            markdown_table(["search", "N", "index MB", "p50 ms", "p95 ms"], scale_rows),
            "",
            f"BM25 over {args.bm25_scale:,} synthetic passages: build {bm25_scale['build']:.1f} s, "
            f"vocabulary {bm25_scale['vocabulary']:,} terms, {bm25_scale['nnz']:,} non-zeros, "
            f"{bm25_scale['mean_tokens']:.0f} tokens per passage on average.",
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
