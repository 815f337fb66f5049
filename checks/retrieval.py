"""Index and retrieval: the dense vector index, the BM25 index, their fusion, and the stored
candidate lists per claim.

Dense search is exact: one matrix-vector product over L2-normalised float32 vectors kept on disk as
``.npy`` and memory-mapped (measured by bench/retrieval_scifact.py on 2 cores: about 24 ms per
query at 100k passages, 220 ms at 1M). BM25 is a sparse term-weight matrix, saved beside the vectors
so a restart does not re-tokenise the corpus. The two rankings are fused by a convex combination of
min-max-normalised scores (default) or reciprocal rank fusion.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from checks.embedding import Encoder, cached_embeddings
from checks.errors import ConfigurationError
from checks.store import Store, chunks, utc_now

STOPWORDS = frozenset(
    "a an and are as at be been but by for from had has have he her his i in into is it its of on or our "
    "she so that the their them they this to was we were which who will with you your not no than then "
    "there these those what when where why how all any can could would should may might do does did also "
    "after before over under about against between during up down out off again further once here more "
    "most other some such only own same too very s t just now".split()
)
# Bumped whenever what the on-disk index holds changes, tokenize() output included (2: BM25 over
# title + passage; 3: BM25 k1/b and this format stored with the index), so an index written by an
# older version is rebuilt instead of reused.
INDEX_FORMAT = 3
# BM25 parameters of the evidence index (Anserini's defaults). They are part of the corpus key, so
# changing them rebuilds the index and re-ranks every claim.
BM25_K1 = 0.9
BM25_B = 0.4
# The documents the index and candidate lists cover: deleted ones leave both (their rows stay so
# verdicts that cited them keep their text).
LIVE = "d.deleted_at IS NULL"
TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, with light plural folding (protesters → protester)."""
    tokens = []
    for token in TOKEN.findall(text.lower().replace("’", "'")):
        if token in STOPWORDS:
            continue
        if len(token) > 4 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
            token = token[:-1]
        tokens.append(token)
    return tokens


