"""Relevance: an absolute, calibrated probability that a candidate passage addresses a claim, its
plain label (strong / weak / none), and whether anything in the corpus addresses the claim at all.

Fused scores are min-max normalised per claim, so they order candidates but say nothing absolute: the
best of ten unrelated passages still gets a high fused score. This module turns what the review
screen already has for a (claim, passage) pair — dense cosine, raw BM25, best-sentence similarity,
shared terms — into features that mean the same for every claim and corpus, and applies a small
logistic model to them. The model's parameters, the label thresholds and their provenance ship in
``data/relevance_calibration.json`` (written by ``bench/fit_relevance.py`` from training data only);
applying it needs numpy alone. Shared numbers and names (checks/signals.py) are not features: on the
training data they carried no signal (single-feature AUC 0.50–0.54), so they stay reviewer hints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from checks.claims import split_sentences
from checks.config import SHIPPED_DATA
from checks.errors import ConfigurationError
from checks.retrieval import tokenize
from checks.vocab import RelevanceLabel

CALIBRATION_FILE = SHIPPED_DATA / "relevance_calibration.json"

# idf of each term in the evidence index (retrieval.BM25.idf): what makes BM25 comparable across claims.
TermWeights = Callable[[Sequence[str]], np.ndarray]
# Cosine of the claim with each of a list of sentences (the app's embedding scorer).
SentenceScorer = Callable[[str, list[str]], np.ndarray]


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model over named features, and the probability thresholds of the labels."""

    features: tuple[str, ...]
    coefficients: np.ndarray
    intercept: float
    strong: float  # probability at or above which a candidate is "strong"
    weak: float  # at or above which it is "weak"; below it, "none"
    provenance: Mapping[str, object]

    def probability(self, features: Mapping[str, float]) -> float:
        """Calibrated probability that the passage addresses the claim."""
        logit = self.intercept + float(np.dot(self.coefficients, [features[name] for name in self.features]))
        if logit >= 0:  # the two forms of the logistic function, so exp never overflows
            return 1.0 / (1.0 + math.exp(-logit))
        return math.exp(logit) / (1.0 + math.exp(logit))

    def label(self, probability: float) -> RelevanceLabel:
        if probability >= self.strong:
            return RelevanceLabel.STRONG
        if probability >= self.weak:
            return RelevanceLabel.WEAK
        return RelevanceLabel.NONE


def read_calibration(path: Path) -> Calibration:
    """Parse a calibration file; a missing or malformed file is a broken installation."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        model = data["model"]
        return Calibration(
            features=tuple(model["features"]),
            coefficients=np.asarray(model["coefficients"], dtype=np.float64),
            intercept=float(model["intercept"]),
            strong=float(data["thresholds"]["strong"]),
            weak=float(data["thresholds"]["weak"]),
            provenance=data["provenance"],
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(f"The relevance calibration {Path(path).name} is missing or unreadable ({error}).") from error


@cache
def load_calibration() -> Calibration:
    """The shipped calibration, read once per process."""
    return read_calibration(CALIBRATION_FILE)


@dataclass(frozen=True)
class Relevance:
    """What the review screen shows about one candidate: the probability and its label."""

    probability: float
    label: RelevanceLabel


def pair_features(
    claim: str, passage: str, title: str | None, dense: float, lexical: float, idf: TermWeights, scorer: SentenceScorer
) -> dict[str, float]:
    """Features of one (claim, passage) pair on scales that mean the same for every claim and corpus."""
    terms = tokenize(claim)
    distinct = list(dict.fromkeys(terms))
    weights = dict(zip(distinct, idf(distinct), strict=True))
    # BM25 is at most (k1 + 1)·Σ idf over the query's terms, so dividing by that sum puts a two-word and a
    # twenty-word claim on one scale. Terms the corpus never saw count at full weight: a claim whose key
    # words appear nowhere is not addressed by any passage, however well its common words match.
    ceiling = sum(weights[t] for t in terms)
    present = set(tokenize(f"{title or ''} {passage}"))
    sentences = [s.text for s in split_sentences(passage)]
    return {
        "dense": float(dense),
        "best_sentence": float(np.max(scorer(claim, sentences))) if sentences else float(dense),
        "bm25_share": float(lexical) / ceiling if ceiling > 0 else 0.0,
        "term_coverage": sum(w for t, w in weights.items() if t in present) / sum(weights.values()) if weights else 0.0,
    }


PAIR_FEATURES = ("dense", "best_sentence", "bm25_share", "term_coverage")


def screen_features(
    claim: str, candidates: Sequence[Mapping], idf: TermWeights, scorer: SentenceScorer
) -> list[dict[str, float]]:
    """Features of each candidate on one claim's screen (dicts with text, title, dense, lexical).

    Besides the pair's own features, how far each stands above the screen's median: when the corpus
    holds the answer, that passage stands out from the rest; when it does not, all ten look alike.
    """
    rows = [pair_features(claim, c["text"], c.get("title"), c["dense"], c["lexical"], idf, scorer) for c in candidates]
    if rows:
        medians = {name: float(np.median([r[name] for r in rows])) for name in PAIR_FEATURES}
        for row in rows:
            row.update({f"{name}_above_median": row[name] - medians[name] for name in PAIR_FEATURES})
    return rows


def assess(
    claim: str,
    candidates: Sequence[Mapping],
    idf: TermWeights,
    scorer: SentenceScorer,
    calibration: Calibration | None = None,
) -> list[Relevance]:
    """Calibrated relevance of each candidate of one claim's ranked list, in order."""
    calibration = calibration or load_calibration()
    judged = []
    for features in screen_features(claim, candidates, idf, scorer):
        probability = calibration.probability(features)
        judged.append(Relevance(probability, calibration.label(probability)))
    return judged


def has_match(labels: Iterable[RelevanceLabel]) -> bool:
    """True when some candidate reaches the weak threshold; False means no passage in the corpus
    addresses the claim (the review screen says so instead of offering ten unrelated cards)."""
    return any(label != RelevanceLabel.NONE for label in labels)
