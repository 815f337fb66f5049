"""Shared helpers for the benchmarks: BEIR-format loading, ranking metrics, timing and markdown tables.

Metrics follow the BEIR / trec_eval conventions with binary relevance: nDCG@k (log2 discount, ideal
DCG over the query's relevant documents), Recall@k (relevant retrieved in the top k / all relevant),
MRR@k (reciprocal rank of the first relevant document within k, else 0) and AP@k (trec_eval
``map_cut``: precision summed at each relevant rank ≤ k, divided by the number of relevant documents).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
RESULTS = REPO / "bench" / "results"


# --------------------------------------------------------------------------------------------- data


@dataclass
class BeirDataset:
    """A BEIR-format retrieval test split held in memory."""

    doc_ids: list[str]
    titles: list[str]
    texts: list[str]
    query_ids: list[str]
    queries: list[str]
    qrels: dict[str, dict[str, int]]  # query id → {doc id: relevance grade}

    def documents(self) -> list[str]:
        """Document text as both rankers see it: title + " " + text (BEIR convention)."""
        return [f"{title} {text}".strip() for title, text in zip(self.titles, self.texts, strict=True)]


def load_beir(folder: Path, split: str = "test") -> BeirDataset:
    """Read ``corpus.jsonl``, ``queries_<split>.jsonl`` (or ``queries.jsonl``) and ``qrels/<split>.tsv``.

    Only queries with at least one positive judgement are kept, as BEIR's evaluator does.
    """
    folder = Path(folder)
    doc_ids, titles, texts = [], [], []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                doc_ids.append(str(row["_id"]))
                titles.append(row.get("title") or "")
                texts.append(row.get("text") or "")
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or (number == 0 and not fields[2].strip().lstrip("-").isdigit()):
                continue  # header or blank line
            if int(fields[2]) > 0:
                qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    query_file = folder / f"queries_{split}.jsonl"
    if not query_file.exists():
        query_file = folder / "queries.jsonl"
    query_ids, queries = [], []
    with query_file.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if str(row["_id"]) in qrels:
                    query_ids.append(str(row["_id"]))
                    queries.append(row["text"])
    return BeirDataset(doc_ids, titles, texts, query_ids, queries, qrels)


# ------------------------------------------------------------------------------------------ metrics


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | Iterable[str], k: int = 10) -> float:
    """nDCG@k with binary gain and log2 discount."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(position + 2) for position, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(position + 2) for position in range(min(len(relevant), k)))
    return dcg / ideal


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | Iterable[str], k: int) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = set(relevant)
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | Iterable[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top k (0 when none)."""
    relevant = set(relevant)
    for position, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (position + 1)
    return 0.0


def ap_at_k(ranked: Sequence[str], relevant: Mapping[str, int] | Iterable[str], k: int = 100) -> float:
    """Average precision cut at k, normalised by the number of relevant documents (trec_eval map_cut)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for position, doc in enumerate(ranked[:k]):
        if doc in relevant:
            found += 1
            total += found / (position + 1)
    return total / len(relevant)


METRICS: dict[str, Callable[[Sequence[str], Mapping[str, int]], float]] = {
    "nDCG@10": lambda ranked, rel: ndcg_at_k(ranked, rel, 10),
    "Recall@10": lambda ranked, rel: recall_at_k(ranked, rel, 10),
    "Recall@100": lambda ranked, rel: recall_at_k(ranked, rel, 100),
    "MRR@10": lambda ranked, rel: mrr_at_k(ranked, rel, 10),
}


def per_query(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, np.ndarray]:
    """Each metric of :data:`METRICS` per query (queries in qrels order; a missing ranking scores 0)."""
    query_ids = list(qrels)
    return {
        name: np.array([metric(rankings.get(q, []), qrels[q]) for q in query_ids], dtype=np.float64)
        for name, metric in METRICS.items()
    }


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Mean of each metric over the judged queries."""
    return {name: float(values.mean()) for name, values in per_query(rankings, qrels).items()}


def paired_bootstrap(a: np.ndarray, b: np.ndarray, samples: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of a − b over queries with a 95% percentile-bootstrap interval (queries resampled)."""
    difference = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = difference[rng.integers(0, len(difference), size=(samples, len(difference)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(difference.mean()), float(low), float(high)


# ------------------------------------------------------------------------------------------- timing


def percentiles_ms(seconds: Sequence[float], points: Sequence[float] = (50, 95)) -> tuple[float, ...]:
    """Percentiles of a list of durations in seconds, returned in milliseconds."""
    if len(seconds) == 0:
        return tuple(float("nan") for _ in points)
    return tuple(float(v) for v in np.percentile(np.asarray(seconds, dtype=np.float64) * 1000.0, list(points)))


def time_calls(function: Callable[[], object], repeats: int, warmup: int = 2) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of a function after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


# ------------------------------------------------------------------------------------------- output


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table; floats are shown with three decimals."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "—" if math.isnan(value) else f"{value:.3f}"
        return "—" if value is None else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
