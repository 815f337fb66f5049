"""Check-worthiness benchmark of checks/claims.py: the shipped scorer beside baselines computed in the same run.

Measured on the test parts only (training parts are used only to train the baselines and to pick
decision thresholds):

* CLEF-2019 CheckThat! Task 1 English, ``test_annotated/`` (7 transcripts, 7,080 sentences, 136
  check-worthy): every sentence is scored, each transcript ranked by score (ties keep transcript
  order), then the official measures averaged over the 7 transcripts: MAP (primary), RR, P@5 and
  R-Precision;
* ClaimBuster ``groundtruth.csv`` (1,032 sentences, 238 CFS): F1 of the check-worthy class (CFS,
  Verdict 1) vs the rest, at the threshold that maximises F1 on out-of-fold scores of the training
  part ``crowdsourced.csv`` (4 folds by debate; the hand-set rules need no training, so their
  threshold is picked on all of crowdsourced.csv), and the threshold-free AP of CFS.

Rows: TF-IDF (1–2-grams) + class-balanced logistic regression as in the datasets' SOURCE.md
(trained per dataset: CLEF training → CLEF test, crowdsourced → groundtruth) and trained on the same
mixed data as the shipped scorer; the hand-set rule weights (``DEFAULT_WEIGHTS``); the shipped
learned scorer without an encoder (readable features + lexicon, ``checks.claims.score_sentence``)
and with the all-MiniLM-L6-v2 embedding part (``checks.claims.score_sentences`` with an encoder;
the headline row; vectors read from the cache under bench/results/embeddings/, filled on first use).
Published CLEF-2019 primary runs are listed apart, labelled as published.

Run from the repository root (≈ 2 minutes when the sentence vectors are cached, plus ≈ 15 minutes once to embed them):

    python bench/checkworthiness.py [--data ../shared/datasets]

The report is printed and written to bench/results/checkworthiness.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
from scipy import sparse

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.common import RESULTS, markdown_table  # noqa: E402
from bench.train_checkworthiness import (  # noqa: E402
    HYPERPARAMETERS,
    Labelled,
    average_precision,
    balanced_weights,
    best_f1_threshold,
    datasets_root,
    dev_folds,
    dev_scores,
    embed,
    f1_at,
    fit_logistic,
    folds_by_group,
    load_claimbuster,
    load_clef,
    mixed_weights,
    smooth,
    training_sets,
)
from checks.claims import DEFAULT_WEIGHTS, EMBEDDING, WEIGHTS, WEIGHTS_FILE, score_sentence, score_sentences  # noqa: E402

FOLDS = 4
SHORT_NAMES = ("TF-IDF per-dataset (logit)", "TF-IDF mixed (logit)", "rules (0–1)", "no encoder (0–1)", "with embeddings (0–1)")
# Published CLEF-2019 Task 1 primary runs (organisers' README "Evaluation Results"; via the dataset's SOURCE.md).
PUBLISHED = [  # (team, MAP, RR, P@5, R-Precision)
    ("Copenhagen (1st of 12, primary)", 0.1660, 0.4176, 0.2571, 0.1387),
    ("TheEarthIsFlat (2nd, primary)", 0.1597, 0.1953, 0.2286, 0.2052),
    ("IPIPAN (3rd, primary)", 0.1332, 0.2864, 0.1429, 0.1481),
    ("Fire (12th, last, primary)", 0.0528, 0.1365, 0.0571, 0.0570),
]


# --------------------------------------------------------------------------------------------- TF-IDF

WORD = re.compile(r"(?u)\b\w\w+\b")  # the usual TF-IDF tokeniser: words of two or more characters


def _ngrams(text: str) -> list[str]:
    tokens = WORD.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


class Tfidf:
    """1–2-gram TF-IDF with smoothed idf and l2 rows (the common library defaults), in numpy/scipy."""

    def __init__(self, texts: Sequence[str]) -> None:
        df = Counter(term for text in texts for term in set(_ngrams(text)))
        self.index = {term: column for column, term in enumerate(sorted(df))}
        n = len(texts)
        self.idf = np.array([np.log((1 + n) / (1 + df[term])) + 1.0 for term in sorted(df)])

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr, indices, values = [0], [], []
        for text in texts:
            pairs = sorted((self.index[term], count) for term, count in Counter(_ngrams(text)).items() if term in self.index)
            columns = [column for column, _ in pairs]
            row = np.array([count for _, count in pairs], dtype=np.float64) * self.idf[columns]
            norm = np.linalg.norm(row)
            indices += columns
            values += list(row / norm if norm else row)
            indptr.append(len(indices))
        return sparse.csr_matrix((values, indices, indptr), shape=(len(texts), len(self.index)))


def tfidf_scorer(rows: Sequence[Labelled], weight: np.ndarray) -> Callable[[Sequence[str]], np.ndarray]:
    """Train TF-IDF + logistic regression (C = 1) with the given sample weights; returns a scoring function."""
    texts = [row.text for row in rows]
    vectoriser = Tfidf(texts)
    w, b = fit_logistic(vectoriser.transform(texts), np.array([row.label for row in rows], dtype=float), weight, 1.0)
    return lambda batch: vectoriser.transform(batch) @ w + b


def balanced(rows: Sequence[Labelled]) -> np.ndarray:
    """Class-balanced sample weights (mean 1) for one dataset."""
    return balanced_weights(np.array([row.label for row in rows]), len(rows))


class CachedEncoder:
    """Stands in for checks.embedding.Encoder with the same model, reading vectors from the benchmark's disk cache."""

    model_id = "all-MiniLM-L6-v2:384"

    @staticmethod
    def encode(texts: Sequence[str]) -> np.ndarray:
        return embed(list(texts))