class BM25:
    """Okapi BM25 over a fixed corpus as a sparse (documents × terms) weight matrix.

    Scores are Lucene's idf, log(1 + (N − df + 0.5)/(df + 0.5)), times tf·(k1 + 1)/(tf + k1·(1 − b +
    b·dl/avgdl)): bm25s's ``method="lucene"`` scores times the constant (k1 + 1), so the same ranking
    (tests/test_reference_equivalence.py holds the two together).
    """

    def __init__(self, texts: Sequence[str], k1: float = BM25_K1, b: float = BM25_B) -> None:
        self.k1, self.b = k1, b
        self.vocabulary: dict[str, int] = {}
        # Term counts (row, term, count) and document lengths: kept so documents can be appended by
        # tokenising only them (:meth:`extended`); an index read from disk has none.
        self._rows = np.zeros(0, dtype=np.int32)
        self._cols = np.zeros(0, dtype=np.int32)
        self._tf = np.zeros(0, dtype=np.float32)
        self._lengths = np.zeros(0, dtype=np.float32)
        self._count(texts)
        self._weigh()

    @property
    def extendable(self) -> bool:
        return self._tf is not None

    def extended(self, texts: Sequence[str]) -> BM25:
        """A new index of this one's documents followed by ``texts``, equal to building it from all of
        them: only the new texts are tokenised; idf and the average length are recomputed over all."""
        if not self.extendable:
            raise ValueError("An index read from disk keeps no term counts: build it from the texts.")
        index = BM25.__new__(BM25)
        index.k1, index.b, index.vocabulary = self.k1, self.b, dict(self.vocabulary)
        index._rows, index._cols, index._tf, index._lengths = self._rows, self._cols, self._tf, self._lengths
        index._count(texts)
        index._weigh()
        return index

    def _count(self, texts: Sequence[str]) -> None:
        first = len(self._lengths)
        rows, cols, counts = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = tokenize(text)
            lengths[row] = len(tokens)
            for term, count in Counter(tokens).items():
                rows.append(first + row)
                cols.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
                counts.append(count)
        self._rows = np.concatenate([self._rows, np.asarray(rows, dtype=np.int32)])
        self._cols = np.concatenate([self._cols, np.asarray(cols, dtype=np.int32)])
        self._tf = np.concatenate([self._tf, np.asarray(counts, dtype=np.float32)])
        self._lengths = np.concatenate([self._lengths, lengths])

    def _weigh(self) -> None:
        k1, b, lengths, tf = self.k1, self.b, self._lengths, self._tf
        rows_arr, cols_arr = self._rows.astype(np.int64), self._cols.astype(np.int64)
        document_frequency = np.bincount(cols_arr, minlength=len(self.vocabulary)).astype(np.float32)
        n = max(len(lengths), 1)
        idf = np.log(1.0 + (n - document_frequency + 0.5) / (document_frequency + 0.5))
        average = float(lengths.mean()) if len(lengths) else 1.0
        norm = k1 * (1.0 - b + b * lengths[rows_arr] / max(average, 1e-9))
        weights = idf[cols_arr] * tf * (k1 + 1.0) / (tf + norm)
        self.matrix = sparse.csc_matrix((weights, (rows_arr, cols_arr)), shape=(len(lengths), len(self.vocabulary)))

    def save(self, folder: Path) -> None:
        """Write the weight matrix, vocabulary and the parameters the weights were computed with, so a
        restart need not re-tokenise the corpus."""
        sparse.save_npz(folder / "bm25.npz", self.matrix, compressed=False)  # zlib took half of an update
        (folder / "bm25_vocabulary.json").write_text(json.dumps(self.vocabulary), encoding="utf-8")
        parameters = {"format": INDEX_FORMAT, "k1": self.k1, "b": self.b}
        (folder / "bm25_parameters.json").write_text(json.dumps(parameters), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, k1: float = BM25_K1, b: float = BM25_B) -> BM25:
        """Read an index written by :meth:`save` that was built with this k1 and b.

        The weights bake in k1, b and the tokenizer, so an index written with other parameters or by
        another index format (older ones stored no parameters) is refused rather than misread.
        """
        path = folder / "bm25_parameters.json"
        saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        expected = {"format": INDEX_FORMAT, "k1": k1, "b": b}
        if saved != expected:
            found = ", ".join(f"{name}={saved.get(name, 'unknown')}" for name in expected)
            wanted = ", ".join(f"{name}={value}" for name, value in expected.items())
            raise ConfigurationError(
                f"The BM25 index in {folder} was built with {found}, not {wanted}; delete the folder to rebuild it."
            )
        index = cls.__new__(cls)
        index.k1, index.b = k1, b
        index._rows = index._cols = index._tf = index._lengths = None
        index.matrix = sparse.load_npz(folder / "bm25.npz").tocsc()
        index.vocabulary = json.loads((folder / "bm25_vocabulary.json").read_text(encoding="utf-8"))
        return index

    def idf(self, terms: Sequence[str]) -> np.ndarray:
        """Inverse document frequency of each term, as the weights use it; a term no document holds
        gets the highest value (it makes a query harder to match, not easier)."""
        documents = self.matrix.shape[0]
        holding = np.diff(self.matrix.indptr)  # CSC: stored entries per term column = documents holding it
        frequency = np.array([holding[self.vocabulary[t]] if t in self.vocabulary else 0 for t in terms], dtype=np.float64)
        return np.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when no term is known)."""
        terms = Counter(t for t in tokenize(query) if t in self.vocabulary)
        result = np.zeros(self.matrix.shape[0], dtype=np.float32)
        for term, count in terms.items():
            column = self.matrix[:, self.vocabulary[term]]
            result[column.indices] += count * column.data
        return result


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    candidates = np.argpartition(-scores, k - 1)[:k]
    return candidates[np.argsort(-scores[candidates], kind="stable")]


@dataclass
class Hit:
    """One ranked passage for a query, with each component of its score."""

    row: int
    dense: float
    lexical: float
    fused: float
    dense_rank: int | None
    lexical_rank: int | None


def fuse(
    dense_scores: np.ndarray,
    lexical_scores: np.ndarray,
    k: int = 10,
    pool: int = 100,
    method: str = "convex",
    dense_weight: float = 0.5,
    rrf_k: int = 60,
) -> list[Hit]:
    """Fuse a dense and a lexical score vector over the same rows into the top k hits.

    ``convex``: fused = w·dense' + (1−w)·lexical', each min-max-normalised over the union of both
    rankers' top ``pool`` (scores are on different scales, ranks throw away margins).
    ``rrf``: Σ 1/(rrf_k + rank), the scale-free alternative.
    """
    dense_top = top_k(dense_scores, pool)
    lexical_top = top_k(lexical_scores, pool)
    lexical_top = lexical_top[lexical_scores[lexical_top] > 0]  # no shared term: not a lexical match
    dense_rank = {int(r): i + 1 for i, r in enumerate(dense_top)}
    lexical_rank = {int(r): i + 1 for i, r in enumerate(lexical_top)}
    union = np.array(sorted(set(dense_rank) | set(lexical_rank)), dtype=np.int64)
    if len(union) == 0:
        return []
    if method == "rrf":
        fused = np.array(
            [
                (1.0 / (rrf_k + dense_rank[r]) if r in dense_rank else 0.0)
                + (1.0 / (rrf_k + lexical_rank[r]) if r in lexical_rank else 0.0)
                for r in union.tolist()
            ]
        )
    else:

        def normalise(values: np.ndarray) -> np.ndarray:
            low, high = float(values.min()), float(values.max())
            return (values - low) / (high - low) if high > low else np.zeros_like(values)

        fused = dense_weight * normalise(dense_scores[union]) + (1 - dense_weight) * normalise(lexical_scores[union])
    order = np.argsort(-fused, kind="stable")[:k]
    return [
        Hit(
            row=int(union[i]),
            dense=float(dense_scores[union[i]]),
            lexical=float(lexical_scores[union[i]]),
            fused=float(fused[i]),
            dense_rank=dense_rank.get(int(union[i])),
            lexical_rank=lexical_rank.get(int(union[i])),
        )
        for i in order
    ]


class EvidenceIndex:
    """Dense and lexical indexes over all stored passages for one model."""

    def __init__(self, passage_ids: np.ndarray, vectors: np.ndarray, bm25: BM25, key: str) -> None:
        self.passage_ids = passage_ids
        self.vectors = vectors
        self.bm25 = bm25
        self.key = key

    def __len__(self) -> int:
        return len(self.passage_ids)

    def search(self, query: str, query_vector: np.ndarray, k: int = 10, **fusion) -> list[tuple[int, Hit]]:
        """(passage id, hit) pairs for a query, best first."""
        if len(self) == 0:
            return []
        dense = self.vectors @ query_vector.astype(np.float32)
        hits = fuse(np.asarray(dense), self.bm25.scores(query), k=k, **fusion)
        return [(int(self.passage_ids[h.row]), h) for h in hits]


def corpus_key(store: Store, model_id: str) -> str:
    """Identity of the current corpus for a model: changes whenever passages are added or deleted, or
    the index format or BM25 parameters change (stored candidate lists carry it, so they go stale too)."""
    row = store.query_one(
        "SELECT COUNT(*) AS n, COALESCE(MAX(p.id), 0) AS top, COALESCE(SUM(p.id), 0) AS total"
        f" FROM passages p JOIN documents d ON d.id = p.document_id WHERE {LIVE}"
    )
    identity = f"{INDEX_FORMAT}|{model_id}|{BM25_K1}|{BM25_B}|{row['n']}|{row['top']}|{row['total']}"
    return hashlib.sha1(identity.encode()).hexdigest()[:16]


def build_index(
    store: Store,
    encoder: Encoder,
    index_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    previous: EvidenceIndex | None = None,
) -> EvidenceIndex:
    """Load the on-disk index when it matches the corpus, else embed what is new and rewrite it.

    Only passages without a cached vector are embedded, so adding documents is incremental and a
    model switch re-embeds everything under the new model's id. When the corpus is ``previous``'s
    passages plus new ones (passages added, none deleted) and ``previous`` was built in this process
    with the same encoder, only the new passages are read and tokenised too.
    """
    key = corpus_key(store, encoder.model_id)
    folder = Path(index_dir) / re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder.model_id)
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("key") == key and manifest.get("generation"):
            generation = folder / manifest["generation"]
            ids = np.load(generation / "passage_ids.npy")
            index = EvidenceIndex(ids, np.load(generation / "vectors.npy", mmap_mode="r"), BM25.load(generation), key)
            if progress:
                progress(len(ids), len(ids))
            return index
    except (OSError, ValueError):
        pass  # no index yet, an older format, or a generation another process just replaced: build one
    rows = store.query(
        "SELECT p.id, p.text, COALESCE(d.title, '') AS title FROM passages p JOIN documents d ON d.id = p.document_id"
        f" WHERE {LIVE} ORDER BY p.id"
    )
    ids = np.array([r["id"] for r in rows], dtype=np.int64)
    kept = len(previous) if previous is not None else 0
    if not (
        previous is not None and previous.bm25.extendable and kept < len(ids) and np.array_equal(ids[:kept], previous.passage_ids)
    ):
        kept = 0  # passages were deleted (or restored, or nothing was built here): rebuild from all
    new = rows[kept:]
    vectors = cached_embeddings(store, encoder, [r["text"] for r in new], progress=progress)
    # BM25 also sees the document title (shown with every passage): a short passage often names its
    # subject only in the title. The embedding stays on the passage text the reviewer reads.
    titled = [f"{r['title']} {r['text']}" for r in new]
    if kept:
        vectors = np.concatenate([np.asarray(previous.vectors), vectors])
        bm25 = previous.bm25.extended(titled)
    else:
        bm25 = BM25(titled)
    _write_generation(folder, key, encoder.model_id, ids, vectors, bm25)
    return EvidenceIndex(ids, vectors, bm25, key)


def _write_generation(folder: Path, key: str, model_id: str, ids: np.ndarray, vectors: np.ndarray, bm25: BM25) -> None:
    """Write the index as a new generation folder, then switch the manifest to it atomically.

    Files a reader has memory-mapped are never rewritten in place (that kills the reader with
    SIGBUS); older generations are only unlinked, which POSIX allows under a live mapping (the
    data stays until the reader lets go)."""
    generation = f"gen-{key}-{time.time_ns()}-{os.getpid()}"
    target = folder / generation
    target.mkdir(parents=True)
    np.save(target / "vectors.npy", vectors)
    np.save(target / "passage_ids.npy", ids)
    bm25.save(target)
    staged = folder / f"manifest.{generation}.tmp"
    staged.write_text(
        json.dumps({"key": key, "generation": generation, "model_id": model_id, "passages": len(ids), "built_at": utc_now()})
    )
    os.replace(staged, folder / "manifest.json")
    current = json.loads((folder / "manifest.json").read_text()).get("generation")
    for old in folder.glob("gen-*"):
        if old.name not in (generation, current):
            shutil.rmtree(old, ignore_errors=True)
    for legacy in ("vectors.npy", "passage_ids.npy", "bm25.npz", "bm25_vocabulary.json", "bm25_parameters.json"):
        (folder / legacy).unlink(missing_ok=True)  # the single-folder layout of index format 3 and before


def rank_claims(
    store: Store,
    encoder: Encoder,
    index: EvidenceIndex,
    claim_ids: Sequence[int],
    k: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute and store the top-k candidates of claims whose stored list is missing or stale.

    Returns how many claims were (re)ranked. Stored lists are what the review screen shows, so a
    reviewer's click never re-queries the index.
    """
    fresh: set[int] = set()
    claims: dict[int, str] = {}
    for chunk in chunks(list(dict.fromkeys(claim_ids))):
        marks = ",".join("?" * len(chunk))
        fresh |= {
            r["claim_id"]
            for r in store.query(
                f"SELECT claim_id FROM candidate_runs WHERE index_key = ? AND claim_id IN ({marks})", (index.key, *chunk)
            )
        }
        claims |= {r["id"]: r["text"] for r in store.query(f"SELECT id, text FROM claims WHERE id IN ({marks})", tuple(chunk))}
    stale = [c for c in dict.fromkeys(claim_ids) if c not in fresh and c in claims]
    if not stale:
        return 0
    vectors = cached_embeddings(store, encoder, [claims[c] for c in stale])
    for number, (claim_id, vector) in enumerate(zip(stale, vectors, strict=True), start=1):
        hits = index.search(claims[claim_id], vector, k=k)
        store.replace_candidates(claim_id, index.key, [(pid, h.dense, h.lexical, h.fused) for pid, h in hits])
        if progress:
            progress(number, len(stale))
    return len(stale)


def stored_candidates(store: Store, claim_id: int) -> list[dict]:
    """The stored candidates of a claim with their passage and document fields, best first."""
    rows = store.query(
        "SELECT c.rank, c.dense, c.lexical, c.fused, p.id AS passage_id, p.text, p.start, p.end,"
        " d.id AS document_id, d.title, d.url, d.domain, d.published, d.is_demo"
        " FROM candidates c JOIN passages p ON p.id = c.passage_id JOIN documents d ON d.id = p.document_id"
        f" WHERE c.claim_id = ? AND {LIVE} ORDER BY c.rank",
        (claim_id,),
    )
    return [dict(r) for r in rows]


def top_candidate_scores(store: Store, top: int = 5) -> list[dict]:
    """Dense and fused scores of every ranked claim's top candidates (for the score histogram)."""
    return [dict(r) for r in store.query("SELECT dense, fused FROM candidates WHERE rank <= ?", (top,))]
