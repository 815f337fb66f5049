"""Fit the relevance calibration of checks/relevance.py on TRAINING data only, through the product path.

Two training sources, so the probability is not tied to one kind of text:

* SciFact train claims (``scifact_hf_csv.zip`` → ``claims_train.csv``; SciFact's train split, disjoint from
  the 300 dev claims that BEIR and bench/relevance_calibration.py use as the test split; the two train
  claims whose wording also occurs in that test split are left out) against the 5,183 abstracts of
  ``corpus.jsonl``; gold = the claim's cited abstracts.
* CLEF-2020 CheckThat! task 2 train tweets (``train.tweets.queries.tsv``, 800 tweets) against the 10,375
  Snopes fact-checks of ``verified_claims.docs.tsv`` (title = the fact-check's title, body = its claim);
  gold = the fact-checks paired with the tweet. News-like wording, as the workbench sees.

Every candidate is one a reviewer would see: documents split into passages as the corpus import splits
them (``checks.corpus.split_passages``), passages embedded, BM25 over title + passage as
``checks.retrieval.build_index`` does, and each claim's top 10 from the library's ``fuse``. Each claim is
ranked twice: with its gold documents in the corpus, and with them removed — the "nothing here addresses
this claim" case, half of all screens. A candidate is relevant when it comes from a gold document.
Features come from ``checks.relevance.screen_features``, the function the product calls.

Choices, all on the training screens:

* the feature set: the one of FEATURE_SETS with the lowest log loss in 5-fold cross-validation (folds keep
  a claim's two screens together); the logistic model is then refitted on all training screens;
* weak threshold, the "no match" cut: the top-candidate probability that best separates screens with a
  relevant candidate from screens without (maximum Youden J = true-positive rate − false-positive rate);
* strong threshold: the lowest probability at which candidates at or above it are relevant at least
  STRONG_PRECISION of the time.

Run from the repository root (writes data/relevance_calibration.json and prints the fit report):

    python bench/fit_relevance.py

Passage vectors are cached in bench/results/embeddings/ (SciFact's file is the one bench/retrieval_scifact.py
writes); sentence vectors are cached per text there too, so the benchmark reuses them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score, roc_curve
from sklearn.model_selection import GroupKFold

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.common import RESULTS, SHARED_DATASETS, load_beir, markdown_table  # noqa: E402
from bench.retrieval_scifact import embed_corpus, log  # noqa: E402
from checks import relevance  # noqa: E402
from checks.claims import split_sentences  # noqa: E402
from checks.corpus import split_passages  # noqa: E402
from checks.embedding import Encoder  # noqa: E402
from checks.retrieval import BM25, fuse  # noqa: E402
from checks.service import CANDIDATES_PER_CLAIM  # noqa: E402

SCIFACT = SHARED_DATASETS / "scifact"
CLEF = SHARED_DATASETS / "clef2020-checkthat-task2-en"
CACHE = RESULTS / "embeddings"
FOLDS = 5
STRONG_PRECISION = 0.7
_PAIR = ("dense", "best_sentence", "term_coverage")
_MEDIAN = tuple(f"{name}_above_median" for name in _PAIR)
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "pair: dense, best sentence, term coverage": _PAIR,
    "pair + BM25 share": (*_PAIR, "bm25_share"),
    "pair + how far each stands above the screen median": (*_PAIR, *_MEDIAN),
    "all eight": (*_PAIR, "bm25_share", *_MEDIAN, "bm25_share_above_median"),
}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    gold: frozenset[str]  # ids of the documents that address it


@dataclass
class ProductCorpus:
    """A document collection as the product would hold it: passages, their vectors and the BM25 index."""

    name: str
    doc_ids: list[str]
    titles: list[str]
    passages: list[str]
    owners: np.ndarray  # document row of each passage
    vectors: np.ndarray
    bm25: BM25

    def candidate(self, row: int, dense: float, lexical: float) -> dict:
        """A passage in the shape of a ``retrieval.stored_candidates`` row, with its scores."""
        return {"text": self.passages[row], "title": self.titles[self.owners[row]], "dense": dense, "lexical": lexical}


@dataclass
class Screen:
    """The candidates a reviewer sees for one claim in one condition (gold documents present or removed)."""

    claim: Claim
    claim_vector: np.ndarray
    gold_in_corpus: bool
    candidates: list[dict]  # best first
    fused: np.ndarray
    relevant: np.ndarray  # per candidate: from a gold document

    @property
    def has_relevant(self) -> bool:
        return bool(self.relevant.any())


@dataclass
class Source:
    corpus: ProductCorpus
    claims: list[Claim]
    description: str


def product_corpus(
    name: str, doc_ids: list[str], titles: list[str], bodies: list[str], encoder: Encoder, cache: Path = CACHE
) -> ProductCorpus:
    """Split, embed (cached by text hash) and index documents as the corpus import and the index do."""
    passages, owners = [], []
    for row, (title, body) in enumerate(zip(titles, bodies, strict=True)):
        for text, _, _ in split_passages(body, title):
            passages.append(text)
            owners.append(row)
    vectors, _ = embed_corpus(encoder, passages, cache, name=f"{name}-passages")
    bm25 = BM25([f"{titles[o]} {t}".strip() for t, o in zip(passages, owners, strict=True)])
    return ProductCorpus(name, doc_ids, titles, passages, np.asarray(owners, dtype=np.int64), vectors, bm25)


def scifact_corpus(encoder: Encoder, data: Path = SCIFACT) -> ProductCorpus:
    """SciFact's abstracts; the passages and their cache file are bench/retrieval_scifact.py's."""
    dataset = load_beir(data, "test")
    return product_corpus("scifact", dataset.doc_ids, dataset.titles, dataset.texts, encoder)


def scifact_test_claims(data: Path = SCIFACT) -> list[Claim]:
    """The 300 SciFact dev claims (BEIR's test split) with their cited abstracts."""
    dataset = load_beir(data, "test")
    return [Claim(q, text, frozenset(dataset.qrels[q])) for q, text in zip(dataset.query_ids, dataset.queries, strict=True)]


def scifact_train_claims(corpus: ProductCorpus, data: Path = SCIFACT) -> list[Claim]:
    """SciFact training claims (one per id) citing an abstract of the corpus, minus wordings of the test split."""
    with zipfile.ZipFile(data / "scifact_hf_csv.zip") as archive, archive.open("claims_train.csv") as handle:
        rows = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))
    test_wordings = {claim.text for claim in scifact_test_claims(data)}
    known = set(corpus.doc_ids)
    claims: dict[str, Claim] = {}
    for row in rows:  # one row per evidence set; cited_doc_ids is the same on each
        gold = frozenset(re.findall(r"\d+", row["cited_doc_ids"])) & known
        if gold and row["id"] not in claims and row["claim"] not in test_wordings:
            claims[row["id"]] = Claim(row["id"], row["claim"], gold)
    return list(claims.values())