# -------------------------------------------------------------------------------------------- metrics


def clef_metrics(rows: Sequence[Labelled], scores: np.ndarray) -> dict[str, float]:
    """Official CLEF-2019 Task 1 measures, each averaged over transcripts: MAP, RR, P@5, R-Precision."""
    groups: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        groups.setdefault(row.group, []).append(position)
    per: dict[str, list[float]] = {"MAP": [], "RR": [], "P@5": [], "R-Prec": []}
    for positions in groups.values():
        labels = np.array([rows[i].label for i in positions])
        hits = labels[np.argsort(-scores[positions], kind="stable")] == 1
        relevant = int(hits.sum())
        per["MAP"].append(average_precision(scores[positions], labels))
        per["RR"].append(1.0 / (int(np.argmax(hits)) + 1) if relevant else 0.0)
        per["P@5"].append(float(hits[:5].mean()))
        per["R-Prec"].append(float(hits[:relevant].mean()) if relevant else 0.0)
    return {name: float(np.mean(values)) for name, values in per.items()}


def claimbuster_metrics(train_scores: np.ndarray, train_labels: np.ndarray, scores: np.ndarray, labels: np.ndarray) -> dict:
    """F1(CFS) on the test part at the threshold picked on training-part scores, plus AP(CFS)."""
    threshold, _ = best_f1_threshold(train_scores, train_labels)
    return {"F1": f1_at(scores, labels, threshold), "AP": average_precision(scores, labels), "threshold": threshold}


def out_of_fold(rows: Sequence[Labelled], fit: Callable[[list[Labelled], list[int]], Callable]) -> np.ndarray:
    """Scores of each training row from a model fitted without its fold (folds by debate)."""
    fold_of = folds_by_group(rows, FOLDS)
    scores = np.zeros(len(rows))
    for fold in range(FOLDS):
        inside = [i for i, f in enumerate(fold_of) if f != fold]
        held = [i for i, f in enumerate(fold_of) if f == fold]
        scorer = fit([rows[i] for i in inside], inside)
        scores[held] = scorer([rows[i].text for i in held])
    return scores


# ----------------------------------------------------------------------------------------------- main


