"""Train the check-worthiness scorer of checks/claims.py and write data/checkworthiness_weights.json.

The base model is a logistic regression over the readable features of ``checks.claims.features`` plus a
small learned lexicon (the most frequent unigrams/bigrams of the training sentences, l2-normalised
binary bag of words); the weights of ``quote`` and ``prediction`` are constrained to be ≥ 0 (debate
transcripts rarely check quotes or predictions, but in news they are legitimate signals). On top of
it, a stacked embedding part: a logistic regression over the 384-d all-MiniLM-L6-v2 sentence vector
whose offset is the base model's out-of-fold logit, so it learns what the words and features miss
(vectors cached under bench/results/embeddings/). Training data are only the training parts of the
two public datasets (never their test parts):

* CLEF-2019 CheckThat! Task 1 English ``training/`` (19 debate/speech transcripts, label 1 = check-worthy);
* ClaimBuster ``crowdsourced.csv`` (Verdict 1 = check-worthy factual sentence vs the rest).

Each dataset is class-balanced on its own (positives and negatives carry equal total weight) and
the two datasets are mixed with ``--clef-share`` of the total weight on CLEF. Training sentences
whose text also occurs in a test part (CLEF ``test_annotated/``, ClaimBuster ``groundtruth.csv``)
are dropped. Fitting is L-BFGS (scipy) on the weighted log-loss, so the result is deterministic and
needs no library beyond numpy/scipy.

Run from the repository root:

    python bench/train_checkworthiness.py               # train on everything, write the weights file
    python bench/train_checkworthiness.py --dev         # held-out dev sweep used to pick the hyperparameters

``--dev`` splits both training sets by transcript/debate into folds (CLEF: transcripts; ClaimBuster:
debate files), trains on the rest and reports CLEF dev MAP and ClaimBuster dev AP/F1; nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from checks.claims import FEATURE_PATTERNS, WEIGHTS_FILE, features, lexical_terms  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "datasets"
CLEF_DIR = "clef2019-checkthat-task1-en"
CLAIMBUSTER_DIR = "claimbuster"
READABLE = [*FEATURE_PATTERNS, "entity", "question", "short", "first_person"]

# Hyperparameters, chosen with --dev (held-out folds of the training data only). With these the dev
# sweep gave CLEF dev MAP 0.249, ClaimBuster dev AP 0.719 / best F1 0.656 (a TF-IDF+LR on the same
# folds and mixed weights: 0.250 / 0.702 / 0.647).
HYPERPARAMETERS = {
    "vocabulary_size": 10000,  # most frequent unigrams+bigrams (document frequency) in the training sentences
    "min_document_frequency": 5,
    "l2_readable": 1.0,  # L2 penalty on the readable feature weights
    "l2_lexical": 1.0,  # L2 penalty on the lexicon weights
    "clef_share": 0.4,  # share of the total training weight on CLEF-2019 (rest: ClaimBuster)
    "prune_below": 0.02,  # lexicon weights smaller than this are dropped from the shipped file
    "nonnegative": ["quote", "prediction"],  # readable features whose weight is constrained to be ≥ 0
    "embedding": True,  # add the stacked sentence-embedding part (all-MiniLM-L6-v2, 384 weights)
    "l2_embedding": 10.0,  # L2 penalty on the embedding weights
    "embedding_clef_share": 0.4,  # share of the training weight on CLEF-2019 when fitting the embedding part
    "stack_folds": 4,  # out-of-fold base logits (folds by transcript/debate) the embedding part is fitted on
    "context_weight": 0.2,  # article-level smoothing: + weight × mean logit of the neighbouring sentences
    "round_to": 4,  # decimals kept in the shipped file
}


# --------------------------------------------------------------------------------------------- data


@dataclass
class Labelled:
    """One labelled sentence of a training or test part."""

    text: str
    label: int  # 1 = check-worthy
    group: str  # transcript (CLEF) or debate file (ClaimBuster): folds never split a group
    speaker: str = ""


def datasets_root(override: str | None = None) -> Path | None:
    """The shared datasets folder (``--data`` or ../shared/datasets); None with a message when absent."""
    root = Path(override) if override else DEFAULT_DATA
    missing = [name for name in (CLEF_DIR, CLAIMBUSTER_DIR) if not (root / name).is_dir()]
    if missing:
        print(f"skipped: dataset folder(s) {', '.join(missing)} not found under {root} (use --data)")
        return None
    return root


def load_clef(root: Path, split: str) -> list[Labelled]:
    """CLEF-2019 Task 1 TSVs (``line speaker text label``, no header) of ``training`` or ``test_annotated``."""
    rows = []
    for path in sorted((root / CLEF_DIR / split).glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                fields = line.rstrip("\n").split("\t")
                if len(fields) >= 4:
                    rows.append(Labelled(fields[2], int(fields[3]), path.stem, fields[1]))
    return rows


def load_claimbuster(root: Path, name: str) -> list[Labelled]:
    """ClaimBuster CSV (``crowdsourced`` or ``groundtruth``); label 1 = CFS (Verdict 1), 0 = UFS or NFS."""
    with (root / CLAIMBUSTER_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return [Labelled(r["Text"], int(int(r["Verdict"]) == 1), r["File_id"], r["Speaker"]) for r in csv.DictReader(handle)]


def _normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def decontaminate(train: list[Labelled], *tests: Iterable[Labelled]) -> tuple[list[Labelled], int]:
    """Drop training sentences (of six words or more) whose text also occurs in a test part."""
    seen = {_normalised(row.text) for test in tests for row in test}
    kept = [row for row in train if len(row.text.split()) < 6 or _normalised(row.text) not in seen]
    return kept, len(train) - len(kept)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ features


@cache
def _readable_row(text: str) -> tuple[float, ...]:
    found = features(text)
    return tuple(float(found[name]) for name in READABLE)


@cache
def _terms(text: str) -> tuple[str, ...]:
    return tuple(lexical_terms(text))


def readable_matrix(texts: Sequence[str]) -> np.ndarray:
    """Binary matrix of the readable features (columns in :data:`READABLE` order)."""
    return np.array([_readable_row(text) for text in texts], dtype=np.float64).reshape(len(texts), len(READABLE))


def build_vocabulary(texts: Sequence[str], size: int, min_df: int) -> list[str]:
    """The ``size`` most frequent terms by document frequency (ties by term, so deterministic)."""
    counts = Counter(term for text in texts for term in _terms(text))
    ranked = sorted((term for term, count in counts.items() if count >= min_df), key=lambda term: (-counts[term], term))
    return ranked[:size]


def lexical_matrix(texts: Sequence[str], vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """l2-normalised binary bag of words over all distinct terms, restricted to the vocabulary (as claims.py scores)."""
    index = {term: column for column, term in enumerate(vocabulary)}
    indptr, indices, values = [0], [], []
    for text in texts:
        terms = _terms(text)
        value = 1.0 / np.sqrt(len(terms)) if terms else 0.0
        columns = sorted(index[term] for term in terms if term in index)
        indices += columns
        values += [value] * len(columns)
        indptr.append(len(indices))
    return sparse.csr_matrix((values, indices, indptr), shape=(len(texts), len(vocabulary)), dtype=np.float64)


# ---------------------------------------------------------------------------------------- embeddings

EMBEDDING_CACHE = REPO / "bench" / "results" / "embeddings"  # gitignored


_EMBEDDED: dict[str, np.ndarray] = {}  # the disk cache, loaded once per process


def embed(texts: Sequence[str], encoder=None) -> np.ndarray:
    """Sentence vectors (all-MiniLM-L6-v2, normalised float32) for texts, cached on disk by text.

    The cache (``bench/results/embeddings/checkworthiness-*.npz``) holds every sentence embedded so
    far; only missing texts are encoded (loading the packaged model once when needed).
    """
    EMBEDDING_CACHE.mkdir(parents=True, exist_ok=True)
    path = EMBEDDING_CACHE / "checkworthiness-all-MiniLM-L6-v2_384.npz"
    known = _EMBEDDED
    if not known and path.exists():
        with np.load(path, allow_pickle=False) as cached:
            known.update(zip(cached["texts"].tolist(), cached["vectors"], strict=True))
    missing = sorted(dict.fromkeys(text for text in texts if text not in known), key=len)  # similar lengths batch faster
    if missing:
        if encoder is None:
            from checks.embedding import Encoder

            encoder = Encoder()
        print(f"embedding {len(missing):,} sentences (cached in {path.relative_to(REPO)}) ...", flush=True)
        for begin in range(0, len(missing), 4096):
            chunk = missing[begin : begin + 4096]
            known.update(zip(chunk, encoder.encode(chunk), strict=True))
            print(f"  {min(begin + 4096, len(missing)):,}/{len(missing):,}", flush=True)
        ordered = list(known)
        np.savez(path, texts=np.array(ordered), vectors=np.vstack([known[t] for t in ordered]).astype(np.float32))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack([known[text] for text in texts]).astype(np.float32)


# ------------------------------------------------------------------------------------------ learning


def fit_logistic(
    x: sparse.spmatrix | np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    l2: np.ndarray | float,
    offset: np.ndarray | float = 0.0,
    nonnegative: Sequence[int] = (),
) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression (unpenalised intercept) by L-BFGS-B; deterministic.

    Minimises Σ sᵢ·logloss(yᵢ, oᵢ + xᵢ·w + b) + ½ Σ λⱼ wⱼ², the same objective as a liblinear/lbfgs
    logistic regression with C = 1/λ, so no extra library is needed. ``offset`` (oᵢ) is a fixed logit
    added to every row (used to fit the embedding part on top of the readable+lexical part), and the
    columns listed in ``nonnegative`` are constrained to weights ≥ 0.
    """
    dense = isinstance(x, np.ndarray)
    x = x if dense else sparse.csr_matrix(x)
    n_features = x.shape[1]
    penalty = np.broadcast_to(np.asarray(l2, dtype=np.float64), (n_features,))
    signs = 2.0 * y - 1.0
    offset = np.broadcast_to(np.asarray(offset, dtype=np.float64), y.shape)

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margin = signs * (offset + x @ w + b)
        loss = np.sum(sample_weight * np.logaddexp(0.0, -margin)) + 0.5 * np.sum(penalty * w * w)
        slope = -sample_weight * signs * np.exp(-np.logaddexp(0.0, margin))  # d loss / d logit
        gradient = np.append(x.T @ slope + penalty * w, slope.sum())
        return float(loss), gradient

    bounds = [(0.0, None) if column in set(nonnegative) else (None, None) for column in range(n_features)] + [(None, None)]
    result = optimize.minimize(
        objective,
        np.zeros(n_features + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds if nonnegative else None,
        options={"maxiter": 5000, "gtol": 1e-6},
    )
    return result.x[:-1], float(result.x[-1])


def balanced_weights(labels: np.ndarray, total: float) -> np.ndarray:
    """Sample weights giving positives and negatives half of ``total`` each."""
    positives = max(int(labels.sum()), 1)
    negatives = max(len(labels) - int(labels.sum()), 1)
    return np.where(labels == 1, total / 2 / positives, total / 2 / negatives)


def mixed_weights(clef_labels: np.ndarray, cb_labels: np.ndarray, clef_share: float) -> np.ndarray:
    """Class-balanced per dataset, the datasets mixed by ``clef_share``; mean weight 1."""
    total = len(clef_labels) + len(cb_labels)
    return np.concatenate(
        [balanced_weights(clef_labels, total * clef_share), balanced_weights(cb_labels, total * (1 - clef_share))]
    )


@dataclass
class Model:
    """A fitted scorer in the shape claims.py ships: readable weights, bias, lexicon, optional embedding part."""

    weights: dict[str, float]
    lexicon: dict[str, float]
    embedding: np.ndarray | None = None  # 384 weights over the normalised sentence vector
    embedding_bias: float = 0.0  # constant of the embedding part (so its sign says "more/less than the rest suggests")


def _rows(rows: Sequence[Labelled]) -> tuple[list[str], np.ndarray]:
    return [row.text for row in rows], np.array([row.label for row in rows], dtype=np.float64)


def train_base(clef: list[Labelled], claimbuster: list[Labelled], params: dict) -> Model:
    """Fit readable + lexical weights on the two training sets (class-balanced, mixed); no embedding part."""
    texts, labels = _rows(clef + claimbuster)
    vocabulary = build_vocabulary(texts, params["vocabulary_size"], params["min_document_frequency"])
    x = sparse.hstack([sparse.csr_matrix(readable_matrix(texts)), lexical_matrix(texts, vocabulary)]).tocsr()
    penalty = np.concatenate([np.full(len(READABLE), params["l2_readable"]), np.full(len(vocabulary), params["l2_lexical"])])
    weight = mixed_weights(labels[: len(clef)], labels[len(clef) :], params["clef_share"])
    nonnegative = [READABLE.index(name) for name in params.get("nonnegative", ())]
    w, b = fit_logistic(x, labels, weight, penalty, nonnegative=nonnegative)
    digits = params["round_to"]
    weights = {
        "bias": round(b, digits),
        **{name: round(float(v), digits) for name, v in zip(READABLE, w[: len(READABLE)], strict=True)},
    }
    weights["lexical"] = 1.0
    lexicon = {
        term: round(float(v), digits)
        for term, v in zip(vocabulary, w[len(READABLE) :], strict=True)
        if abs(v) >= params["prune_below"]
    }
    return Model(weights, lexicon)


def out_of_fold_base(clef: list[Labelled], claimbuster: list[Labelled], params: dict, folds: int) -> np.ndarray:
    """Base (readable + lexical) logits of every training row from a base model fitted without its fold."""
    clef_fold, cb_fold = folds_by_group(clef, folds), folds_by_group(claimbuster, folds)
    fold_of = np.array(clef_fold + cb_fold)
    texts = [row.text for row in clef + claimbuster]
    logits = np.zeros(len(texts))
    for fold in range(folds):
        model = train_base(
            [r for r, f in zip(clef, clef_fold, strict=True) if f != fold],
            [r for r, f in zip(claimbuster, cb_fold, strict=True) if f != fold],
            params,
        )
        held = np.flatnonzero(fold_of == fold)
        logits[held] = model_scores(model, [texts[i] for i in held])
    return logits


def fit_embedding_part(
    clef: list[Labelled], claimbuster: list[Labelled], base_logits: np.ndarray, params: dict
) -> tuple[np.ndarray, float]:
    """Stacked embedding part: L2 logistic regression on sentence vectors with the (out-of-fold) base logit as offset."""
    texts, labels = _rows(clef + claimbuster)
    weight = mixed_weights(labels[: len(clef)], labels[len(clef) :], params.get("embedding_clef_share", params["clef_share"]))
    x = embed(texts).astype(np.float64)
    w, b = fit_logistic(x, labels, weight, params["l2_embedding"], offset=base_logits)
    return w, b


def train(clef: list[Labelled], claimbuster: list[Labelled], params: dict, base_logits: np.ndarray | None = None) -> Model:
    """The base model on all rows plus (when ``params['embedding']``) the stacked embedding part.

    The embedding part is fitted on out-of-fold base logits (``params['stack_folds']`` folds by
    transcript/debate) so it learns what the base model misses on unseen debates, not its training fit.
    """
    model = train_base(clef, claimbuster, params)
    if params.get("embedding"):
        if base_logits is None:
            base_logits = out_of_fold_base(clef, claimbuster, params, params["stack_folds"])
        w, b = fit_embedding_part(clef, claimbuster, base_logits, params)
        model.embedding = np.round(w, params["round_to"] + 1)
        model.embedding_bias = round(b, params["round_to"])
    return model


def model_scores(model: Model, texts: Sequence[str], with_embedding: bool = True) -> np.ndarray:
    """Logits of a model on sentences, vectorised (same arithmetic as checks.claims.score_sentences)."""
    readable = readable_matrix(texts) @ np.array([model.weights.get(name, 0.0) for name in READABLE])
    vocabulary = list(model.lexicon)
    lexical = lexical_matrix(texts, vocabulary) @ np.array([model.lexicon[t] for t in vocabulary]) if vocabulary else 0.0
    logits = model.weights["bias"] + readable + model.weights.get("lexical", 0.0) * lexical
    if with_embedding and model.embedding is not None:
        logits = logits + embed(texts).astype(np.float64) @ model.embedding + model.embedding_bias
    return logits


def smooth(logits: np.ndarray, groups: Sequence[str], weight: float) -> np.ndarray:
    """Context smoothing: each logit plus ``weight`` × the mean logit of its neighbours in the same document."""
    if not weight:
        return logits
    out = logits.copy()
    for position in range(len(logits)):
        near = [j for j in (position - 1, position + 1) if 0 <= j < len(logits) and groups[j] == groups[position]]
        if near:
            out[position] += weight * float(np.mean(logits[near]))
    return out


# ------------------------------------------------------------------------------------------- metrics


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """AP of the ranking by descending score (stable order on ties) against label 1; 0 without positives."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = np.asarray(labels)[order] == 1
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The score threshold (predict 1 when score ≥ t) maximising F1 of class 1, and that F1."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, hits = scores[order], labels[order] == 1
    tp = np.cumsum(hits)
    predicted = np.arange(1, len(hits) + 1)
    f1 = 2 * tp / (predicted + hits.sum())
    valid = np.append(sorted_scores[1:] < sorted_scores[:-1], True)  # cut only between distinct scores
    best = int(np.argmax(np.where(valid, f1, -1)))
    return float(sorted_scores[best]), float(f1[best])


def f1_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    """F1 of class 1 when predicting 1 for score ≥ threshold."""
    predicted = scores >= threshold
    tp = float(np.sum(predicted & (labels == 1)))
    denominator = predicted.sum() + (labels == 1).sum()
    return 2 * tp / denominator if denominator else 0.0


def transcript_map(rows: Sequence[Labelled], scores: np.ndarray) -> float:
    """Mean over transcripts of the AP of each transcript's ranking (CLEF-2019 official MAP)."""
    groups: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        groups.setdefault(row.group, []).append(position)
    return float(np.mean([average_precision(scores[p], [rows[i].label for i in p]) for p in groups.values()]))


# ----------------------------------------------------------------------------------------------- dev


def folds_by_group(rows: Sequence[Labelled], folds: int) -> list[int]:
    """Fold number of each row: groups sorted by name, dealt round-robin (deterministic)."""
    groups = sorted({row.group for row in rows})
    fold_of = {group: position % folds for position, group in enumerate(groups)}
    return [fold_of[row.group] for row in rows]


def dev_folds(clef: list[Labelled], claimbuster: list[Labelled], params: dict, folds: int = 4) -> list[dict]:
    """Per held-out fold: the base model's held-out logits (readable + lexical part only).

    The embedding part is fitted on top in :func:`dev_evaluate`, so its settings are swept without refitting
    the base. Its offsets there are the 4-fold out-of-fold base logits of the training rows, i.e. these same
    held-out logits (from base models that saw the evaluated fold: a small approximation of fully nested
    stacking that saves 12 base fits per setting; the final model uses proper out-of-fold logits).
    """
    clef_fold, cb_fold = folds_by_group(clef, folds), folds_by_group(claimbuster, folds)
    parts = []
    for fold in range(folds):
        train_clef = [r for r, f in zip(clef, clef_fold, strict=True) if f != fold]
        train_cb = [r for r, f in zip(claimbuster, cb_fold, strict=True) if f != fold]
        clef_held = [i for i, f in enumerate(clef_fold) if f == fold]
        cb_held = [i for i, f in enumerate(cb_fold) if f == fold]
        model = train_base(train_clef, train_cb, params)
        parts.append(
            {
                "train": (train_clef, train_cb),
                "clef_train": [i for i, f in enumerate(clef_fold) if f != fold],
                "cb_train": [i for i, f in enumerate(cb_fold) if f != fold],
                "clef_held": clef_held,
                "cb_held": cb_held,
                "clef_base": model_scores(model, [clef[i].text for i in clef_held]),
                "cb_base": model_scores(model, [claimbuster[i].text for i in cb_held]),
            }
        )
    return parts


def dev_scores(
    clef: list[Labelled], claimbuster: list[Labelled], params: dict, parts: list[dict]
) -> tuple[np.ndarray, np.ndarray]:
    """Held-out logits of every CLEF and ClaimBuster training row (base + embedding part when enabled; no smoothing)."""
    clef_base, cb_base = np.zeros(len(clef)), np.zeros(len(claimbuster))
    for part in parts:
        clef_base[part["clef_held"]], cb_base[part["cb_held"]] = part["clef_base"], part["cb_base"]
    clef_scores, cb_scores = np.zeros(len(clef)), np.zeros(len(claimbuster))
    for part in parts:
        clef_logits, cb_logits = part["clef_base"].copy(), part["cb_base"].copy()
        if params.get("embedding"):
            stacked = np.concatenate([clef_base[part["clef_train"]], cb_base[part["cb_train"]]])
            w, b = fit_embedding_part(*part["train"], stacked, params)
            clef_logits += embed([clef[i].text for i in part["clef_held"]]).astype(np.float64) @ w + b
            cb_logits += embed([claimbuster[i].text for i in part["cb_held"]]).astype(np.float64) @ w + b
        clef_scores[part["clef_held"]] = clef_logits
        cb_scores[part["cb_held"]] = cb_logits
    return clef_scores, cb_scores


def dev_evaluate(clef: list[Labelled], claimbuster: list[Labelled], params: dict, parts: list[dict]) -> dict[str, float]:
    """Cross-validated CLEF MAP and ClaimBuster AP / best-F1 on held-out transcripts/debates of the training data."""
    clef_scores, cb_scores = dev_scores(clef, claimbuster, params, parts)
    clef_scores = smooth(clef_scores, [row.group for row in clef], params.get("context_weight", 0.0))
    cb_labels = np.array([r.label for r in claimbuster])
    return {
        "clef_dev_map": transcript_map(clef, clef_scores),
        "cb_dev_ap": average_precision(cb_scores, cb_labels),
        "cb_dev_best_f1": best_f1_threshold(cb_scores, cb_labels)[1],
    }


# The sweep behind HYPERPARAMETERS (each entry overrides them; CLEF dev MAP first, ClaimBuster dev AP second).
# Entries with the same base settings share the base fits; embedding and context settings are swept on top.
# Results of the last sweep (CLEF dev MAP / CB dev AP / CB dev best F1):
#   base, unconstrained signs                0.2488 / 0.7193 / 0.6557   (+ context 0.2: 0.2557)
#   base, quote/prediction ≥ 0               0.2479 / 0.7188 / 0.6547   (+ context 0.2: 0.2563)
#   + embedding, l2_embedding 0.3/1/3/10/30  0.2409/0.2445/0.2469/0.2484/0.2489 MAP; CB AP 0.738/0.741/0.744/0.745/0.742
#   + embedding l2 1, embedding share 0.7    0.2300 / 0.6985 / 0.6473
#   + embedding l2 10, embedding share 0.2   0.2520 / 0.7556 / 0.6891   (+ context 0.2: 0.2570)
#   + embedding l2 10, context 0.2 (chosen)  0.2587 / 0.7449 / 0.6822   (l2 1, context 0.1/0.2/0.3: 0.2493/0.2514/0.2486)
DEV_GRID = [
    {"embedding": False, "nonnegative": []},
    {"embedding": False, "nonnegative": [], "context_weight": 0.2},
    {"embedding": False, "context_weight": 0.0},
    {"embedding": False},
    {"l2_embedding": 0.3, "context_weight": 0.0},
    {"l2_embedding": 1.0, "context_weight": 0.0},
    {"l2_embedding": 3.0, "context_weight": 0.0},
    {"context_weight": 0.0},
    {"l2_embedding": 30.0, "context_weight": 0.0},
    {"l2_embedding": 1.0, "embedding_clef_share": 0.7, "context_weight": 0.0},
    {"embedding_clef_share": 0.2, "context_weight": 0.0},
    {"embedding_clef_share": 0.2},
    {"l2_embedding": 1.0, "context_weight": 0.1},
    {"l2_embedding": 1.0},
    {"l2_embedding": 1.0, "context_weight": 0.3},
    {"l2_embedding": 30.0},
    {},
]


# ---------------------------------------------------------------------------------------------- main


def training_sets(root: Path) -> tuple[list[Labelled], list[Labelled], dict[str, int]]:
    """Both training parts, decontaminated against both test parts."""
    tests = (load_clef(root, "test_annotated"), load_claimbuster(root, "groundtruth"))
    clef, clef_dropped = decontaminate(load_clef(root, "training"), *tests)
    claimbuster, cb_dropped = decontaminate(load_claimbuster(root, "crowdsourced"), *tests)
    return clef, claimbuster, {"clef_dropped_overlap": clef_dropped, "claimbuster_dropped_overlap": cb_dropped}


def provenance(root: Path, clef: list[Labelled], claimbuster: list[Labelled], dropped: dict, params: dict, command: str) -> dict:
    """Where the weights come from: datasets (with upstream commits from SOURCE.md), sizes, settings."""
    clef_files = sorted((root / CLEF_DIR / "training").glob("*.tsv"))
    digest = hashlib.sha256(b"".join(sha256(path).encode() for path in clef_files)).hexdigest()
    return {
        "trained": datetime.now(UTC).date().isoformat(),
        "command": command,
        "model": "L2 logistic regression (L-BFGS, numpy/scipy) over the readable features of checks/claims.py "
        "plus an l2-normalised binary unigram+bigram lexicon; each dataset class-balanced, then mixed",
        "datasets": [
            {
                "name": "CLEF-2019 CheckThat! Task 1 English, training part",
                "upstream": "github.com/apepa/clef2019-factchecking-task1 @ 7d463336897ad1f870cb6a481953b94550c788a7, "
                "data/training/",
                "local": f"shared/datasets/{CLEF_DIR}/training/ ({len(clef_files)} transcripts)",
                "sha256_of_file_hashes": digest,
                "sentences": len(clef),
                "positives": sum(row.label for row in clef),
                "label": "1 = check-worthy (CLEF label 1)",
                "terms": "free for general research use (organisers' README)",
            },
            {
                "name": "ClaimBuster crowdsourced.csv (Arslan et al., ICWSM 2020; Zenodo 10.5281/zenodo.3609356)",
                "upstream": "github.com/matsbratvold/Checkworthiness-Detection-with-Open-Source-LLMs @ "
                "66964b538b06fe1728b0d48897a635727f6bbc57, data/ClaimBuster/datasets/crowdsourced.csv",
                "local": f"shared/datasets/{CLAIMBUSTER_DIR}/crowdsourced.csv",
                "sha256": sha256(root / CLAIMBUSTER_DIR / "crowdsourced.csv"),
                "sentences": len(claimbuster),
                "positives": sum(row.label for row in claimbuster),
                "label": "1 = CFS (Verdict 1); UFS and NFS = 0",
            },
        ],
        "not_used_for_training": "CLEF-2019 test_annotated/ and ClaimBuster groundtruth.csv (test parts); "
        "training sentences (≥ 6 words) whose text occurs in them were dropped",
        **dropped,
        "hyperparameters": params,
        "hyperparameters_chosen_by": "python bench/train_checkworthiness.py --dev "
        "(4-fold by transcript/debate, training parts only)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", help="folder holding clef2019-checkthat-task1-en/ and claimbuster/ (default ../shared/datasets)"
    )
    parser.add_argument("--out", default=str(WEIGHTS_FILE), help="weights file to write")
    parser.add_argument("--dev", action="store_true", help="run the held-out dev sweep instead of training")
    args = parser.parse_args(argv)
    root = datasets_root(args.data)
    if root is None:
        return 0
    clef, claimbuster, dropped = training_sets(root)
    if args.dev:
        print("| change vs defaults | CLEF dev MAP | CB dev AP | CB dev best F1 |\n|---|---|---|---|")
        base_keys = ("vocabulary_size", "min_document_frequency", "l2_readable", "l2_lexical", "clef_share", "nonnegative")
        cached: dict[str, list[dict]] = {}
        for change in DEV_GRID:
            params = {**HYPERPARAMETERS, **change}
            key = json.dumps([params[k] for k in base_keys])
            if key not in cached:
                cached[key] = dev_folds(clef, claimbuster, params)
            result = dev_evaluate(clef, claimbuster, params, cached[key])
            label = ", ".join(f"{k}={v}" for k, v in change.items()) or "defaults"
            print(
                f"| {label} | {result['clef_dev_map']:.4f} | {result['cb_dev_ap']:.4f} | {result['cb_dev_best_f1']:.4f} |",
                flush=True,
            )
        return 0
    model = train(clef, claimbuster, HYPERPARAMETERS)
    command = "python bench/train_checkworthiness.py" + ("" if args.data is None else " --data <datasets>")
    weights = {**model.weights, "context": HYPERPARAMETERS["context_weight"]}
    payload = {
        "weights": weights,
        "lexicon": model.lexicon,
        "provenance": provenance(root, clef, claimbuster, dropped, HYPERPARAMETERS, command),
    }
    if model.embedding is not None:
        payload["embedding"] = {
            "model": "all-MiniLM-L6-v2:384",
            "bias": model.embedding_bias,
            "weights": [float(v) for v in model.embedding],
        }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {out} ({out.stat().st_size / 1024:.0f} KB): {len(model.weights)} weights, {len(model.lexicon)} lexicon terms, "
        f"{0 if model.embedding is None else len(model.embedding)} embedding weights"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