def clef_source(encoder: Encoder, data: Path = CLEF) -> Source:
    """CLEF-2020 task 2: train tweets against the Snopes fact-checks."""
    with (data / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in list(csv.reader(handle, delimiter="\t"))[1:] if len(row) >= 3]
    corpus = product_corpus("clef2020-vclaims", [r[0] for r in rows], [r[2] for r in rows], [r[1] for r in rows], encoder)
    gold: dict[str, set[str]] = {}
    for line in (data / "train.tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 4 and int(fields[3]) > 0:
            gold.setdefault(fields[0], set()).add(fields[2])
    with (data / "train.tweets.queries.tsv").open(encoding="utf-8", newline="") as handle:
        tweets = [row for row in list(csv.reader(handle, delimiter="\t"))[1:] if len(row) >= 2]
    known = set(corpus.doc_ids)
    claims = [Claim(t[0], t[1], frozenset(gold[t[0]] & known)) for t in tweets if gold.get(t[0], set()) & known]
    return Source(corpus, claims, f"CLEF-2020 CheckThat! task 2 train: {len(claims)} tweets, {len(rows):,} Snopes fact-checks")


def training_sources(encoder: Encoder) -> list[Source]:
    """Every training source whose dataset is present."""
    sources = []
    if (SCIFACT / "corpus.jsonl").exists() and (SCIFACT / "scifact_hf_csv.zip").exists():
        corpus = scifact_corpus(encoder)
        claims = scifact_train_claims(corpus)
        sources.append(Source(corpus, claims, f"SciFact train: {len(claims)} claims, {len(corpus.doc_ids):,} abstracts"))
    if (CLEF / "verified_claims.docs.tsv").exists():
        sources.append(clef_source(encoder))
    return sources


def rank_screens(corpus: ProductCorpus, claims: Sequence[Claim], claim_vectors: np.ndarray) -> list[Screen]:
    """Each claim's top candidates from the library's ``fuse``, with its gold documents present and removed.

    Removing = dropping the gold passages from both score vectors before fusing, i.e. ranking the corpus
    without them; BM25's term statistics stay those of the full corpus (one or two documents among
    thousands move them by a negligible amount).
    """
    row_of = {doc: row for row, doc in enumerate(corpus.doc_ids)}
    everything = np.arange(len(corpus.passages))
    screens = []
    for claim, vector in zip(claims, claim_vectors, strict=True):
        dense = corpus.vectors @ vector
        lexical = corpus.bm25.scores(claim.text)
        gold = np.isin(corpus.owners, [row_of[d] for d in claim.gold])
        for present, keep in ((True, everything), (False, np.flatnonzero(~gold))):
            hits = fuse(dense[keep], lexical[keep], k=CANDIDATES_PER_CLAIM)
            rows = [int(keep[h.row]) for h in hits]
            screens.append(
                Screen(
                    claim,
                    vector,
                    present,
                    [corpus.candidate(row, h.dense, h.lexical) for row, h in zip(rows, hits, strict=True)],
                    np.array([h.fused for h in hits]),
                    gold[rows],
                )
            )
    return screens


class SentenceVectors:
    """Sentence vectors cached per text in one file, so the fit and the benchmark embed each sentence once."""

    def __init__(self, encoder: Encoder, cache: Path = CACHE) -> None:
        self.encoder = encoder
        self.path = cache / f"relevance-sentences-{re.sub(r'[^A-Za-z0-9_.-]+', '_', encoder.model_id)}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            stored = np.load(self.path)
            self.vectors = dict(zip(stored["hashes"].tolist(), stored["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def ensure(self, texts: Sequence[str]) -> None:
        """Embed the texts not cached yet (longest first, so batches pad little) and rewrite the cache."""
        missing = sorted({t for t in texts if self.key(t) not in self.vectors}, key=len, reverse=True)
        if not missing:
            return
        log(f"embedding {len(missing):,} sentences …")
        step = max(len(missing) // 10, 1)

        def progress(done: int, total: int) -> None:
            if done % step < 64 or done == total:
                log(f"  {done:,}/{total:,}")

        vectors = self.encoder.encode(missing, progress=progress)
        self.vectors.update(zip(map(self.key, missing), vectors, strict=True))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self.path, hashes=np.array(list(self.vectors)), vectors=np.vstack(list(self.vectors.values())))

    def scorer(self, claim_vector: np.ndarray) -> relevance.SentenceScorer:
        """The product's sentence scorer (cosine of the claim with each sentence) over cached vectors."""
        return lambda _claim, sentences: np.array([self.vectors[self.key(s)] @ claim_vector for s in sentences])


@dataclass
class Examples:
    """Every candidate of a list of screens: features, relevance, and the screen each belongs to."""

    screens: list[Screen]
    features: list[dict[str, float]]
    relevant: np.ndarray
    screen_of: np.ndarray  # index into screens, per candidate

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        return np.array([[row[name] for name in names] for row in self.features], dtype=np.float64)

    def groups(self) -> np.ndarray:
        """One group per claim (its two screens together), for cross-validation."""
        ids = {}
        return np.array([ids.setdefault(self.screens[s].claim, len(ids)) for s in self.screen_of])

    def top(self, values: np.ndarray) -> np.ndarray:
        """Per screen, the highest of a per-candidate value (empty screens get −inf)."""
        out = np.full(len(self.screens), -np.inf)
        np.maximum.at(out, self.screen_of, values)
        return out

    def screen_has_relevant(self) -> np.ndarray:
        return np.array([screen.has_relevant for screen in self.screens])


def build_examples(encoder: Encoder, sentences: SentenceVectors, sources: Sequence[Source]) -> Examples:
    """Rank every claim of every source twice and compute the product's features for each candidate."""
    screens: list[Screen] = []
    features: list[dict[str, float]] = []
    for corpus, claims in ((source.corpus, source.claims) for source in sources):
        log(f"{corpus.name}: ranking {len(claims)} claims with and without their gold documents …")
        claim_vectors = encoder.encode([c.text for c in claims])
        ranked = rank_screens(corpus, claims, claim_vectors)
        sentences.ensure([s.text for screen in ranked for c in screen.candidates for s in split_sentences(c["text"])])
        for screen in ranked:
            scorer = sentences.scorer(screen.claim_vector)
            features += relevance.screen_features(screen.claim.text, screen.candidates, corpus.bm25.idf, scorer)
        screens += ranked
    screen_of = np.repeat(np.arange(len(screens)), [len(screen.candidates) for screen in screens])
    relevant = np.concatenate([screen.relevant for screen in screens]).astype(int)
    return Examples(screens, features, relevant, screen_of)


# ------------------------------------------------------------------------------------------ fitting


def fit_logistic(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    """Plain L2 logistic regression (scikit-learn's default strength; the features are all of order 1)."""
    return LogisticRegression(max_iter=5000).fit(x, y)


def cross_validated(examples: Examples, names: Sequence[str]) -> np.ndarray:
    """Out-of-fold probabilities of every candidate, folds grouped by claim."""
    x, y = examples.matrix(names), examples.relevant
    out = np.zeros(len(y))
    for train, held in GroupKFold(FOLDS).split(x, y, examples.groups()):
        out[held] = fit_logistic(x[train], y[train]).predict_proba(x[held])[:, 1]
    return out


def youden_threshold(scores: np.ndarray, positive: np.ndarray) -> float:
    """The score that best separates positives (at or above) from negatives: maximum TPR − FPR."""
    false_positive, true_positive, thresholds = roc_curve(positive, scores)
    return float(thresholds[1:][np.argmax((true_positive - false_positive)[1:])])  # [0] is the +inf sentinel


def precision_threshold(probabilities: np.ndarray, relevant: np.ndarray, target: float) -> float:
    """The lowest probability at which the candidates at or above it are relevant at least ``target`` of the time."""
    order = np.argsort(-probabilities, kind="stable")
    precision = np.cumsum(relevant[order]) / np.arange(1, len(order) + 1)
    reaching = np.flatnonzero(precision >= target)
    if len(reaching) == 0:
        return 1.0
    return float(probabilities[order][reaching[-1]])


def expected_calibration_error(probabilities: np.ndarray, outcomes: np.ndarray, bins: int = 10) -> float:
    """Σ over 10 equal-width probability bins of (bin share) × |mean probability − observed rate|."""
    probabilities = np.clip(probabilities, 0.0, 1.0)
    which = np.minimum((probabilities * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(probabilities[which == b].mean() - outcomes[which == b].mean()) * np.mean(which == b)
            for b in range(bins)
            if np.any(which == b)
        )
    )


def no_match_precision_recall(top: np.ndarray, cut: float, has_relevant: np.ndarray) -> tuple[float, float]:
    """Precision and recall of the "no match" state (top score below the cut) against "no relevant candidate"."""
    said, truth = top < cut, ~has_relevant
    precision = float(np.mean(truth[said])) if said.any() else float("nan")
    return precision, float(np.mean(said[truth])) if truth.any() else float("nan")


# -------------------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=relevance.CALIBRATION_FILE, help="calibration file (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    encoder = Encoder()
    sources = training_sources(encoder)
    if not sources:
        print(f"No training data found under {SHARED_DATASETS} (SciFact or CLEF-2020 task 2); skipping.")
        return 0
    sentences = SentenceVectors(encoder)
    examples = build_examples(encoder, sentences, sources)
    y = examples.relevant
    has_relevant = examples.screen_has_relevant()

    log("cross-validating the feature sets …")
    rows, losses = [], {}
    for label, names in FEATURE_SETS.items():
        held_out = cross_validated(examples, names)
        losses[label] = log_loss(y, held_out)
        rows.append(
            [
                label,
                losses[label],
                roc_auc_score(y, held_out),
                roc_auc_score(has_relevant, examples.top(held_out)),
                expected_calibration_error(held_out, y),
            ]
        )
    chosen = min(losses, key=losses.get)
    names = FEATURE_SETS[chosen]
    model = fit_logistic(examples.matrix(names), y)
    fitted = relevance.Calibration(names, model.coef_[0], float(model.intercept_[0]), 1.0, 0.0, {})
    probabilities = np.array([fitted.probability(row) for row in examples.features])
    weak = youden_threshold(examples.top(probabilities), has_relevant)
    strong = max(precision_threshold(probabilities, y, STRONG_PRECISION), weak)
    precision, recall = no_match_precision_recall(examples.top(probabilities), weak, has_relevant)

    command = "python bench/fit_relevance.py" + ("" if args.output == relevance.CALIBRATION_FILE else f" --output {args.output}")
    calibration = {
        "model": {
            "kind": "logistic regression: probability = 1 / (1 + exp(-(intercept + Σ coefficient × feature)))",
            "features": list(names),
            "coefficients": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
        },
        "thresholds": {
            "strong": round(strong, 4),
            "weak": round(weak, 4),
            "rule": {
                "weak": "the top-candidate probability that best separates training screens with a relevant candidate "
                "from screens without one (maximum Youden J); below it on every candidate = no match",
                "strong": "lowest probability at which training candidates at or above it are relevant "
                f"≥ {STRONG_PRECISION:.0%} of the time",
            },
        },
        "provenance": {
            "datasets": [s.description for s in sources],
            "split": "training only: SciFact train claims (not the 300 dev claims used as test), CLEF-2020 task 2 train tweets",
            "examples": f"{len(examples.screens):,} screens (each claim ranked with its gold documents present and removed), "
            f"{len(y):,} candidates, {y.mean():.1%} relevant",
            "label": "candidate comes from a document cited as evidence for the claim (SciFact) or paired with the tweet (CLEF)",
            "candidates": "top 10 of checks.retrieval.fuse over passages from checks.corpus.split_passages, as the review screen",
            "feature_definitions": "checks.relevance.pair_features and screen_features",
            "feature_set_choice": f"lowest {FOLDS}-fold cross-validated log loss (folds grouped by claim) "
            f"among {len(FEATURE_SETS)} sets: {chosen}",
            "embedding_model": encoder.model_id,
            "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command,
        },
    }
    args.output.write_text(json.dumps(calibration, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    report = [
        "# Relevance calibration fit (training data only)",
        "",
        f"Load average (1 min) at the end: {os.getloadavg()[0]:.1f}. Sources: " + "; ".join(s.description for s in sources) + ".",
        f"{len(examples.screens):,} screens, {len(y):,} candidates ({y.mean():.1%} relevant); "
        f"{has_relevant.mean():.1%} of screens show a relevant candidate.",
        "",
        f"Feature sets, {FOLDS}-fold cross-validation grouped by claim (out-of-fold probabilities):",
        "",
        markdown_table(["feature set", "log loss", "candidate AUC", "screen AUC (top probability)", "ECE"], rows),
        "",
        f"Chosen: {chosen} — "
        + ", ".join(f"{n} {c:+.3f}" for n, c in zip(names, model.coef_[0], strict=True))
        + f", intercept {model.intercept_[0]:+.3f}.",
        f"Thresholds on the training screens: weak {weak:.3f} (no match: precision {precision:.3f}, recall {recall:.3f}), "
        f"strong {strong:.3f} (candidates at or above: {np.mean(y[probabilities >= strong]):.1%} relevant, "
        f"{np.mean(probabilities >= strong):.1%} of all candidates).",
        f"Written {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}.",
    ]
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