def run(root: Path) -> str:
    """Train the baselines, score everything, return the markdown report."""
    started = time.perf_counter()
    clef_train, cb_train, _ = training_sets(root)
    clef_test, cb_test = load_clef(root, "test_annotated"), load_claimbuster(root, "groundtruth")
    cb_train_labels = np.array([row.label for row in cb_train])
    cb_test_labels = np.array([row.label for row in cb_test])
    clef_texts, cb_texts = [row.text for row in clef_test], [row.text for row in cb_test]
    mixed = clef_train + cb_train
    mixed_weight = mixed_weights(np.array([row.label for row in clef_train]), cb_train_labels, HYPERPARAMETERS["clef_share"])

    results: list[tuple[str, dict, dict]] = []  # (system, CLEF metrics, ClaimBuster metrics)

    # TF-IDF + LR trained per dataset (SOURCE.md protocol).
    on_clef = tfidf_scorer(clef_train, balanced(clef_train))
    on_cb = tfidf_scorer(cb_train, balanced(cb_train))
    cb_oof = out_of_fold(cb_train, lambda part, _: tfidf_scorer(part, balanced(part)))
    results.append(
        (
            "TF-IDF+LR baseline, per-dataset training",
            clef_metrics(clef_test, on_clef(clef_texts)),
            claimbuster_metrics(cb_oof, cb_train_labels, on_cb(cb_texts), cb_test_labels),
        )
    )
    print(f"[{time.perf_counter() - started:.0f}s] per-dataset TF-IDF baseline done", flush=True)

    # TF-IDF + LR trained on the shipped scorer's mixed training data and weights.
    on_mixed = tfidf_scorer(mixed, mixed_weight)
    cb_offset = len(clef_train)

    def refit_mixed(part: list[Labelled], inside: list[int]) -> Callable[[Sequence[str]], np.ndarray]:
        return tfidf_scorer(clef_train + part, mixed_weight[np.r_[np.arange(cb_offset), cb_offset + np.array(inside)]])

    cb_oof_mixed = out_of_fold(cb_train, refit_mixed)
    results.append(
        (
            "TF-IDF+LR baseline, same mixed training data as shipped",
            clef_metrics(clef_test, on_mixed(clef_texts)),
            claimbuster_metrics(cb_oof_mixed, cb_train_labels, on_mixed(cb_texts), cb_test_labels),
        )
    )
    print(f"[{time.perf_counter() - started:.0f}s] mixed TF-IDF baseline done", flush=True)

    # Hand-set rules: no training, so the threshold is picked on all of crowdsourced.csv.
    def rules(texts: Sequence[str]) -> np.ndarray:
        return np.array([score_sentence(text, DEFAULT_WEIGHTS)[0] for text in texts])

    results.append(
        (
            "hand-set rule weights (DEFAULT_WEIGHTS)",
            clef_metrics(clef_test, rules(clef_texts)),
            claimbuster_metrics(rules([row.text for row in cb_train]), cb_train_labels, rules(cb_texts), cb_test_labels),
        )
    )

    # Shipped learned scorer without an encoder (readable features + lexicon), through the app's own function.
    def shipped(texts: Sequence[str]) -> np.ndarray:
        return np.array([score_sentence(text)[0] for text in texts])

    timer = time.perf_counter()
    shipped_clef = shipped(clef_texts)
    per_sentence_ms = (time.perf_counter() - timer) * 1000 / len(clef_texts)

    # Out-of-fold ClaimBuster training scores for the thresholds: the base part refitted without each fold (4 folds
    # by transcript/debate over both training sets), then for the embedding row the embedding part fitted on top
    # (as in train_checkworthiness.py --dev).
    parts = dev_folds(clef_train, cb_train, HYPERPARAMETERS, FOLDS)
    _, base_oof = dev_scores(clef_train, cb_train, {**HYPERPARAMETERS, "embedding": False}, parts)
    print(f"[{time.perf_counter() - started:.0f}s] out-of-fold base scores done", flush=True)
    results.append(
        (
            "learned readable features + lexicon (score_sentence, no encoder)",
            clef_metrics(clef_test, shipped_clef),
            claimbuster_metrics(1.0 / (1.0 + np.exp(-base_oof)), cb_train_labels, shipped(cb_texts), cb_test_labels),
        )
    )

    if EMBEDDING["weights"]:

        def with_embeddings(texts: Sequence[str]) -> np.ndarray:
            return np.array([score for score, _, _ in score_sentences(list(texts), CachedEncoder())])

        _, embedding_oof = dev_scores(clef_train, cb_train, {**HYPERPARAMETERS, "embedding": True}, parts)
        embedding_clef = with_embeddings(clef_texts)
        results.append(
            (
                "learned with embeddings (score_sentences + encoder) — headline",
                clef_metrics(clef_test, embedding_clef),
                claimbuster_metrics(
                    1.0 / (1.0 + np.exp(-embedding_oof)), cb_train_labels, with_embeddings(cb_texts), cb_test_labels
                ),
            )
        )
        context = WEIGHTS.get("context", 0.0)
        if context:  # extract_claims smooths over neighbouring sentences of an article; transcripts are sequences too
            logits = smooth(np.log(embedding_clef / (1 - embedding_clef)), [row.group for row in clef_test], context)
            results.append(
                (
                    f"learned with embeddings + context smoothing ({context}) as extract_claims applies it",
                    clef_metrics(clef_test, logits),
                    {},  # ClaimBuster sentences are not in article order: no context
                )
            )
    print(f"[{time.perf_counter() - started:.0f}s] rules and learned scorers done", flush=True)

    reference = results[1]
    header = ["system", "CLEF MAP", "RR", "P@5", "R-Prec", "CB F1(CFS)", "CB AP(CFS)", "MAP ÷ baseline", "F1 ÷ baseline"]
    rows = [
        [
            name,
            clef["MAP"],
            clef["RR"],
            clef["P@5"],
            clef["R-Prec"],
            cb.get("F1"),
            cb.get("AP"),
            f"{clef['MAP'] / reference[1]['MAP']:.2f}×",
            f"{cb['F1'] / reference[2]['F1']:.2f}×" if cb else None,
        ]
        for name, clef, cb in results
    ]
    published = [
        [f"{team} — published", m, rr, p5, rp, None, None, f"{m / reference[1]['MAP']:.2f}×", None]
        for team, m, rr, p5, rp in PUBLISHED
    ]

    shipped_file = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")) if WEIGHTS_FILE.exists() else {}
    shipped_params = shipped_file.get("provenance", {}).get("hyperparameters")
    notes = [
        f"Measured {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.platform()}, "
        f"Python {platform.python_version()}; run time {time.perf_counter() - started:.0f} s.",
        f"Test parts: CLEF-2019 test_annotated ({len(clef_test):,} sentences, {sum(r.label for r in clef_test)} positive, "
        f"{len({r.group for r in clef_test})} transcripts); ClaimBuster groundtruth.csv ({len(cb_test):,} sentences, "
        f"{int(cb_test_labels.sum())} CFS).",
        f"Training parts: CLEF-2019 training ({len(clef_train):,} sentences), ClaimBuster crowdsourced.csv ({len(cb_train):,}); "
        "sentences also present in a test part dropped.",
        "Ratios are against the TF-IDF+LR baseline trained on the same mixed data as the shipped scorer.",
        "CB F1(CFS) uses a threshold picked on training-part scores (out-of-fold for trained models); thresholds: "
        + ", ".join(f"{short} {cb['threshold']:.3f}" for short, (_, _, cb) in zip(SHORT_NAMES, results, strict=False) if cb)
        + ".",
        "ClaimBuster reference from its SOURCE.md (computed when the data was prepared, not published): "
        "TF-IDF+LR binary CFS-vs-rest F1(CFS) 0.857. CLEF SOURCE.md sanity run: TF-IDF+LR test MAP 0.153.",
        f"Shipped scorer: {WEIGHTS_FILE.relative_to(REPO)} "
        + (
            f"({WEIGHTS_FILE.stat().st_size / 1024:.0f} KB, {len(shipped_file.get('lexicon', {})):,} lexicon terms, "
            f"lexical scale {WEIGHTS.get('lexical', 0.0)}, {len(EMBEDDING['weights'])} embedding weights for "
            f"{EMBEDDING['model']}, context weight {WEIGHTS.get('context', 0.0)}); score_sentence takes "
            f"{per_sentence_ms:.3f} ms per sentence (the embedding row also needs the sentence vectors: encoding "
            "costs roughly 4–10 ms per sentence on 2 CPU cores, not included)."
            if shipped_file
            else "absent — the 'shipped' row is the hand-set rules."
        ),
    ]
    if shipped_params is not None and shipped_params != HYPERPARAMETERS:
        notes.append("WARNING: the shipped file was trained with other hyperparameters than the training script's current ones.")
    table = markdown_table(header, rows + published)
    return "# Check-worthiness benchmark\n\n" + table + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder with clef2019-checkthat-task1-en/ and claimbuster/ (default ../shared/datasets)")
    args = parser.parse_args(argv)
    root = datasets_root(args.data)
    if root is None:
        return 0
    report = run(root)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "checkworthiness.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
